"""A real Streamlit server and headless Chromium, for tests and benchmarks that need a browser."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make browser)"),
]
"""``pytestmark`` of a module of real-browser tests."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}
"""A page's size unless its module sets ``VIEWPORT``."""
DRAWN_JS = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"
"""Every element drawn. Streamlit loads most elements' code (a button's, a chart's) the first time a page
shows one, and draws a grey placeholder until it arrives."""
FINISHED_JS = f"""() => {{
  const a = document.querySelector('[data-testid="stApp"]');
  return !!a && a.getAttribute('data-test-connection-state') === 'CONNECTED' &&
    ['notRunning', 'compilationError'].includes(a.getAttribute('data-test-script-state')) &&
    ({DRAWN_JS})();
}}"""
"""The script run has finished and every element is drawn: a test that looked for the Train button while
it was still a placeholder found none, never pressed it, and saw a page without figures (a busy full run,
twice in one day)."""
EXCEPTIONS_JS = """() => [...document.querySelectorAll('[data-testid="stException"]')]
  .map(e => e.innerText.trim().slice(0, 2000))"""


FILM_JS = """(title) => [...document.querySelectorAll('.js-plotly-plot')]
  .find(g => g._transitionData && g._transitionData._frames && g._transitionData._frames.length > 1
             && g.layout.title.text.includes(title))"""
"""The graph div of the first training film (a figure of several frames) whose title contains ``title``."""
LAST_FRAME_JS = f"(title) => ({FILM_JS})(title)._transitionData._frames.length - 1"


def stored(link: str) -> None:
    """Train what a link of the app shows (``view?query``) in the test process, into the run's shared
    store, as a hosted server's pre-warming does: the page then opens on it trained, and neither the app
    server nor Chromium spends a training drawing it live. For tests about a trained page; the tests of
    Train and of the live figures use settings nobody stores first."""
    from urllib.parse import parse_qs

    from rnnviz.core import config as cfgmod
    from rnnviz.views import get
    from tests.trained import trained

    view, _, query = link.partition("?")
    exp = get(view)
    trained(exp, cfgmod.from_query(exp.config, parse_qs(query))[0])


def open_with_films(page, path: str, *titles: str, timeout_s: float = 180) -> None:
    """Open a page of the app (``page.base`` + ``path``) and wait until the films titled ``titles`` are drawn."""
    open_and_wait(page, f"{page.base}/{path}", timeout_s=timeout_s)
    for title in titles:
        page.wait_for_function(f"(t) => !!({FILM_JS})(t)", arg=title, timeout=60_000)


AS_ITS_SLIDER = "{frame: {duration: 0, redraw: true}, transition: {duration: 0}, mode: 'immediate'}"
"""``Plotly.animate``'s options that show one frame of a film at once, as its step slider does."""


def show_frame_js(report: str) -> str:
    """JavaScript taking ``[title, frame]``: show that frame of the film as its slider does, then return
    ``report``, an expression of the film's graph div ``g``."""
    return f"""async ([title, frame]) => {{
  const g = ({FILM_JS})(title);
  await Plotly.animate(g, [frame], {AS_ITS_SLIDER});
  return {report};
}}"""


NEAR_THE_END_JS = f"""async (g, back) => {{
  await Plotly.animate(g, [String(g._transitionData._frames.length - 1 - back)], {AS_ITS_SLIDER});
}}"""
FRAMES_BEFORE_THE_END = 2
"""Where a test sets a film before pressing Play to see it end on the trained model: a whole film plays for
9 s (24 frames at 350 ms) of the test's time and Chromium's CPU, its last three frames for one."""


def near_the_end(film) -> None:
    """Show the film (a locator or handle of its graph div) ``FRAMES_BEFORE_THE_END`` frames before its last,
    as dragging its slider there does."""
    film.evaluate(NEAR_THE_END_JS, FRAMES_BEFORE_THE_END)


def first_and_last_frames(page, title: str, report: str) -> tuple[dict, dict]:
    """What ``report`` (an expression of the graph div ``g``) says at the film's first frame and at its last."""
    show = show_frame_js(report)
    last = page.evaluate(LAST_FRAME_JS, title)
    return page.evaluate(show, [title, "0"]), page.evaluate(show, [title, str(last)])


