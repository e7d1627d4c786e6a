"""A commented scenario skeleton to start from (`coach new`).

The skeleton is a complete, loadable scenario: every text says TODO (the linter flags each one as a
warning, code `todo`), the step graph follows the article's order for the customer type, and the
scores already make one choice per step clearly best, so `coach play --best` works from the start.
Each step shows the three kinds of choice a good step has: the best, a half-right one (some of the
best's points: partial credit) and a poor one; one poor choice carries a commented `critical`
example. The placeholders are the same length, so the skeleton itself gives no length cue.
"""

from __future__ import annotations

import json
import re

from coach.business import BUSINESS_LINES
from coach.principles import CUSTOMER_TYPES, LANGS

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_MAX = 64
SCHEMA_FILE = "scenario.schema.json"

# The placeholder texts, per language: (zh, en).
_T = {
    "title": ("TODO 场景标题", "TODO scenario title"),
    "name": ("TODO 客户称呼", "TODO how the teller addresses the customer"),
    "profile": ("TODO 柜员事先可能知道的情况", "TODO what the teller may know beforehand"),
    "wants": ("TODO 客户来办什么", "TODO what the customer came for"),
    "situation": ("TODO 柜员看到的情况", "TODO what the teller sees"),
    "customer": ("TODO 客户说的话", "TODO what the customer says"),
    "good": ("TODO 好的做法", "TODO a good move"),
    "fair": ("TODO 半对做法", "TODO a fair move"),
    "poor": ("TODO 不妥做法", "TODO a poor move"),
    "why_good": ("TODO 为什么好（引用文章）", "TODO why it is good (quote the article)"),
    "why_fair": ("TODO 哪里对了，怎样才最好", "TODO what is right, and what would make it best"),
    "why_poor": ("TODO 为什么欠妥", "TODO why it is poor"),
    "critical": ("TODO 违反了哪条保护客户或银行的规定", "TODO the rule protecting the customer or the bank it breaks"),
    "end_good": ("TODO 好的结局", "TODO how it ends well"),
    "end_risk": ("TODO 有风险的结局", "TODO how it ends at risk"),
    "end_lost": ("TODO 失去客户的结局", "TODO how the customer is lost"),
}

_MOOD = {"agitated": 80, "confused": 45, "requesting": 30}

# Per type: (step id, phase, situation?, good (act, scores, mood), poor (act, scores, mood)).
# The good path follows the article: prepare; serve the type first (soothe an agitated customer
# before explaining, a concise professional answer for a confused one, enough information for a
# requesting one); then follow up, because a complaint does not end at the fix.
_Move = tuple[str, dict[str, int], int]
_STEPS: dict[str, list[tuple[str, str, bool, _Move, _Move]]] = {
    "agitated": [
        ("prepare", "preparation", True, ("prepare", {"preparation": 2, "composure": 1}, -5),
         ("deflect", {"attitude": -2}, 10)),
        ("calm", "calming", False, ("soothe", {"calm_first": 2, "respect": 2}, -25),
         ("explain", {"understanding": 1, "calm_first": -2}, 10)),
        ("explain", "explanation", False, ("explain", {"understanding": 2, "options": 1}, -10),
         ("deflect", {"respect": -1}, 10)),
        ("follow-up", "follow_up", False, ("follow_up", {"root_cause": 2, "proactive": 1}, -5),
         ("inform", {"understanding": 1}, 0)),
    ],
    "confused": [
        ("prepare", "preparation", True, ("prepare", {"preparation": 2}, 0),
         ("deflect", {"attitude": -1}, 5)),
        ("clarify", "explanation", False, ("clarify", {"understanding": 2, "type_fit": 1}, -10),
         ("explain", {"understanding": -1}, 10)),
        ("follow-up", "follow_up", False, ("follow_up", {"proactive": 2}, -5),
         ("inform", {"understanding": 1}, 0)),
    ],
    "requesting": [
        ("prepare", "preparation", True, ("prepare", {"preparation": 2}, 0),
         ("deflect", {"attitude": -1}, 5)),
        ("inform", "explanation", False, ("inform", {"understanding": 2, "type_fit": 1}, -5),
         ("deflect", {"options": -1}, 10)),
        ("offer", "explanation", False, ("offer", {"options": 2, "expectations": 1}, -5),
         ("inform", {"understanding": 1}, 0)),
        ("follow-up", "follow_up", False, ("follow_up", {"proactive": 2}, -5),
         ("inform", {"understanding": 1}, 0)),
    ],
}


def valid_id(scenario_id: str) -> bool:
    return bool(ID_PATTERN.match(scenario_id)) and len(scenario_id) <= ID_MAX


