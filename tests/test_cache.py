"""The validation cache (coach/scenario/cache.py): keyed by content hash, never trusted blindly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coach.scenario.cache import READ_LIMIT, ScenarioCache, check_file
from coach.tui import catalog

FIXTURES = Path(__file__).parent / "fixtures"
RATES = FIXTURES / "tui" / "rates.yaml"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "rates.yaml").write_bytes(RATES.read_bytes())
    (folder / "order.yaml").write_bytes((FIXTURES / "tui" / "order.yaml").read_bytes())
    return folder


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def retitle(path: Path, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Comparing deposit rates", new), encoding="utf-8")


def test_the_read_limit_is_the_loaders():
    from coach.scenario.loader import MAX_BYTES

    assert READ_LIMIT == MAX_BYTES + 1


def test_unchanged_bytes_are_a_hit_in_a_later_process(lib, cache_dir):
    first, fresh = check_file(lib / "rates.yaml", ScenarioCache(cache_dir))
    assert fresh is not None  # validated now
    ScenarioCache(cache_dir)  # nothing saved yet: a new cache object knows nothing
    cache = ScenarioCache(cache_dir)
    check_file(lib / "rates.yaml", cache)
    assert cache.save()
    again, fresh = check_file(lib / "rates.yaml", ScenarioCache(cache_dir))
    assert fresh is None  # from the cache, not the loader
    assert again.summary == first.summary and again.sha256 == first.sha256 and again.ok


def test_a_full_hit_does_not_import_pydantic(lib, cache_dir):
    cache = ScenarioCache(cache_dir)
    check_file(lib / "rates.yaml", cache)
    cache.save()
    code = textwrap.dedent(f"""
        import sys
        from coach.tui import catalog
        entries = catalog.build([{str(lib)!r}], bundled=False, user=False)
        assert [e.id for e in entries if e.ok] == ["order", "rates"] or len(entries) == 2, entries
        print("pydantic" in sys.modules)
    """)
    env = dict(os.environ, COACH_CACHE_DIR=str(cache_dir))
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))  # both files cached
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_an_edited_file_is_validated_again(lib, cache_dir):
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    retitle(lib / "rates.yaml", "Rates, edited")
    checked, fresh = check_file(lib / "rates.yaml", ScenarioCache(cache_dir), trust_stat=True)
    assert fresh is not None
    assert checked.summary.title["en"] == "Rates, edited"


def test_a_file_edited_into_an_error_shows_its_error(lib, cache_dir):
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    path = lib / "rates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: requesting", "type: grumpy"), encoding="utf-8")
    entries = catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    broken = [e for e in entries if not e.ok]
    assert len(broken) == 1 and "grumpy" in broken[0].error


def test_a_scenario_is_played_from_its_bytes_even_when_the_listing_is_stale(lib, cache_dir):
    """Same size, same mtime (the stat fast path cannot see it): the play still loads the file."""
    path = lib / "rates.yaml"
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    st = path.stat()
    retitle(path, "Comparing deposit RATES")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    entry = next(e for e in catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
                 if e.id == "rates")
    assert entry.title("en") == "Comparing deposit rates"  # listed from the cache
    scenario = entry.scenario  # loaded for real before it is played
    assert scenario.title["en"] == "Comparing deposit RATES"
    assert entry.title("en") == "Comparing deposit RATES"
    import hashlib

    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_coach_run_file_hashes_the_file_every_time(lib, cache_dir):
    path = lib / "rates.yaml"
    catalog.open_entry(path, ScenarioCache(cache_dir))
    st = path.stat()
    retitle(path, "Comparing deposit RATES")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert catalog.open_entry(path, ScenarioCache(cache_dir)).title("en") == "Comparing deposit RATES"


def test_a_corrupt_cache_is_ignored_and_rebuilt(lib, cache_dir):
    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    for garbage in (b"{not json", b"\x00\xff" * 100, b"[]", json.dumps({"format": 1}).encode(), b""):
        cache.path.write_bytes(garbage)
        entries = catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
        assert sorted(e.id for e in entries) == ["order", "rates"]
        doc = json.loads(cache.path.read_text(encoding="utf-8"))  # rewritten whole
        assert len(doc["files"]) == 2 and len(doc["results"]) == 2


def test_a_hostile_cache_record_is_refused_or_cleaned(lib, cache_dir):
    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    doc = json.loads(cache.path.read_text(encoding="utf-8"))
    sha = doc["files"][os.path.abspath(lib / "rates.yaml")][2]
    order_sha = doc["files"][os.path.abspath(lib / "order.yaml")][2]
    doc["results"][sha]["summary"]["title"] = {"en": "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07evil"}
    doc["results"][order_sha]["summary"]["difficulty"] = "3; DROP TABLE"  # wrong type: refused
    cache.path.write_text(json.dumps(doc), encoding="utf-8")
    entries = {e.id: e for e in catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))}
    title = entries["rates"].title("en")
    assert "\x1b" not in title and "\x07" not in title  # control characters stripped as the loader does
    assert entries["order"].ok and entries["order"].summary.difficulty in (1, 2, 3)  # validated again


@pytest.mark.parametrize("line", [["deposits"], "mortgages", 3])
def test_a_cached_record_with_an_unknown_business_line_is_validated_again(lib, cache_dir, line):
    from coach.scenario.summary import BadRecord, Summary

    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    doc = json.loads(cache.path.read_text(encoding="utf-8"))
    record = doc["results"][doc["files"][os.path.abspath(lib / "rates.yaml")][2]]["summary"]
    with pytest.raises(BadRecord):
        Summary.from_json({**record, "line": line})
    assert Summary.from_json({**record, "line": "deposits"}).line == "deposits"
    assert Summary.from_json({**record, "line": None}).line is None


async def test_a_hostile_cached_title_is_drawn_literally(lib, cache_dir, monkeypatch):
    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    doc = json.loads(cache.path.read_text(encoding="utf-8"))
    sha = doc["files"][os.path.abspath(lib / "rates.yaml")][2]
    doc["results"][sha]["summary"]["title"] = {"en": "[@click=app.quit]x[/] [bold]Hostile"}
    cache.path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("COACH_CACHE_DIR", str(cache_dir))
    from coach.tui.app import CoachApp

    app = CoachApp(None, lang="en", extra_dirs=[lib], bundled=False, user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_library(pilot, app)
        table = app.screen.query_one("#lib-table")
        titles = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "[@click=app.quit]x[/] [bold]Hostile" in titles
        await pilot.click("#lib-table", offset=(3, 1 + titles.index("[@click=app.quit]x[/] [bold]Hostile")))
        await pilot.pause()
        assert app.is_running


async def wait_for_library(pilot, app, timeout: float = 30) -> None:
    import time

    end = time.monotonic() + timeout
    while app.entries is None or getattr(app.screen, "pending", False):
        assert time.monotonic() < end, "the library never finished loading"
        await pilot.pause(0.05)


def test_a_deleted_file_leaves_the_library_and_the_cache(lib, cache_dir):
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    (lib / "order.yaml").unlink()
    cache = ScenarioCache(cache_dir)
    entries = catalog.build([lib], bundled=False, user=False, cache=cache)
    assert [e.id for e in entries] == ["rates"]
    retitle(lib / "rates.yaml", "Rates, edited")  # something to save
    catalog.build([lib], bundled=False, user=False, cache=cache)
    doc = json.loads(cache.path.read_text(encoding="utf-8"))
    assert list(doc["files"]) == [os.path.abspath(lib / "rates.yaml")]
    assert len(doc["results"]) == 1  # the deleted file's and the old title's results are gone


def test_a_deleted_file_is_a_plain_error_when_run(lib, cache_dir):
    (lib / "gone.yaml").write_bytes(RATES.read_bytes())
    catalog.build([lib], bundled=False, user=False, cache=ScenarioCache(cache_dir))
    (lib / "gone.yaml").unlink()
    entry = catalog.open_entry(lib / "gone.yaml", ScenarioCache(cache_dir))
    assert not entry.ok and "no such file" in entry.error


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from coach.scenario.cache import ScenarioCache, check_file
    folder, cache_dir, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    files = sorted(folder.glob("*.yaml"))
    for i in range(rounds):
        cache = ScenarioCache(cache_dir)
        for f in files[i % 2::2]:
            check_file(f, cache)
        cache.save()
    print("ok")
""")

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from coach.scenario.cache import ScenarioCache
    path = ScenarioCache(sys.argv[1]).path
    seen = 0
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        json.loads(data)  # never half a file
        seen += 1
    print(seen)
