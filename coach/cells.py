"""Padding and cutting text by terminal cells, so Chinese (two cells a character) lines up."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def fit(text: str, width: int, align: str = "<") -> str:
    """`text` cut or padded to exactly `width` cells, aligned left (<) or right (>)."""
    if cell_len(text) > width:
        text = set_cell_size(text, width)
    gap = " " * max(0, width - cell_len(text))
    return gap + text if align == ">" else text + gap
