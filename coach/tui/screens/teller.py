"""Pick or create the teller's name (first start; `--teller NAME` skips this screen)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from coach.store.db import StoreError
from coach.store.tellers import clean_name
from coach.untrusted import one_line

TEXT = {
    "who": ("你是哪位柜员？", "Who is practising?"),
    "new": ("新名字，按回车确认", "A new name, then Enter"),
}


class TellerScreen(ModalScreen[str]):
    """Dismissed with the chosen (clean) name."""

    DEFAULT_CSS = """
    TellerScreen { align: center middle; }
    TellerScreen > Vertical { width: 50; height: auto; border: round $primary; padding: 1 2; }
    TellerScreen OptionList { height: auto; max-height: 8; margin-bottom: 1; }
    TellerScreen #teller-error { color: $error; }
    TellerScreen.-opaque { background: $background; }
    """

    def __init__(self, known: list[str], lang: str = "en") -> None:
        super().__init__()
        self.known, self.lang = known, lang

    def compose(self) -> ComposeResult:
        zh = self.lang == "zh"
        with Vertical():
            yield Label(TEXT["who"][0 if zh else 1])
            if self.known:
                yield OptionList(*[Option(one_line(name), id=f"t{i}") for i, name in enumerate(self.known)],
                                 id="tellers", markup=False)
            yield Input(placeholder=TEXT["new"][0 if zh else 1], id="new-teller")
            yield Label("", id="teller-error", markup=False)

    def on_mount(self) -> None:
        if self.app.is_web:
            # In a browser (`coach serve`) the prompt hides the library instead of dimming it: blending
            # the library's every cell doubled the first screen's CPU, and a training room starts 40
            # sessions at once on one PC (docs/performance.md, "A training room").
            self.add_class("-opaque")
        self.query_one("#tellers" if self.known else "#new-teller").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.known[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            name = clean_name(event.value)
        except StoreError as exc:
            self.query_one("#teller-error", Label).update(str(exc))
            return
        self.dismiss(name)
