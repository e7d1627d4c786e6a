"""The source article as data: principle ids, customer types, phases, acts, outcomes, figures.

The ids are a stable public vocabulary: scenario files name them. Each principle carries its
sentence from the article (Chinese, as written) and an English gloss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True)
class Principle:
    id: str
    name_zh: str
    name_en: str
    quote_zh: str
    gloss_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


PRINCIPLES: dict[str, Principle] = {
    p.id: p
    for p in (
        Principle(
            "understanding", "让客户理解", "Being understood",
            "让客户明白并理解你所传递的信息",
            "Make sure the customer understands the information you give.",
        ),
        Principle(
            "respect", "尊重与自尊", "Respect",
            "让客户感到他是受欢迎、受尊重的；时刻保护客户的自尊心",
            "Make the customer feel welcome and respected; always protect their self-respect.",
        ),
        Principle(
            "first_impression", "第一印象", "First impression",
            "通过形象的塑造先获得顾客良好的第一印象，职业性强、干练、专业知识丰富、恪守行业规范",
            "Win a good first impression: professional, capable, knowledgeable, keeping to the rules of the trade.",
        ),
        Principle(
            "composure", "心态平和", "Composure",
            "心态平和，举止不卑不亢……事先设想一下，对方的情绪如何，可能会遇到的问题，做好心理应对准备",
            "Stay even-tempered, neither servile nor overbearing; imagine beforehand how the customer may feel and what may come up, and be ready for it.",
        ),
        Principle(
            "preparation", "准备充分", "Preparation",
            "明确沟通的目标，熟悉自己的金融产品和业务情况……预先了解顾客可能提出的要求范围，做到准备充分",
            "Know the goal of the conversation and your products; anticipate what the customer may ask, and be fully prepared.",
        ),
        Principle(
            "verbal_nonverbal", "言语与肢体", "Words and body language",
            "善于利用言语、肢体动作等沟通技巧，提高沟通的效率",
            "Use words, gestures and other communication skills to make the conversation effective.",
        ),
        Principle(
            "attitude", "服务态度", "Service attitude",
            "服务态度才是一个银行企业传递给我们客户的真正\u201c名片\u201d……实施人情味的关怀……以人为本",
            "Service attitude is the bank's real calling card: care with a human touch, people first.",
        ),
        Principle(
            "options", "给出选择", "Offering options",
            "互动不是盲目的敷衍顾客的要求甚至是抱怨，而是……给与更多的参考建议以供选择……启发引导",
            "Interaction is not brushing off requests or complaints: give suggestions to choose from, and guide.",
        ),
        Principle(
            "calm_first", "先安抚再解释", "Calm first, then explain",
            "一定要先安抚用户的情绪，时刻保护客户的自尊心，再进行解释",
            "Always soothe the customer's feelings first, protect their self-respect, and only then explain.",
        ),
        Principle(
            "type_fit", "因人而异", "Serving the customer's type",
            "要求型：给他们足够量的信息；困惑型：以专业而又简洁的回答；激动型：以十二分的耐心",
            "Requesting: give them enough information; confused: a professional, concise answer; agitated: endless patience.",
        ),
        Principle(
            "root_cause", "不止于解决", "Beyond the fix",
            "不能以解决客户的不满意为处理客户投诉的终点……防止投诉的再次发生",
            "Resolving the dissatisfaction is not the end of handling a complaint: prevent it from happening again.",
        ),
        Principle(
            "proactive", "积极主动", "Being proactive",
            "积极主动地与客户交流沟通……提前发现客户的潜在需求……积极主动收集、分析、处理客户意见",
            "Reach out actively; discover the customer's latent needs early; collect, analyse and act on feedback.",
        ),
        Principle(
            "expectations", "预设期望值", "Setting expectations",
            "预设客户消费的期望值",
            "Set the customer's expectations beforehand.",
        ),
    )
}

PrincipleId = Literal[
    "understanding", "respect", "first_impression", "composure", "preparation",
    "verbal_nonverbal", "attitude", "options", "calm_first", "type_fit",
    "root_cause", "proactive", "expectations",
]
assert set(get_args(PrincipleId)) == set(PRINCIPLES)

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = get_args(Lang)

CustomerTypeId = Literal["requesting", "confused", "agitated"]
Phase = Literal["preparation", "calming", "explanation", "follow_up"]
PHASES: tuple[str, ...] = get_args(Phase)
Act = Literal["prepare", "soothe", "clarify", "inform", "explain", "offer", "follow_up", "deflect"]
ACTS: tuple[str, ...] = get_args(Act)
Outcome = Literal["retained", "at_risk", "lost"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)


@dataclass(frozen=True)
class CustomerType:
    id: str
    name_zh: str
    name_en: str
    advice_zh: str
    advice_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def advice(self, lang: str) -> str:
        return self.advice_zh if lang == "zh" else self.advice_en


CUSTOMER_TYPES: dict[str, CustomerType] = {
    t.id: t
    for t in (
        CustomerType(
            "requesting", "要求型", "Requesting",
            "这种客户想了解我们的金融产品和服务，我们要给他们足够量的信息。",
            "They want to know our products and services: give them enough information.",
        ),
        CustomerType(
            "confused", "困惑型", "Confused",
            "他对某个问题不清楚需要咨询或有误会需要你解释清楚；我们应以专业而又简洁的回答吸引他。",
            "Unclear about something or misunderstanding it: win them with a professional, concise answer.",
        ),
        CustomerType(
            "agitated", "激动型", "Agitated",
            "他很激动且从他的角度感到产品或服务不满意，我们要以十二分的耐心去征服他。",
            "Upset and, from where they stand, dissatisfied: win them over with endless patience.",
        ),
    )
}

PHASE_NAMES: dict[str, tuple[str, str]] = {
    "preparation": ("准备", "Preparation"),
    "calming": ("安抚", "Calming"),
    "explanation": ("解释", "Explanation"),
    "follow_up": ("跟进", "Follow-up"),
}

OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "retained": ("留住了客户", "Customer retained"),
    "at_risk": ("客户关系有风险", "Customer at risk"),
    "lost": ("失去了客户", "Customer lost"),
}

# The article's figures, for debrief narratives. The source's OCR slips are corrected here:
# "l2" is 12, "2O" is 20.
FIGURES: dict[str, tuple[str, str]] = {
    "communication_share": (
        "不满意的客户中，1/3 是因为产品或服务本身，其余 2/3 的问题出在沟通不良上。",
        "Of dissatisfied customers, a third are unhappy with the product; two thirds with poor communication.",
    ),
    "who_tells": (
        "只有 23% 的客户会把不满告诉服务人员，8% 会以投诉的方式到达管理层。",
        "Only 23% of customers tell staff they are unhappy; 8% reach management as a complaint.",
    ),
    "silent_leave": (
        "有意见而不抱怨的客户，80% 左右不会再次光顾。",
        "About 80% of dissatisfied customers who do not complain never come back.",
    ),
    "handled_return": (
        "抱怨如果处理得当，98% 左右的客户还会再来。",
        "When a complaint is handled well, about 98% of customers come back.",
    ),
    "tells_12": (
        "一个非常满意的客户，会把满意告诉 12 个人。",
        "A very satisfied customer tells 12 people.",
    ),
    "tells_20": (
        "一个非常不满意的客户，会把不满告诉 20 个人以上。",
        "A very dissatisfied customer tells 20 people or more.",
    ),
}

OUTCOME_FIGURES: dict[str, tuple[str, ...]] = {
    "retained": ("handled_return", "tells_12"),
    "at_risk": ("who_tells", "silent_leave"),
    "lost": ("tells_20", "communication_share"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    """Choose the zh or en half of a (zh, en) pair."""
    return pair[0] if lang == "zh" else pair[1]


def colon(lang: str) -> str:
    """A label's colon: Chinese takes the full-width mark, which carries its own space."""
    return "：" if lang == "zh" else ": "


def aside(text: str, lang: str) -> str:
    """Text in parentheses after what it qualifies, full-width in Chinese."""
    return f"（{text}）" if lang == "zh" else f" ({text})"