def parse_langs(raw: str) -> list[str] | None:
    """`zh,en` -> ["zh", "en"]; None if empty or naming an unknown language."""
    langs = [x.strip() for x in raw.split(",") if x.strip()]
    if not langs or any(lang not in LANGS for lang in langs):
        return None
    return list(dict.fromkeys(langs))


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _text(key: str, langs: list[str], suffix: str = "") -> str:
    zh, en = _T[key]
    values = {"zh": zh + suffix, "en": en + suffix}
    if len(langs) == 1:
        return _q(values[langs[0]])
    return "{" + ", ".join(f"{lang}: {_q(values[lang])}" for lang in langs) + "}"


def _scores(scores: dict[str, int]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in scores.items()) + "}"


def skeleton(scenario_id: str, customer_type: str = "agitated", langs: list[str] | None = None,
             schema: str | None = SCHEMA_FILE) -> str:
    """The YAML text of a new scenario."""
    if not valid_id(scenario_id):
        raise ValueError(f"invalid scenario id {scenario_id!r}")
    if customer_type not in _STEPS:
        raise ValueError(f"unknown customer type {customer_type!r}")
    langs = langs or ["zh", "en"]
    ctype = CUSTOMER_TYPES[customer_type]
    steps = _STEPS[customer_type]
    L = lambda key, suffix="": _text(key, langs, suffix)  # noqa: E731
    out: list[str] = []
    if schema:
        out.append(f"# yaml-language-server: $schema={schema}")
    out += [
        f"# A new scenario: replace every TODO (`coach validate {scenario_id}.yaml` lists those left),",
        f"# then try it with `coach play {scenario_id}.yaml --best` and `coach graph {scenario_id}.yaml`.",
        "# Texts are a plain string (one language) or {zh: …, en: …}; each declared language is required.",
        "# Scores are points per principle id, -3..3 (see `coach schema` and docs/scoring.md).",
        f"id: {scenario_id}",
        f"title: {L('title')}",
        f"languages: [{', '.join(langs)}]",
        "difficulty: 1  # 1 easy … 3 hard",
        f"line: deposits  # the business line, for the library's filter: {', '.join(BUSINESS_LINES)}",
        "tags: [complaint]" if customer_type == "agitated" else "tags: []",
        "customer:",
        f"  name: {L('name')}",
        f"  # {ctype.name_zh} / {ctype.name_en}: {ctype.advice_en}",
        f"  type: {customer_type}",
        f"  mood: {_MOOD[customer_type]}  # 0 calm … 100 furious, at the start",
        f"  profile: {L('profile')}",
        f"  wants: {L('wants')}",
        f"start: {steps[0][0]}",
        "steps:",
    ]
    for n, (sid, phase, situation, good, poor) in enumerate(steps):
        nxt = steps[n + 1][0] if n + 1 < len(steps) else None
        out.append(f"  {sid}:")
        out.append(f"    phase: {phase}  # preparation, calming, explanation or follow_up")
        if situation:
            out.append(f"    situation: {L('situation')}")
        else:
            out.append(f"    customer: {L('customer')}")
        out.append("    choices:  # the highest total is the best; a half-right choice earns part of its points")
        # A half-right choice: the best's act, one point of its first principle, half its calming.
        g_act, g_scores, g_mood = good
        fair = (g_act, {next(iter(g_scores)): 1}, g_mood // 2)
        # The best choice's position turns, so a teller learns the conversation, not "always 1".
        trio = [("good", good), ("fair", fair), ("poor", poor)]
        shift = n % 3
        for which, (act, scores, mood) in trio[-shift:] + trio[:-shift] if shift else trio:
            if nxt is None:
                target = "at-risk" if which == "poor" else "retained"
            elif which == "poor" and n == 1 and customer_type == "agitated":
                target = "lost"  # explaining to a furious customer before soothing loses them
            else:
                target = nxt
            out += [
                f"      - text: {L(which)}",
                f"        act: {act}  # prepare, soothe, clarify, inform, explain, offer, follow_up, deflect",
                f"        scores: {_scores(scores)}",
                f"        mood: {mood}  # change of mood: negative calms",
                f"        feedback: {L('why_' + which)}",
            ]
            if which == "poor" and n == 1:
                out += [
                    "        # Only for a serious breach (a transfer to a flagged account, disclosing monitoring",
                    "        # rules, selling above the risk level…): not ready whatever the score; keep its",
                    "        # scores about the communication only.",
                    f"        # critical: {L('critical')}",
                ]
            out.append(f"        next: {target}")
    out += [
        "  retained:",
        "    ending: retained  # retained, at_risk or lost",
        f"    text: {L('end_good')}",
        "  at-risk:",
        "    ending: at_risk",
        f"    text: {L('end_risk')}",
    ]
    if customer_type == "agitated":
        out += ["  lost:", "    ending: lost", f"    text: {L('end_lost')}"]
    return "\n".join(out) + "\n"
