import pytest

from rnnviz.core.runtime import RESULTS, configure_torch

configure_torch()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test trains what it asks for; no test sees another's cached results."""
    RESULTS.clear()
    yield
    RESULTS.clear()
