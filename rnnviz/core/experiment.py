"""What an experiment is: a typed Config, a deterministic run, and a JSON report.

Each view package defines one ``EXPERIMENT``; ``rnnviz.views`` discovers them. An experiment that
builds on another one's trained model (the gates view reads the sentiment classifier) names it in
``upstream`` instead of importing it, so views stay independent and share one cached result.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rnnviz.core.export import Export
from rnnviz.core.fit import Progress

ProgressFn = Callable[[Progress], None]


@dataclass(frozen=True)
class Upstream:
    """Another experiment's result that a run reads: its name and the settings to run it with."""

    experiment: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    config: type
    run: Callable[..., Any]
    """run(cfg, on_progress=None, **extra) -> result. Deterministic for a given cfg."""
    report: Callable[[Any, Any], dict[str, Any]]
    """report(cfg, result) -> {"metrics": {...}, ...extra JSON keys}, for --json."""
    description: str = ""
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None
    """Extra command-line options beyond the Config (e.g. a data file); passed to run as keywords."""
    normalise: Callable[[Any], Any] | None = None
    """cfg -> cfg with settings that do not apply reset, applied before caching by pages and the CLI alike."""
    upstream: Callable[[Any], Upstream | None] | None = None
    """cfg -> the experiment whose result run() receives as ``upstream=``, or None when it needs none."""
    export: Callable[[Any, Any], Export] | None = None
    """export(cfg, result) -> the figures, data, weights and reproduce.py offered for download."""
    film: Callable[[Any, Any], Any] | None = None
    """film(cfg, result) -> the view's main figure as a training film (core.figures.animate), for benchmarks."""

    def prepare(self, cfg: Any) -> Any:
        return self.normalise(cfg) if self.normalise is not None else cfg
