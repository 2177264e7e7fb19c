"""The experiment registry: every module in this package that defines ``EXPERIMENT`` is one.

Discovery keeps each experiment in its own module: adding one never edits a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from rnnviz.training import Progress

ProgressFn = Callable[[Progress], None]


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


@cache
def experiments() -> dict[str, Experiment]:
    found: dict[str, Experiment] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Experiment):
                found[value.name] = value
    return found


def get(name: str) -> Experiment:
    return experiments()[name]
