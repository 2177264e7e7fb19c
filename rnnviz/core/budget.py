"""How long one training may run: the server's wall-clock budget, read from the environment when a training
starts. Without torch, so that a process which only sets the budget (a test runner's coordinator) need not
import it."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

BUDGET_ENV = "RNNVIZ_TRAINING_BUDGET_S"
DEFAULT_BUDGET_S = 30.0

_budget_scale: ContextVar[float] = ContextVar("rnnviz_budget_scale", default=1.0)


def budget_scale() -> float:
    """The factor :func:`scaled_budget` set for this thread (1 outside it)."""
    return _budget_scale.get()


def training_budget_s() -> float:
    """Hard wall-clock budget of one training, read when a training starts (a server or a test sets it),
    times the scale of this thread's :func:`scaled_budget`."""
    try:
        budget = float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET_S))
    except ValueError:
        budget = DEFAULT_BUDGET_S
    if not (math.isfinite(budget) and budget > 0):
        budget = DEFAULT_BUDGET_S
    return budget * budget_scale()


@contextmanager
def scaled_budget(factor: float) -> Iterator[None]:
    """Trainings started in this block (in this thread) get ``factor`` times their budget.

    For the server's background full runs: a run that a visitor's budget cut short is trained again
    with more time, so the result shared under its settings does not depend on the server's load.
    """
    token = _budget_scale.set(factor)
    try:
        yield
    finally:
        _budget_scale.reset(token)
