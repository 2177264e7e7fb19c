"""Whether to learn a series on a square-root or log scale: a variance-stabilising transform chosen by evidence.

When a series swings more where its level is higher (sunspot cycles: the tall ones swing further than the low
ones), a network scaled on the training span spends its capacity on the tall cycles and its errors grow with
the level. Box-Cox's power transform evens the spread out. The evidence is the forecaster's classic pair:
within blocks of a season, the log of the spread regressed on the log of the level (a slope significantly
different from 0, and positive: the spread grows with the level), and Guerrero's method for the power (the
power that makes spread / level^(1 - power) most constant across blocks). The power is rounded to the nearest
of the usual ones (a square root, a log, or 1: none), so the page can say what the network learned in plain
words. The prediction intervals are calibrated on the forecasts taken back to values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIGNIFICANCE = 0.05
MIN_BLOCK = 8
"""Blocks hold a season, but at least this many values: the spread of fewer is mostly noise."""
MIN_BLOCKS = 8
"""Fewer blocks are not tested: a regression on a handful of points means little."""
MIN_LEVEL_CHANGE = 0.01
"""Blocks' levels must differ by at least this share (in logs): over a narrower range every power is nearly a
straight line, which the scaler undoes, and the regression has nothing to go on."""
POWERS = {0.5: "square roots", 0.0: "logarithms"}
"""The powers a transform may take, by what the network then learns; Guerrero's power is rounded to the nearest
of these and 1 (no transform)."""
BACK = {0.5: "squared", 0.0: "exponentiated"}
"""How a forecast on the learned scale is taken back to values."""
TRANSFORMS = {
    "auto": "Auto: a square root or log when the swing grows with the level (real data), else none",
    "none": "None: learn the values as they are",
}
SEARCH = np.linspace(-1.0, 2.0, 301)
"""Guerrero's power is searched for on this grid, the usual range."""


@dataclass(frozen=True)
class Transform:
    """The power the network's target is learned at (None: the values themselves) and the evidence for it."""

    power: float | None
    slope: float
    """Of log spread on log level across blocks: 0 when the spread does not grow with the level."""
    p_value: float
    """Two-sided, of the slope being 0: a swing that grows with the level needs it small and the slope above 0."""
    guerrero: float
    """Guerrero's power before rounding."""
    block: int
    untested: str = ""
    """Why the evidence was not gathered (negative values, too few blocks); empty when it was."""

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Values -> the scale the network learns on.

        Logs are chosen only for a training span above 0; a later value at or below 0 is floored at the smallest
        positive float, so that the forecast stays finite.
        """
        if self.power is None:
            return np.asarray(values)
        if self.power == 0:
            return np.log(np.maximum(values, np.finfo(float).tiny))
        return np.power(np.maximum(values, 0.0), self.power)

    def inverse(self, learned: np.ndarray) -> np.ndarray:
        """The network's scale -> values: the median forecast when the errors are symmetric there.

        A square root predicted below 0 stands for 0, the lowest value it can mean.
        """
        if self.power is None:
            return np.asarray(learned)
        if self.power == 0:
            return np.exp(learned)
        return np.power(np.maximum(learned, 0.0), 1 / self.power)

    def described(self) -> str:
        """What scale was chosen and why, with the run's numbers, for the page."""
        if self.untested:
            return f"the values as they are, since {self.untested}"
        evidence = (
            f"across blocks of {self.block} values in the training span, the log of the spread against the log of "
            f"the level has slope {self.slope:.2f}, p = {self.p_value:.2g}; Guerrero's method puts the power at "
            f"{self.guerrero:.2f}"
        )
        if self.power is None and (self.p_value >= SIGNIFICANCE or self.slope <= 0):
            return f"the values as they are, since the swing does not grow significantly with the level ({evidence})"
        if self.power is None:
            return f"the values as they are, since the swing grows only mildly with the level ({evidence}, nearest 1)"
        return (
            f"{POWERS[self.power]}, {BACK[self.power]} back for the forecasts (a Box-Cox "
            f"transform), since the swing grows with the level ({evidence}, nearest {self.power:g})"
        )


def as_is(why: str) -> Transform:
    """No transform, without testing for one, for the reason given."""
    return Transform(None, float("nan"), float("nan"), float("nan"), 0, why)


NONE = as_is("synthetic signals are learned as they are")
CHOSEN_NONE = as_is("the settings ask for no transform")


def guerrero(means: np.ndarray, spreads: np.ndarray) -> float:
    """The power that makes spread / mean^(1 - power) most nearly constant across blocks (least variation)."""
    ratios = spreads[None, :] / np.power(means[None, :], 1 - SEARCH[:, None])
    variation = ratios.std(axis=1, ddof=1) / ratios.mean(axis=1)
    return float(SEARCH[int(np.argmin(variation))])


def choose(values: np.ndarray, season: int) -> Transform:
    """The transform the training span's evidence asks for: a power when the spread grows with the level."""
    from scipy import stats

    y = np.asarray(values, dtype=float)
    block = max(season, MIN_BLOCK)
    count = len(y) // block
    if y.min() < 0:
        return as_is("it takes negative values, and a square root or log needs values of at least 0")
    too_few = f"the training span holds fewer than {MIN_BLOCKS} blocks of {block} values to test its swing in"
    if count < MIN_BLOCKS:
        return as_is(too_few)
    blocks = y[len(y) - count * block :].reshape(count, block)
    means, spreads = blocks.mean(axis=1), blocks.std(axis=1, ddof=1)
    kept = (means > 0) & (spreads > 0)
    if kept.sum() < MIN_BLOCKS:
        return as_is(too_few)
    means, spreads = means[kept], spreads[kept]
    if np.ptp(np.log(means)) < MIN_LEVEL_CHANGE:
        return as_is(
            f"its level changes by less than {MIN_LEVEL_CHANGE:.0%} across blocks of {block} values in the "
            "training span: no power transform is more than linear over so narrow a range"
        )
    fit = stats.linregress(np.log(means), np.log(spreads))
    p_value = float(fit.pvalue)
    power = guerrero(means, spreads)
    if p_value >= SIGNIFICANCE or fit.slope <= 0:
        return Transform(None, float(fit.slope), p_value, power, block)
    allowed = [1.0, *(p for p in POWERS if p > 0 or y.min() > 0)]
    chosen = min(allowed, key=lambda p: abs(p - power))
    return Transform(None if chosen == 1 else chosen, float(fit.slope), p_value, power, block)
