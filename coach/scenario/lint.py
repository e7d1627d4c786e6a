"""Graph and content checks on a validated scenario, beyond what the model's types can say.

Each finding is a `Diagnostic` with a stable code, located at the offending key through the
loader's position map:

errors:   unknown-step, unknown-start, no-choices, trap-cycle, no-ending, missing-language,
          critical-best (a critical mistake cannot be the best choice),
          best-loop, too-long (the best path, which `play --best` and `check --auto best` take)
warnings: unreachable, plain-text, extra-language, no-clear-best, no-feedback, no-calming,
          unscored, todo, best-always-same, length-cue, name-cue, apology-cue, polite-cue,
          clause-cue, position-cue (the form of the choices points at the best: coach.scenario.cues),
          no-partial-credit (three or more decision steps and not one half-right choice),
          marker-in-worst (a good marker found in the step's worst choice), hurt-in-best (a hurting
          marker found in the best choice): markers for "say it yourself" (coach.scenario.markers)
"""

from __future__ import annotations

from collections.abc import Iterator

from coach.scenario import cues as _cues
from coach.scenario.diagnostics import Diagnostic, Severity
from coach.scenario.model import MAX_MOVES, Scenario

Position = tuple[int, int]


def lint(scenario: Scenario, positions: dict[tuple, Position] | None, path: str) -> list[Diagnostic]:
    """All findings for one scenario, sorted by position."""
    return _Linter(scenario, positions or {}, path).run()


