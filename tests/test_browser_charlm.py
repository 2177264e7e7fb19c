"""The character model page in real headless Chromium: Train, then scrub the training film back to step 0."""

from tests.browser_support import (
    AS_ITS_SLIDER,
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    click_train,
    open_and_wait,
)

pytestmark = BROWSER_TESTS

FAST = "corpus=dialogue&hidden=16&train_steps=60&seq_len=16&seed=41"
"""Small, and a seed no other test trains: the shared result store cannot hold it, so the page asks to train."""

TO_FIRST_FRAME_JS = f"""() => {{
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1);
  return Plotly.animate(gd, ['0'], {AS_ITS_SLIDER});
}}"""

FILM_JS = """() => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1);
  if (!gd) return null;
  return {title: gd.layout.title.text, z: JSON.stringify(gd.data[1].z), sample: JSON.stringify(gd.data[0].text),
          frames: gd._transitionData._frames.length};
}"""


def test_train_then_scrub_the_film_to_the_untrained_model(page):
    open_and_wait(page, f"{page.base}/charlm?{FAST}", timeout_s=180)
    assert "95% interval" not in page.inner_text('[data-testid="stMain"]')
    click_train(page, page.get_by_test_id("stBaseButton-primary"), 300)
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert "95% interval" in page.inner_text('[data-testid="stMain"]')
    page.wait_for_function(f"() => !!({FILM_JS})()", timeout=60_000)  # drawn after the run has finished
    assert_accessible(page)
    last = page.evaluate(FILM_JS)
    assert last is not None and last["frames"] >= 10 and "step 60" in last["title"]
    page.evaluate(TO_FIRST_FRAME_JS)  # what dragging the slider to its left end does
    page.wait_for_timeout(800)
    first = page.evaluate(FILM_JS)
    assert "step 0" in first["title"]
    assert first["z"] != last["z"] and first["sample"] != last["sample"]
    assert page.evaluate(EXCEPTIONS_JS) == []
