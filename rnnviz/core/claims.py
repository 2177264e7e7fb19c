"""A finding as data: the sentence a page prints, the condition that makes it true, and the numbers behind it.

A view never types a verdict. It computes a :class:`Claim` from its result: the text shown is the one
whose condition holds on this run's numbers, and the evidence (with a 95% interval where two things are
compared) goes into the JSON beside it, so a reader can check the sentence against what was measured.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from rnnviz.core.fmt import sentence_case

LEVEL = 0.95
Z = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class Interval:
    """An estimate of a difference with its 95% interval."""

    estimate: float
    low: float
    high: float

    @property
    def spans_zero(self) -> bool:
        return not (self.low > 0 or self.high < 0)

    def json(self) -> dict[str, float]:
        return {"difference": self.estimate, "low": self.low, "high": self.high}


Rule = Callable[[Mapping[str, float]], bool]
"""Evidence -> whether the finding holds: the claim's condition, stated on its own numbers only."""


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    holds: bool
    """Whether the finding the view looks for is what this run shows (the text says what did happen)."""
    evidence: Mapping[str, float] = field(default_factory=dict)
    rule: Rule | None = None
    """How ``holds`` follows from ``evidence``, so a test can recheck every claim from its JSON numbers."""

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "holds": self.holds, "evidence": dict(self.evidence)}

    def agrees_with_evidence(self) -> bool:
        return self.rule is None or self.rule(self.evidence) == self.holds


def claim(id: str, rule: Rule, text: str, otherwise: str, **evidence: float) -> Claim:
    """The sentence for whichever way this run went: ``rule(evidence)`` decides, nothing else.

    ``claim("falls", lambda e: e["last"] < e["first"], "Accuracy falls along the answer.",
    "Accuracy does not fall along the answer.", first=0.78, last=0.125)``
    """
    numbers = {k: float(v) for k, v in evidence.items()}
    holds = bool(rule(numbers))
    return Claim(id, text if holds else otherwise, holds, numbers, rule)


def comparison(
    id: str,
    first: str,
    second: str,
    interval: Interval,
    *,
    better: Literal["higher", "lower"],
    measure: str,
    fmt: str = "{:.3g}",
    **evidence: float,
) -> Claim:
    """``first`` against ``second`` on ``measure`` (difference first - second): a winner only when the
    interval excludes zero, otherwise a tie within the noise of this run's held-out data.

    ``holds`` is True when ``first`` is the better one.
    """
    lo, hi = fmt.format(interval.low), fmt.format(interval.high)
    span = f"(difference {fmt.format(interval.estimate)}, 95% interval {lo} to {hi})"
    if interval.spans_zero:
        text = f"{first} and {second} tie on {measure}: the difference is within this run's noise {span}."
        first_better = False
    else:
        first_better = (interval.estimate > 0) == (better == "higher")
        winner, loser = (first, second) if first_better else (second, first)
        text = f"{winner} beats {loser} on {measure} {span}."
    return Claim(
        id,
        sentence_case(text),
        first_better,
        {**{k: float(v) for k, v in evidence.items()}, **interval.json()},
        _first_better(better),
    )


def _first_better(better: Literal["higher", "lower"]) -> Rule:
    def rule(e: Mapping[str, float]) -> bool:
        if e["low"] <= 0 <= e["high"]:
            return False
        return (e["difference"] > 0) == (better == "higher")

    return rule


def _percentile_interval(estimate: float, samples: np.ndarray) -> Interval:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Interval(float(estimate), float(low), float(high))


def paired_bootstrap(
    first: np.ndarray, second: np.ndarray, *, block: int = 1, seed: int = 0, samples: int = BOOTSTRAP_SAMPLES
) -> Interval:
    """The mean difference of paired scores (per held-out item, or per time step with ``block`` > 1: a moving
    block bootstrap keeps neighbouring steps' correlation) with a percentile interval. Seeded: the same
    scores give the same interval on every machine."""
    d = np.asarray(first, dtype=np.float64) - np.asarray(second, dtype=np.float64)
    n = len(d)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    block = max(1, min(block, n))
    starts = rng.integers(0, n - block + 1, size=(samples, math.ceil(n / block)))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(samples, -1)[:, :n]
    return _percentile_interval(d.mean(), d[idx].mean(axis=1))


def paired_accuracy(first_correct: np.ndarray, second_correct: np.ndarray) -> Interval:
    """Difference of two accuracies on the same items (McNemar's setting): only the items where the two
    disagree carry information; a Wald interval on the paired difference."""
    a = np.asarray(first_correct, dtype=bool)
    b = np.asarray(second_correct, dtype=bool)
    n = len(a)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan)
    only_first = float(np.sum(a & ~b))
    only_second = float(np.sum(~a & b))
    d = (only_first - only_second) / n
    se = math.sqrt(max(only_first + only_second - n * d * d, 0.0)) / n
    return Interval(d, max(d - Z * se, -1.0), min(d + Z * se, 1.0))  # a difference of shares lies in [-1, 1]


def diebold_mariano(first_loss: np.ndarray, second_loss: np.ndarray, horizon: int = 1) -> Interval:
    """Mean difference of two forecasts' losses over the same target steps, with a Newey-West variance
    over ``horizon`` - 1 lags: errors of multi-step forecasts overlap, so neighbouring differences correlate."""
    d = np.asarray(first_loss, dtype=np.float64) - np.asarray(second_loss, dtype=np.float64)
    n = len(d)
    if n < 2:
        return Interval(float(d.mean()) if n else math.nan, math.nan, math.nan)
    centred = d - d.mean()
    variance = centred @ centred / n
    for lag in range(1, min(horizon, n)):
        weight = 1 - lag / horizon
        variance += 2 * weight * (centred[lag:] @ centred[:-lag]) / n
    se = math.sqrt(max(variance, 0.0) / n)
    return Interval(float(d.mean()), float(d.mean() - Z * se), float(d.mean() + Z * se))
