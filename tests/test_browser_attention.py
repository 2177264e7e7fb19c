"""The attention page in real headless Chromium: train on click, then play the training film and see the
figure change between the untrained network and the trained one; typed junk never raises."""

from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    assert_accessible,
    click_train,
    main_text_has_js,
    near_the_end,
    open_and_wait,
    rerun_by,
)

pytestmark = BROWSER_TESTS
VIEWPORT = {"width": 1400, "height": 1400}
"""Tall, so that the film below the settings is drawn without scrolling first."""

FILM = ".js-plotly-plot:has(.slider-rail-touch-rect)"
"""Charts with a training-step slider; the first is the accuracy per output step."""
FIRST_FILM_Y = f"""() => {{
  const gd = document.querySelector('{FILM}');
  return gd._fullData.map(t => Array.from(t.y));
}}"""


def test_training_film_plays_from_the_untrained_network(page):
    open_and_wait(page, f"{page.base}/attention?length=8&hidden=16&steps=150&seed=41", timeout_s=180)
    click_train(page, page.get_by_test_id("stBaseButton-primary"))
    assert_accessible(page)
    chart = page.locator(FILM).first
    chart.scroll_into_view_if_needed()
    trained = page.evaluate(FIRST_FILM_Y)
    rail = chart.locator(".slider-rail-touch-rect").first.bounding_box()
    grip = chart.locator(".slider-grip-rect").first.bounding_box()
    middle = grip["y"] + grip["height"] / 2
    page.mouse.move(grip["x"] + grip["width"] / 2, middle)
    page.mouse.down()  # drag the training step back to the slider's start: step 0
    page.mouse.move(rail["x"] + 1, middle, steps=5)
    page.mouse.up()
    page.wait_for_timeout(800)
    untrained = page.evaluate(FIRST_FILM_Y)
    assert untrained != trained, "step 0 shows the untrained networks"
    near_the_end(chart)
    chart.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(  # the film plays on to its last frame: the trained networks
        f"trained => JSON.stringify(({FIRST_FILM_Y})()) === JSON.stringify(trained)",
        arg=trained,
        timeout=30_000,
    )
    assert "Training step" in chart.inner_text()


def test_typed_junk_is_explained_not_raised(page):
    box = page.get_by_role("textbox", name="Your input", exact=True)
    box.fill("🙂 <b>12</b>34")
    rerun_by(page, lambda: box.press("Enter"), main_text_has_js("Only the digits 0-9"))
    assert page.evaluate(EXCEPTIONS_JS) == []
    text = page.inner_text('[data-testid="stMain"]')
    assert "Only the digits 0-9" in text and "Right answer:" in text