""")


def test_two_processes_share_the_cache_without_reading_half_an_entry(tmp_path, cache_dir):
    folder = tmp_path / "many"
    folder.mkdir()
    text = RATES.read_text(encoding="utf-8")
    for i in range(12):
        (folder / f"s{i:02d}.yaml").write_text(text.replace("id: rates", f"id: rates-{i}"), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(cache_dir), "6"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(cache_dir), "4"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for p in [*procs, reader]:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "Traceback" not in err
    assert int(out) > 0  # the reader did read the cache while it was being replaced
    cache = ScenarioCache(cache_dir)
    hits = [check_file(f, cache)[1] is None for f in sorted(folder.glob("*.yaml"))]
    assert all(hits)  # both writers' entries were merged, none lost
    assert not list(cache_dir.glob(".scenarios-*.tmp"))  # no temporary file left behind


def test_a_cache_folder_that_cannot_be_written_is_worked_around(lib, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = ScenarioCache(blocker / "cache")  # mkdir fails: NotADirectoryError, even for root
    entries = catalog.build([lib], bundled=False, user=False, cache=cache)
    assert sorted(e.id for e in entries) == ["order", "rates"]
    assert cache.save() is False and not cache.writable


def test_coach_validate_with_an_unwritable_cache_folder(lib, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = dict(os.environ, COACH_CACHE_DIR=str(blocker / "cache"))
    out = subprocess.run([sys.executable, "-m", "coach", "validate", str(lib)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "2 files: 2 valid" in out.stdout and "Traceback" not in out.stderr


def test_validate_reports_the_same_from_the_cache(tmp_path, cache_dir, monkeypatch):
    folder = tmp_path / "v"
    folder.mkdir()
    for name in ("duplicate-key.yaml", "lint-missing-language.yaml"):
        (folder / name).write_bytes((FIXTURES / "bad" / name).read_bytes())
    (folder / "a.yaml").write_bytes(RATES.read_bytes())
    (folder / "b.yaml").write_bytes(RATES.read_bytes())  # same id twice: a duplicate-id error
    monkeypatch.setenv("COACH_CACHE_DIR", str(cache_dir))
    env = dict(os.environ)

    def validate(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "coach", "validate", str(folder), *extra], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    cold, cold_json = validate(), validate("--format", "json")
    warm, warm_json = validate(), validate("--format", "json")
    assert cold.stdout == warm.stdout and cold.returncode == warm.returncode == 1
    assert "duplicate-id" in warm.stdout and "[duplicate-key]" in warm.stdout
    assert json.loads(cold_json.stdout) == json.loads(warm_json.stdout)
    no_lint_cold, no_lint_warm = validate("--no-lint"), validate("--no-lint")
    assert no_lint_cold.stdout == no_lint_warm.stdout


def test_another_coach_version_does_not_read_this_cache(lib, cache_dir, monkeypatch):
    import coach.scenario.cache as cache_mod

    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    monkeypatch.setattr(cache_mod, "_fingerprint", "another-version")
    other = ScenarioCache(cache_dir)
    assert other.path != cache.path
    assert check_file(lib / "rates.yaml", other)[1] is not None  # validated again


def test_listing_a_folder_with_a_symlink_loop_ends(tmp_path):
    from coach.library import scenario_files

    folder = tmp_path / "lib"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.yaml").write_bytes(RATES.read_bytes())
    (folder / "a.yml").write_bytes(RATES.read_bytes())
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "notes.txt").write_text("not a scenario")
    assert scenario_files(folder) == [folder / "a.yml", folder / "sub" / "b.yaml"]


def test_a_file_name_that_is_not_utf8_is_cached_and_found_again(tmp_path, cache_dir):
    folder = tmp_path / "lib"
    folder.mkdir()
    name = os.fsdecode(bytes(folder) + b"/rates-\xff.yaml")  # a surrogate escape in the str
    Path(name).write_bytes(RATES.read_bytes())
    cache = ScenarioCache(cache_dir)
    check_file(Path(name), cache)
    assert cache.save()  # no UnicodeEncodeError: the name is kept as a \u escape
    again, fresh = check_file(Path(name), ScenarioCache(cache_dir))
    assert fresh is None and again.ok


def test_known_results_are_the_trusted_stat_hits_of_check_file(lib, cache_dir, tmp_path):
    cache = ScenarioCache(cache_dir)
    catalog.build([lib], bundled=False, user=False, cache=cache)
    retitle(lib / "rates.yaml", "Edited since")  # size and mtime differ from the record
    (tmp_path / "gone.yaml").write_bytes(RATES.read_bytes())
    check_file(tmp_path / "gone.yaml", cache)
    (tmp_path / "gone.yaml").unlink()
    paths = [lib / "order.yaml", lib / "rates.yaml", tmp_path / "gone.yaml", lib]
    cache.save()
    found = ScenarioCache(cache_dir).known_results(paths)
    assert found[0] is not None and found[0].summary.id == "order"
    assert found[1:] == [None, None, None]  # edited, deleted, a folder: read (or refused) for real
    assert found[0] == check_file(lib / "order.yaml", ScenarioCache(cache_dir), trust_stat=True)[0]
