"""Long-range memory tasks: synthetic sequences whose answer depends on a step far in the past.

Each generator returns float32 arrays x (batch, length, 2) and y (batch, 1) from a NumPy
Generator, so data is reproducible from the seed and independent of torch's RNG.
"""

from __future__ import annotations

import numpy as np

MEMORY_TASKS = {"copy": "Copy-first: recall the first value", "adding": "Adding: sum the two marked values"}


def copy_first(batch: int, length: int, rng: np.random.Generator, noise_std: float = 1.0):
    """Channel 0: a value at t=0, then noise; channel 1 flags t=0. Target: the first value.

    The value is standard normal, so always predicting 0 scores MSE 1: the chance level.
    """
    x = np.zeros((batch, length, 2), dtype=np.float32)
    x[:, :, 0] = rng.normal(0.0, noise_std, (batch, length))
    first = rng.normal(0.0, 1.0, batch).astype(np.float32)
    x[:, 0, 0] = first
    x[:, 0, 1] = 1.0
    return x, first[:, None]


def adding(batch: int, length: int, rng: np.random.Generator):
    """Channel 0: uniform values; channel 1 marks one step in each half. Target: their sum.

    Always predicting 1 scores MSE 1/6 (the variance of a sum of two uniforms): the chance level.
    """
    x = np.zeros((batch, length, 2), dtype=np.float32)
    x[:, :, 0] = rng.uniform(0.0, 1.0, (batch, length))
    half = max(1, length // 2)
    first = rng.integers(0, half, batch)
    second = rng.integers(half, length, batch) if length > 1 else first
    rows = np.arange(batch)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = x[rows, first, 0] + np.where(second != first, x[rows, second, 0], 0.0)
    return x, y[:, None].astype(np.float32)


CHANCE_LOSS = {"copy": 1.0, "adding": 1.0 / 6.0}
"""MSE of the best constant guess: the line a model must beat to have remembered anything."""
