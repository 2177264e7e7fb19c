"""A comparison's training films in real headless Chromium: one slider and one Play button move every
variant's panel together, by mouse, by keyboard and under reduced motion."""

import re

import pytest

from tests.browser_support import (
    AS_ITS_SLIDER,
    BROWSER_TESTS,
    EXCEPTIONS_JS,
    FILM_JS,
    assert_accessible,
    open_and_wait,
    rerun_by,
)

pytestmark = BROWSER_TESTS

VIEWPORT = {"width": 1400, "height": 2400}
"""Tall, so the Compare panel's films (under the page's own figures) are drawn."""

LINK = "unroll?text=abcdabcd&hidden=5&train_steps=30&compare=cell:rnn,lstm,gru"
"""Three variants of settings nobody else trains on the shared server, each under a second."""
TITLE = "played in sync"
"""Words of the comparison film's title, at every frame."""
PANELS = 3

STATE_JS = f"""() => {{
  const g = ({FILM_JS})({TITLE!r});
  const labels = g.layout.annotations.slice(0, {PANELS}).map((a) => a.text);
  return {{active: g._fullLayout.sliders[0].active, last: g._fullLayout.sliders[0].steps.length - 1,
           title: g.layout.title.text, labels,
           data: g.data.slice(0, {PANELS}).map((t) => JSON.stringify(t.z))}};
}}"""
"""What the film shows now: the slider's frame, the title, each panel's label and each panel's values."""

RECORD_JS = f"""() => {{
  const g = ({FILM_JS})({TITLE!r});
  window.rnnvizSeen = [];
  let last = null;
  const look = () => {{
    const now = ({STATE_JS})();
    if (now.title !== last) {{ last = now.title; window.rnnvizSeen.push(now); }}
    if (window.rnnvizSeen.length && now.active !== now.last) requestAnimationFrame(look);
    else window.rnnvizSeen.push(now);
  }};
  requestAnimationFrame(look);
  return g.layout.title.text;
}}"""
"""Record every frame the film shows while it plays (its title names the step), until the last."""


def _step(text: str) -> str:
    found = re.search(r"step (\d+)", text)
    assert found, text
    return found.group(1)


def _show(page, frame: str) -> None:
    page.evaluate(
        f"(f) => Plotly.animate(({FILM_JS})({TITLE!r}), [f], {AS_ITS_SLIDER})",
        frame,
    )
    page.wait_for_function(f"(f) => String(({STATE_JS})().active) === f", arg=frame)


def _in_step(state: dict) -> bool:
    """Every panel's own caption says the step the slider and the title say."""
    return all(_step(label) == _step(state["title"]) for label in state["labels"])


TRAIN_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] button')]
  .some((b) => b.textContent.includes('Train the comparison'))"""


@pytest.fixture(scope="module", autouse=True)
def _compared(page):
    open_and_wait(page, f"{page.base}/{LINK}", timeout_s=300)
    page.wait_for_function(f"() => ({TRAIN_JS})() || !!({FILM_JS})({TITLE!r})", timeout=300_000)
    if page.evaluate(TRAIN_JS):
        train = page.locator('[data-testid="stMain"] button').filter(has_text="Train the comparison").first
        rerun_by(page, train.click, f"() => !!({FILM_JS})({TITLE!r})")
    page.wait_for_function(f"() => !!({FILM_JS})({TITLE!r})", timeout=300_000)


def test_one_film_holds_a_panel_per_variant_and_opens_on_the_trained_models(page):
    assert page.evaluate(EXCEPTIONS_JS) == []
    state = page.evaluate(STATE_JS)
    assert state["active"] == state["last"] > 1, "the film opens on the trained models, not playing"
    names = [re.sub("<[^>]+>", "", label.split("<br>")[0]) for label in state["labels"]]
    assert names == ["Cell Vanilla RNN (tanh)", "Cell LSTM", "Cell GRU"]
    assert _in_step(state)
    buttons = page.evaluate(f"() => ({FILM_JS})({TITLE!r}).querySelectorAll('.updatemenu-button').length")
    assert buttons == 2, "one Play and one Pause for every panel"


def test_the_compared_page_is_accessible(page):
    """The accessibility module's gallery links never press a comparison's Train: its figures are checked here."""
    assert_accessible(page)


PLAYED_FRAMES = 4
"""Play starts this many frames before the film's end: enough to see every panel move in step at each
frame, in a second and a half where the whole film plays for several."""


def test_play_advances_every_panel_together(page):
    _show(page, "0")
    first = page.evaluate(STATE_JS)
    _show(page, str(first["last"] - PLAYED_FRAMES))
    page.evaluate(RECORD_JS)
    page.evaluate_handle(FILM_JS, TITLE).as_element().query_selector(".updatemenu-button").click()
    page.wait_for_function(
        "() => window.rnnvizSeen.length > 1 && window.rnnvizSeen.at(-1).active === window.rnnvizSeen.at(-1).last",
        timeout=60_000,
    )
    seen = page.evaluate("() => window.rnnvizSeen")
    assert len({s["active"] for s in seen}) >= 3, "the film played through several frames"
    assert all(_in_step(s) for s in seen), [s["labels"] for s in seen if not _in_step(s)]
    last = seen[-1]
    for panel in range(PANELS):
        assert last["data"][panel] != first["data"][panel], f"panel {panel + 1} did not move"
        assert len({s["data"][panel] for s in seen}) >= 3, f"panel {panel + 1} skipped the frames"


def test_the_slider_moves_every_panel_by_keyboard(page):
    _show(page, "0")
    rail = page.evaluate_handle(FILM_JS, TITLE).as_element().query_selector(".slider-container")
    assert rail.get_attribute("role") == "slider" and rail.get_attribute("tabindex") == "0"
    rail.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({STATE_JS})().active === 2")
    two = page.evaluate(STATE_JS)
    assert _in_step(two)
    page.keyboard.press("End")
    page.wait_for_function(f"() => ({STATE_JS})().active === ({STATE_JS})().last")
    end = page.evaluate(STATE_JS)
    assert _in_step(end) and all(a != b for a, b in zip(two["data"], end["data"], strict=True))


def test_under_reduced_motion_play_shows_the_next_step_of_every_panel(page):
    page.emulate_media(reduced_motion="reduce")
    try:
        _show(page, "0")
        before = page.evaluate(STATE_JS)
        play = page.evaluate_handle(FILM_JS, TITLE).as_element().query_selector(".updatemenu-button")
        play.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => ({STATE_JS})().active === 1")
        page.wait_for_timeout(2000)  # time for several frames, had it played
        after = page.evaluate(STATE_JS)
        assert after["active"] == 1 and _in_step(after)
        assert all(a != b for a, b in zip(before["data"], after["data"], strict=True))
    finally:
        page.emulate_media(reduced_motion="no-preference")