class _Linter:
    def __init__(self, scenario: Scenario, positions: dict[tuple, Position], path: str) -> None:
        self.s = scenario
        self.positions = positions
        self.path = path
        self.out: list[Diagnostic] = []

    # -- helpers --------------------------------------------------------------------------

    def at(self, where: tuple) -> Position:
        while where and where not in self.positions:
            where = where[:-1]
        return self.positions.get(where, (1, 1))

    def add(self, where: tuple, severity: Severity, message: str, code: str) -> None:
        line, col = self.at(where)
        self.out.append(Diagnostic(self.path, line, col, severity, message, code))

    def run(self) -> list[Diagnostic]:
        self.graph()
        self.texts()
        self.choices()
        self.cues()
        self.markers()
        self.out.sort(key=lambda d: (d.line, d.col, d.severity != "error"))
        return self.out

    # -- the step graph -------------------------------------------------------------------

    def graph(self) -> None:
        steps = self.s.steps
        edges: dict[str, list[str]] = {}
        for sid, step in steps.items():
            if not step.is_ending and not step.choices:
                self.add(("steps", sid), "error", f"step '{sid}' is not an ending and has no choices", "no-choices")
            targets = []
            for i, choice in enumerate(step.choices):
                if choice.next in steps:
                    targets.append(choice.next)
                else:
                    self.add(
                        ("steps", sid, "choices", i, "next"), "error",
                        f"'next' names a step that does not exist: '{choice.next}'", "unknown-step",
                    )
            edges[sid] = targets

        if self.s.start not in steps:
            self.add(("start",), "error", f"'start' names a step that does not exist: '{self.s.start}'", "unknown-start")
            return

        reached = _reach(self.s.start, edges)
        for sid in steps:
            if sid not in reached:
                self.add(("steps", sid), "warning", f"step '{sid}' cannot be reached from '{self.s.start}'", "unreachable")

        endings = {sid for sid, step in steps.items() if step.is_ending}
        reverse: dict[str, list[str]] = {sid: [] for sid in steps}
        for sid, targets in edges.items():
            for t in targets:
                reverse[t].append(sid)
        can_end: set[str] = set()
        for e in endings:
            can_end |= _reach(e, reverse)

        if not (reached & endings):
            self.add(("start",), "error", f"no ending can be reached from '{self.s.start}'", "no-ending")
        trapped = {sid for sid in reached if sid not in can_end}
        for cycle in _cycles(trapped, edges):
            loop = " → ".join(cycle + [cycle[0]])
            self.add(
                ("steps", cycle[0]), "error",
                f"steps loop with no way out to an ending: {loop}", "trap-cycle",
            )

        self.best_path()

        if self.s.customer.type == "agitated":
            if not any(steps[sid].phase == "calming" for sid in reached):
                self.add(
                    ("customer", "type"), "warning",
                    "an agitated customer, but no step of phase 'calming' on any path (calm first, then explain)",
                    "no-calming",
                )

    def best_path(self) -> None:
        """Follow the best choice from the start, as the engine does for `play --best`: it must reach
        an ending, without coming back to a step, within the engine's move cap."""
        steps = self.s.steps
        sid, seen, order = self.s.start, {}, []
        while sid in steps and not steps[sid].is_ending and steps[sid].choices:
            if sid in seen:
                loop = " → ".join(order[seen[sid]:] + [sid])
                self.add(("steps", sid), "error",
                         f"taking the best choice at every step goes round in a loop: {loop}; "
                         "give the loop's way out the higher points", "best-loop")
                return
            if len(order) >= MAX_MOVES:
                self.add(("start",), "error",
                         f"the best path is longer than {MAX_MOVES} choices, the most one play can take",
                         "too-long")
                return
            seen[sid] = len(order)
            order.append(sid)
            step = steps[sid]
            sid = step.choices[step.best_index()].next

    # -- texts ----------------------------------------------------------------------------

    def localized(self) -> Iterator[tuple[tuple, object]]:
        s = self.s
        yield ("title",), s.title
        c = s.customer
        yield ("customer", "name"), c.name
        yield ("customer", "profile"), c.profile
        yield ("customer", "wants"), c.wants
        for sid, step in s.steps.items():
            base = ("steps", sid)
            yield base + ("situation",), step.situation
            yield base + ("customer",), step.customer
            yield base + ("text",), step.text
            for i, choice in enumerate(step.choices):
                yield base + ("choices", i, "text"), choice.text
                yield base + ("choices", i, "feedback"), choice.feedback
                yield base + ("choices", i, "critical"), choice.critical

    def texts(self) -> None:
        declared = list(dict.fromkeys(self.s.languages))
        for where, text in self.localized():
            if text is None:
                continue
            name = where[-1]
            if isinstance(text, str):
                if len(declared) > 1:
                    self.add(
                        where, "warning",
                        f"plain string in a bilingual scenario: give '{name}' as {{{', '.join(l + ': …' for l in declared)}}}",
                        "plain-text",
                    )
                values = [text]
            else:
                missing = [lang for lang in declared if lang not in text]
                if missing:
                    self.add(where, "error", f"'{name}' has no {', '.join(missing)} text", "missing-language")
                extra = [lang for lang in text if lang not in declared]
                if extra:
                    self.add(
                        where, "warning",
                        f"'{name}' has {', '.join(extra)} text but the scenario's languages are {', '.join(declared)}",
                        "extra-language",
                    )
                values = list(text.values())
            if any("TODO" in v for v in values):
                self.add(where, "warning", f"'{name}' still says TODO", "todo")

    # -- choices --------------------------------------------------------------------------

    def choices(self) -> None:
        best_at: list[int] = []  # the best choice's position at each step that has a clear best
        for sid, step in self.s.steps.items():
            if not step.choices:
                continue
            base = ("steps", sid)
            for i, choice in enumerate(step.choices):
                if choice.feedback is None:
                    self.add(base + ("choices", i), "warning", "choice has no feedback: say why it is good or poor", "no-feedback")
            if all(not c.scores for c in step.choices):
                self.add(base + ("choices",), "warning", f"no choice in step '{sid}' has scores", "unscored")
                continue
            best = max(c.total for c in step.choices)
            tied = [i for i, c in enumerate(step.choices) if c.total == best]
            for i in tied:
                if step.choices[i].critical is not None:
                    self.add(
                        base + ("choices", i, "critical"), "error",
                        f"choice {i + 1} is a critical mistake but has the highest total ({best}) in step "
                        f"'{sid}': score its communication below the best choice",
                        "critical-best",
                    )
            if len(tied) > 1:
                # Two good routes: equally good moves leading to different conversations are fine;
                # equal totals leading to the same step are an undecided key.
                targets = [step.choices[i].next for i in tied]
                if len(set(targets)) < len(targets):
                    self.add(
                        base + ("choices",), "warning",
                        f"no choice in step '{sid}' is clearly best: choices {', '.join(str(i + 1) for i in tied)} "
                        f"share the highest total ({best}) and some lead to the same step "
                        "(two good routes must lead to different steps)",
                        "no-clear-best",
                    )
            elif len(step.choices) >= 2:
                best_at.append(tied[0])
        # All-or-nothing scoring: a slip costs as much as a blunder, and the verdict is unfair.
        decisions = [st for _, st in _cues.decision_steps(self.s) if any(c.scores for c in st.choices)]
        if len(decisions) >= 3 and not any(
            0 < c.total < max(x.total for x in st.choices) for st in decisions for c in st.choices
        ):
            self.add(
                ("steps",), "warning",
                f"no decision step (of {len(decisions)}) has a half-right choice (a total above 0 and below the "
                "best's): give most steps one, so one slip is not scored as a blunder",
                "no-partial-credit",
            )
        # A teller in practice mode learns the position instead of the conversation.
        if len(best_at) >= 3 and len(set(best_at)) == 1:
            self.add(
                ("steps",), "warning",
                f"the best choice is always number {best_at[0] + 1} (at all {len(best_at)} decision steps): "
                "a teller learns the position, not the conversation; vary the order",
                "best-always-same",
            )


    # -- markers ("say it yourself") ----------------------------------------------------------

    def markers(self) -> None:
        """Markers exist in every language of the scenario, and none contradicts the step's key: a
        good marker found in the worst choice (or a hurting one in the best) would praise a mistake."""
        from coach.scenario.markers import contains_phrase
        from coach.scenario.model import localize

        declared = list(dict.fromkeys(self.s.languages))
        for sid, step in self.s.steps.items():
            if not step.markers or not step.choices:
                continue
            totals = [c.total for c in step.choices]
            worst = [c for c in step.choices if c.total == min(totals)]
            best = [c for c in step.choices if c.total == max(totals)]
            for i, marker in enumerate(step.markers):
                where = ("steps", sid, "markers", i)
                phrases = marker.phrases
                missing = [lang for lang in declared if lang not in phrases]
                if missing:
                    self.add(where + (marker.kind,), "error",
                             f"marker {i + 1} ({marker.principle}) has no {', '.join(missing)} phrases",
                             "missing-language")
                against, code, what = (worst, "marker-in-worst", "the worst choice") if marker.kind == "good" \
                    else (best, "hurt-in-best", "the best choice")
                for lang, words in phrases.items():
                    for phrase in words:
                        if any(contains_phrase(localize(c.text, lang), phrase, lang) for c in against):
                            self.add(
                                where + (marker.kind, lang), "warning",
                                f"{marker.kind} marker '{phrase}' ({marker.principle}) is found in {what} of "
                                f"step '{sid}': it would praise a mistake; choose a phrase the mistake lacks",
                                code,
                            )

    # -- surface cues ---------------------------------------------------------------------

    def cues(self) -> None:
        """A cue that points at the best choice at (nearly) every step: a teller who skims finds
        the answer without reading. Thresholds in coach.scenario.cues (they do not fire on chance)."""
        tallies, positions = _cues.tally_scenario(self.s)
        for cid, tally in tallies.items():
            if not tally.systematic():
                continue
            code, what = _CUE_WORDS[cid]
            self.add(
                ("steps",), "warning",
                f"the best choice {what} at {tally.hits:g} of {tally.steps} decision steps "
                f"(chance {100 * tally.chance:.0f}%): a teller can pick it without reading; vary the form",
                code,
            )
        for pos, tally in enumerate(positions):
            if tally.steps >= _cues.POSITION_MIN_STEPS and tally.systematic() and tally.rate < 1:
                self.add(
                    ("steps",), "warning",
                    f"the best choice is number {pos + 1} at {tally.hits:g} of {tally.steps} decision steps: "
                    "a teller learns the position, not the conversation; vary the order",
                    "position-cue",
                )


