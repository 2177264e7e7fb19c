"""The targets of the training film (issue 12), written once for every benchmark that checks them."""

from __future__ import annotations

import time
from collections.abc import Callable

CAPTURE_SHARE = 0.15
"""Recording the film may add at most this share to a training's time."""
MAX_RESULT_MB = 20.0
"""A cached result, film included, weighs at most this."""
MAX_FILM_S = 0.3
"""Building a view's film on the server takes at most this; playing it then costs the server nothing."""


def film_misses(overhead: float, mb: float, film_s: float | None = None) -> list[str]:
    """What of the film's targets a measurement misses, in words."""
    misses = []
    if overhead > CAPTURE_SHARE:
        misses.append(f"capture +{overhead:.0%} > {CAPTURE_SHARE:.0%}")
    if mb > MAX_RESULT_MB:
        misses.append(f"result {mb:.1f} MB > {MAX_RESULT_MB:g} MB")
    if film_s is not None and film_s > MAX_FILM_S:
        misses.append(f"film {film_s:.2f} s > {MAX_FILM_S:g} s")
    return misses


def film_seconds(build: Callable[[], object]) -> float:
    """Seconds to build a film, timed on the second call: plotly's first figures load their validators."""
    build()
    tic = time.perf_counter()
    build()
    return time.perf_counter() - tic


def verdict(misses: list[str]) -> int:
    """Print a benchmark's last line and return its exit code."""
    print("targets: met" if not misses else "targets: not met: " + "; ".join(misses))
    return 0 if not misses else 1
