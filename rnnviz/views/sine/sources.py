"""Where the series to learn comes from: a synthetic signal, a real data set, or the visitor's own.

Each becomes one :class:`Series`: the observed columns (target first), the clean target that
forecasts are scored on, the time of each sample, and where the training span ends. A request
that cannot be met (too short, an unknown column) falls back to something that works, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.views.sine.datasets import REAL
from rnnviz.views.sine.datasets import load as load_real
from rnnviz.views.sine.series import UserSeries, read_series
from rnnviz.views.sine.signals import BUILT_IN, SIGNALS, add_noise, built_in

T_END = 75.0
"""Synthetic signals are learned on t in [0, 75) s, as in the common minibatch recipe (bench/sine.py)."""
MAX_HORIZON = 1000
OWN_FUTURE_SHARE = 0.2
"""Of a real or uploaded series, the last 20 % is kept back as the future the forecast is scored on."""
MIN_TRAIN_WINDOWS = 10
AUTO_INPUTS = "auto"
NO_INPUTS = "none"
SECONDS_HOVER = "t = %{x:.2f} s"
TABLE_SIGNALS = ("macro", "own")
"""Signals with several columns to choose the target and extra inputs from."""


@dataclass(frozen=True)
class Series:
    signal: str
    """The signal used: a synthetic one, a real data set, or 'own'."""
    source: str
    observed: np.ndarray
    """(samples, columns): what the network may read, target first, noise included."""
    truth: np.ndarray
    """The clean target over the same samples: what forecasts are scored against."""
    columns: tuple[str, ...]
    unit: str
    """The target's unit ('' for synthetic signals)."""
    time: np.ndarray
    time_title: str
    time_hover: str
    """Plotly hover text for one sample's time, e.g. 't = %{x:.2f} s'."""
    step: str
    """One sample step in words: 'step', 'year', 'week', 'quarter'."""
    n_train: int
    calendar_season: int
    notes: tuple[str, ...]


def _synthetic(name: str, dt: float, noise: float, rng: np.random.Generator, notes: list[str]) -> Series:
    n_train = round(T_END / dt)
    time = np.arange(n_train + MAX_HORIZON) * dt
    clean = built_in(name, time)
    observed = add_noise(clean, noise, rng)
    return Series(
        signal=name,
        source=SIGNALS[name],
        observed=observed[:, None],
        truth=clean,
        columns=("value",),
        unit="",
        time=time,
        time_title="time t (s)",
        time_hover=SECONDS_HOVER,
        step="step",
        n_train=n_train,
        calendar_season=1,
        notes=tuple(notes),
    )


def pick_columns(
    available: dict[str, np.ndarray],
    default_target: str,
    default_inputs: tuple[str, ...],
    target: str,
    inputs: str,
) -> tuple[str, tuple[str, ...], list[str]]:
    """The target and extra input columns asked for, matched case-insensitively, with notes on what was not found."""
    by_lower = {name.lower(): name for name in available}
    notes = []
    chosen = by_lower.get(target.strip().lower(), default_target) if target.strip() else default_target
    if target.strip() and target.strip().lower() not in by_lower:
        notes.append(f"No column called '{target.strip()[:40]}'; forecasting '{chosen}'.")
    wanted = inputs.strip().lower()
    if wanted == AUTO_INPUTS:
        names = [n for n in default_inputs if n != chosen]
    elif wanted in ("", NO_INPUTS):
        names = []
    else:
        names = []
        for raw in (part.strip() for part in inputs.split(",")):
            found = by_lower.get(raw.lower())
            if found is None and raw:
                notes.append(f"No column called '{raw[:40]}'; it is not read.")
            elif found is not None and found != chosen and found not in names:
                names.append(found)
    flat = [n for n in names if np.ptp(available[n]) == 0]
    if flat:
        notes.append("Constant, so not read: " + ", ".join(f"'{n}'" for n in flat) + ".")
    return chosen, tuple(n for n in names if n not in flat), notes


def _table(
    columns: dict[str, np.ndarray],
    names: tuple[str, ...],
    noise: float,
    rng: np.random.Generator,
) -> dict[str, object]:
    """Series fields for data given as columns: the chosen ones stacked, the last 20 % kept as the future."""
    clean = np.column_stack([columns[n] for n in names]).astype(float)
    observed = np.column_stack([add_noise(c, noise, rng) for c in clean.T])
    n_train = len(clean) - max(1, round(OWN_FUTURE_SHARE * len(clean)))
    return dict(observed=observed, truth=clean[:, 0], columns=names, n_train=n_train)


def _real(name: str, target: str, inputs: str, noise: float, rng: np.random.Generator) -> Series:
    data = load_real(name)
    chosen, extra, notes = pick_columns(data.columns, data.target, data.inputs, target, inputs)
    dates = np.issubdtype(data.time.dtype, np.datetime64)
    fields = _table(data.columns, (chosen, *extra), noise, rng)
    return Series(
        signal=name,
        source=data.title,
        unit=data.units[chosen],
        time=data.time,
        time_title="date" if dates else data.step,
        time_hover="%{x|%Y-%m-%d}" if dates else "%{x:.0f}",
        step=data.step,
        calendar_season=data.calendar_season,
        notes=tuple(notes),
        **fields,
    )


def load(
    signal: str,
    *,
    dt: float,
    noise: float,
    window: int,
    series: str,
    target: str,
    inputs: str,
    rng: np.random.Generator,
    upload: UserSeries | None,
) -> Series:
    """The series to learn, falling back to the sine (with reasons) when the visitor's own is unusable."""
    if signal in BUILT_IN:
        notes = [f"A file was given but the signal is {SIGNALS[signal]}; it is not used."] if upload else []
        return _synthetic(signal, dt, noise, rng, notes)
    if signal in REAL:
        return _real(signal, target, inputs, noise, rng)
    if upload is not None:
        user = upload
    elif series.strip():
        user = read_series(series, "pasted numbers")
    else:
        return _synthetic(
            "sine",
            dt,
            noise,
            rng,
            ["Paste numbers or upload a CSV file to use your own series; showing the sine."],
        )
    notes = list(user.notes)
    if not user.ok:
        return _synthetic("sine", dt, noise, rng, [*notes, "Showing the sine instead."])
    varying = [n for n, v in user.columns.items() if np.ptp(v) > 0]
    default = varying[-1] if varying else list(user.columns)[-1]
    chosen, extra, more = pick_columns(user.columns, default, (), target, inputs)
    notes += more
    length = len(user.columns[chosen])
    n_train = length - max(1, round(OWN_FUTURE_SHARE * length))
    needed = window + 1 + MIN_TRAIN_WINDOWS
    if n_train < needed:
        notes.append(
            f"With a window of {window}, training needs at least {needed} values before the last "
            f"{OWN_FUTURE_SHARE:.0%} (kept back as the future); this series has {n_train}. "
            "Shorten the window or add values. Showing the sine instead."
        )
        return _synthetic("sine", dt, noise, rng, notes)
    return Series(
        signal="own",
        source=user.name,
        unit="",
        time=np.arange(length) * dt,
        time_title="time t (s)",
        time_hover=SECONDS_HOVER,
        step="step",
        calendar_season=1,
        notes=tuple(notes),
        **_table(user.columns, (chosen, *extra), noise, rng),
    )
