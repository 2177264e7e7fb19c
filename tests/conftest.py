import os
import shutil
import tempfile

from rnnviz.core.budget import BUDGET_ENV
from rnnviz.core.store import KEY_ENV, STORE_ENV

os.environ.setdefault("RNNVIZ_PREWARM", "0")  # AppTest may run app.py: pre-warming would fill RESULTS
os.environ.setdefault("RNNVIZ_FULL_RUNS", "0")  # the tests about full runs switch them on themselves
# Drawing SVGs starts a Chromium per export; tests/test_export_svg.py and the Download browser test turn it on.
os.environ.setdefault("RNNVIZ_SVG", "0")
# Trainings end by their step count, never by a busy machine's clock, so a test sees its settings' numbers
# however loaded the machine is (a default stopped at 30 s on a loaded machine fell short of its accuracy);
# the tests about the budget set their own.
os.environ.setdefault(BUDGET_ENV, "600")
# One result store for the whole run, as the replicas of one machine share one: a model trained by a
# page test is read, not trained again, by the browser tests' app server and by the other xdist worker.
# Workers and servers inherit it from the environment; the process that made it removes it.
OWN_STORE = STORE_ENV not in os.environ
if OWN_STORE:  # not setdefault: its argument would make a directory in every worker, never removed
    os.environ[STORE_ENV] = tempfile.mkdtemp(prefix="rnnviz-test-results-")
os.environ.setdefault(KEY_ENV, "the test run's own signing key")

import pytest  # noqa: E402

SERVER_TESTS = ("test_load.py", "test_replicas.py")


def pytest_collection_modifyitems(items):
    """The fast tier (``make test-fast``) leaves out whole-app tests: AppTest pages, real servers, browsers."""
    for item in items:
        if "pages" in item.path.parts:
            item.add_marker(pytest.mark.page)
        elif item.path.name in SERVER_TESTS:
            item.add_marker(pytest.mark.server)


def pytest_unconfigure(config):
    if OWN_STORE and not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ[STORE_ENV], ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Torch is imported where tests run, not by xdist's coordinator: this module imports nothing that
    needs it, so the workers start 2-3 s sooner."""
    from rnnviz.core.runtime import configure_torch

    configure_torch()


@pytest.fixture
def fresh_cache(monkeypatch):
    """For tests about training or caching: nothing cached before, nothing left behind, no shared store.

    Every other test shares trained results (tests/trained.py): a Config trains the same model each time.
    """
    from rnnviz.core.runtime import RESULTS

    monkeypatch.setattr(RESULTS, "store", None)
    RESULTS.clear()
    yield
    RESULTS.clear()


SMALL_BUDGET_S = "0.3"
"""The training budget of tests about a page's handling of a link, not about the model it trains."""


@pytest.fixture
def small_budget(monkeypatch, fresh_cache):
    """Hostile values clamp to the biggest models: this budget cuts their training short. A model it cut
    short is kept for the test's other visits (the app keeps it for its visitor alone) and cleared after the
    test, so no other test reads it."""
    from rnnviz.core.runtime import RESULTS

    monkeypatch.setenv(BUDGET_ENV, SMALL_BUDGET_S)
    monkeypatch.setattr(RESULTS, "keeps", lambda value: True)


@pytest.fixture(scope="session")
def app_server():
    """One app server for every browser test: a default trained for one page is there for the next
    module too, as it would be for the next visitor. It draws SVGs (as the app does), which it does only
    when a visitor clicks Download."""
    from rnnviz.core.export import SVG_SWITCH
    from tests.browser_support import streamlit_server

    with streamlit_server(env={SVG_SWITCH: "1"}) as (base, _):
        yield base


_CHROMIUM = []
"""The worker's SharedChromium, once a browser module has asked for a page."""


def pytest_runtest_setup(item):
    """A test without the shared page may run asyncio or Playwright itself: the shared Chromium closes."""
    if _CHROMIUM and "page" not in item.fixturenames:
        _CHROMIUM[0].close()


def pytest_sessionfinish(session):
    if _CHROMIUM:
        _CHROMIUM[0].close()


@pytest.fixture(scope="module")
def page(request, app_server, tmp_path_factory):
    """A page of the worker's headless Chromium for a module of browser tests; ``page.base`` is the app's URL.

    A module may set ``VIEWPORT`` (e.g. taller, so that a figure far down the page is drawn). The modules
    of a worker share one Chromium (tests/browser_support.py: SharedChromium), each on a page of its own.
    """
    from tests.browser_support import VIEWPORT, SharedChromium

    if not _CHROMIUM:
        _CHROMIUM.append(SharedChromium(tmp_path_factory.getbasetemp() / "chromium-profile"))
    pg = _CHROMIUM[0].new_page(getattr(request.module, "VIEWPORT", VIEWPORT))
    pg.base = app_server
    yield pg
    pg.close()
