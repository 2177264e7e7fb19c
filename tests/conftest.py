import os

os.environ.setdefault("RNNVIZ_PREWARM", "0")  # AppTest may run app.py: pre-warming would fill RESULTS

import pytest  # noqa: E402

from rnnviz.core.runtime import RESULTS, configure_torch

configure_torch()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test trains what it asks for; no test sees another's cached results."""
    RESULTS.clear()
    yield
    RESULTS.clear()
