"""Command palette entries: switch language, switch mode, jump to a scenario.

Scenario titles are untrusted: hits are built as `Content(text)` (literal), never through
`Matcher.highlight`, which parses markup.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from coach.tui import i18n


class CoachCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        lang = getattr(app, "lang", "en")
        items: list[tuple[str, str, object]] = [
            (i18n.t("cmd_lang", lang), i18n.t("cmd_lang_help", lang), app.action_switch_lang),
            (i18n.t("cmd_mode", lang), i18n.t("cmd_mode_help", lang), app.action_switch_mode),
            (i18n.t("cmd_library", lang), "", app.request_library),
        ]
        for entry in app.all_entries():
            if entry.ok:
                items.append((i18n.t("cmd_open", lang) + entry.title(lang), entry.id,
                              partial(app.open_scenario, entry)))
        return items

    async def discover(self) -> Hits:
        for text, help_, callback in self._commands():
            yield DiscoveryHit(Content(text), callback, text=text, help=help_ or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_, callback in self._commands():
            score = max(matcher.match(text), matcher.match(help_) if help_ else 0)
            if score > 0:
                yield Hit(score, Content(text), callback, text=text, help=help_ or None)
