import os

os.environ.setdefault("RNNVIZ_PREWARM", "0")  # AppTest may run app.py: pre-warming would fill RESULTS
os.environ.setdefault("RNNVIZ_FULL_RUNS", "0")  # the tests about full runs switch them on themselves

import pytest  # noqa: E402

from rnnviz.core.runtime import RESULTS, configure_torch  # noqa: E402

configure_torch()


SERVER_TESTS = ("test_load.py", "test_replicas.py")


def pytest_collection_modifyitems(items):
    """The fast tier (``make test-fast``) leaves out whole-app tests: AppTest pages, real servers, browsers."""
    for item in items:
        if "pages" in item.path.parts:
            item.add_marker(pytest.mark.page)
        elif item.path.name in SERVER_TESTS:
            item.add_marker(pytest.mark.server)


@pytest.fixture
def fresh_cache():
    """For tests about training or caching: nothing cached before, nothing left behind.

    Every other test shares trained results (tests/trained.py): a Config trains the same model each time.
    """
    RESULTS.clear()
    yield
    RESULTS.clear()


@pytest.fixture(scope="session")
def app_server():
    """One app server for every browser test: a default trained for one page is there for the next
    module too, as it would be for the next visitor."""
    from tests.browser_support import streamlit_server

    with streamlit_server() as (base, _):
        yield base


@pytest.fixture(scope="module")
def page(request, app_server):
    """One Chromium page for a module of browser tests; ``page.base`` is the app's URL.

    A module may set ``VIEWPORT`` (e.g. taller, so that a figure far down the page is drawn).
    """
    from tests.browser_support import chromium

    viewport = getattr(request.module, "VIEWPORT", {"width": 1400, "height": 1000})
    with chromium() as browser:
        pg = browser.new_page(viewport=viewport)
        pg.base = app_server
        yield pg
