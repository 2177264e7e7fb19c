"""The view registry: every package here that defines ``VIEW`` is one page of the app and one experiment.

Discovery keeps each view in its own folder: adding a view never edits a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

from rnnviz.core.experiment import Experiment


@dataclass(frozen=True)
class View:
    experiment: Experiment
    icon: str
    finding: str
    """One line a reader takes away; shown on the home page card."""
    order: int
    """Place in the reading order: the recurrence itself, why training it is hard, gates that fix it, uses."""

    @property
    def slug(self) -> str:
        """URL path and the page file's name in pages/."""
        return self.experiment.name

    @property
    def title(self) -> str:
        return self.experiment.title


@cache
def views() -> tuple[View, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "VIEW", None), View):
            found.append(module.VIEW)
    return tuple(sorted(found, key=lambda v: v.order))


def experiments() -> dict[str, Experiment]:
    return {v.experiment.name: v.experiment for v in views()}


def get(name: str) -> Experiment:
    return experiments()[name]
