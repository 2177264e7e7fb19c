"""The patterns page in real headless Chromium: every pattern's diagram, and the date converter's Train
button and typed input, with no exception anywhere; the trained converter passes the accessibility check."""

import pytest

from rnnviz.views.patterns.table import PATTERNS
from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    click_train,
    main_text_has_js,
    open_and_wait,
    rerun_by,
    stored,
)

pytestmark = BROWSER_TESTS


def _main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p != "seq2seq"])
def test_each_pattern_draws_its_diagram(page, pattern):
    link = f"patterns?pattern={pattern}"
    stored(link)  # the pattern's own tests (tests/views/patterns) read the same model
    open_and_wait(page, f"{page.base}/{link}", timeout_s=180)
    assert page.evaluate(EXCEPTIONS_JS) == []
    # Under load the run may still be training after the first quiet moment: wait for its charts.
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 3", timeout=120_000
    )
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert "scored" in _main_text(page)  # the diagram's title


def test_date_converter_trains_on_click_and_answers_typed_garbage(page):
    # A seed no other test trains: the page must ask for its Train button (nothing in the shared store).
    open_and_wait(page, f"{page.base}/patterns?pattern=seq2seq&training=quarter&seed=41", timeout_s=180)
    assert "Answer:" not in _main_text(page)
    click_train(page, page.get_by_test_id("stBaseButton-primary"), 180)
    assert_accessible(page)
    assert "Held-out dates" in _main_text(page)
    box = page.get_by_role("textbox", name="Date", exact=True)
    box.fill("🙂 <b>hello</b> 31/02")
    rerun_by(page, lambda: box.press("Enter"), main_text_has_js("never seen"), timeout_s=180)
    text = _main_text(page)
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert "never seen" in text and "Answer:" in text
