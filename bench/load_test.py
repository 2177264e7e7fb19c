"""A class opens the app at once: concurrent real-browser sessions, each training different settings.

Run: .venv/bin/python -m bench.load_test [--sessions 8]
Loopback only, bounded in time. Passes when every session finishes within its training budget plus
its wait in the queue, and the server's peak memory stays under the limit. Prints p50/p95 render times.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from dataclasses import dataclass

from rnnviz.core.runtime import TRAINING_BUDGET_S, TRAINING_SLOTS
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTIONS_JS,
    FINISHED_JS,
    PeakRss,
    streamlit_server,
)

RSS_LIMIT = 1.5 * 2**30
TRAINING_PAGES = ("unroll", "gates", "sine")
"""Pages whose defaults train on first render; each session gets its own seed, so nothing is cached."""


@dataclass
class LoadResult:
    seconds: list[float]
    errors: list[str]
    peak_rss: int
    limit_s: float

    @property
    def passed(self) -> bool:
        return not self.errors and max(self.seconds) <= self.limit_s and self.peak_rss < RSS_LIMIT


def session_urls(base: str, sessions: int) -> list[str]:
    from rnnviz.views import views

    pages = [p for p in TRAINING_PAGES if p in {v.slug for v in views()}]
    return [f"{base}/{pages[i % len(pages)]}?seed={100 + i}&v=1" for i in range(sessions)]


async def _visit(browser, url: str, timeout_s: float) -> tuple[float, str | None]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    t0 = time.monotonic()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        await page.wait_for_function(FINISHED_JS, timeout=timeout_s * 1000, polling=100)
        errors = await page.evaluate(EXCEPTIONS_JS)
        return time.monotonic() - t0, (f"{url}: {errors[0][:300]}" if errors else None)
    except Exception as err:  # noqa: BLE001 - a timeout or crash is this session's result
        return time.monotonic() - t0, f"{url}: {type(err).__name__}: {str(err)[:200]}"
    finally:
        await context.close()


async def _run(urls: list[str], timeout_s: float) -> list[tuple[float, str | None]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(_visit(browser, u, timeout_s) for u in urls))
        finally:
            await browser.close()


def run_load_test(sessions: int = 8) -> LoadResult:
    waves = math.ceil(sessions / TRAINING_SLOTS)
    limit_s = waves * TRAINING_BUDGET_S + 30  # every wave may use its whole budget, plus page overhead
    with streamlit_server() as (base, proc), PeakRss(proc.pid) as rss:
        results = asyncio.run(_run(session_urls(base, sessions), timeout_s=limit_s + 30))
    return LoadResult(
        seconds=[s for s, _ in results],
        errors=[e for _, e in results if e],
        peak_rss=rss.peak,
        limit_s=limit_s,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    args = parser.parse_args()
    res = run_load_test(args.sessions)
    secs = sorted(res.seconds)
    p95 = secs[min(len(secs) - 1, math.ceil(0.95 * len(secs)) - 1)]
    print(
        f"sessions: {len(secs)}  training slots: {TRAINING_SLOTS}  budget per training: {TRAINING_BUDGET_S:g} s"
    )
    print(
        f"render time p50 {statistics.median(secs):.2f} s, p95 {p95:.2f} s, max {secs[-1]:.2f} s "
        f"(limit {res.limit_s:.0f} s)"
    )
    print(f"peak server RSS {res.peak_rss / 2**20:.0f} MiB (limit {RSS_LIMIT / 2**20:.0f} MiB)")
    for err in res.errors:
        print("error:", err)
    print("PASS" if res.passed else "FAIL")
    return 0 if res.passed else 1


if __name__ == "__main__":
    sys.exit(main())
