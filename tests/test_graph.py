"""`coach graph`: the step graph as Mermaid and DOT, with hostile text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coach.cli import main
from coach.graph import escape_dot, escape_mermaid, to_dot, to_mermaid
from coach.library import bundled_dir, scenario_files
from coach.scenario.model import Scenario

FIXTURES = Path(__file__).parent / "fixtures"
ORDER = FIXTURES / "engine" / "order.yaml"

HOSTILE = 'x"]; click s0 call alert(1) %%{init}%% <script>|a|</script> & #quot; \\N \\" \n}digraph{'


def hostile_scenario() -> Scenario:
    choice = {"text": HOSTILE, "act": "soothe", "scores": {"respect": 2}, "feedback": "f", "next": "end"}
    return Scenario.model_validate({
        "id": "hostile", "title": HOSTILE, "languages": ["en"],
        "customer": {"name": "n", "type": "agitated", "mood": 80},
        "steps": {
            "start": {"phase": "calming", "customer": HOSTILE, "choices": [choice, {**choice, "next": "nowhere"}]},
            "end": {"ending": "lost", "text": HOSTILE},
        },
    })


def test_mermaid_of_the_engine_fixture_has_phases_acts_and_endings(capsys):
    assert main(["graph", str(ORDER), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "flowchart TD"
    for phase in ("Preparation", "Calming", "Explanation", "Follow-up"):
        assert f'["{phase}"]' in out
    assert "1 soothe +2" in out and "3 deflect +0" in out and "1 follow_up +1" in out
    assert ":::retained" in out and ":::at_risk" in out
    assert "Customer retained" in out
    # every choice with its step's top total is a bold edge: 4 steps, two of them with a tie of two,
    # and the last step's two +1 choices (its two routes)
    assert out.count("==>") == 7
    # author step ids never become Mermaid ids (e.g. a step called `end` would close a subgraph)
    assert re.search(r"^\s+(prepare|first|kept)\b", out, re.M) is None


def test_dot_of_the_engine_fixture(capsys):
    assert main(["graph", str(ORDER), "--format", "dot", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph scenario {") and out.rstrip().endswith("}")
    assert "subgraph cluster_calming" in out and 'label="安抚"' in out
    assert 'label="1 soothe +2", style=bold' in out
    assert "fillcolor=\"#2e7d32\"" in out
    assert out.count("{") == out.count("}")


def _outside_strings(text: str) -> str:
    """The DOT text with every well-formed double-quoted string removed."""
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)


def test_dot_escapes_hostile_text():
    out = to_dot(hostile_scenario())
    rest = _outside_strings(out)
    assert '"' not in rest.replace('""', "")  # every quote belongs to a closed string
    assert "alert" not in rest and "digraph{" not in rest
    assert rest.count("{") == rest.count("}")
    assert "\\\\N" in out  # a backslash in the text stays a literal backslash
    assert "missing step" in out  # a `next` to a missing step is drawn, dashed


def test_mermaid_escapes_hostile_text():
    out = to_mermaid(hostile_scenario())
    for line in out.splitlines():
        if line.lstrip().startswith("%%"):
            assert "{" not in line and "}" not in line  # no directive can be smuggled in
            continue
        # labels are the only quoted parts, and they hold no raw quote, bracket, pipe or markup
        for label in re.findall(r'"([^"]*)"', line):
            bare = re.sub(r"#\w+;", "", label.replace("<br/>", ""))
            assert not set(bare) & set('"<>|[]{}`;'), label
        stripped = re.sub(r'"[^"]*"', '""', line)
        assert "alert" not in stripped and "script" not in stripped
    assert "#quot;" in out and "#lt;script#gt;" in out and "#35;quot#59;" in out


@pytest.mark.parametrize("ch", list('"<>&#|[]{}();`\\'))
def test_every_special_character_becomes_an_entity(ch):
    assert re.fullmatch(r"#(\d+|quot|lt|gt|amp);", escape_mermaid(ch))


def test_dot_escape():
    assert escape_dot('a"b\\c\nd') == 'a\\"b\\\\c d'


def test_missing_scenario_exits_2(capsys):
    assert main(["graph", "no-such-scenario-id"]) == 2
    assert "no scenario file or bundled id" in capsys.readouterr().err


def test_unreadable_scenario_exits_1(capsys):
    assert main(["graph", str(FIXTURES / "bad" / "typo-key.yaml")]) == 1
    err = capsys.readouterr().err
    assert "cannot be read as a scenario" in err and "Traceback" not in err


def test_graph_problems_are_drawn_and_listed(capsys):
    assert main(["graph", str(FIXTURES / "bad" / "lint-unknown-next.yaml")]) == 0
    captured = capsys.readouterr()
    assert "unknown-step" in captured.err
    assert ":::missing" in captured.out


def test_out_file(tmp_path, capsys):
    target = tmp_path / "g.dot"
    assert main(["graph", str(ORDER), "--format", "dot", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("digraph")
    assert main(["graph", str(ORDER), "--out", str(tmp_path / "no" / "such" / "g.mmd")]) == 1
    assert "cannot write" in capsys.readouterr().err


BUNDLED = scenario_files(bundled_dir())


@pytest.mark.skipif(not BUNDLED, reason="no bundled scenarios yet")
@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_of_a_bundled_scenario(fmt, capsys):
    path = BUNDLED[0]
    assert main(["graph", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert ("flowchart TD" in out) if fmt == "mermaid" else out.startswith("digraph")
