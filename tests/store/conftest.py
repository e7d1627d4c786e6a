from pathlib import Path

import pytest

STORE_FIXTURES = Path(__file__).parent.parent / "fixtures" / "store"
LIBRARY = STORE_FIXTURES / "library"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def loaded_long():
    from coach.scenario.loader import load_scenario

    return load_scenario(STORE_FIXTURES / "long.yaml")


@pytest.fixture
def no_env_db(monkeypatch):
    monkeypatch.delenv("COACH_DB", raising=False)
