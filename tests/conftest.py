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


@pytest.fixture(scope="module")
def page(request):
    """One app server and one Chromium page for a module of browser tests; ``page.base`` is the app's URL.

    A module may set ``VIEWPORT`` (e.g. taller, so that a figure far down the page is drawn).
    """
    from tests.browser_support import chromium, streamlit_server

    viewport = getattr(request.module, "VIEWPORT", {"width": 1400, "height": 1000})
    with streamlit_server() as (base, _), chromium() as browser:
        pg = browser.new_page(viewport=viewport)
        pg.base = base
        yield pg
