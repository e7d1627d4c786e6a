"""Columns line up by terminal cells, Chinese included."""

from rich.cells import cell_len

from coach.cells import fit


def test_chinese_text_is_padded_by_cells_not_characters():
    assert cell_len(fit("小李", 12)) == 12
    assert fit("小李", 6) == "小李  "


def test_text_wider_than_the_column_is_cut_to_the_column():
    assert cell_len(fit("账户被限制了柜员却不能说", 10)) == 10


def test_right_alignment_pads_on_the_left():
    assert fit("88", 5, ">") == "   88"