_CUE_WORDS = {
    "long_zh": ("length-cue", "is the longest in Chinese"),
    "long_en": ("length-cue", "is the longest in English"),
    "short_zh": ("length-cue", "is the shortest in Chinese"),
    "short_en": ("length-cue", "is the shortest in English"),
    "name": ("name-cue", "is the one naming the customer"),
    "apology": ("apology-cue", "is the one apologising"),
    "polite": ("polite-cue", "has the most polite words"),
    "clauses": ("clause-cue", "has the most clause marks"),
}


def _reach(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycles(nodes: set[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """One representative loop per strongly connected component (with a cycle) within `nodes`.

    Iterative Tarjan: no recursion, whatever the size of the graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter([t for t in edges.get(root, ()) if t in nodes]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter([t for t in edges.get(w, ()) if t in nodes])))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in edges.get(v, ()):
                    comps.append(comp)
    loops = []
    for comp in comps:
        members = set(comp)
        first = min(comp)
        # Walk inside the component from its first member until a step repeats: a real loop.
        order = [first]
        seen = {first: 0}
        cur = first
        while True:
            cur = next(t for t in edges[cur] if t in members)
            if cur in seen:
                loops.append(order[seen[cur]:])
                break
            seen[cur] = len(order)
            order.append(cur)
    loops.sort(key=lambda c: c[0])
    return loops
