"""Markers for "say it yourself": whole-word matching in Chinese (jieba) and English (inflections),
each marker counted once, the long-reply note, and the linter's checks."""

from __future__ import annotations

import textwrap

import pytest

from coach.scenario.loader import load_scenario_text
from coach.scenario.markers import check_reply, contains_phrase
from coach.scenario.model import Step

STEP = Step(
    phase="calming",
    choices=[
        {"text": {"zh": "您先坐，我马上帮您查。", "en": "Have a seat; I'll check it now."}, "act": "soothe",
         "scores": {"calm_first": 2}, "next": "x"},
        {"text": {"zh": "按规定要本人来。", "en": "Rules say you come in person."}, "act": "explain",
         "scores": {"respect": -1}, "next": "x"},
    ],
    markers=[
        {"principle": "calm_first", "good": {"zh": ["请坐", "先坐"], "en": ["have a seat", "sit down"]}},
        {"principle": "expectations", "good": {"zh": ["处理"], "en": ["check"]}},
        {"principle": "respect", "hurt": {"zh": ["不归我管", "规定就是这样"], "en": ["not my department", "rule"]}},
    ],
)


def found(reply: str, lang: str) -> dict[str, str | None]:
    return {r.principle: r.found for r in check_reply(STEP, reply, lang).results}


def test_chinese_marker_matches_a_whole_word():
    assert found("您请坐，我帮您处理一下。", "zh") == {"calm_first": "请坐", "expectations": "处理", "respect": None}


def test_chinese_marker_does_not_match_inside_a_longer_word():
    # 处理 is inside 处理器 (a processor): a false friend, not the marker
    assert found("我们的处理器坏了。", "zh")["expectations"] is None


def test_chinese_hurting_phrase_is_found_as_words():
    result = check_reply(STEP, "这不归我管，您去问大堂。", "zh")
    assert [r.found for r in result.hurts] == ["不归我管"]


@pytest.mark.parametrize("reply", ["Please SIT DOWN.", "Sitting down helps.", "Do have a seat."])
def test_english_matches_words_case_insensitively_with_inflections(reply):
    assert found(reply, "en")["calm_first"] is not None


def test_english_inflections_of_the_phrase_words():
    assert found("I checked it, and I'm checking again.", "en")["expectations"] == "check"


@pytest.mark.parametrize("reply", ["The checkout is closed.", "Use a ruler.", "Your site visit."])
def test_english_false_friends_do_not_match(reply):
    got = found(reply, "en")
    assert got["expectations"] is None and got["respect"] is None and got["calm_first"] is None


def test_a_marker_counts_once_however_often_it_appears():
    result = check_reply(STEP, "Check, check, check. Sit down, have a seat.", "en")
    assert len(result.has) == 2 and len(result.results) == 3


def test_lacks_lists_the_good_markers_not_found():
    result = check_reply(STEP, "I'll check it now.", "en")
    assert [r.principle for r in result.lacks] == ["calm_first"]
    assert result.to_dict()["lacks"][0]["phrases"] == ["have a seat", "sit down"]


def test_a_reply_far_longer_than_a_counter_sentence_gets_a_note():
    assert not check_reply(STEP, "Have a seat; I'll check it now.", "en").too_long
    assert check_reply(STEP, " ".join(["word"] * 80), "en").too_long
    assert check_reply(STEP, "请" * 200, "zh").too_long


def test_linter_has_no_jieba_and_errs_strict_in_chinese():
    assert contains_phrase("我们的处理器坏了", "处理", "zh")  # substring: stricter than the word match
    assert not contains_phrase("Use a ruler", "rule", "en")


SCENARIO = textwrap.dedent("""\
    id: m
    title: {zh: 标题, en: Title}
    languages: [zh, en]
    customer: {name: {zh: 林先生, en: Mr Lin}, type: agitated, mood: 70}
    steps:
      start:
        phase: calming
        customer: {zh: “怎么回事？”, en: "\\"What happened?\\""}
        markers:
          - {principle: calm_first, good: {zh: [请坐], en: [have a seat]}}
          - {principle: respect, good: {zh: [规定]}}
          - {principle: respect, hurt: {zh: [马上], en: [right away]}}
        choices:
          - text: {zh: 您请坐，我马上查。, en: "Have a seat; I'll look right away."}
            act: soothe
            scores: {calm_first: 2}
            feedback: {zh: 好。, en: Good.}
            next: end
          - text: {zh: 按规定您得等。, en: You have to wait; rules.}
            act: explain
            scores: {respect: -2}
            feedback: {zh: 差。, en: Poor.}
            next: end
      end:
        ending: retained
        text: {zh: 好。, en: Fine.}
    """)


def codes(text: str) -> list[str]:
    return [d.code for d in load_scenario_text(text.encode()).diagnostics]


def test_linter_checks_markers_in_both_languages_and_against_the_key():
    got = codes(SCENARIO)
    assert "missing-language" in got  # the second marker has no English
    assert "marker-in-worst" in got  # 规定 is in the worst choice
    assert "hurt-in-best" in got  # 马上 / right away are in the best choice


def test_an_ending_cannot_have_markers():
    bad = SCENARIO + "    markers: [{principle: respect, good: {zh: [好], en: [ok]}}]\n"
    result = load_scenario_text(bad.encode())
    assert result.scenario is None and any("markers" in d.message for d in result.diagnostics)
