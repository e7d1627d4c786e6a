"""`coach audit [PATH…]`: do the choices' form give the answer away? (default: the bundled library)

Exit status: 0 done (and, with --strict, nothing gives the answer away on the set), 1 --strict found
a strategy or cue far better than chance, 2 bad input (a missing path, a folder with no scenarios,
a scenario with errors).
"""

from __future__ import annotations

import argparse
import json
import sys

_L = {
    "title": ("审核 {n} 个情景，{s} 个决策步骤（随机：每个情景 {r} 次固定种子的作答）",
              "Audit of {n} scenarios, {s} decision steps (random: {r} seeded plays each)"),
    "cues": ("线索：按形式挑选时选中最佳的比例", "Cues: how often picking by form finds the best"),
    "best": ("命中", "best"), "chance": ("随机", "chance"), "steps": ("步骤", "steps"),
    "long_zh": ("最长（中文）", "longest (zh)"), "long_en": ("最长（英文）", "longest (en)"),
    "short_zh": ("最短（中文）", "shortest (zh)"), "short_en": ("最短（英文）", "shortest (en)"),
    "name": ("称呼客户姓名", "names the customer"), "apology": ("道歉", "apologises"),
    "polite": ("礼貌用语最多", "most polite words"), "clauses": ("标点分句最多", "most clause marks"),
    "pos": ("位置 {p}", "at position {p}"),
    "strategies": ("应试策略（经引擎作答）", "Strategies (played through the engine)"),
    "overall": ("平均总分", "mean overall"), "ready": ("合格数", "ready"), "vs": ("比随机", "vs random"),
    "random": ("随机作答（{r} 次平均）", "random (mean of {r} seeds)"),
    "longest_zh": ("总选最长（中文）", "always longest (zh)"), "longest_en": ("总选最长（英文）", "always longest (en)"),
    "shortest_zh": ("总选最短（中文）", "always shortest (zh)"), "shortest_en": ("总选最短（英文）", "always shortest (en)"),
    "s_polite": ("总选最礼貌", "always most polite"), "s_clauses": ("总选分句最多", "always most clause marks"),
    "first": ("总选第一个", "always first"), "last": ("总选最后一个", "always last"),
    "per_cues": ("各情景线索命中率（%，- 表示不适用）", "Per scenario: cue hit rates (%, - where the cue does not apply)"),
    "per_strat": ("各情景策略得分", "Per scenario: overall by strategy"),
    "far": ("过高", "FAR"),
    "slip": ("一处失误（最佳路径上换一个次佳选择）仍合格：{r}/{n}",
             "One slip (a second-best for one best on the best path) still ready: {r}/{n}"),
    "half": ("有部分正确选项的决策步骤：{r}/{n}", "Decision steps with a half-right choice: {r}/{n}"),
    "ok": ("结论：形式没有泄露答案。", "Verdict: the form does not give the answer away."),
    "bad": ("结论：形式泄露答案：{x}", "Verdict: the form gives the answer away: {x}"),
    "warn_head": ("线索系统性地指向最佳选项（coach validate 会警告）：",
                  "Cues pointing at the best systematically (coach validate warns):"),
}

_CUE_SHORT = {"long_zh": "Lzh", "long_en": "Len", "short_zh": "Szh", "short_en": "Sen",
              "name": "nam", "apology": "apo", "polite": "pol", "clauses": "cls"}
_STRAT_SHORT = {"longest_zh": "Lzh", "longest_en": "Len", "shortest_zh": "Szh", "shortest_en": "Sen",
                "polite": "pol", "clauses": "cls", "first": "1st", "last": "lst"}


def _t(key: str, lang: str, **kw) -> str:
    zh, en = _L[key]
    return (zh if lang == "zh" else en).format(**kw)


