"""Built-in signals to forecast, as functions of time, plus the noise a measurement would add.

Every built-in signal has a known continuation, so a forecast can be scored against the truth
as far ahead as anyone asks. The damped spring is not written in closed form: it is simulated
from its equation of motion, as a physics system would be.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rnnviz.views.sine.datasets import REAL

SYNTHETIC: dict[str, str] = {
    "sine": "Sine",
    "two_sines": "Sum of two sines",
    "spring": "Damped spring (simulated)",
    "square": "Square wave",
    "sawtooth": "Sawtooth",
}
SIGNALS: dict[str, str] = {**SYNTHETIC, **REAL, "own": "Your own series (paste or upload)"}
"""Signal choices with their display names: synthetic, real data sets (rnnviz.views.sine.datasets),
and 'own', the visitor's data read by rnnviz.views.sine.series."""

BUILT_IN = tuple(SYNTHETIC)

STIFFNESS = 1.0
"""Spring constant over mass, k/m (1/s²): the undamped angular frequency is sqrt(k/m) = 1 rad/s."""
DAMPING = 0.02
"""Friction coefficient over mass, c/m (1/s): the amplitude decays as exp(-c t / 2m), to 47 % by t = 75 s."""
SPRING_SUBSTEPS = 10
"""Runge-Kutta steps per sample: the integration error stays far below anything a forecast could show."""


def rk4_step(f: Callable[[np.ndarray], np.ndarray], y: np.ndarray, h: float) -> np.ndarray:
    """One classical fourth-order Runge-Kutta step of y' = f(y)."""
    k1 = f(y)
    k2 = f(y + h / 2 * k1)
    k3 = f(y + h / 2 * k2)
    k4 = f(y + h * k3)
    return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def spring(t: np.ndarray) -> np.ndarray:
    """Position of a released mass on a damped spring, x'' = -(k/m) x - (c/m) x', from x = 1, v = 0.

    The state (x, v) is integrated with Runge-Kutta between the evenly spaced sample times.
    The equation is linear, so the integrator's step from one sample to the next is one fixed
    2x2 matrix: it is found once, by integrating both unit states together, then applied per sample.
    """
    motion = np.array([[0.0, 1.0], [-STIFFNESS, -DAMPING]])
    h = (t[1] - t[0]) / SPRING_SUBSTEPS if len(t) > 1 else 0.0
    step = np.eye(2)
    for _ in range(SPRING_SUBSTEPS):
        step = rk4_step(lambda y: motion @ y, step, h)
    out = np.empty(len(t))
    state = np.array([1.0, 0.0])
    for i in range(len(t)):
        out[i] = state[0]
        state = step @ state
    return out


def spring_exact(t: np.ndarray) -> np.ndarray:
    """The closed-form solution of the same underdamped spring, to check the simulation against."""
    decay = DAMPING / 2
    omega = math.sqrt(STIFFNESS - decay**2)
    return np.exp(-decay * t) * (np.cos(omega * t) + decay / omega * np.sin(omega * t))


def period(name: str) -> float:
    """Seconds per cycle: how much history a window must hold to see a whole pattern."""
    if name == "spring":
        return 2 * math.pi / math.sqrt(STIFFNESS - (DAMPING / 2) ** 2)
    return 2 * math.pi


def recurrence(name: str, dt: float) -> tuple[float, ...] | None:
    """Coefficients a_1..a_k with x_{t+1} = a_1 x_t + ... + a_k x_{t-k+1}, exact for the clean signal.

    A sampled sine of angular frequency w obeys x_{t+1} = 2cos(w dt) x_t - x_{t-1}. A sum of two
    sines needs the product of both characteristic polynomials, four terms. A damped oscillation
    x = e^{-gt} cos(wt + p) shrinks by r = e^{-g dt} a step: x_{t+1} = 2r cos(w dt) x_t - r^2 x_{t-1}.
    Square and sawtooth waves jump: only a recurrence reaching back half a period (square) or a whole one
    (sawtooth) continues them, which the window lesson states in words: None here.
    """
    if name == "sine":
        return (2 * math.cos(dt), -1.0)
    if name == "two_sines":
        a, b = 2 * math.cos(dt), 2 * math.cos(3 * dt)
        return (a + b, -(2 + a * b), a + b, -1.0)
    if name == "spring":
        decay = math.exp(-DAMPING / 2 * dt)
        return (2 * decay * math.cos(2 * math.pi / period("spring") * dt), -(decay**2))
    return None


def built_in(name: str, t: np.ndarray) -> np.ndarray:
    """The clean signal at times ``t`` (seconds)."""
    if name == "sine":
        return np.sin(t)
    if name == "two_sines":
        return np.sin(t) + 0.5 * np.sin(3 * t)
    if name == "spring":
        return spring(t)
    if name == "square":
        return np.where(np.sin(t) >= 0, 1.0, -1.0)
    if name == "sawtooth":
        return 2 * ((t / (2 * math.pi)) % 1.0) - 1
    raise ValueError(f"unknown signal {name!r}; expected one of {', '.join(BUILT_IN)}")


def add_noise(values: np.ndarray, level: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian measurement noise whose standard deviation is ``level`` times the signal's own."""
    if level <= 0:
        return values.copy()
    spread = float(np.std(values)) or 1.0
    return values + level * spread * rng.standard_normal(len(values))
