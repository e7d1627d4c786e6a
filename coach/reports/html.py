"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script at all.

A Content-Security-Policy meta tag forbids scripts and remote loads, and every text from the
databases or scenario files goes through `html.escape`, so a teller named `<script>` is just text.
"""

from __future__ import annotations

from html import escape

from coach.principles import OUTCOME_NAMES, OUTCOMES, pick
from coach.reports.render import FLAG_NAMES, TITLES, VIEWS, principle_name, summary_line, tables

# line-break:strict and word-break:normal are the browser's side of coach/linebreak.py (clreq's line-start
# and line-end rules, Latin words whole); overflow-wrap:anywhere folds a long id or URL instead of
# widening its table column.
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;
max-width:70rem;padding:0 1rem;color:#1d2330;background:#fff;
line-break:strict;word-break:normal;overflow-wrap:anywhere}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.8rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e6e9ef;vertical-align:top}
th{background:#f3f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.flag{color:#b3261e;font-weight:600}.muted{color:#666;font-size:.85rem}
svg text{font-size:12px;fill:#1d2330}
@media print{h2{break-before:auto}}
"""

GOOD, WARN, BAD, AXIS = "#2e7d32", "#ef6c00", "#c62828", "#9aa3b2"


def _e(text) -> str:
    return escape("" if text is None else str(text), quote=True)


def _colour(score: float, good: float = 80, warn: float = 50) -> str:
    return GOOD if score >= good else WARN if score >= warn else BAD


