"""`coach new`: a skeleton that loads without errors (only TODO warnings) and never overwrites."""

from __future__ import annotations

import json

import pytest

import coach.library
from coach.cli import main
from coach.engine import Session
from coach.scenario.loader import load_scenario
from coach.skeleton import skeleton


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user" / "scenarios"
    monkeypatch.setattr(coach.library, "user_dir", lambda: folder)
    return folder


@pytest.mark.parametrize("ctype", ["agitated", "confused", "requesting"])
@pytest.mark.parametrize("langs", ["zh,en", "en", "zh"])
def test_skeleton_loads_with_only_todo_warnings(ctype, langs, tmp_path, capsys):
    target = tmp_path / f"new-{ctype}.yaml"
    assert main(["new", f"new-{ctype}", "--type", ctype, "--lang", langs, "--out", str(target)]) == 0
    result = load_scenario(target)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.warnings and {d.code for d in result.warnings} == {"todo"}
    assert result.scenario.id == f"new-{ctype}"
    assert result.scenario.customer.type == ctype
    assert result.scenario.languages == langs.split(",")
    # playable from the start: the best path reaches a good ending with full marks
    session = Session(result.scenario)
    session.play_best()
    assert session.outcome == "retained" and session.scorecard().overall == 100
    # and validate agrees: no errors, exit 0
    assert main(["validate", str(target)]) == 0


def test_default_goes_to_the_user_folder_with_a_schema_modeline(user_dir, capsys):
    assert main(["new", "atm-card"]) == 0
    path = user_dir / "atm-card.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=scenario.schema.json"
    schema = json.loads((user_dir / "scenario.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "coach scenario"
    assert "#" in text.splitlines()[1]  # commented
    assert str(path) in capsys.readouterr().out
    # coach resolves the new id from the user folder
    assert coach.library.resolve("atm-card") == path


def test_out_folder_gets_id_yaml(tmp_path, capsys):
    assert main(["new", "in-folder", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "in-folder.yaml").is_file()


def test_never_overwrites(user_dir, capsys):
    user_dir.mkdir(parents=True)
    path = user_dir / "taken.yaml"
    path.write_text("mine\n", encoding="utf-8")
    assert main(["new", "taken"]) == 1
    err = capsys.readouterr().err
    assert "exists already" in err and "Traceback" not in err
    assert path.read_text(encoding="utf-8") == "mine\n"


def test_an_existing_schema_file_is_kept(tmp_path, capsys):
    (tmp_path / "scenario.schema.json").write_text("{}", encoding="utf-8")
    assert main(["new", "keeps-schema", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "scenario.schema.json").read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize("bad", ["Upper", "-dash-first", "with space", "a_b", "x" * 65, "名字", "a/b"])
def test_invalid_id_exits_2(bad, user_dir, capsys):
    assert main(["new", "--", bad]) == 2
    assert "not a valid scenario id" in capsys.readouterr().err
    assert not user_dir.exists()


@pytest.mark.parametrize("bad", ["fr", "", "zh,fr", ","])
def test_invalid_lang_exits_2(bad, user_dir, capsys):
    assert main(["new", "ok-id", "--lang", bad]) == 2
    assert "--lang" in capsys.readouterr().err


def test_unwritable_target_exits_1(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["new", "nope", "--out", str(blocker / "sub" / "nope.yaml")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_skeleton_function_refuses_bad_input():
    with pytest.raises(ValueError):
        skeleton("Bad Id")
    with pytest.raises(ValueError):
        skeleton("ok", "grumpy")


@pytest.mark.parametrize("ctype", ["agitated", "confused", "requesting"])
def test_skeleton_shows_a_half_right_choice_at_every_step_and_a_commented_critical(ctype):
    from coach.engine import Session
    from coach.scenario.loader import load_scenario_text
    from coach.skeleton import skeleton

    text = skeleton(f"new-{ctype}", ctype)
    scenario = load_scenario_text(text.encode("utf-8"), "new.yaml").scenario
    for step in scenario.steps.values():
        if step.choices:
            top = max(c.total for c in step.choices)
            assert any(0 < c.total < top for c in step.choices)
    assert "        # critical: {zh: " in text
    # the half-right path is "partly right" at every step and does not reach the pass mark
    session = Session(scenario)
    while not session.finished:
        step = session.step
        top = max(c.total for c in step.choices)
        turn = session.choose(next(i for i, c in enumerate(step.choices) if 0 < c.total < top))
        assert turn.partly_right
    assert not session.scorecard().ready
