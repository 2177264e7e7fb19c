"""The gallery: famous configurations worth a link, read from gallery.toml beside this file.

A link may carry a comparison (``compare=``, ``match=``, ``seeds=`` in its query): the page opens with its
Compare panel filled in, and pre-warming trains every run of it, so the comparison is drawn at once too.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from rnnviz.core import compare
from rnnviz.core import config as cfgmod
from rnnviz.core.experiment import Experiment
from rnnviz.views import get, views

GALLERY_FILE = Path(__file__).with_name("gallery.toml")


@dataclass(frozen=True)
class Link:
    view: str
    title: str
    note: str
    query: str

    def config(self) -> tuple[Any, list[str]]:
        """The view's Config this link opens, and any notes on settings it could not use."""
        return cfgmod.from_query(get(self.view).config, parse_qs(self.query))

    def comparison(self) -> tuple[compare.Request, list[str]]:
        """The comparison the link's Compare panel opens with (empty when it has none), read as a page
        reads it, and any notes on parts it could not use."""
        exp, (cfg, _) = get(self.view), self.config()
        query = {k: v[-1] for k, v in parse_qs(self.query).items()}
        return compare.parse_request(
            exp,
            exp.prepare(cfg),
            query.get(compare.LINK_COMPARE),
            query.get(compare.LINK_SEEDS),
            query.get(compare.LINK_MATCH),
        )

    def plan(self) -> compare.Plan | None:
        """Every run of the link's comparison, or None when the link compares nothing."""
        request, _ = self.comparison()
        if request.empty:
            return None
        exp = get(self.view)
        return compare.plan(exp, self.config()[0], request)


@cache
def gallery() -> tuple[Link, ...]:
    with GALLERY_FILE.open("rb") as f:
        return tuple(Link(**entry) for entry in tomllib.load(f)["link"])


@cache
def comparisons() -> tuple[tuple[Link, compare.Plan], ...]:
    """The gallery's comparisons, each with the plan of its runs (planned once: matching parameters counts
    models, and app.py asks on every visit)."""
    return tuple((link, p) for link in gallery() if (p := link.plan()) is not None)


@cache
def prewarm_jobs() -> tuple[tuple[Experiment, Any], ...]:
    """Every view's default settings, then each gallery link's: what a fresh server computes first."""
    jobs = [(v.experiment, v.experiment.config()) for v in views()]
    jobs += [(get(link.view), link.config()[0]) for link in gallery()]
    return tuple(jobs)


@cache
def comparison_jobs() -> tuple[tuple[Experiment, Any], ...]:
    """Every run of the gallery's comparisons that :func:`prewarm_jobs` does not already hold, each once:
    pre-warming them after those (``prewarm(prewarm_jobs() + comparison_jobs(), get)``) computes the same
    results :func:`compute_comparisons` and a visit read."""
    seen = {(exp.name, exp.prepare(cfg)) for exp, cfg in prewarm_jobs()}
    jobs = []
    for _, p in comparisons():
        for _, _, cfg in p.runs:
            if (p.exp.name, cfg) not in seen:
                seen.add((p.exp.name, cfg))
                jobs.append((p.exp, cfg))
    return tuple(jobs)


def compute_comparisons(
    lookup: Callable[[str], Experiment] = get, **queueing: Any
) -> list[compare.Comparison]:
    """Every gallery comparison, computed as a visit computes it (compare.run_plan, so runtime.result: the
    same cache, queue and budget); ``queueing`` goes to runtime.result (``idle=True`` for pre-warming).
    Runs already cached are read, not trained again."""
    return [compare.run_plan(p, lookup, **queueing) for _, p in comparisons()]
