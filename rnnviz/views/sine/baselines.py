"""The forecasts every forecaster checks first, fitted on the same training span as the network.

Naive repeats the last value; seasonal naive repeats the last season; the autoregressive model
(statsmodels' AutoReg) is a weighted sum of past values plus a constant (and a trend when that
fits better), its order chosen by AIC on the training span alone. All three only read the target.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

BASELINES = {
    "naive": "naive (repeat the last value)",
    "seasonal_naive": "seasonal naive (repeat the last season)",
    "ar": "autoregressive (AutoReg, order by AIC)",
}
MAX_SEASON = 400
"""Longest season looked for: a bit more than a year of weekly samples, six periods of the sine at dt = 0.02 s."""
MIN_SEASON_ACF = 0.3
"""A season is detected only where the autocorrelation of the changes peaks at least this high."""
SEASON_TIE = 0.9
"""A shorter peak within 10 % of the highest is taken: the season, not a multiple of it."""
SEASON_TIE_CALENDAR = 0.1
"""A detected peak within 10 % of the calendar's season (e.g. 54 for 52 weeks) is read as that season."""
MAX_AR_LAGS = 60
"""The autoregressive order is chosen among 1..60 past values (fewer for short series)."""
TRENDS = {"c": "a constant", "ct": "a constant and a linear trend"}


def naive(history: np.ndarray, steps: int) -> np.ndarray:
    return np.full(steps, float(history[-1]))


def seasonal_naive(history: np.ndarray, steps: int, season: int) -> np.ndarray:
    """Step h repeats the value one season before it: history[-season + (h - 1) % season]."""
    last = np.asarray(history[-season:], dtype=float)
    return np.resize(last, steps)


class Season(NamedTuple):
    length: int
    how: str
    """How it was found, in words for the page."""
    in_data: bool
    """Seen in the data (not just the calendar's or none)."""


