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
