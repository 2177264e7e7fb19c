"""One seed for everything, so the same Config gives the same model, numbers and pictures."""

from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> np.random.Generator:
    """Seed torch and Python, and return a NumPy generator for data (never the global one)."""
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)
