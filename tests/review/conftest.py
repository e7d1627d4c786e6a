from pathlib import Path

import pytest

from coach.scenario.loader import load_scenario

LIBRARY = Path(__file__).parent.parent / "fixtures" / "store" / "library"


@pytest.fixture
def atm():
    result = load_scenario(LIBRARY / "atm-card.yaml")
    assert result.scenario is not None
    return result


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"
