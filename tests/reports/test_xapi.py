"""`coach export --xapi`: every statement checked against the xAPI 1.0.3 rules by a validator here."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from coach.cli import main
from coach.reports.xapi import Exporter, iso_duration

ORDER_DIR = "tests/fixtures/engine"
ADL_VERBS = {f"http://adlnet.gov/expapi/verbs/{v}" for v in ("initialized", "answered", "completed", "passed", "failed")}
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"}


def is_iri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme and (parts.netloc or parts.scheme == "urn") and not re.search(r"\s", value))


def is_uuid(value) -> bool:
    try:
        return str(uuid.UUID(value)) == value and uuid.UUID(value).variant == uuid.RFC_4122
    except (ValueError, TypeError, AttributeError):
        return False


def check_langmap(m, where):
    assert isinstance(m, dict) and m, f"{where}: a language map"
    for tag, text in m.items():
        assert LANG_TAG.match(tag), f"{where}: language tag {tag!r}"
        assert isinstance(text, str), where


def check_activity(obj, where):
    assert obj.get("objectType", "Activity") == "Activity", where
    assert is_iri(obj["id"]), f"{where}: activity id {obj['id']!r} is not an IRI"
    d = obj.get("definition")
    if d is None:
        return
    assert set(d) <= {"name", "description", "type", "moreInfo", "interactionType", "correctResponsesPattern",
                      "choices", "scale", "source", "target", "steps", "extensions"}, where
    for key in ("name", "description"):
        if key in d:
            check_langmap(d[key], f"{where}.{key}")
    if "type" in d:
        assert is_iri(d["type"]), where
    if "interactionType" in d:
        assert d["interactionType"] in INTERACTION_TYPES, where
        assert d["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction", where
    if "choices" in d:
        assert d.get("interactionType") == "choice", where
        ids = [c["id"] for c in d["choices"]]
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"\S+", i) for i in ids), where
        for c in d["choices"]:
            check_langmap(c["description"], f"{where}.choices")
    if "correctResponsesPattern" in d:
        assert isinstance(d["correctResponsesPattern"], list) and d["correctResponsesPattern"], where
        ids = {c["id"] for c in d.get("choices", [])}
        for pattern in d["correctResponsesPattern"]:
            assert set(pattern.split("[,]")) <= ids, where


def validate_statement(st: dict) -> None:
    """The xAPI 1.0.3 requirements a statement from coach must meet."""
    assert set(st) <= STATEMENT_KEYS, set(st) - STATEMENT_KEYS
    assert is_uuid(st["id"])
    actor = st["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert ifis == ["account"], "an Agent has exactly one identifier"
    assert set(actor["account"]) == {"homePage", "name"}
    home = urlsplit(actor["account"]["homePage"])
    assert home.scheme in ("http", "https") and home.netloc, "homePage is an IRL"
    assert isinstance(actor["account"]["name"], str) and actor["account"]["name"]
    v = st["verb"]
    assert v["id"] in ADL_VERBS and is_iri(v["id"])
    check_langmap(v["display"], "verb.display")
    assert v["display"]["en-US"] == v["id"].rsplit("/", 1)[1]
    check_activity(st["object"], "object")
    if "result" in st:
        r = st["result"]
        assert set(r) <= {"score", "success", "completion", "response", "duration", "extensions"}
        if "score" in r:
            s = r["score"]
            assert set(s) <= {"scaled", "raw", "min", "max"}
            assert -1 <= s["scaled"] <= 1
            assert s["min"] < s["max"] and s["min"] <= s["raw"] <= s["max"]
            assert s["scaled"] == pytest.approx((s["raw"] - s["min"]) / (s["max"] - s["min"]))
        for key in ("success", "completion"):
            if key in r:
                assert isinstance(r[key], bool)
        if "duration" in r:
            assert DURATION.match(r["duration"]), r["duration"]
        if "response" in r:
            assert isinstance(r["response"], str)
    ctx = st["context"]
    assert is_uuid(ctx["registration"])
    assert LANG_TAG.match(ctx["language"])
    for kind, acts in ctx.get("contextActivities", {}).items():
        assert kind in ("parent", "grouping", "category", "other")
        assert isinstance(acts, list)
        for a in acts:
            check_activity(a, f"context.{kind}")
    assert TIMESTAMP.match(st["timestamp"]) and datetime.fromisoformat(st["timestamp"]).tzinfo is not None


def export(capsysbinary, *argv):
    code = main(["export", "--xapi", *map(str, argv)])
    out, err = capsysbinary.readouterr()
    return code, [json.loads(line) for line in out.decode("utf-8").splitlines() if line], err.decode("utf-8")


def test_every_statement_validates_and_attempts_read_in_order(two_dbs, capsysbinary):
    code, sts, err = export(capsysbinary, two_dbs, "--scenarios", ORDER_DIR, "--homepage", "https://lms.example.com/")
    assert code == 0, err
    assert "35 statements for 5 attempts" in err
    for st in sts:
        validate_statement(st)
    assert len({st["id"] for st in sts}) == len(sts)
    by_reg: dict[str, list[dict]] = {}
    for st in sts:
        by_reg.setdefault(st["context"]["registration"], []).append(st)
    assert len(by_reg) == 5
    for reg, group in by_reg.items():
        verbs = [st["verb"]["id"].rsplit("/", 1)[1] for st in group]
        assert verbs == ["initialized"] + ["answered"] * 4 + ["completed", verbs[-1]]
        assert verbs[-1] in ("passed", "failed")
        times = [datetime.fromisoformat(st["timestamp"]) for st in group]
        assert times == sorted(times)
        assert len({st["actor"]["account"]["name"] for st in group}) == 1
        scenario_iri = group[0]["object"]["id"]
        assert scenario_iri == "https://lms.example.com/scenarios/order"
        for st in group[1:-2]:
            assert st["context"]["contextActivities"]["parent"][0]["id"] == scenario_iri
            d = st["object"]["definition"]
            assert d["interactionType"] == "choice" and len(d["choices"]) >= 2
            assert st["result"]["response"] in {c["id"] for c in d["choices"]}
            assert st["result"]["success"] == (st["result"]["response"] in d["correctResponsesPattern"])
            assert st["result"]["duration"] == "PT2.5S"
        final = group[-1]["result"]
        assert final["success"] == (verbs[-1] == "passed") == (final["score"]["raw"] >= 80)
        assert group[-2]["result"]["completion"] is True
        assert DURATION.match(group[-1]["result"]["duration"])


def test_reexport_gives_the_same_statements(two_dbs, tmp_path, capsysbinary):
    _, first, _ = export(capsysbinary, two_dbs, "--scenarios", ORDER_DIR)
    copy = tmp_path / "moved"
    copy.mkdir()
    for f in two_dbs.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    _, second, _ = export(capsysbinary, copy, "--scenarios", ORDER_DIR)
    assert first == second  # registrations and statement ids survive moving the files


def test_pass_mark(two_dbs, capsysbinary):
    _, sts, _ = export(capsysbinary, two_dbs, "--pass-mark", "0")
    assert {st["verb"]["id"].rsplit("/", 1)[1] for st in sts} >= {"passed"}
    assert "failed" not in {st["verb"]["id"].rsplit("/", 1)[1] for st in sts}


def test_without_the_scenario_file_steps_still_validate(two_dbs, tmp_path, capsysbinary, monkeypatch):
    code, sts, err = export(capsysbinary, two_dbs, "--teller", "Bob")
    assert code == 0
    assert "without choices" in err and "placeholder home page" in err
    for st in sts:
        validate_statement(st)
    answered = [st for st in sts if st["verb"]["id"].endswith("answered")]
    assert answered and all("choices" not in st["object"]["definition"] for st in answered)


def test_out_file(two_dbs, tmp_path, capsysbinary):
    target = tmp_path / "statements.jsonl"
    code, sts, _ = export(capsysbinary, two_dbs, "--out", target)
    assert code == 0 and sts == []
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 35
    for line in lines:
        validate_statement(json.loads(line))


def test_iso_duration():
    assert iso_duration(0) == "PT0S"
    assert iso_duration(2.5) == "PT2.5S"
    assert iso_duration(61) == "PT1M1S"
    assert iso_duration(3723.456) == "PT1H2M3.46S"
    assert iso_duration(3600) == "PT1H"
    for s in (0, 0.004, 59.999, 3600, 90061.5):
        assert DURATION.match(iso_duration(s))


def test_exporter_on_hand_made_rows(small):
    sts = Exporter("https://lms.example.com").statements(small[0])
    for st in sts:
        validate_statement(st)
    assert sts[-1]["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}


@pytest.mark.parametrize("argv, code, message", [
    (["--homepage", "lms.example.com"], 2, "--homepage must be an absolute http(s) URL"),
    (["--homepage", "javascript:alert(1)"], 2, "--homepage must be"),
    (["--pass-mark", "101"], 2, "--pass-mark is an overall score from 0 to 100"),
    (["--since", "soon"], 2, "--since takes a date"),
    (["--teller", "Nobody"], 1, "no finished attempts to export for these filters"),
])
def test_bad_options(two_dbs, capsysbinary, argv, code, message):
    got, sts, err = export(capsysbinary, two_dbs, *argv)
    assert got == code and message in err and sts == [] and "Traceback" not in err


def test_format_is_required(two_dbs, capsysbinary):
    assert main(["export", str(two_dbs)]) == 2
    assert "--xapi" in capsysbinary.readouterr().err.decode()


def test_bad_databases(tmp_path, capsysbinary):
    code, _, err = export(capsysbinary, tmp_path / "missing.sqlite3")
    assert code == 1 and "no such file" in err
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not sqlite at all" * 4)
    code, _, err = export(capsysbinary, bad)
    assert code == 1 and "not a coach history database" in err
