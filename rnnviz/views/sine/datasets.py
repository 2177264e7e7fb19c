"""Real series to forecast, read offline from the data sets that statsmodels ships.

Each comes with its source, the unit of every column and its calendar (the time of each sample),
so the page can say what is forecast and in which unit, and the baselines know the season.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RealSeries:
    """One data set: columns of equal length sampled at ``time``, with a default target and inputs."""

    title: str
    source: str
    step: str
    """What one sample step is ('year', 'week', 'quarter'): labels axes and horizons."""
    time: np.ndarray
    """The time of each sample: years as numbers, or datetime64 dates."""
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    """Column -> its unit, as axis titles and CSV headers print it."""
    descriptions: dict[str, str]
    target: str
    inputs: tuple[str, ...]
    """Extra input columns read by default beside the target (several features at once)."""
    calendar_season: int
    """Steps in one calendar cycle (52 weeks, 4 quarters), the season used when none is detected; 1 if none."""
    gaps: str = ""
    """How missing samples were filled, for the page; empty when there were none."""


REAL: dict[str, str] = {
    "sunspots": "Sunspots, yearly 1700-2008",
    "co2": "CO₂ at Mauna Loa, weekly 1958-2001",
    "macro": "US macroeconomy, quarterly 1959-2009",
}
"""Real data sets by signal name, with their display names."""


def _sunspots() -> RealSeries:
    from statsmodels.datasets import sunspots

    data = sunspots.load_pandas().data
    return RealSeries(
        title=REAL["sunspots"],
        source="Yearly sunspot numbers, NOAA National Geophysical Data Center (statsmodels.datasets.sunspots)",
        step="year",
        time=data["YEAR"].to_numpy(dtype=float),
        columns={"sunspots": data["SUNACTIVITY"].to_numpy(dtype=float)},
        units={"sunspots": "sunspot number"},
        descriptions={"sunspots": "yearly mean number of sunspots"},
        target="sunspots",
        inputs=(),
        calendar_season=1,
    )


def _co2() -> RealSeries:
    from statsmodels.datasets import co2

    raw = co2.load_pandas().data["co2"]
    missing = int(raw.isna().sum())
    filled = raw.interpolate(method="time").bfill()
    return RealSeries(
        title=REAL["co2"],
        source=(
            "Keeling & Whorf (2004), flask samples at Mauna Loa Observatory, Hawaii, Carbon Dioxide "
            "Information Analysis Center (statsmodels.datasets.co2)"
        ),
        step="week",
        time=raw.index.to_numpy(dtype="datetime64[D]"),
        columns={"co2": filled.to_numpy(dtype=float)},
        units={"co2": "ppm"},
        descriptions={"co2": "CO₂ concentration, parts per million by volume"},
        target="co2",
        inputs=(),
        calendar_season=52,
        gaps=(
            f"{missing} of {len(raw):,} weeks have no sample; they are filled by linear interpolation "
            "in time between the neighbouring weeks."
        ),
    )


MACRO_COLUMNS = {
    "gdp_growth": ("real GDP growth, 400·Δln(real GDP)", "% a year"),
    "infl": ("inflation, 400·Δln(CPI)", "% a year"),
    "unemp": ("unemployment rate", "%"),
    "tbilrate": ("3-month Treasury bill rate", "%"),
    "realint": ("real interest rate", "%"),
    "realgdp": ("real GDP, chained 2005 dollars", "billion $"),
    "realcons": ("real personal consumption", "billion $"),
    "realinv": ("real private investment", "billion $"),
    "cpi": ("consumer price index, 1982-84 = 100", "index"),
}


def _macro() -> RealSeries:
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    data = data.assign(gdp_growth=400 * np.log(data["realgdp"]).diff()).iloc[1:]
    quarters = pd.PeriodIndex.from_fields(
        year=data["year"].astype(int), quarter=data["quarter"].astype(int), freq="Q"
    )
    return RealSeries(
        title=REAL["macro"],
        source=(
            "US macroeconomic data, FRED (Federal Reserve Bank of St. Louis) and the Bureau of Labor "
            "Statistics (statsmodels.datasets.macrodata); growth is computed here from real GDP"
        ),
        step="quarter",
        time=quarters.to_timestamp().to_numpy(dtype="datetime64[D]"),
        columns={name: data[name].to_numpy(dtype=float) for name in MACRO_COLUMNS},
        units={name: unit for name, (_, unit) in MACRO_COLUMNS.items()},
        descriptions={name: text for name, (text, _) in MACRO_COLUMNS.items()},
        target="gdp_growth",
        inputs=("infl", "unemp"),
        calendar_season=4,
    )


@functools.cache
def load(name: str) -> RealSeries:
    """The data set called ``name`` (a key of REAL), read once per process."""
    loaders = {"sunspots": _sunspots, "co2": _co2, "macro": _macro}
    if name not in loaders:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(REAL)}")
    return loaders[name]()