def play_film(page, title: str, first: str) -> None:
    """Rewind the film to its first frame, press its ▶ Play, and wait until its title no longer says ``first``."""
    page.evaluate(show_frame_js("null"), [title, "0"])
    graph = page.evaluate_handle(FILM_JS, title).as_element()
    graph.query_selector(".updatemenu-button").click()  # the first button: ▶ Play
    page.wait_for_function(
        f"([t, first]) => !({FILM_JS})(t).layout.title.text.includes(first)",
        arg=[title, first],
        timeout=30_000,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(env: dict[str, str] | None = None, timeout_s: float = 60, root: Path = ROOT):
    """Start ``streamlit run app.py`` on a free loopback port; yield (base_url, process).

    Pre-warming is off unless ``env`` turns it on: a test measures what it asks for, not a background job.
    """
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(root / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    log = open(os.devnull, "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        cmd, cwd=root, env={**os.environ, "RNNVIZ_PREWARM": "0", **(env or {})}, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit server did not start")
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class SharedChromium:
    """One headless Chromium that a worker's browser modules share, each module on a page of its own.

    Launching Chromium per module cost about a second of CPU, and its first visit compiled the app's scripts
    again. Playwright's sync API keeps an asyncio loop running on this thread while it is open, so a test
    that runs asyncio (or Playwright) itself must :meth:`close` it first (tests/conftest.py does, before any
    test that does not use the shared page); the next browser module launches it again.
    """

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        """A directory that outlives the browser: a relaunch finds the app's scripts in its cache."""
        self._playwright = None
        self._context = None

    def new_page(self, viewport: dict[str, int]):
        if self._context is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._context = self._playwright.chromium.launch_persistent_context(
                self.profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT
            )
        page = self._context.new_page()
        page.set_viewport_size(viewport)
        return page

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._playwright.stop()
            self._context = self._playwright = None


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_and_wait(page, url: str, timeout_s: float = 120, settle_s: float = 0.4) -> float:
    """Navigate and return seconds until the script run has finished and stayed finished."""
    t0 = time.monotonic()
    page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
    return wait_until_finished(page, timeout_s, settle_s) - t0


def wait_until_finished(page, timeout_s: float = 120, settle_s: float = 0.4) -> float:
    """Wait until the script run has finished and stayed finished; return the monotonic time it finished.

    A run may end in an immediate rerun (st.rerun, a button press), so "finished" must hold for ``settle_s``.
    """
    while True:
        page.wait_for_function(FINISHED_JS, timeout=timeout_s * 1000, polling=50)
        done = time.monotonic()
        page.wait_for_timeout(settle_s * 1000)
        if page.evaluate(FINISHED_JS):
            return done


def rerun_by(
    page, action: Callable[[], object], until: str, arg: object = None, timeout_s: float = 300
) -> None:
    """Do ``action`` (a click, a key press), wait until ``until`` (a JS predicate of ``arg``) holds, then until
    the script run has finished.

    ``until`` states what only the action's run does (the Train button gone, a message shown). The page's run
    state alone cannot tell a run that has not started yet from one that has finished: a fixed pause after the
    click raced a busy server (stop 37's CI), and a short run can start and end within one repaint, so
    watching the state for a change missed it under load.
    """
    action()
    page.wait_for_function(until, arg=arg, timeout=timeout_s * 1000, polling=50)
    wait_until_finished(page, timeout_s)


def click_train(page, button, timeout_s: float = 300) -> None:
    """Press a Train button and wait until the training it starts has finished: that run removes the button."""
    rerun_by(page, button.click, "(button) => !button.isConnected", button.element_handle(), timeout_s)


def main_text_has_js(text: str) -> str:
    """A predicate for :func:`rerun_by`: the page's main area shows ``text``."""
    return f"() => document.querySelector('[data-testid=\"stMain\"]').innerText.includes({text!r})"


def open_trained(page, url: str, timeout_s: float = 300) -> None:
    """Open a page of the app as a visitor would and let it finish its run, pressing Train if it asks."""
    open_and_wait(page, url, timeout_s=timeout_s)
    # The page's own Train button, not the comparison's ("Train the comparison" stays while that trains).
    train = page.locator('[data-testid="stMain"] button').filter(has_text=re.compile(r"Train$"))
    if train.count():
        click_train(page, train.first, timeout_s)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA."""
BLOCKING = ("serious", "critical")
"""The impacts an accessibility review does not accept."""


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of the page as it is now, each with its id, impact and nodes.

    axe-core ships inside the axe-playwright-python package: nothing is downloaded.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def blocking(violations: list[dict]) -> dict[str, int]:
    """Elements per serious or critical rule, e.g. ``{"color-contrast": 4}``."""
    return {v["id"]: len(v["nodes"]) for v in violations if v["impact"] in BLOCKING}


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


def assert_accessible(page, figures: bool = True) -> None:
    """The page as it is now has no exception, no serious or critical axe violation (WCAG 2.1 A/AA) and,
    unless ``figures`` is False, at least one figure, each said to screen readers and tabled beside it.

    Each view's browser module checks the page it has already opened and trained: a visit costs most of a
    browser test, so the check rides on one instead of making its own."""
    assert page.evaluate(EXCEPTIONS_JS) == []
    assert len(page.inner_text('[data-testid="stMain"]')) > 200
    page.wait_for_function(DRAWN_JS, timeout=60_000)
    assert blocking(axe_violations(page)) == {}
    if not figures:
        return
    drawn = page.evaluate(FIGURES_JS)
    assert drawn, "the page draws no figure"
    unsaid = [f["title"] for f in drawn if not f["said"] or len(f["said"]) <= len("Figure: .")]
    untabled = [
        f["title"] for f in drawn if not f["toggle"] and not (f["said"] or "").startswith("Figure while")
    ]
    assert unsaid == [] and untabled == []


def process_tree_rss(proc_pid: int) -> int:
    """Resident memory of a process and its children, in bytes."""
    import psutil

    try:
        root = psutil.Process(proc_pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


class PeakRss:
    """Samples a process tree's memory every 0.1 s in a thread; ``peak`` is the largest seen, in bytes."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, process_tree_rss(self.pid))
            time.sleep(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
