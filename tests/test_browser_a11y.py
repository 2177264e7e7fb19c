"""Accessibility in real headless Chromium: axe-core's WCAG 2.1 A/AA rules, every figure's text alternative
and data table on home and one gallery link per view (each view's own browser module checks the page it
trains), and a film driven by keyboard alone."""

from urllib.parse import parse_qs, urlencode

import pytest

from rnnviz.views import get
from rnnviz.views.gallery import gallery
from tests.browser_support import (
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    FILM_JS,
    assert_accessible,
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


PATHS = ["", *_first_link_per_view()]
"""Home and each view's first gallery link. Each view's own browser module checks the page it trains
(tests/browser_support.py: assert_accessible), so every view is checked at two settings."""


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "home")
def test_no_serious_or_critical_axe_violation_and_every_figure_is_said_and_tabled(page, path):
    """One visit per page checks all three (no exception, axe, figures said and tabled): a page opened (and
    trained) once costs most of a browser test."""
    open_trained(page, f"{page.base}/{path}")
    assert_accessible(page, figures=bool(path))  # home draws no figure


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
