"""Links in real headless Chromium against a real server: any exception fails the test (every page is
opened by tests/test_browser_a11y.py, which checks the same)."""

import os

import pytest

from tests.browser_support import EXCEPTIONS_JS, open_and_wait, streamlit_server

pytestmark = pytest.mark.browser

if not os.path.exists("/usr/bin/chromium"):
    pytest.skip("needs Debian's chromium (make browser)", allow_module_level=True)


def test_bad_link_shows_warning_in_browser(page):
    open_and_wait(page, f"{page.base}/unroll?hidden=-3&cell=banana", timeout_s=180)
    assert page.evaluate(EXCEPTIONS_JS) == []
    text = page.inner_text('[data-testid="stMain"]')
    assert "below the minimum" in text and "not one of" in text


def test_a_shared_link_as_a_fresh_servers_first_request_runs_through_the_app(page):
    """Streamlit would otherwise run pages/unroll.py directly, without app.py's navigation and settings."""
    with streamlit_server() as (base, _):
        pg = page.context.new_page()
        open_and_wait(pg, f"{base}/unroll?cell=gru", timeout_s=180)
        nav = pg.inner_text('[data-testid="stSidebar"] .st-key-rnnviz-nav')
        assert "Unrolled hidden states" in nav and "ui" not in nav.split()
        assert pg.evaluate(EXCEPTIONS_JS) == []
        assert "GRU" in pg.inner_text('[data-testid="stSidebar"]')
        pg.close()
