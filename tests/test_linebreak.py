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

from coach.linebreak import break_offsets, fill, output_width, reflow, units, wrap

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


# ---- the text commands and reports ------------------------------------------------------------

def _rules_hold(lines: list[str], width: int) -> None:
    for n, line in enumerate(lines):
        assert cell_len(line) <= width, line
        body = line.lstrip(" ")
        if n and body:
            assert body[0] not in CLOSING, line
        if body:
            assert body.rstrip()[-1] not in OPENING, line


def test_reflow_wraps_each_line_under_its_own_indent_and_bullet():
    text = "结论：需要复习\n    一定要先安抚用户的情绪，时刻保护客户的自尊心，再进行解释。\n• 一个非常不满意的客户，会把不满告诉二十个人以上。"
    lines = reflow(text, 24).split("\n")
    assert lines == ["结论：需要复习", "    一定要先安抚用户的情", "    绪，时刻保护客户的自", "    尊心，再进行解释。",
                     "• 一个非常不满意的客户，", "  会把不满告诉二十个人以", "  上。"]
    assert reflow(text, None) == text


def test_output_wraps_at_columns_or_the_terminal_and_not_into_a_pipe(monkeypatch):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("COLUMNS", raising=False)
    assert output_width(io.StringIO()) is None
    assert output_width(Tty()) >= 1
    monkeypatch.setenv("COLUMNS", "42")
    assert output_width(io.StringIO()) == 42


def test_coach_play_prints_chinese_by_the_rules_at_the_terminal_width(capsys, monkeypatch):
    from coach.cli import main

    monkeypatch.setenv("COLUMNS", "30")
    assert main(["play", "scenarios/account-restricted.yaml", "--worst", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    _rules_hold(lines, 30)
    assert "其余 2/3 的问题出在沟通不良上。" in "".join(line.strip() for line in lines)
    monkeypatch.delenv("COLUMNS")
    assert main(["play", "scenarios/account-restricted.yaml", "--worst", "--lang", "zh"]) == 0
    assert "不满意的客户中，1/3 是因为产品或服务本身，其余 2/3 的问题出在沟通不良上。" in \
        capsys.readouterr().out.splitlines()  # into a pipe: one line per item, as before


SAYS = "“您这个是反洗钱监测设的限制，是系统自动加的，不是哪个人定的。”"


def test_rich_wraps_by_the_rules_once_installed(monkeypatch):
    import io

    import rich._wrap
    import rich.text
    from rich.console import Console

    from coach.linebreak import install_rich

    def printed() -> list[str]:
        buf = io.StringIO()
        Console(file=buf, width=14, color_system=None).print(rich.text.Text(SAYS))
        return buf.getvalue().splitlines()

    monkeypatch.setattr(rich.text, "divide_line", rich._wrap.divide_line)
    assert any(line[0] in CLOSING for line in printed()[1:])  # Rich's own wrap: "，" starts a line
    install_rich()
    _rules_hold(printed(), 14)


def test_the_report_table_installs_the_chinese_rules_before_drawing(monkeypatch):
    import rich._wrap
    import rich.text

    from coach.reports.render import to_table

    monkeypatch.setattr(rich.text, "divide_line", rich._wrap.divide_line)
    report = {"sources": ["a.db"], "attempts": 0, "answers": 0, "item_analysis_on": "first attempts",
              "tellers": [], "principles": [], "scenarios": [], "items": []}
    to_table(report, ("items",), "zh", width=80)
    assert rich.text.divide_line is break_offsets


def test_the_html_report_asks_the_browser_for_the_same_rules():
    from coach.reports.html import CSS

    assert "line-break:strict" in CSS and "word-break:normal" in CSS
