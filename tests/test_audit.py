"""`coach audit`: cue rates beside chance, surface strategies against random, --strict."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import yaml

from coach.cli import main
from coach.scenario.cues import Features, best_set
from coach.scenario.loader import load_scenario_text
from coach.scenario.lint import lint

#: Role of each choice: best (total 3), half-right (1), wrong (-2).
TOTALS = {"B": {"understanding": 2, "options": 1}, "H": {"understanding": 1}, "W": {"understanding": -2}}
#: Texts of three lengths, with no name, apology, polite word or clause mark (those cues stay silent).
LENGTHS = {
    "long": ("这件事我们现在就在柜台上把它办完", "We can settle the whole thing here at the counter now"),
    "mid": ("我们现在就把它办完", "We settle it here now"),
    "short": ("现在就办", "Done now"),
}
PERMS = list(itertools.permutations("BHW"))


def _scenario(sid: str, steps: list[tuple[tuple[str, ...], dict[str, str]]]) -> dict:
    """A linear scenario: at each step, roles in file order and each role's text length."""
    out: dict = {}
    for n, (order, length_of) in enumerate(steps):
        nxt = f"s{n + 1}" if n + 1 < len(steps) else "end"
        choices = []
        for role in order:
            zh, en = LENGTHS[length_of[role]]
            choices.append({
                "text": {"zh": zh, "en": en}, "act": "inform", "scores": dict(TOTALS[role]),
                "feedback": {"zh": "反馈", "en": "Feedback"}, "next": nxt,
            })
        out[f"s{n}"] = {"phase": "explanation", "customer": {"zh": "客户", "en": "Customer"}, "choices": choices}
    out["end"] = {"ending": "retained", "text": {"zh": "结束", "en": "The end"}}
    return {
        "id": sid, "title": {"zh": "标题", "en": "Title"}, "languages": ["zh", "en"],
        "customer": {"name": {"zh": "林先生", "en": "Mr Lin"}, "type": "requesting", "mood": 30},
        "start": "s0", "steps": out,
    }