EPILOG = """\
A cue is "far above chance" on the set when measured on at least 10 steps, at least 15 points above
chance and 2 standard deviations of blind picking above it. A strategy breaks ties by taking the
first choice in file order; random is the mean of 200 seeded plays. Details: scenarios/README.md.
Exit status: 0 done, 1 --strict found a giveaway, 2 bad input (missing path, scenario with errors).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = EPILOG
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="scenario files or folders (default: the bundled library)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the text output")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when a surface strategy beats random by more than 15 points on the set, "
                        "or a cue finds the best far more often than chance")


def run(args: argparse.Namespace) -> int:
    from coach.library import collect
    from coach.library import bundled_dir
    from coach.scenario.loader import load_scenario
    from coach.untrusted import one_line

    paths = args.paths or [str(bundled_dir())]
    files, problems = collect(paths)
    if problems:
        for line in problems:
            print(f"coach audit: {line}", file=sys.stderr)
        return 2
    loaded = []
    broken = False
    for f in files:
        result = load_scenario(f, lint=True)
        if result.scenario is None or not result.ok:
            for d in result.errors[:5]:
                print(d.format(), file=sys.stderr)
            name = one_line(f)  # a file name may hold a newline or an escape
            print(f"coach audit: {name} has errors; fix them first (coach validate {name})", file=sys.stderr)
            broken = True
            continue
        loaded.append((result.scenario, str(f)))
    if broken:
        return 2

    from coach.audit import audit, to_dict

    result = audit(loaded)
    data = to_dict(result)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(render_text(data, args.lang)))
    return 1 if args.strict and not data["ok"] else 0


def _rate(d: dict) -> str:
    return "-" if d["rate"] is None else f"{d['rate']:.0f}"


def render_text(data: dict, lang: str) -> list[str]:
    """The audit as a table readable at 80 columns."""
    from coach.cells import fit

    s = data["set"]
    out = [_t("title", lang, n=s["scenarios"], s=s["steps"], r=s["random"]["runs"]), ""]
    far = _t("far", lang)
    out.append(fit(_t("cues", lang), 50) + fit(_t("best", lang), 7, ">") + fit(_t("chance", lang), 8, ">")
               + fit(_t("steps", lang), 7, ">"))
    rows = [(_t(cid, lang), d) for cid, d in s["cues"].items()]
    rows += [(_t("pos", lang, p=i + 1), d) for i, d in enumerate(s["positions"])]
    for label, d in rows:
        if d["steps"] == 0:
            continue
        out.append("  " + fit(label, 48) + fit(f"{d['rate']:.0f}%", 7, ">") + fit(f"{d['chance']:.0f}%", 8, ">")
                   + fit(str(d["steps"]), 7, ">") + ("  " + far if d.get("far_above_chance") else ""))
    out.append("")
    out.append(fit(_t("strategies", lang), 44) + fit(_t("overall", lang), 14, ">") + fit(_t("ready", lang), 8, ">")
               + fit(_t("vs", lang), 10, ">"))
    r = s["random"]
    out.append("  " + fit(_t("random", lang, r=r["runs"]), 42) + fit(f"{r['overall']:.1f}", 14, ">")
               + fit(f"{r['ready']:.1f}/{r['scenarios']}", 8, ">"))
    bad = set(data["failures"]["strategies"])
    for sid, d in s["strategies"].items():
        key = "s_" + sid if sid in ("polite", "clauses") else sid
        out.append("  " + fit(_t(key, lang), 42) + fit(f"{d['overall']:.1f}", 14, ">")
                   + fit(f"{d['ready']:.0f}/{d['scenarios']}", 8, ">")
                   + fit(f"{d['beats_random_by']:+.1f}", 10, ">") + ("  " + far if sid in bad else ""))
    out.append("")
    out.append(_t("slip", lang, r=s["one_slip"]["ready"], n=s["one_slip"]["of"]))
    out.append(_t("half", lang, r=s["half_right_steps"]["with"], n=s["half_right_steps"]["of"]))
    out.append("")
    out.append(_t("per_cues", lang))
    out.append(fit("", 28) + fit("n", 4, ">") + "".join(fit(_CUE_SHORT[c], 5, ">") for c in s["cues"]))
    for a in data["scenarios"]:
        out.append(fit(a["id"], 28) + fit(str(a["steps"]), 4, ">")
                   + "".join(fit(_rate(a["cues"][c]), 5, ">") for c in s["cues"]))
    out.append("")
    out.append(_t("per_strat", lang))
    strat_ids = list(s["strategies"])
    out.append(fit("", 24) + fit("best", 5, ">") + fit("slip", 6, ">") + fit("rand", 5, ">")
               + "".join(fit(_STRAT_SHORT[x], 5, ">") for x in strat_ids))
    for a in data["scenarios"]:
        cells = "".join(fit(str(a["strategies"][x]["overall"]) if x in a["strategies"] else "-", 5, ">")
                        for x in strat_ids)
        slip = f"{a['one_slip']['ready']}/{a['one_slip']['of']}"
        out.append(fit(a["id"], 24) + fit(str(a["best"]["overall"]), 5, ">") + fit(slip, 6, ">")
                   + fit(f"{a['random']['overall']:.0f}", 5, ">") + cells)
    warned = [a for a in data["scenarios"] if a["warnings"]]
    if warned:
        import textwrap

        out.append("")
        out.append(_t("warn_head", lang))
        for a in warned:
            out += textwrap.wrap(f"{a['id']}: {', '.join(a['warnings'])}", 78,
                                 initial_indent="  ", subsequent_indent="    ")
    out.append("")
    if data["ok"]:
        out.append(_t("ok", lang))
    else:
        labels = [_t(c, lang) if c in _CUE_SHORT else _t("pos", lang, p=c[3:]) for c in data["failures"]["cues"]]
        labels += [_t("s_" + x if x in ("polite", "clauses") else x, lang) for x in data["failures"]["strategies"]]
        out.append(_t("bad", lang, x="; ".join(labels)))
    return out
