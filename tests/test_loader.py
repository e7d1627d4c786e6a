"""The strict scenario loader: every bad input is a clear diagnostic at file:line:col, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coach.scenario.loader import (
    MAX_BYTES,
    MAX_NODES,
    Diagnostic,
    LoadResult,
    ScenarioError,
    load_scenario,
    load_scenario_strict,
    load_scenario_text,
)

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BAD = FIXTURES / "bad"


def only_error(result: LoadResult) -> Diagnostic:
    assert not result.ok
    assert result.scenario is None
    errors = result.errors
    assert len(errors) == 1, [d.format() for d in errors]
    return errors[0]


def test_good_scenario_loads_without_diagnostics():
    result = load_scenario(GOOD / "atm-card-retained.yaml")
    assert result.ok and result.diagnostics == []
    assert result.scenario.id == "atm-card-retained"
    assert result.scenario.customer.mood == 85


def test_position_map_points_at_keys_and_items_one_based():
    result = load_scenario(GOOD / "minimal.yaml")
    assert result.positions[()] == (1, 1)
    assert result.positions[("id",)] == (1, 1)
    assert result.positions[("steps", "ask", "choices", 0)] == (13, 9)
    assert result.positions[("steps", "ask", "choices", 0, "act")] == (14, 9)


def test_sha256_is_the_hash_of_the_file_bytes():
    import hashlib

    data = (GOOD / "minimal.yaml").read_bytes()
    assert load_scenario_text(data).sha256 == hashlib.sha256(data).hexdigest()


def test_utf8_bom_is_accepted():
    result = load_scenario(GOOD / "bom.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.scenario.id == "with-bom"


def test_latin1_bytes_are_refused_with_their_position():
    d = only_error(load_scenario(BAD / "latin1.yaml"))
    assert d.code == "encoding"
    assert "UTF-8" in d.message
    assert (d.line, d.col) == (25, 18)


def test_too_big_file_is_refused():
    data = b"id: big\n" + b"# padding\n" * (MAX_BYTES // 10 + 1)
    d = only_error(load_scenario_text(data, "big.yaml"))
    assert d.code == "too-large"


def test_too_deep_nesting_is_refused():
    d = only_error(load_scenario(BAD / "deep.yaml"))
    assert d.code == "too-deep"
    assert d.line == 2


def test_too_many_nodes_is_refused():
    data = b"x: [" + b"0," * (MAX_NODES + 1) + b"0]\n"
    d = only_error(load_scenario_text(data, "many.yaml"))
    assert d.code == "too-many-nodes"


def test_alias_bomb_is_refused_fast():
    started = time.perf_counter()
    d = only_error(load_scenario(BAD / "alias-bomb.yaml"))
    assert time.perf_counter() - started < 0.5
    assert d.code == "anchor"
    assert (d.line, d.col) == (1, 4)


def test_merge_key_is_refused():
    d = only_error(load_scenario(BAD / "merge-key.yaml"))
    assert d.code == "merge-key"
    assert (d.line, d.col) == (5, 3)


def test_duplicate_key_names_both_lines():
    d = only_error(load_scenario(BAD / "duplicate-key.yaml"))
    assert d.code == "duplicate-key"
    assert "'scores'" in d.message and "lines 20 and 21" in d.message
    assert d.line == 21


def test_empty_file_is_a_clear_error():
    d = only_error(load_scenario(BAD / "empty.yaml"))
    assert d.code == "empty"
    assert "empty" in d.message


def test_top_level_list_is_refused():
    d = only_error(load_scenario(BAD / "top-list.yaml"))
    assert d.code == "not-mapping"
    assert "list" in d.message


def test_top_level_scalar_is_refused():
    d = only_error(load_scenario(BAD / "scalar.yaml"))
    assert d.code == "not-mapping"


def test_two_documents_are_refused_at_the_second():
    d = only_error(load_scenario(BAD / "two-docs.yaml"))
    assert d.code == "multiple-documents"
    assert d.line == 26


def test_unknown_key_typo_names_line_col_and_suggests():
    result = load_scenario(BAD / "typo-key.yaml")
    by_code = {d.code: d for d in result.errors}
    extra = by_code["extra_forbidden"]
    assert extra.format() == (
        f"{BAD / 'typo-key.yaml'}:17:9: error: unknown key 'nxt' (not allowed here); "
        "did you mean 'next'? [extra_forbidden]"
    )
    assert by_code["missing"].message == "missing required key 'next'"
    assert (by_code["missing"].line, by_code["missing"].col) == (13, 9)


def test_wrong_type_is_said_plainly_at_its_key():
    d = only_error(load_scenario(BAD / "wrong-type.yaml"))
    assert (d.line, d.col) == (7, 3)
    assert d.message == "expected a whole number, got 'very angry'"


def test_bad_literal_lists_the_allowed_values():
    data = (GOOD / "minimal.yaml").read_bytes().replace(b"act: deflect", b"act: shrug")
    d = only_error(load_scenario_text(data, "x.yaml"))
    assert d.message.startswith("'shrug' is not one of: prepare, soothe, clarify")
    assert (d.line, d.col) == (19, 9)


def test_localized_union_errors_are_one_readable_message():
    data = (GOOD / "minimal.yaml").read_bytes().replace(b"name: Ms Li", b"name: [Ms, Li]")
    d = only_error(load_scenario_text(data, "x.yaml"))
    assert d.code == "text_type"
    assert "{zh: …, en: …}" in d.message
    assert (d.line, d.col) == (5, 3)


def test_unknown_language_key_is_reported_once():
    data = (GOOD / "bilingual.yaml").read_bytes().replace(b"title: {zh:", b"title: {fr:")
    d = only_error(load_scenario_text(data, "x.yaml"))
    assert d.message == "language 'fr' is not one of: zh, en"
    assert (d.line, d.col) == (2, 9)


def test_control_chars_and_bidi_are_stripped_from_text():
    result = load_scenario(GOOD / "control-chars.yaml")
    assert result.ok, [d.format() for d in result.diagnostics]
    title = result.scenario.title
    assert title == "A question]52;c;ZWNobyBoaQ== about a fee"
    assert not any(c in title for c in "\x1b\x07\u202e\x9b")


def test_yaml_syntax_error_names_line_col():
    d = only_error(load_scenario(BAD / "syntax-error.yaml"))
    assert d.code == "yaml-syntax"
    assert (d.line, d.col) == (3, 10)


def test_tabs_in_indentation_are_explained():
    d = only_error(load_scenario(BAD / "tabs.yaml"))
    assert d.code == "yaml-syntax"
    assert d.line == 5
    assert "tabs are not allowed" in d.message


def test_yes_and_no_stay_text():
    data = (GOOD / "minimal.yaml").read_bytes().replace(b"text: Point at the leaflet.", b"text: no")
    result = load_scenario_text(data)
    assert result.ok
    assert result.scenario.steps["ask"].choices[1].text == "no"


def test_custom_tags_are_refused():
    data = b"id: !!python/object:os.system x\n"
    d = only_error(load_scenario_text(data))
    assert d.code == "tag"


def test_missing_file_is_a_diagnostic_not_an_exception(tmp_path):
    d = only_error(load_scenario(tmp_path / "nope.yaml"))
    assert d.code == "read-error"


def test_strict_loader_raises_scenario_error_with_the_first_errors():
    with pytest.raises(ScenarioError) as info:
        load_scenario_strict(BAD / "typo-key.yaml")
    assert "unknown key 'nxt'" in str(info.value)
    assert load_scenario_strict(GOOD / "minimal.yaml").id == "minimal"


def test_diagnostic_format():
    d = Diagnostic("a.yaml", 3, 7, "warning", "something", "code-x")
    assert d.format() == "a.yaml:3:7: warning: something [code-x]"


def test_every_truncation_of_a_good_file_gives_diagnostics_not_exceptions():
    data = (GOOD / "atm-card-retained.yaml").read_bytes()
    for cut in range(0, len(data), 7):
        result = load_scenario_text(data[:cut], "cut.yaml")
        assert all(d.line >= 1 and d.col >= 1 for d in result.diagnostics)
        assert result.ok == (result.scenario is not None and not result.errors)
