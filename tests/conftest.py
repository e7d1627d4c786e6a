from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def order_scenario():
    """The engine fixture, validated by the model alone (independent of the loader)."""
    from coach.scenario.model import Scenario

    data = yaml.load((FIXTURES / "engine" / "order.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    return Scenario.model_validate(data)


@pytest.fixture(autouse=True, scope="session")
def _no_terminal_width_from_the_shell():
    """Text commands wrap at $COLUMNS when it is set (coach/linebreak.py): the suite's output does
    not depend on the terminal it was started from. Tests that want a width set it themselves."""
    import os

    old = os.environ.pop("COLUMNS", None)
    yield
    if old is not None:
        os.environ["COLUMNS"] = old


@pytest.fixture(autouse=True, scope="session")
def _scenario_cache_in_a_scratch_folder(tmp_path_factory):
    """The validation cache (coach/scenario/cache.py) never touches the user's cache folder in tests;
    subprocesses inherit the variable."""
    import os

    from coach.scenario.cache import ENV_VAR

    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(tmp_path_factory.mktemp("coach-cache"))
    yield
    if old is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = old
