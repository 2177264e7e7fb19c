"""Whether a series is stationary, by the two tests a forecaster runs before choosing values or changes.

The augmented Dickey-Fuller test takes a unit root (a wandering level) as its null hypothesis; KPSS takes
stationarity as its null. A series counts as stationary only when ADF rejects its null and KPSS does not:
both tests agree. A network scaled on the training span can only continue levels it has seen, so a series
that is not stationary is learned as changes.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

SIGNIFICANCE = 0.05
MIN_LENGTH = 20
"""Shorter training spans are not tested: neither test means much on a handful of values."""


class Stationarity(NamedTuple):
    stationary: bool
    adf_p: float
    """p-value of ADF's null 'a unit root' (small: no unit root)."""
    kpss_p: float
    """p-value of KPSS's null 'stationary around a constant' (small: not stationary); statsmodels reports it
    clipped to [0.01, 0.1], the range of its table."""

    def described(self) -> str:
        """The verdict and both p-values, in words for the page."""
        if np.isnan(self.adf_p):
            return "too short to test for stationarity"
        verdict = "stationary" if self.stationary else "not stationary"
        return (
            f"{verdict} by the stationarity tests on the training span (augmented Dickey-Fuller p = "
            f"{self.adf_p:.2g}, KPSS p = {self.kpss_p:.2g}; stationary when ADF's p is below "
            f"{SIGNIFICANCE:g} and KPSS's is not)"
        )


def check(values: np.ndarray) -> Stationarity:
    """ADF (lag order by AIC) and KPSS (lags chosen by statsmodels) on ``values``."""
    from statsmodels.tsa.stattools import adfuller, kpss

    y = np.asarray(values, dtype=float)
    if len(y) < MIN_LENGTH or np.ptp(y) == 0:
        return Stationarity(False, float("nan"), float("nan"))
    # One BLAS thread, as for the AR baseline; KPSS warns whenever its p-value leaves its table's range.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adf_p = float(adfuller(y, autolag="AIC")[1])
        kpss_p = float(kpss(y, regression="c", nlags="auto")[1])
    return Stationarity(adf_p < SIGNIFICANCE and kpss_p >= SIGNIFICANCE, adf_p, kpss_p)
