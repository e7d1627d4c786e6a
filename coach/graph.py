"""A scenario's step graph as Mermaid or Graphviz DOT text, for docs and editors.

Pure functions over a `Scenario`. Steps are grouped by phase; each edge is one choice, labelled with
its number, act and total points (the best choice of a step drawn bold); endings are drawn by
outcome. Scenario text is untrusted: node ids are generated (`s0`, `s1`, … never the author's step
ids, so `end` or `a--b` cannot break the syntax) and every label is escaped for its format.
"""

from __future__ import annotations

from coach.principles import OUTCOME_NAMES, PHASE_NAMES, PHASES, pick
from coach.scenario.model import Scenario, localize

#: Longest excerpt of a step's text shown in its node.
EXCERPT = 40

OUTCOME_COLOURS = {"retained": "#2e7d32", "at_risk": "#ef6c00", "lost": "#c62828"}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """One line of at most `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def escape_mermaid(text: str) -> str:
    """Text safe inside a double-quoted Mermaid label: entity codes for anything Mermaid or the
    HTML it renders to could read as syntax or markup."""
    out = []
    for ch in text:
        if ch == "#":
            out.append("#35;")
        elif ch == '"':
            out.append("#quot;")
        elif ch == "<":
            out.append("#lt;")
        elif ch == ">":
            out.append("#gt;")
        elif ch == "&":
            out.append("#amp;")
        elif ch in "|[]{}()`;\\":
            out.append(f"#{ord(ch)};")
        elif ch in "\r\n\t" or ord(ch) < 32 or ord(ch) == 127:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def escape_dot(text: str) -> str:
    """Text safe inside a double-quoted DOT string: backslash and quote escaped (so `\\N`, `\\G`
    and friends stay literal), line breaks flattened."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch in "\r\n\t" or ord(ch) < 32 or ord(ch) == 127:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


class _Graph:
    """What both formats draw: nodes with label lines, edges with labels, phase groups."""

    def __init__(self, scenario: Scenario, lang: str | None) -> None:
        s = scenario
        self.lang = lang or (s.languages[0] if s.languages else "en")
        self.title = localize(s.title, self.lang)
        self.ids = {sid: f"s{i}" for i, sid in enumerate(s.steps)}
        self.start = s.start
        self.missing: dict[str, str] = {}  # targets that are not steps -> generated id
        self.nodes: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}  # node id -> phase or "ending:<outcome>" or "missing"
        self.groups: dict[str, list[str]] = {p: [] for p in PHASES}
        self.endings: list[str] = []
        self.edges: list[tuple[str, str, str, bool]] = []
        for sid, step in s.steps.items():
            nid = self.ids[sid]
            if step.is_ending:
                lines = [sid, pick(OUTCOME_NAMES[step.ending], self.lang)]
                text = localize(step.text, self.lang)
                self.kinds[nid] = f"ending:{step.ending}"
                self.endings.append(nid)
            else:
                lines = [sid]
                text = localize(step.customer, self.lang) or localize(step.situation, self.lang)
                self.kinds[nid] = step.phase or ""
                if step.phase in self.groups:
                    self.groups[step.phase].append(nid)
            if text:
                lines.append(excerpt(text))
            self.nodes[nid] = lines
            # Every choice sharing the top total is best (two good routes), not only the first.
            top = max((c.total for c in step.choices), default=None)
            for i, choice in enumerate(step.choices):
                target = self.ids.get(choice.next)
                if target is None:
                    target = self.missing.setdefault(choice.next, f"m{len(self.missing)}")
                total = choice.total
                label = f"{i + 1} {choice.act} {total:+d}"
                self.edges.append((nid, target, label, total == top and len(step.choices) > 1))
        for name, mid in self.missing.items():
            self.nodes[mid] = [name, "missing step" if self.lang != "zh" else "不存在的步骤"]
            self.kinds[mid] = "missing"

    def phase_title(self, phase: str) -> str:
        return pick(PHASE_NAMES[phase], self.lang)


