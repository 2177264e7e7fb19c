"""Every page in a real browser, as a class meets it: cold (a browser new to the app) and repeat visits.

Run: .venv/bin/python -m bench.pages
The server is first given every page's default result, as pre-warming does on a real server (over the
websocket, pressing Train where a page asks). Then each page is opened in a browser that has never
loaded the app (cold: Streamlit's scripts and styles are fetched too), and again in the same browser in
a new session (a repeat visit, or a classmate after the first one). Time until the script run has
finished, in headless Chromium on this machine. Targets (issue 17): a cold visit within COLD_TARGET_S,
and a repeat visit at most REPEAT_OVER_HOME_S slower than the home page's repeat visit, which is
Streamlit's own start-up.
"""

from __future__ import annotations

import asyncio
import sys

from rnnviz.views import views
from tests.browser_support import (
    EXCEPTIONS_JS,
    PeakRss,
    chromium,
    open_and_wait,
    streamlit_server,
)
from tests.streamlit_client import visit

COLD_TARGET_S = 5.0
REPEAT_OVER_HOME_S = 0.5
REPEATS = 3
"""Repeat visits per page; the median is reported."""


def main() -> int:
    paths = [("home", "")] + [(v.slug, v.slug) for v in views()]
    rows = []
    with streamlit_server() as (base, proc), PeakRss(proc.pid) as rss:
        port = int(base.rsplit(":", 1)[1])
        for _, path in paths:
            asyncio.run(visit("127.0.0.1", port, path, press_train=True, timeout_s=240))
        with chromium() as browser:
            for name, path in paths:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                times = []
                for _ in range(1 + REPEATS):
                    page = context.new_page()
                    times.append(open_and_wait(page, f"{base}/{path}", timeout_s=180))
                    errors = page.evaluate(EXCEPTIONS_JS)
                    page.close()
                    if errors:
                        print(f"{name}: EXCEPTION {errors[0][:200]}")
                context.close()
                rows.append((name, times[0], sorted(times[1:])[REPEATS // 2]))
    home_repeat = rows[0][2]
    print(
        f"{'page':<12} {'cold s':>7} {'repeat s':>8} {'repeat - home':>13}  targets: cold <= "
        f"{COLD_TARGET_S:g} s, repeat <= home's + {REPEAT_OVER_HOME_S:g} s"
    )
    over = []
    for name, cold, repeat in rows:
        late = cold > COLD_TARGET_S or repeat > home_repeat + REPEAT_OVER_HOME_S
        if late:
            over.append(name)
        print(
            f"{name:<12} {cold:7.2f} {repeat:8.2f} {repeat - home_repeat:+13.2f}"
            + ("  <-- over" if late else "")
        )
    print(f"peak server RSS: {rss.peak / 2**20:.0f} MiB")
    print("targets: met" if not over else "targets: not met: " + ", ".join(over))
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
