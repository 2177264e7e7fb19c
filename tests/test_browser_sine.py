"""The sine page in real headless Chromium: the forecast film plays in the browser, its first and last
frames draw different forecasts, and the CO₂ page draws its baselines."""

import pytest

from tests.browser_support import BROWSER_TESTS, EXCEPTIONS_JS, chromium, open_and_wait, streamlit_server

pytestmark = BROWSER_TESTS

FILM = "steps fed back"
"""Words in the film's title at every frame."""

FIND_JS = """(title) => [...document.querySelectorAll('.js-plotly-plot')]
  .find(d => d.layout.title.text.includes(title) && d._transitionData && d._transitionData._frames.length > 1)"""

SHOW_FRAME_JS = f"""async ([title, frame]) => {{
  const g = ({FIND_JS})(title);
  await Plotly.animate(g, [frame], {{frame: {{duration: 0, redraw: true}}, transition: {{duration: 0}},
                                    mode: 'immediate'}});
  return {{title: g.layout.title.text, forecast: JSON.stringify(g._fullData[1].y)}};
}}"""

LAST_FRAME_JS = f"(title) => ({FIND_JS})(title)._transitionData._frames.length - 1"


@pytest.fixture(scope="module")
def page():
    with streamlit_server() as (base, _), chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.base = base
        open_and_wait(pg, f"{base}/sine?epochs=60", timeout_s=180)
        pg.wait_for_function(f"() => !!({FIND_JS})('{FILM}')", timeout=60_000)
        yield pg


def test_first_and_last_frames_draw_different_forecasts(page):
    assert page.evaluate(EXCEPTIONS_JS) == []
    last = page.evaluate(LAST_FRAME_JS, FILM)
    first = page.evaluate(SHOW_FRAME_JS, [FILM, "0"])
    final = page.evaluate(SHOW_FRAME_JS, [FILM, str(last)])
    assert "step 0" in first["title"] and "step 60" in final["title"]
    assert first["forecast"] != final["forecast"]


def test_play_runs_the_forecast_film(page):
    page.evaluate(SHOW_FRAME_JS, [FILM, "0"])
    graph = page.evaluate_handle(FIND_JS, FILM).as_element()
    graph.query_selector(".updatemenu-button").click()  # the first button: ▶ Play
    page.wait_for_function(
        "(t) => !(" + FIND_JS + ")(t).layout.title.text.includes(': step 0')", arg=FILM, timeout=30_000
    )
    assert page.evaluate(EXCEPTIONS_JS) == []


def test_co2_draws_its_baselines_without_an_exception(page):
    open_and_wait(page, f"{page.base}/sine?signal=co2&epochs=30", timeout_s=180)
    assert page.evaluate(EXCEPTIONS_JS) == []
    text = page.inner_text('[data-testid="stMain"]')
    assert "Keeling" in text and "seasonal naive" in text
