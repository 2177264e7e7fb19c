"""Server work of one repeat visit, per page: this version against an earlier one, side by side in one run.

A repeat visit finds its result cached, so what is left is the server's own work: running the page
script, building figures and sending them. Measured over the websocket (no browser), one visit at a
time, median of VISITS after a warm-up visit that trains (pressing Train where a page asks).

Run: .venv/bin/python -m bench.visits [--before GIT_REF]   (default: the commit before this work, c422a45)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rnnviz.views import views
from tests.browser_support import ROOT, streamlit_server
from tests.streamlit_client import visit

VISITS = 5
BEFORE = "c422a45"
HOST = "127.0.0.1"


def visit_times(root: Path, pages: Sequence[str]) -> dict[str, float]:
    times = {}
    with streamlit_server(root=root) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        for page in pages:
            first = asyncio.run(visit(HOST, port, page, press_train=True, timeout_s=240))
            if first.errors or not first.finished:
                times[page] = float("nan")
                continue
            runs = [asyncio.run(visit(HOST, port, page, timeout_s=60)).seconds for _ in range(VISITS)]
            times[page] = statistics.median(runs)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the git ref to compare with")
    args = parser.parse_args(argv)
    pages = [""] + [v.slug for v in views()]
    with tempfile.TemporaryDirectory(prefix="rnnviz-before-") as old:
        subprocess.run(
            ["git", "worktree", "add", "--detach", old, args.before],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            before = visit_times(Path(old), pages)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", old], cwd=ROOT, check=False, capture_output=True
            )
    after = visit_times(ROOT, pages)
    print(f"{'page':<10} {'before s':>8} {'after s':>8} {'after/before':>12}")
    for page in pages:
        b, a = before.get(page, float("nan")), after[page]
        ratio = a / b if b == b and b > 0 else float("nan")
        print(f"{page or 'home':<10} {b:8.3f} {a:8.3f} {ratio:12.2f}")
    slower = [p or "home" for p in pages if after[p] > before.get(p, float("inf")) * 1.1]
    print("targets: met" if not slower else "targets: not met: slower than before: " + ", ".join(slower))
    return 0 if not slower else 1


if __name__ == "__main__":
    sys.exit(main())
