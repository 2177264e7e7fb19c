"""Accessibility in real headless Chromium: axe-core's WCAG 2.1 A/AA rules on every page (each view
at its smoke settings, and one gallery link per view), every figure's text alternative and data table, and a
film driven by keyboard alone."""

from urllib.parse import parse_qs, urlencode

import pytest

from rnnviz.views import get, views
from rnnviz.views.gallery import gallery
from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    FILM_JS,
    axe_violations,
    blocking,
    open_trained,
    open_with_films,
)

pytestmark = BROWSER_TESTS


def _first_link_per_view() -> list[str]:
    """Each view's first gallery link, trained at its view's smoke settings where the link is silent: the
    link's own settings (a task, a comparison) lay the page out, and how long it trains does not."""
    links: dict[str, str] = {}
    for link in gallery():
        given = parse_qs(link.query)
        smoke = {k: v for k, v in get(link.view).smoke.items() if k not in given}
        links.setdefault(link.view, f"{link.view}?{link.query}&{urlencode(smoke)}")
    return list(links.values())


PATHS = ["", *(f"{v.slug}?{urlencode(get(v.slug).smoke)}" for v in views()), *_first_link_per_view()]
"""Home, every view trained at its smoke settings (what the page lays out does not depend on how long it
trains; the default charlm, memory and attention models took two minutes of the suite to train), and each
view's first gallery link."""

FIGURES_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart) => {
  const box = chart.closest('[data-testid="stVerticalBlock"]');
  const said = [...box.querySelectorAll('p')].map((p) => p.textContent)
    .find((t) => t.startsWith('Figure: ') || t.startsWith('Figure while training: '));
  const toggle = [...box.querySelectorAll('[data-testid="stCheckbox"], [data-testid="stToggle"], label')]
    .some((l) => l.textContent.trim() === 'Data');
  const g = chart.querySelector('.js-plotly-plot');
  return {title: g && g.layout && g.layout.title ? String(g.layout.title.text || '') : '',
          said: said || null, toggle};
})"""
"""Each drawn figure: its title, the sentence said before it to screen readers, and whether a Data toggle
is beside it (a figure drawn while training, left in the finished run's status box, has none)."""


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "home")
def test_no_serious_or_critical_axe_violation_and_every_figure_is_said_and_tabled(page, path):
    """One visit per page checks all three (no exception, axe, figures said and tabled): a page opened (and
    trained) once costs most of a browser test."""
    open_trained(page, f"{page.base}/{path}")
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert len(page.inner_text('[data-testid="stMain"]')) > 200
    assert blocking(axe_violations(page)) == {}
    if not path:
        return  # home draws no figure
    figures = page.evaluate(FIGURES_JS)
    assert figures, "the page draws no figure"
    unsaid = [f["title"] for f in figures if not f["said"] or len(f["said"]) <= len("Figure: .")]
    untabled = [
        f["title"] for f in figures if not f["toggle"] and not (f["said"] or "").startswith("Figure while")
    ]
    assert unsaid == [] and untabled == []


def test_the_data_toggle_shows_the_figures_numbers_as_a_table(page):
    open_trained(page, f"{page.base}/unroll")
    page.locator('[data-testid="stMain"] label').filter(has_text="Data").last.click()
    # The click's rerun may not have started yet when the page first looks finished: wait for the table.
    page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first.wait_for(timeout=60_000)


FILM_PAGE = "unroll"
"""A page whose films are drawn with its defaults, without pressing Train."""


FIRST = ""
"""FILM_JS finds the film whose title contains this: the page's first film (its title changes per frame)."""


def _open_film(page) -> str:
    """Open the film page; return the words by which FILM_JS finds its first film at every frame."""
    open_with_films(page, FILM_PAGE, FIRST)
    return FIRST


def _film_state(page, title: str) -> dict:
    return page.evaluate(
        f"""(t) => {{ const g = ({FILM_JS})(t); const rail = g.querySelector('.slider-container');
        return {{step: g._fullLayout.sliders[0].active, last: g._fullLayout.sliders[0].steps.length - 1,
                 title: g.layout.title.text, focused: document.activeElement === rail,
                 valuenow: rail.getAttribute('aria-valuenow'), role: rail.getAttribute('role')}}; }}""",
        title,
    )


def _tab_to(page, title: str, what: str, key: str = "Tab", limit: int = 400) -> None:
    """Press ``key`` until the keyboard focus is on the film's element ``what`` (a JS test of ``el``)."""
    focused = f"""(t) => {{ const g = ({FILM_JS})(t); const el = document.activeElement;
        return !!el && el !== document.body && g.contains(el) && ({what}); }}"""
    for _ in range(limit):
        if page.evaluate(focused, title):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached the film's {what}")


HELD_ARROW_JS = """(n) => { for (let i = 0; i < n; i++) document.activeElement.dispatchEvent(
  new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true, cancelable: true})); }"""
"""``n`` presses of the right arrow at once, as a held key repeats faster than a frame is drawn."""

SLIDER = "el.classList.contains('slider-container')"
PLAY = "(el.getAttribute('aria-label') || '').includes('Play')"
PAUSE = "(el.getAttribute('aria-label') || '').includes('Pause')"


def test_a_film_is_played_paused_and_scrubbed_by_keyboard_alone(page):
    title = _open_film(page)
    start = _film_state(page, title)
    assert start["step"] == start["last"] > 1, "a film opens on its trained model, not playing"

    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # Tab from the page's top
    _tab_to(page, title, SLIDER)
    here = _film_state(page, title)
    assert here["focused"] and here["role"] == "slider"
    page.keyboard.press("Home")
    page.wait_for_function(f"(t) => ({FILM_JS})(t)._fullLayout.sliders[0].active === 0", arg=title)
    page.evaluate(HELD_ARROW_JS, 3)
    page.wait_for_function(f"(t) => ({FILM_JS})(t)._fullLayout.sliders[0].active === 3", arg=title)
    assert _film_state(page, title)["valuenow"] == "3"

    _tab_to(page, title, PLAY)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"(t) => ({FILM_JS})(t)._fullLayout.sliders[0].active > 4", arg=title, timeout=30_000
    )
    _tab_to(page, title, PAUSE, limit=3)
    page.keyboard.press(" ")
    page.wait_for_timeout(1000)  # the pause has taken hold once two reads a second apart agree
    paused = _film_state(page, title)["step"]
    page.wait_for_timeout(1000)
    assert _film_state(page, title)["step"] == paused < start["last"]
    assert page.evaluate(EXCEPTIONS_JS) == []


def test_under_reduced_motion_play_shows_one_step_at_a_time(page):
    page.emulate_media(reduced_motion="reduce")
    try:
        title = _open_film(page)
        page.evaluate(
            f"(t) => Plotly.animate(({FILM_JS})(t), ['0'], {{frame: {{duration: 0}}, mode: 'immediate'}})",
            title,
        )
        page.wait_for_function(f"(t) => ({FILM_JS})(t)._fullLayout.sliders[0].active === 0", arg=title)
        play = page.evaluate_handle(FILM_JS, title).as_element().query_selector(".updatemenu-button")
        play.focus()
        page.keyboard.press("Enter")
        page.wait_for_timeout(2000)  # time for several frames, had it played
        assert _film_state(page, title)["step"] == 1
    finally:
        page.emulate_media(reduced_motion="no-preference")
