"""The principles catalog quotes the article, and its vocabulary is stable."""

import re
from pathlib import Path

import pytest

from coach.principles import CUSTOMER_TYPES, FIGURES, PRINCIPLES

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "source" / "bank-service-communication.zh.md"
_PUNCT = re.compile(r"[\s,，;；:：。.、\"“”…!！?？（）()]")


def _bare(text: str) -> str:
    return _PUNCT.sub("", text)


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.is_file():
        pytest.skip("the source article is not beside this checkout")
    return _bare(ARTICLE.read_text(encoding="utf-8"))


def test_the_catalog_has_the_thirteen_public_principle_ids():
    assert list(PRINCIPLES) == [
        "understanding", "respect", "first_impression", "composure", "preparation",
        "verbal_nonverbal", "attitude", "options", "calm_first", "type_fit",
        "root_cause", "proactive", "expectations",
    ]


@pytest.mark.parametrize("pid", list(PRINCIPLES))
def test_every_principle_quote_is_the_articles_own_words(article, pid):
    # "……" marks an elision; type_fit names each type before its advice.
    for fragment in re.split(r"……|[;；]", PRINCIPLES[pid].quote_zh):
        fragment = re.sub(r"^(要求型|困惑型|激动型)[:：]", "", fragment)
        assert _bare(fragment) in article, fragment


@pytest.mark.parametrize("tid", list(CUSTOMER_TYPES))
def test_every_customer_type_advice_is_the_articles_own_words(article, tid):
    assert _bare(CUSTOMER_TYPES[tid].advice_zh) in article


def test_every_principle_and_figure_has_both_languages():
    for p in PRINCIPLES.values():
        assert p.name_zh and p.name_en and p.quote_zh and p.gloss_en
    for zh, en in FIGURES.values():
        assert zh and en
