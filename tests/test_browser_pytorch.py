"""The PyTorch page in real headless Chromium: shapes drawn without training, Train pressed, the readers'
film played from its first to its last frame, with no exception anywhere."""

from tests.browser_support import (
    AS_ITS_SLIDER,
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    click_train,
    open_and_wait,
)

pytestmark = BROWSER_TESTS

TINY = "sentences=500&epochs=1&char_steps=20&seed=41"
"""Small, and a seed no other test trains: the shared result store cannot hold it, so the page asks to train."""

SHOW_FRAME_JS = f"""async (frame) => {{
  const g = [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => d.layout && d.layout.sliders && d.layout.sliders.length && d.layout.title.text.includes('Validation accuracy'));
  if (frame !== null) {{
    await Plotly.animate(g, [frame], {AS_ITS_SLIDER});
  }}
  return {{title: g.layout.title.text, frames: g._transitionData._frames.length,
          values: JSON.stringify(g._fullData.map(t => t.y))}};
}}"""
"""Show one frame of the readers' film (null: stay), and report its title, frame count and data."""

FILM_DRAWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .some(d => d.layout && d.layout.sliders && d.layout.sliders.length && d.layout.title.text.includes('Validation accuracy'))"""


def _main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def test_shapes_and_corrections_draw_before_any_training(page):
    # A seed no other test trains: the browser tests share one server, where the defaults may be trained.
    open_and_wait(page, f"{page.base}/pytorch?seed=4321", timeout_s=180)
    assert page.evaluate(EXCEPTIONS_JS) == []
    text = _main_text(page)
    assert "Expected hidden[0] size (4, 3, 4)" in text and "tanh′ peaks at 1" in text
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)  # Plotly's script loads after the run
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 2
    assert "What the gap says" not in text


def test_training_then_playing_the_film_changes_the_figure(page):
    open_and_wait(page, f"{page.base}/pytorch?{TINY}", timeout_s=180)
    click_train(page, page.get_by_test_id("stBaseButton-primary"), 240)
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert "What the gap says" in _main_text(page)
    page.wait_for_function(FILM_DRAWN_JS, timeout=30_000)
    assert_accessible(page)
    last = page.evaluate(SHOW_FRAME_JS, None)
    assert "step 8" in last["title"] and last["frames"] >= 2
    first = page.evaluate(SHOW_FRAME_JS, "0")
    assert "step 0" in first["title"] and first["values"] != last["values"]
    assert page.evaluate(EXCEPTIONS_JS) == []
