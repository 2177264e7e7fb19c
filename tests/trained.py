"""Trained results shared by every test that asks for the same settings.

Results are deterministic for a Config, so a test that only reads a result gets it from the app's own
cache (``RESULTS``) instead of training it again; tests about training or caching clear it themselves
(the ``fresh_cache`` fixture).
"""

from __future__ import annotations

from typing import Any, TypeVar

from rnnviz.core.experiment import Experiment
from rnnviz.core.runtime import result
from rnnviz.views import get

C = TypeVar("C")
R = TypeVar("R")


def trained(exp: Experiment[C, R], cfg: C | None = None, **extra: Any) -> R:
    """The result for ``cfg`` (the experiment's smoke settings by default), trained at most once per run."""
    return result(exp, cfg if cfg is not None else exp.smoke_config(), get, **extra)
