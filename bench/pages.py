"""Time to "finished running" for every page in a real browser: cold (fresh server) and warm (cached).

Run: .venv/bin/python -m bench.pages
Each page is opened twice on the same fresh server, each time in a new Streamlit session: the first
visit trains, in a browser that has not loaded the app before (cold); the second is served from the
result cache, in a browser that has (warm: a returning visitor, or a classmate after the first one).
Also prints the server's peak memory.
"""

from __future__ import annotations

import sys

from rnnviz.views import views
from tests.browser_support import (
    EXCEPTIONS_JS,
    PeakRss,
    chromium,
    open_and_wait,
    streamlit_server,
)

COLD_TARGET_S = 5.0
WARM_TARGET_S = 1.0


def main() -> int:
    paths = [("home", "")] + [(v.slug, v.slug) for v in views()]
    rows = []
    with streamlit_server() as (base, proc), chromium() as browser, PeakRss(proc.pid) as rss:
        for name, path in paths:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            times = []
            for _ in range(2):
                page = context.new_page()
                times.append(open_and_wait(page, f"{base}/{path}", timeout_s=180))
                errors = page.evaluate(EXCEPTIONS_JS)
                page.close()
                if errors:
                    print(f"{name}: EXCEPTION {errors[0][:200]}")
            context.close()
            rows.append((name, *times))
    print(
        f"{'page':<12} {'cold s':>7} {'warm s':>7} {'cold/warm':>9}  targets: cold <= {COLD_TARGET_S:g} s, "
        f"warm <= {WARM_TARGET_S:g} s"
    )
    ok = True
    for name, cold, warm in rows:
        flag = "" if cold <= COLD_TARGET_S and warm <= WARM_TARGET_S else "  <-- over target"
        ok &= not flag
        print(f"{name:<12} {cold:7.2f} {warm:7.2f} {cold / warm:9.1f}{flag}")
    print(f"peak server RSS: {rss.peak / 2**20:.0f} MiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