def _write(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def longest_wins(folder: Path, n_scenarios: int = 2) -> Path:
    """Best always the longest, positions varied: a skimmer passes."""
    for k in range(n_scenarios):
        steps = [(PERMS[i], {"B": "long", "H": "mid", "W": "short"}) for i in range(6)]
        _write(folder, _scenario(f"longest-wins-{k}", steps))
    return folder


def fair(folder: Path, n_scenarios: int = 2) -> Path:
    """Every position and every length rank holds best, half-right and wrong equally often."""
    ranks = ("long", "mid", "short")
    for k in range(n_scenarios):
        steps = []
        for i in range(6):
            lengths = PERMS[(i + 1 + k) % 6]  # the roles in order of length rank, a different perm
            steps.append((PERMS[i], {role: ranks[lengths.index(role)] for role in "BHW"}))
        _write(folder, _scenario(f"fair-{k}", steps))
    return folder


def audit_json(capsys, *args) -> tuple[int, dict]:
    code = main(["audit", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_a_library_where_the_longest_wins_fails_strict_and_reports_the_cue(tmp_path, capsys):
    folder = longest_wins(tmp_path / "lib")
    code, data = audit_json(capsys, "--strict", str(folder))
    assert code == 1
    cue = data["set"]["cues"]["long_zh"]
    assert (cue["rate"], cue["steps"], cue["far_above_chance"]) == (100.0, 12, True)
    assert cue["chance"] == 33.3
    assert "long_en" in data["failures"]["cues"]
    assert {"longest_zh", "longest_en"} <= set(data["failures"]["strategies"])
    assert data["set"]["strategies"]["longest_zh"]["overall"] == 100.0
    assert data["ok"] is False


def test_a_fair_library_passes_strict(tmp_path, capsys):
    folder = fair(tmp_path / "lib")
    code, data = audit_json(capsys, "--strict", str(folder))
    assert code == 0, data["failures"]
    assert data["ok"] is True
    assert data["set"]["cues"]["long_zh"]["rate"] == 33.3
    # No polite word, name, apology or clause mark anywhere: those cues never tell choices apart.
    assert data["set"]["cues"]["apology"]["steps"] == 0


def test_without_strict_a_giveaway_still_exits_0(tmp_path, capsys):
    assert main(["audit", str(longest_wins(tmp_path / "lib"))]) == 0
    assert "FAR" in capsys.readouterr().out


def test_json_has_per_scenario_and_set_sections(tmp_path, capsys):
    _, data = audit_json(capsys, str(fair(tmp_path / "lib")))
    assert set(data) == {"scenarios", "set", "thresholds", "failures", "ok"}
    one = data["scenarios"][0]
    assert set(one) == {"id", "path", "steps", "cues", "positions", "strategies", "random", "best", "warnings",
                         "one_slip", "half_right_steps"}
    assert set(one["cues"]) == {"long_zh", "long_en", "short_zh", "short_en", "name", "apology", "polite", "clauses"}
    assert set(one["strategies"]) == {"longest_zh", "longest_en", "shortest_zh", "shortest_en",
                                      "polite", "clauses", "first", "last"}
    assert set(one["random"]) == {"overall", "ready"}
    assert set(data["set"]["random"]) == {"overall", "ready", "scenarios", "runs"}
    assert len(data["set"]["positions"]) == 3
    assert data["set"]["steps"] == 12


def test_text_output_fits_80_columns_in_both_languages(tmp_path, capsys):
    from rich.cells import cell_len

    folder = fair(tmp_path / "lib")
    for lang in ("en", "zh"):
        assert main(["audit", "--lang", lang, str(folder)]) == 0
        out = capsys.readouterr().out
        assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_a_missing_path_exits_2_with_a_message(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "Traceback" not in err


def test_a_scenario_with_errors_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\ntitle: x\n", encoding="utf-8")
    assert main(["audit", str(bad)]) == 2
    assert "broken.yaml has errors" in capsys.readouterr().err


def test_default_is_the_bundled_library(capsys):
    code, data = audit_json(capsys)
    assert code == 0
    assert data["set"]["scenarios"] >= 16


def test_tied_best_choices_are_all_best_and_chance_counts_them():
    data = _scenario("tie", [(("B", "B", "W"), {"B": "long", "W": "short"})])
    data["steps"]["s0"]["choices"][1]["text"] = {"zh": "现在就办", "en": "Done now"}
    result = load_scenario_text(yaml.safe_dump(data, allow_unicode=True).encode(), "tie.yaml")
    step = result.scenario.steps["s0"]
    assert best_set(step) == {0, 1}
    cue = Features(result.scenario).cue("long_zh", step)
    assert (cue.hit, round(cue.chance, 3)) == (1.0, 0.667)
    short = Features(result.scenario).cue("short_zh", step)
    assert short.hit == 0.5  # the shortest are a best and a wrong one: half the time


def _lint_codes(data: dict) -> list[str]:
    result = load_scenario_text(yaml.safe_dump(data, allow_unicode=True).encode(), "x.yaml", lint=False)
    return [d.code for d in lint(result.scenario, result.positions, result.path)]


def test_lint_warns_length_cue_when_the_best_is_always_longest(tmp_path):
    steps = [(PERMS[i], {"B": "long", "H": "mid", "W": "short"}) for i in range(4)]
    assert _lint_codes(_scenario("long", steps)).count("length-cue") == 2  # zh and en


def test_lint_does_not_warn_at_chance(tmp_path):
    ranks = ("long", "mid", "short")
    steps = [(PERMS[i], {r: ranks[PERMS[(i + 1) % 6].index(r)] for r in "BHW"}) for i in range(6)]
    assert not [c for c in _lint_codes(_scenario("fair", steps)) if c.endswith("-cue")]


def test_lint_warns_name_cue_when_only_the_best_names_the_customer():
    steps = [(PERMS[i], {"B": "long", "H": "mid", "W": "short"}) for i in range(3)]
    data = _scenario("name", steps)
    for n in range(3):
        for c in data["steps"][f"s{n}"]["choices"]:
            c["text"] = {"zh": "现在就办", "en": "Done now"}
            if c["scores"] == TOTALS["B"]:
                c["text"] = {"zh": "林先生现在办", "en": "Mr Lin now"}
    assert "name-cue" in _lint_codes(data)


def test_audit_warnings_match_the_linter(tmp_path, capsys):
    folder = longest_wins(tmp_path / "lib", n_scenarios=1)
    _, data = audit_json(capsys, str(folder))
    assert data["scenarios"][0]["warnings"] == ["long_zh", "long_en"]
    assert main(["validate", str(folder)]) == 0
    assert capsys.readouterr().out.count("[length-cue]") == 2