def to_mermaid(scenario: Scenario, lang: str | None = None) -> str:
    g = _Graph(scenario, lang)
    esc = escape_mermaid
    out = [f"%% {esc(g.title)}", "flowchart TD"]
    out.append('    start(("start")) --> ' + g.ids.get(g.start, "missing_start"))
    if g.start not in g.ids:
        out.append(f'    missing_start["{esc(g.start)}: missing step"]:::missing')

    def node(nid: str) -> str:
        label = "<br/>".join(esc(line) for line in g.nodes[nid])
        kind = g.kinds[nid]
        if kind.startswith("ending:"):
            return f'{nid}(["{label}"]):::{kind.split(":", 1)[1]}'
        if kind == "missing":
            return f'{nid}["{label}"]:::missing'
        return f'{nid}["{label}"]'

    for phase, members in g.groups.items():
        if not members:
            continue
        out.append(f'    subgraph {phase}["{esc(g.phase_title(phase))}"]')
        out.extend(f"        {node(nid)}" for nid in members)
        out.append("    end")
    grouped = {n for members in g.groups.values() for n in members}
    for nid in g.nodes:
        if nid not in grouped:
            out.append(f"    {node(nid)}")
    for src, dst, label, best in g.edges:
        arrow = "==>" if best else "-->"
        out.append(f'    {src} {arrow}|"{esc(label)}"| {dst}')
    for outcome, colour in OUTCOME_COLOURS.items():
        out.append(f"    classDef {outcome} fill:{colour},color:#fff")
    out.append("    classDef missing stroke-dasharray: 5 5,stroke:#c62828")
    return "\n".join(out) + "\n"


def to_dot(scenario: Scenario, lang: str | None = None) -> str:
    g = _Graph(scenario, lang)
    esc = escape_dot
    out = [
        "digraph scenario {",
        f'    label="{esc(g.title)}";',
        "    labelloc=t;",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded", fontname="sans-serif"];',
        '    edge [fontname="sans-serif", fontsize=10];',
        '    start [shape=circle, label="start"];',
    ]

    def node(nid: str) -> str:
        label = "\\n".join(esc(line) for line in g.nodes[nid])
        kind = g.kinds[nid]
        if kind.startswith("ending:"):
            colour = OUTCOME_COLOURS[kind.split(":", 1)[1]]
            return f'{nid} [label="{label}", shape=ellipse, style=filled, fillcolor="{colour}", fontcolor=white];'
        if kind == "missing":
            return f'{nid} [label="{label}", style=dashed, color="#c62828"];'
        return f'{nid} [label="{label}"];'

    for phase, members in g.groups.items():
        if not members:
            continue
        out.append(f"    subgraph cluster_{phase} {{")
        out.append(f'        label="{esc(g.phase_title(phase))}";')
        out.append("        style=dashed;")
        out.extend(f"        {node(nid)}" for nid in members)
        out.append("    }")
    grouped = {n for members in g.groups.values() for n in members}
    for nid in g.nodes:
        if nid not in grouped:
            out.append(f"    {node(nid)}")
    if g.start in g.ids:
        out.append(f"    start -> {g.ids[g.start]};")
    else:
        out.append(f'    missing_start [label="{esc(g.start)}\\nmissing step", style=dashed, color="#c62828"];')
        out.append("    start -> missing_start;")
    for src, dst, label, best in g.edges:
        extra = ", style=bold, penwidth=2" if best else ""
        out.append(f'    {src} -> {dst} [label="{esc(label)}"{extra}];')
    out.append("}")
    return "\n".join(out) + "\n"


FORMATS = {"mermaid": to_mermaid, "dot": to_dot}


def render(scenario: Scenario, fmt: str = "mermaid", lang: str | None = None) -> str:
    return FORMATS[fmt](scenario, lang)