def detect_season(values: np.ndarray, calendar: int) -> Season:
    """Steps per season and how it was found: the first clear peak of the autocorrelation of the changes.

    Changes (first differences) rather than levels, so a trend does not hide the cycle. Only peaks
    after the autocorrelation has turned negative count (a cycle swings back; measurement noise
    makes bumps at short lags), and the shortest one nearly as high as the highest is taken, since
    two seasons back correlates about as well as one. Without a
    clear peak (below MIN_SEASON_ACF) the calendar's season is used (52 weeks, 4 quarters; 1 = none).
    """
    changes = np.diff(np.asarray(values, dtype=float))
    top = min(MAX_SEASON, len(changes) // 2)
    if top >= 2 and np.std(changes) > 0:
        centred = changes - changes.mean()
        spectrum = np.fft.rfft(centred, n=2 * len(centred))
        acf = np.fft.irfft(spectrum * np.conj(spectrum))[: top + 2]
        acf = acf / acf[0]
        below = np.flatnonzero(acf[: top + 1] < 0)
        start = int(below[0]) + 1 if below.size else top + 1
        peaks = [k for k in range(max(2, start), top + 1) if acf[k - 1] < acf[k] >= acf[k + 1]]
        if peaks and max(acf[peaks]) >= MIN_SEASON_ACF:
            k = min(k for k in peaks if acf[k] >= SEASON_TIE * max(acf[peaks]))
            found = f"the changes correlate {acf[k]:.2f} with themselves {k} steps back"
            if calendar > 1 and abs(k - calendar) <= SEASON_TIE_CALENDAR * calendar:
                return Season(calendar, f"the calendar's, confirmed by the data ({found})", True)
            return Season(int(k), f"detected: {found}", True)
    if calendar > 1:
        return Season(calendar, "the calendar's, as the autocorrelation shows no clear peak", False)
    return Season(1, "none found, so seasonal naive equals naive", False)


def _design(y: np.ndarray, lags: int, trend: str, first: int) -> tuple[np.ndarray, np.ndarray]:
    """Regressors (constant, maybe time, y[t-1..t-lags]) and targets y[t] for t = first..n-1."""
    t = np.arange(first, len(y))
    columns = [np.ones(len(t))] + ([t.astype(float)] if trend == "ct" else [])
    columns += [y[t - k] for k in range(1, lags + 1)]
    return np.column_stack(columns), y[first:]


def select_order(y: np.ndarray, max_lags: int) -> tuple[int, str]:
    """The order and trend with the lowest AIC, every candidate scored on the same samples.

    Least squares with numpy: scoring all 2 x 61 candidates through statsmodels takes seconds.
    """
    best = (math.inf, 0, "c")
    floor = 1e-12 * float(np.var(y)) + 1e-300  # a perfect fit (a pure sine is AR(2)) scores rounding noise
    for trend in TRENDS:
        for lags in range(max_lags + 1):
            x, target = _design(y, lags, trend, max_lags)
            coef, rss, rank, _ = np.linalg.lstsq(x, target, rcond=None)
            residual = float(rss[0]) if len(rss) else float(np.sum((x @ coef - target) ** 2))
            aic = len(target) * math.log(max(residual / len(target), floor)) + 2 * rank
            if aic < best[0]:
                best = (aic, lags, trend)
    return best[1], best[2]


class ARForecast(NamedTuple):
    values: np.ndarray
    order: int
    """Past values each step weighs: its forecast errors overlap over this many steps."""
    described: str
    """The model in words for the page, e.g. 'AR(2) with a constant'."""
    coefficients: np.ndarray
    """Constant, maybe the time trend's slope, then the weight of each past value, as :func:`_design` orders
    them: fitted once on the training span, used from every forecast origin (see :func:`ar_from`)."""
    trend: str
    se: np.ndarray
    """Standard error of the forecast 1, 2, ... steps ahead, from statsmodels: the innovations' spread carried
    through the model's own fed-back predictions (the coefficients taken as known). Its prediction intervals
    are the forecast plus or minus a normal quantile of it, the same from every origin."""


def ar_from(series: np.ndarray, origin: int, steps: int, coefficients: np.ndarray, trend: str) -> np.ndarray:
    """The AR model's forecast of ``steps`` values after series[:origin], each fed back as a past value.

    Time t counts from the series' start, as in the fit, so a trend continues from where the origin is.
    """
    lags = len(coefficients) - (2 if trend == "ct" else 1)
    out = np.concatenate([np.asarray(series[origin - lags : origin], dtype=float), np.zeros(steps)])
    head, weights = coefficients[: len(coefficients) - lags], coefficients[len(coefficients) - lags :]
    for k in range(steps):
        deterministic = head[0] + (head[1] * (origin + k) if trend == "ct" else 0.0)
        out[lags + k] = deterministic + weights @ out[lags + k - 1 :: -1][:lags] if lags else deterministic
    return out[lags:]


def autoregressive(history: np.ndarray, steps: int, season: int) -> ARForecast:
    """Forecast with statsmodels' AutoReg, fitted by least squares on ``history`` only, its order (up to a
    season and a bit) and trend chosen by AIC."""
    from statsmodels.tsa.ar_model import AutoReg

    y = np.asarray(history, dtype=float)
    # One BLAS thread: these matrices are small, and threads fighting over two shared cores cost 100x.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        lags, trend = select_order(y, max(1, min(MAX_AR_LAGS, season + 2, len(y) // 4)))
        warnings.simplefilter("ignore")  # a pure sine makes the design rank-deficient: harmless here
        fit = AutoReg(y, lags=lags, trend=trend).fit()
        predicted = fit.get_prediction(start=len(y), end=len(y) + steps - 1, dynamic=True)
        forecast = predicted.predicted_mean
        x, target = _design(y, lags, trend, lags)
        coefficients = np.linalg.lstsq(x, target, rcond=None)[0]
    return ARForecast(
        np.asarray(forecast, dtype=float),
        lags,
        f"AR({lags}) with {TRENDS[trend]}",
        coefficients,
        trend,
        np.sqrt(np.asarray(predicted.var_pred_mean, dtype=float)),
    )


def ar_residuals(series: np.ndarray, ar: ARForecast) -> np.ndarray:
    """series[t] minus the AR model's one-step prediction of it from the observed past, for every t: what the
    linear model leaves unexplained, which the hybrid's network learns. The first ``order`` values have no
    full past and get 0, as if the model were right there."""
    y = np.asarray(series, dtype=float)
    out = np.zeros(len(y))
    if len(y) > ar.order:
        x, target = _design(y, ar.order, ar.trend, ar.order)
        out[ar.order :] = target - x @ ar.coefficients
    return out


class Baselines(NamedTuple):
    forecasts: dict[str, np.ndarray]
    """Each baseline's forecast of the steps after the history, by key of BASELINES."""
    ar: ARForecast
    ar_model: str
    reach: dict[str, int]
    """Past values each baseline's forecast step reads (naive 1, seasonal naive a season, AR its order):
    how far its errors overlap, which a Diebold-Mariano interval must allow for."""


def from_origin(
    series: np.ndarray, origin: int, steps: int, season: int, ar: ARForecast
) -> dict[str, np.ndarray]:
    """Each baseline's forecast of the ``steps`` values after series[:origin], fitted once (AR) on the training span."""
    return {
        "naive": naive(series[:origin], steps),
        "seasonal_naive": seasonal_naive(series[:origin], steps, season),
        "ar": ar_from(series, origin, steps, ar.coefficients, ar.trend),
    }


def forecast_all(history: np.ndarray, steps: int, season: int) -> Baselines:
    """Each baseline's forecast of the ``steps`` values after ``history``, the AR model and each one's reach."""
    ar = autoregressive(history, steps, season)
    return Baselines(
        {
            "naive": naive(history, steps),
            "seasonal_naive": seasonal_naive(history, steps, season),
            "ar": ar.values,
        },
        ar,
        ar.described,
        {"naive": 1, "seasonal_naive": season, "ar": max(1, ar.order)},
    )
