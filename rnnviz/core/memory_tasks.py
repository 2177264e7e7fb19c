"""Long-range memory tasks: synthetic sequences whose answer depends on a step far in the past.

Each generator returns float32 arrays x (batch, length, 2) and y (batch, 1) from a NumPy
Generator, so data is reproducible from the seed and independent of torch's RNG.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import Tensor

MEMORY_TASKS = {"copy": "Copy-first: recall the first value", "adding": "Adding: sum the two marked values"}

NOISE_STD = 1.0
"""Standard deviation of the noise that follows copy-first's value: as loud as the value itself."""


def copy_first(batch: int, length: int, rng: np.random.Generator, noise_std: float = NOISE_STD):
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


MEMORY_LENGTHS = {"copy": (10, 30, 50, 100), "adding": (10, 50, 100, 200)}
"""The lengths each task is usually compared at: short enough for any cell, then past a vanilla RNN's reach."""


def memory_batch(
    task: str, batch: int, length: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if task == "copy":
        return copy_first(batch, length, rng)
    if task == "adding":
        return adding(batch, length, rng)
    raise ValueError(f"unknown memory task {task!r}; expected one of {', '.join(MEMORY_TASKS)}")


def memory_batches(
    task: str, batch: int, length: int, rng: np.random.Generator
) -> Iterator[tuple[Tensor, Tensor]]:
    """Fresh batches forever: every step sees new data, so the training loss is also a test loss."""
    while True:
        x, y = memory_batch(task, batch, length, rng)
        yield torch.from_numpy(x), torch.from_numpy(y)
