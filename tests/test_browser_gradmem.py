"""The memory and gradients films in real headless Chromium: after training, dragging the step slider back
to the start and pressing Play changes what the figure draws, and nothing raises."""

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    click_train,
    near_the_end,
    open_and_wait,
)

pytestmark = BROWSER_TESTS

PLAY_TIMEOUT_MS = 30_000
"""Longer than a whole film takes to play (24 frames at 350 ms), let alone its last frames."""

TITLE = "g => (g.layout.title.text || '').replace(/<[^>]*>/g, '')"  # Streamlit's theme adds <b>
FIND_JS = f"""title => [...document.querySelectorAll('.js-plotly-plot')].findIndex(g => ({TITLE})(g).startsWith(title))"""
TRACE_Y_JS = f"""([index, trace]) => {{
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  // _fullData: Plotly has decoded the typed arrays Python sent (gd.data keeps them base64)
  return {{y: Array.from(gd._fullData[trace].y, v => v === null ? null : Number(v)), title: ({TITLE})(gd)}};
}}"""


def train(page, path: str) -> None:
    open_and_wait(page, f"{page.base}/{path}", timeout_s=180)
    click_train(page, page.get_by_test_id("stBaseButton-primary"), 240)
    assert_accessible(page)


def rewind_and_play(page, title: str, trace: int, until: str) -> tuple[dict, dict, dict]:
    """The figure's trace as opened (the last frame), after dragging the slider to step 0, and after Play,
    pressed near the film's end, has played until the figure's title starts with ``until``."""
    page.wait_for_function(f"t => ({FIND_JS})(t) >= 0", arg=title, timeout=60_000)  # drawn after the run
    index = page.evaluate(FIND_JS, title)
    assert index >= 0, f"no figure titled {title!r}"
    chart = page.locator(".js-plotly-plot").nth(index)
    chart.scroll_into_view_if_needed()
    last = page.evaluate(TRACE_Y_JS, [index, trace])
    grip = chart.locator(".slider-grip-rect").bounding_box()
    rail = chart.locator(".slider-rail-touch-rect").bounding_box()
    y = grip["y"] + grip["height"] / 2
    page.mouse.move(grip["x"] + grip["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(rail["x"] + 2, y, steps=10)
    page.mouse.up()
    page.wait_for_timeout(1000)
    first = page.evaluate(TRACE_Y_JS, [index, trace])
    near_the_end(chart)
    chart.get_by_text("▶ Play").click()
    page.wait_for_function(
        f"([i, t]) => ({TITLE})(document.querySelectorAll('.js-plotly-plot')[i]).startsWith(t)",
        arg=[index, until],
        timeout=PLAY_TIMEOUT_MS,
    )
    played = page.evaluate(TRACE_Y_JS, [index, trace])
    return last, first, played


def test_memory_answers_film_plays_from_the_untrained_to_the_trained_answers(page):
    train(page, "memory?length=6&hidden=3&steps=100&seed=41")
    end = "Held-out answers at step 100"
    last, first, played = rewind_and_play(page, "Held-out answers at", trace=2, until=end)  # the LSTM's panel
    assert last["title"].startswith(end)
    assert first["title"].startswith("Held-out answers at step 0")
    assert first["y"] != last["y"], "the untrained LSTM answers differently"
    assert played["y"] == last["y"] and played["title"] == last["title"], "Play ends on the trained model"
    assert page.evaluate(EXCEPTIONS_JS) == []


def test_gradients_curve_film_shows_the_curve_change_while_the_cell_learns(page):
    train(page, "gradients?length=20&hidden=4&train_steps=100&seed=41")
    end = "Step 100: Vanilla RNN (tanh)"
    last, first, played = rewind_and_play(page, "Step ", trace=0, until=end)
    assert last["title"].startswith(end)
    assert first["title"].startswith("Step 0: Vanilla RNN (tanh)")
    assert first["y"] != last["y"]
    assert played["y"] == last["y"], "Play ends on the trained cell"
    assert page.evaluate(EXCEPTIONS_JS) == []
