"""The report as rich tables, CSV (UTF-8 with BOM, so a spreadsheet shows Chinese) or JSON.

All text from the databases and scenario files is untrusted: rich cells are `Text` objects (never
markup), CSV cells that a spreadsheet would run as a formula are prefixed with a quote.
"""

from __future__ import annotations

import io
import json

from coach.csvout import SafeWriter, is_number
from coach.principles import OUTCOME_NAMES, OUTCOMES, PRINCIPLES, colon, pick

VIEWS = ("tellers", "principles", "scenarios", "items")
BARS = "▁▂▃▄▅▆▇█"
FLAG_NAMES = {
    "too_easy": ("太容易", "too easy"),
    "too_hard": ("太难", "too hard"),
    "poor_discrimination": ("区分度差", "discriminates badly"),
}


def sparkline(values: list[int], width: int = 12) -> str:
    vals = values[-width:]
    return "".join(BARS[min(len(BARS) - 1, max(0, int(v) * len(BARS) // 101))] for v in vals)


def principle_name(pid: str, lang: str) -> str:
    p = PRINCIPLES.get(pid)
    return p.name(lang) if p else pid


def _num(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def _wrong(item: dict) -> str:
    w = item["most_picked_wrong"]
    if not w:
        return ""
    label = f"#{w['choice']}"
    if w.get("text"):
        from coach.graph import excerpt

        label += f" {excerpt(w['text'], 48)}"
    return f"{label} ({w['count']}×)"


def tables(report: dict, lang: str = "en") -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each view as (header, rows of plain strings)."""
    zh = lang == "zh"
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    out["tellers"] = (
        ["柜员", "次数", "平均", "最好", "最近", "严重错误", "趋势", "每次变化", "最弱的原则"] if zh else
        ["teller", "attempts", "average", "best", "last", "critical", "trend", "per attempt", "weakest principles"],
        [[r["teller"], str(r["attempts"]), _num(r["average"]), _num(r["best"]), _num(r["last"]),
          str(r.get("critical", 0)), sparkline(r["trend"]), "—" if r["trend_slope"] is None else f"{r['trend_slope']:+.2f}",
          "; ".join(f"{principle_name(w['principle'], lang)} {w['average']:.0f}" for w in r["weakest"])]
         for r in report["tellers"]],
    )
    out["principles"] = (
        ["原则", "编号", "平均", "次数", "柜员", "低于及格", "最低的柜员"] if zh else
        ["principle", "id", "average", "attempts", "tellers", "tellers below pass", "lowest teller"],
        [[principle_name(r["principle"], lang), r["principle"], _num(r["average"]), str(r["attempts"]),
          str(r["tellers"]), str(r["tellers_below"]), f"{r['lowest_teller']} ({r['lowest_average']:.0f})"]
         for r in report["principles"]],
    )
    out["scenarios"] = (
        (["场景", "次数", "柜员", "平均", "及格", "严重错误"] if zh else
         ["scenario", "attempts", "tellers", "average", "passed", "critical"])
        + [pick(OUTCOME_NAMES[o], lang) for o in OUTCOMES],
        [[r["scenario"], str(r["attempts"]), str(r["tellers"]), _num(r["average"]), str(r["passed"]),
          str(r.get("critical", 0))]
         + [str(r["outcomes"][o]) for o in OUTCOMES]
         for r in report["scenarios"]],
    )
    out["items"] = (
        ["场景", "步骤", "人次", "难易度", "区分度", "提示", "最常选的错误选项", "选择分布"] if zh else
        ["scenario", "step", "attempts", "facility", "discrimination", "flags", "most picked wrong", "choices picked"],
        [[r["scenario"] + (f"@{r['version']}" if r["version"] else ""), r["step"], str(r["attempts"]),
          _num(r["facility"]), _num(r["discrimination"]),
          ", ".join(pick(FLAG_NAMES[f], lang) for f in r["flags"]) + (" *" if r["estimated"] else ""),
          _wrong(r),
          " ".join(f"#{c['choice']}:{c['count']}" for c in r["choices"])]
         for r in report["items"]],
    )
    return out


TITLES = {
    "tellers": ("按柜员", "Tellers"),
    "principles": ("按原则", "Principles across tellers"),
    "scenarios": ("按场景", "Scenarios"),
    "items": ("题目分析", "Item analysis (per decision step)"),
}


def summary_line(report: dict, lang: str = "en") -> str:
    n_src = len(report["sources"])
    if lang == "zh":
        line = (f"{n_src} 个数据库，{report['attempts']} 次完成的练习，{report['answers']} 个回答；"
                f"题目分析基于{'首次' if report['item_analysis_on'] == 'first attempts' else '全部'}练习")
    else:
        line = (f"{n_src} database{'s' if n_src != 1 else ''}, {report['attempts']} finished attempts, "
                f"{report['answers']} answers; item analysis on {report['item_analysis_on']}")
    if report.get("duplicates_skipped"):
        line += f" ({report['duplicates_skipped']} duplicate attempts skipped)"
    return line


def to_table(report: dict, views: tuple[str, ...] = VIEWS, lang: str = "en", width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from coach.linebreak import install_rich
    from coach.untrusted import one_line

    install_rich()  # table cells wrap by the Chinese rules (coach/linebreak.py)
    buf = io.StringIO()
    console = Console(file=buf, width=width or 120, force_terminal=False, color_system=None,
                      markup=False, emoji=False, highlight=False)
    console.print(Text(summary_line(report, lang)))
    data = tables(report, lang)
    for view in views:
        header, rows = data[view]
        table = Table(title=Text(pick(TITLES[view], lang)), title_justify="left", show_lines=False)
        for i, h in enumerate(header):
            numeric = bool(rows) and all(_is_number(r[i]) or r[i] == "—" for r in rows)
            table.add_column(Text(h), overflow="fold", no_wrap=numeric, justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(Text(one_line(cell)) for cell in row))  # a newline in a name forges no row
        if not rows:
            console.print(Text(pick(TITLES[view], lang) + colon(lang) + ("没有数据" if lang == "zh" else "no data")))
            continue
        console.print(table)
    if "items" in views and any(r["estimated"] for r in report["items"]):
        console.print(Text("* " + ("未找到对应版本的场景文件，最高分按数据中出现的选项估计" if lang == "zh" else
                                   "scenario file of that version not found: best points estimated from the choices seen")))
    return buf.getvalue()


_is_number = is_number


CSV_HEADERS = {
    "tellers": (["teller", "attempts", "average", "best", "last", "passed", "critical", "scenarios",
                 "trend_slope", "last_attempt"],
                ["柜员", "次数", "平均", "最好", "最近", "及格", "严重错误", "场景数", "每次变化", "最近练习"]),
    "principles": (["principle", "principle_id", "average", "attempts", "tellers", "tellers_below_pass",
                    "lowest_teller", "lowest_average"],
                   ["原则", "编号", "平均", "次数", "柜员", "低于及格", "最低的柜员", "最低平均"]),
    "scenarios": (["scenario", "attempts", "tellers", "average", "passed", "critical"],
                  ["场景", "次数", "柜员", "平均", "及格", "严重错误"]),
    "items": (["scenario", "version", "step", "phase", "attempts", "mean", "facility", "discrimination",
               "too_easy", "too_hard", "poor_discrimination", "estimated", "most_picked_wrong_choice",
               "most_picked_wrong_count", "most_picked_wrong_text"],
              ["场景", "版本", "步骤", "阶段", "人次", "平均得分", "难易度", "区分度", "太容易", "太难",
               "区分度差", "估计", "最常选的错误选项", "错误选项人次", "错误选项文字"]),
}


def csv_tables(report: dict, lang: str = "en") -> dict[str, tuple[list[str], list[list]]]:
    """Each view as a flat table for a spreadsheet or pandas: numbers as numbers, None where a value
    is not defined, full texts, and one column per value (no packed cells)."""
    zh = lang == "zh"
    col = 1 if zh else 0
    out: dict[str, tuple[list[str], list[list]]] = {}
    width = max((len(r["weakest"]) for r in report["tellers"]), default=0)
    header = list(CSV_HEADERS["tellers"][col])
    for i in range(1, width + 1):
        header += [f"最弱原则{i}", f"最弱原则{i}平均"] if zh else [f"weakest_{i}", f"weakest_{i}_average"]
    rows = []
    for r in report["tellers"]:
        row = [r["teller"], r["attempts"], r["average"], r["best"], r["last"], r["passed"], r.get("critical", 0),
               r["scenarios"], r["trend_slope"], r["last_attempt"]]
        for i in range(width):
            w = r["weakest"][i] if i < len(r["weakest"]) else None
            row += [principle_name(w["principle"], lang), w["average"]] if w else [None, None]
        rows.append(row)
    out["tellers"] = (header, rows)
    out["principles"] = (list(CSV_HEADERS["principles"][col]), [
        [principle_name(r["principle"], lang), r["principle"], r["average"], r["attempts"], r["tellers"],
         r["tellers_below"], r["lowest_teller"], r["lowest_average"]] for r in report["principles"]])
    out["scenarios"] = (
        list(CSV_HEADERS["scenarios"][col]) + [(pick(OUTCOME_NAMES[o], lang) if zh else f"outcome_{o}")
                                              for o in OUTCOMES],
        [[r["scenario"], r["attempts"], r["tellers"], r["average"], r["passed"], r.get("critical", 0)]
         + [r["outcomes"][o] for o in OUTCOMES] for r in report["scenarios"]])
    width = max((len(r["choices"]) for r in report["items"]), default=0)
    header = list(CSV_HEADERS["items"][col])
    for i in range(1, width + 1):
        header += ([f"选项{i}人次", f"选项{i}得分", f"选项{i}最好"] if zh else
                   [f"choice_{i}_count", f"choice_{i}_points", f"choice_{i}_best"])
    rows = []
    for r in report["items"]:
        wrong = r["most_picked_wrong"] or {}
        row = [r["scenario"], r["version"] or None, r["step"], r["phase"], r["attempts"], r["mean"], r["facility"],
               r["discrimination"], int("too_easy" in r["flags"]), int("too_hard" in r["flags"]),
               int("poor_discrimination" in r["flags"]), int(bool(r["estimated"])), wrong.get("choice"),
               wrong.get("count"), wrong.get("text")]
        for i in range(width):
            c = r["choices"][i] if i < len(r["choices"]) else None
            row += [c["count"], c["points"], int(c["best"])] if c else [None, None, None]
        rows.append(row)
    out["items"] = (header, rows)
    return out


def _csv_cell(value) -> str:
    """A plain number, an empty cell for "not defined", or text a spreadsheet will not run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)  # SafeWriter keeps it from running as a formula


def to_csv(report: dict, view: str | tuple[str, ...] = "tellers", lang: str = "en") -> bytes:
    """One view as one CSV table, UTF-8 with a BOM (so a spreadsheet shows Chinese)."""
    if not isinstance(view, str):
        if len(view) != 1:
            raise ValueError("a CSV file holds one view")
        view = view[0]
    buf = io.StringIO()
    writer = SafeWriter(buf, lineterminator="\r\n")  # no cell runs as a formula (CSV injection)
    header, rows = csv_tables(report, lang)[view]
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


def csv_path(out: str, view: str) -> str:
    """report.csv -> report-tellers.csv: one file per view for `--view all`."""
    from pathlib import Path

    p = Path(out)
    suffix = p.suffix or ".csv"
    return str(p.with_name(f"{p.stem if p.suffix else p.name}-{view}{suffix}"))


def to_json(report: dict, views: tuple[str, ...] = VIEWS) -> bytes:
    doc = {k: v for k, v in report.items() if k not in VIEWS or k in views}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
