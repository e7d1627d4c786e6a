"""Line breaking as a Chinese reader expects (coach/linebreak.py), checked against clreq's own lists.

The sets below are written out from the W3C "Requirements for Chinese Text Layout" (§3.1.7), not
taken from the code under test: the code asks ICU, these say what a reader expects.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from coach.linebreak import break_offsets, fill, units, wrap

#: clreq: may not start a line (stops, closing brackets and quotes, interpunct, connectors, solidus)
CLOSING = set("、，。．：；？！）］｝〕〉》」』】〙〗〟’”·～／－") | set(",.;:?!)]}")
#: clreq: may not end a line (opening brackets and quotes)
OPENING = set("（［｛〔〈《「『【〘〖〝‘“") | set("([{")

IDEOGRAPHS = "客户说我的卡被吞了然后离开他问真吗银行服务第版共元利率是手续费开门账号密码柜员理财存款"
LATIN = "ATMPINabcxyz"
DIGITS = "0123456789"
OTHER = " —…%¥-/\u0301😀"  # spaces, dash, ellipsis, a combining accent, an emoji (2 cells)


def pieces(text: str, width: int) -> list[str]:
    bounds = [0, *break_offsets(text, width), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _alnum(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "L" or ch.isdecimal()


def _cuttable(line: str, width: int) -> bool:
    """Whether `line` (wider than `width`) has a place a reader would accept a break at and where
    the part before it fits: between two letters, ideographs or digits, at a grapheme boundary."""
    spans, _ = split_graphemes(line)
    for s, _e, _size in spans[1:]:
        before = line[:s].rstrip()
        if before and cell_len(before) <= width and _alnum(before[-1]) and _alnum(line[s]):
            return True
    return False


chinese = st.text(alphabet=st.sampled_from(IDEOGRAPHS + "".join(CLOSING | OPENING)), min_size=1, max_size=80)
mixed = st.text(alphabet=st.sampled_from(IDEOGRAPHS + "".join(CLOSING | OPENING) + LATIN + DIGITS + OTHER),
                min_size=1, max_size=80)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=st.one_of(chinese, mixed), width=st.integers(min_value=1, max_value=60))
@example(text="客户说：“我的卡被吞了！”然后离开。", width=7)
@example(text="字 ：字", width=3)
@example(text="“好”", width=3)
@example(text="字‘ 好", width=4)  # ICU breaks after "‘ " here; the tailoring keeps it with 好
def test_wrapping_keeps_every_rule_at_any_width(text, width):
    lines = pieces(text, width)
    assert "".join(lines) == text  # nothing lost, nothing moved
    for n, line in enumerate(lines):
        shown = line.rstrip()
        if n:
            assert shown and line[0] not in CLOSING, (lines, n)
        if n < len(lines) - 1:
            assert shown[-1] not in OPENING, (lines, n)
        if cell_len(shown) > width:
            assert not _cuttable(shown, width), (lines, n)


@pytest.mark.parametrize("mark", sorted(CLOSING))
def test_a_closing_mark_never_starts_a_line(mark):
    text = ("银行服务" + mark) * 6
    for width in range(2, 30):
        assert all(line[0] != mark for line in wrap(text, width)[1:]), (mark, width)


@pytest.mark.parametrize("mark", sorted(OPENING))
def test_an_opening_mark_never_ends_a_line(mark):
    text = ("银行" + mark + "服务") * 6
    for width in range(2, 30):
        assert all(line[-1] != mark for line in wrap(text, width)[:-1]), (mark, width)


def test_a_mark_and_the_space_after_it_do_not_separate_it_from_its_word():
    assert wrap("他说‘ 好的 ’然后走了", 6) == ["他", "说‘ 好", "的 ’然", "后走了"]
    assert wrap("客户 ：好的", 6) == ["客", "户 ：", "好的"]


def test_push_out_moves_the_character_before_a_closing_mark_down_with_it():
    # At 6 cells "客户说" fills the line and "：" would start the next: "说" goes down with it.
    assert wrap("客户说：我的卡被吞了。", 6) == ["客户", "说：我", "的卡被", "吞了。"]


def test_chinese_quotation_marks_take_the_side_of_their_words():
    lines = wrap("他说“请稍等”然后离开了柜台。", 6)
    assert lines == ["他说", "“请稍", "等”然", "后离开", "了柜", "台。"]


def test_full_width_characters_are_two_cells():
    assert wrap("一二三四五六七八九十", 10) == ["一二三四五", "六七八九十"]
    assert wrap("一二三四五六七八九十", 9) == ["一二三四", "五六七八", "九十"]


@pytest.mark.parametrize("whole", ["ATM", "3.5%", "¥500", "10:30", "500元", "3次", "5,000", "——", "……"])
def test_words_numbers_with_units_dashes_and_ellipses_stay_whole(whole):
    text = f"客户问的是{whole}的事"
    for width in range(cell_len(whole) + 2, 24):
        assert any(whole in line for line in wrap(text, width)), (whole, width, wrap(text, width))


def test_latin_words_break_at_spaces_and_a_word_wider_than_the_line_is_folded():
    assert wrap("Please wait while I check your account", 12) == ["Please wait", "while I", "check your",
                                                                 "account"]
    # UAX #14 breaks a URL after its slashes; "bank.example/" is wider than the line: folded, but
    # not before the "/" (a solidus does not start a line).
    assert wrap("柜员看https://bank.example/aaaaaaaaaaaa", 12) == [
        "柜员看", "https://", "bank.exampl", "e/", "aaaaaaaaaaaa"]


def test_no_fold_leaves_a_long_word_whole_on_its_own_line():
    assert break_offsets("ab supercalifragilistic cd", 8, fold=False) == [3, 24]


def test_text_that_fits_is_one_line_and_empty_text_none():
    assert break_offsets("账户被限制了", 12) == []
    assert wrap("", 10) == [""]
    assert units("") == ()


def test_newlines_in_the_text_end_lines():
    assert wrap("第一行\n第二行很长很长", 8) == ["第一行", "第二行很", "长很长"]


def test_fill_indents_every_line_after_the_first():
    assert fill("一定要先安抚用户的情绪，再进行解释。", 14, indent="  ✗ ") == (
        "  ✗ 一定要先安\n    抚用户的情\n    绪，再进行\n    解释。")


def test_a_width_below_one_is_taken_as_one():
    assert "".join(pieces("客户说：好", 0)) == "客户说：好"