def bar_chart(rows: list[tuple[str, float | None]], *, max_value: float = 100, mark: float | None = None,
              title: str = "", unit: str = "") -> str:
    """Horizontal bars, one per row, with an optional vertical mark (the pass mark)."""
    label_w, bar_w, row_h = 220, 420, 24
    height = row_h * len(rows) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 70}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 70} {height}">', f"<title>{_e(title)}</title>"]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{_e(label)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 15}">—</text>')
            continue
        w = max(0.0, min(1.0, value / max_value)) * bar_w
        pct = 100 * value / max_value
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{_colour(pct)}"><title>{_e(label)}: {value:g}{unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{value:g}{_e(unit)}</text>')
    if mark is not None:
        x = label_w + bar_w * mark / max_value
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 18}" stroke="{AXIS}" '
                     f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height - 4}" text-anchor="middle" '
                     f'class="muted">{mark:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def item_chart(items: list[dict], lang: str) -> str:
    """Per step of one scenario: facility (0..1) and discrimination (-1..1) as bars around a shared
    zero, with the flag thresholds drawn."""
    from coach.graph import excerpt

    label_w, half, row_h = 180, 200, 30
    zero = label_w + half
    height = row_h * len(items) + 40
    width = label_w + 2 * half + 60
    zh = lang == "zh"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">',
             f"<title>{_e('题目分析' if zh else 'Item analysis')}</title>",
             f'<text x="{zero + 4}" y="12">{_e("难易度" if zh else "facility")} ■ / '
             f'{_e("区分度" if zh else "discrimination")} ▭</text>']
    for x_val, dash in ((0.2, "4 3"), (0.9, "4 3"), (-1.0, ""), (1.0, "")):
        x = zero + half * x_val
        parts.append(f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{height - 16}" stroke="{AXIS}" '
                     f'stroke-dasharray="{dash}"/><text x="{x:.1f}" y="{height - 3}" text-anchor="middle">{x_val:g}</text>')
    parts.append(f'<line x1="{zero}" y1="18" x2="{zero}" y2="{height - 16}" stroke="#1d2330"/>'
                 f'<text x="{zero}" y="{height - 3}" text-anchor="middle">0</text>')
    for i, item in enumerate(items):
        y = 22 + i * row_h
        label = item["step"]
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_e(excerpt(label, 24))}</text>')
        f = item["facility"]
        if f is not None:
            colour = BAD if "too_easy" in item["flags"] or "too_hard" in item["flags"] else GOOD
            parts.append(f'<rect x="{zero}" y="{y + 2}" width="{half * f:.1f}" height="10" fill="{colour}">'
                         f'<title>{_e(label)}: facility {f:.2f}</title></rect>')
        d = item["discrimination"]
        if d is not None:
            x, w = (zero, half * d) if d >= 0 else (zero + half * d, -half * d)
            colour = BAD if d < 0.2 else GOOD
            parts.append(f'<rect x="{x:.1f}" y="{y + 14}" width="{w:.1f}" height="10" fill="none" '
                         f'stroke="{colour}" stroke-width="2"><title>{_e(label)}: discrimination {d:.2f}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def choice_bars(item: dict) -> str:
    """One stacked bar: how often each choice was picked; the best choices in green."""
    total = sum(c["count"] for c in item["choices"]) or 1
    width, x = 240, 0.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="16" viewBox="0 0 {width} 16">']
    palette = ["#c62828", "#ef6c00", "#8e24aa", "#5c6bc0", "#795548", "#607d8b"]
    wrong_n = 0
    for c in item["choices"]:
        w = width * c["count"] / total
        if c["best"]:
            colour = GOOD
        else:
            colour = palette[wrong_n % len(palette)]
            wrong_n += 1
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="16" fill="{colour}">'
                         f'<title>#{c["choice"]} {_e(c.get("text") or "")}: {c["count"]}</title></rect>')
            if w > 18:
                parts.append(f'<text x="{x + 3:.1f}" y="12" style="fill:#fff">#{c["choice"]}</text>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: dict, views: tuple[str, ...] = VIEWS, lang: str = "en") -> str:
    zh = lang == "zh"
    data = tables(report, lang)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh" if zh else "en"}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e('柜员练习报告' if zh else 'coach report')}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e('柜员练习报告' if zh else 'Results across tellers')}</h1>",
        f'<p class="muted">{_e(summary_line(report, lang))}</p>',
        '<p class="muted">' + _e(", ".join(s["path"] for s in report["sources"])) + "</p>",
    ]
    if "principles" in views:
        out.append(f"<h2>{_e(pick(TITLES['principles'], lang))}</h2>")
        rows = [(f"{principle_name(r['principle'], lang)}", r["average"]) for r in report["principles"]]
        if rows:
            out.append(bar_chart(rows, mark=80, title=pick(TITLES["principles"], lang)))
        out.append(_table(*data["principles"], numeric={2, 3, 4, 5}))
    if "tellers" in views:
        out.append(f"<h2>{_e(pick(TITLES['tellers'], lang))}</h2>")
        rows = [(r["teller"], r["average"]) for r in report["tellers"]]
        if rows:
            out.append(bar_chart(rows, mark=80, title=pick(TITLES["tellers"], lang)))
        out.append(_table(*data["tellers"], numeric={1, 2, 3, 4, 5, 7}))
    if "scenarios" in views:
        out.append(f"<h2>{_e(pick(TITLES['scenarios'], lang))}</h2>")
        out.append(_table(*data["scenarios"], numeric=set(range(1, 6 + len(OUTCOMES)))))
        names = ", ".join(pick(OUTCOME_NAMES[o], lang) for o in OUTCOMES)
        out.append(f'<p class="muted">{_e(names)}</p>')
    if "items" in views:
        out.append(f"<h2>{_e(pick(TITLES['items'], lang))}</h2>")
        items = report["items"]
        out.append('<p class="muted">' + _e(
            "难易度 = 平均得分 / 该步最高分（>0.9 太容易，<0.2 太难）；区分度 = 该步得分与其余得分的相关系数（<0.2 区分度差）。"
            if zh else
            "Facility = mean points earned / best points at the step (above 0.9 too easy, below 0.2 too hard); "
            "discrimination = correlation of the step's points with the rest of the attempt (below 0.2: "
            "discriminates badly). Computed on " + report["item_analysis_on"] + ".") + "</p>")
        groups: dict[tuple[str, str], list[dict]] = {}
        for item in items:
            groups.setdefault((item["scenario"], item["version"]), []).append(item)
        for (sid, version), group in groups.items():
            out.append(f"<h3>{_e(sid)}{_e(' @' + version if version else '')}</h3>")
            out.append(item_chart(group, lang))
        header = data["items"][0][:-1] + ["选择分布" if zh else "choices picked"]
        body = []
        for item, row in zip(items, data["items"][1]):
            cells = [f"<td>{_e(c)}</td>" for c in row[:3]]
            cells += [f'<td class="n">{_e(c)}</td>' for c in row[3:5]]
            flags = ", ".join(pick(FLAG_NAMES[f], lang) for f in item["flags"])
            cells.append(f'<td class="flag">{_e(flags)}</td>')
            cells.append(f"<td>{_e(row[6])}</td>")
            cells.append(f"<td>{choice_bars(item)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{_e(h)}</th>" for h in header)
        out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
