"""The unroll page in real headless Chromium: the training film plays in the browser, and its first and
last frames draw different hidden states and guesses."""

import pytest

from tests.browser_support import BROWSER_TESTS, EXCEPTIONS_JS, chromium, open_and_wait, streamlit_server

pytestmark = BROWSER_TESTS

FILMS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1)
  .map(g => g.layout.title.text)"""
"""Titles of the figures that carry a training film."""

FIND_JS = """(title) => [...document.querySelectorAll('.js-plotly-plot')]
  .find(d => d.layout.title.text.includes(title) && d._transitionData._frames.length > 1)"""
"""The graph div of the film whose title contains ``title`` (case matters: the live figure's is lower case)."""

SHOW_FRAME_JS = f"""async ([title, frame]) => {{
  const g = ({FIND_JS})(title);
  await Plotly.animate(g, [frame], {{frame: {{duration: 0, redraw: true}}, transition: {{duration: 0}},
                                    mode: 'immediate'}});
  const trace = g._fullData[0];
  return {{title: g.layout.title.text, values: JSON.stringify(trace.z || trace.y)}};
}}"""

LAST_FRAME_JS = f"(title) => ({FIND_JS})(title)._transitionData._frames.length - 1"


@pytest.fixture(scope="module")
def page():
    with streamlit_server() as (base, _), chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_and_wait(pg, f"{base}/unroll", timeout_s=180)
        pg.wait_for_function(f"() => ({FILMS_JS})().length >= 2", timeout=60_000)
        yield pg


def test_the_page_has_two_films_and_no_exception(page):
    assert page.evaluate(EXCEPTIONS_JS) == []
    titles = page.evaluate(FILMS_JS)
    assert any("Hidden states h" in t for t in titles)
    assert any("Next-token guesses" in t for t in titles)


@pytest.mark.parametrize("title", ["Hidden states h", "Next-token guesses"])
def test_first_and_last_frames_draw_different_data(page, title):
    last = page.evaluate(LAST_FRAME_JS, title)
    first = page.evaluate(SHOW_FRAME_JS, [title, "0"])
    final = page.evaluate(SHOW_FRAME_JS, [title, str(last)])
    assert "step 0" in first["title"] and "step 150" in final["title"]
    assert first["values"] != final["values"]


def test_play_button_runs_the_film(page):
    title = "Hidden states h"
    page.evaluate(SHOW_FRAME_JS, [title, "0"])
    graph = page.evaluate_handle(FIND_JS, title).as_element()
    graph.query_selector(".updatemenu-button").click()  # the first button: ▶ Play
    page.wait_for_function(
        "(t) => !(" + FIND_JS + ")(t).layout.title.text.includes('step 0,')", arg=title, timeout=30_000
    )
    assert page.evaluate(EXCEPTIONS_JS) == []
