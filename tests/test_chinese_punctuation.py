"""Chinese text coach shows is typeset with Chinese punctuation: "结论：可以上岗", not "结论: 可以上岗".

GB/T 15834 and the W3C clreq use full-width marks in Chinese text; a half-width comma or colon beside
a character reads as a typo, and the line breaker's rules are written for the full-width marks."""

import ast
import html
import io
import json
import re
import tokenize
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HAN = "\u3400-\u9fff"
# a half-width mark touching a character (on either side), or parentheses around Chinese
HALF_WIDTH = re.compile(rf"[{HAN}][,;:?!()]|[,;:?!()][{HAN}]|\([^()]*[{HAN}][^()]*\)")


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _chinese_literals(path: Path):
    source = path.read_text(encoding="utf-8")
    docs = _docstring_lines(ast.parse(source))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] not in docs and re.search(f"[{HAN}]", token.string):
            # f-string code between braces is Python, not text
            yield token.start[0], re.sub(r"\{[^{}]*\}", "{}", token.string)


def _zh_texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield value
            else:
                yield from _zh_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _zh_texts(value)


def _chinese(text: str) -> bool:
    """English that names a Chinese word ("Switch language (中文/English)") keeps its own marks."""
    return len(re.findall(f"[{HAN}]", text)) >= len(re.findall("[A-Za-z]", text))


def test_the_rule_finds_half_width_marks_in_chinese():
    assert HALF_WIDTH.search("结论: 可以上岗") and HALF_WIDTH.search("类型(t)") and HALF_WIDTH.search("好,再说")
    assert not HALF_WIDTH.search("结论：可以上岗（t）") and not HALF_WIDTH.search("Verdict: ready (t), 10:30")
    assert _chinese("类型（t）：{}") and not _chinese("Switch language (中文/English)")


@pytest.mark.parametrize("path", sorted((ROOT / "coach").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_chinese_strings_in_the_code_use_full_width_punctuation(path):
    bad = [f"{path.name}:{line}: {text}" for line, text in _chinese_literals(path) if _chinese(text) and HALF_WIDTH.search(text)]
    assert not bad, "\n".join(bad)


def test_chinese_text_of_the_bundled_scenarios_uses_full_width_punctuation():
    bad = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for text in _zh_texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            bad += [f"{path.name}: …{text[max(0, m.start() - 8):m.end() + 8]}…" for m in HALF_WIDTH.finditer(text)]
    assert not bad, "\n".join(bad)


def _screen_text(svg: Path) -> str:
    spans = re.findall(r"<text[^>]*>(.*?)</text>", svg.read_text(encoding="utf-8"), re.S)
    return html.unescape("".join(spans)).replace("\xa0", " ")


def test_the_chinese_screens_join_labels_and_values_with_full_width_marks():
    # The approved Chinese snapshots (bundled scenarios at 60x20 to 120x40): labels are joined to
    # their values at run time ("客户" + "：" + name), which no literal above shows.
    shots = sorted((ROOT / "tests" / "tui" / "__snapshots__" / "test_snapshots_zh").glob("*.svg"))
    assert len(shots) >= 6
    bad = [f"{svg.name}: …{text[max(0, m.start() - 8):m.end() + 8]}…"
           for svg in shots for text in [_screen_text(svg)] for m in HALF_WIDTH.finditer(text)]
    assert not bad, "\n".join(bad)


def _worst_choices(scenario) -> list[int]:
    """1-based choices that take a critical move where a step has one, else its lowest-scoring move."""
    from coach.engine.session import Session

    session, picks = Session(scenario), []
    while not session.finished:
        choices = session.step.choices
        index = min(range(len(choices)), key=lambda i: (choices[i].critical is None, sum(choices[i].scores.values())))
        picks.append(index + 1)
        session.choose(index)
    return picks


def test_the_text_commands_join_labels_and_values_with_full_width_marks(capsys, tmp_path):
    # `coach play` and `coach check` build their lines at run time ("总分" + "：" + score, a critical
    # mistake's step and reason), on every bundled scenario, at its best and at its worst.
    from coach.cli import main
    from coach.scenario.loader import load_scenario

    bad = []
    scenarios = sorted((ROOT / "scenarios").glob("*.yaml"))
    for path in scenarios:
        for how in ("--best", "--worst"):
            assert main(["play", str(path), how, "--lang", "zh"]) == 0
            out = capsys.readouterr().out
            bad += [f"play {path.stem} {how}: …{out[max(0, m.start() - 8):m.end() + 8]}…" for m in HALF_WIDTH.finditer(out)]
    worst = {s.id: _worst_choices(s) for s in (load_scenario(p).scenario for p in scenarios[:6])}
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(worst), encoding="utf-8")
    code = main(["check", "--db", str(tmp_path / "h.sqlite3"), "--teller", "Li", "--dir", str(ROOT / "scenarios"),
                 "--scenarios", ",".join(worst), "--answers", str(answers), "--lang", "zh"])
    out = capsys.readouterr().out
    assert code == 3 and "严重错误" in out and "结论：需要复习" in out
    bad += [f"check: …{out[max(0, m.start() - 8):m.end() + 8]}…" for m in HALF_WIDTH.finditer(out)]
    assert not bad, "\n".join(bad)
