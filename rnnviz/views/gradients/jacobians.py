"""Repeated multiplication by one matrix: the skeleton of backpropagation through time.

A vanilla cell's gradient is multiplied by (a slope times) the same W_hh at every step back, so
its size follows ||W^k v||, which shrinks or grows like rho(W)^k. Computed in float64, which holds
values down to about 1e-308: at scale 0.5 the norm falls below float32's smallest normal number
(about 1e-38) after 126 steps, and float64 still measures it after 500 (about 3e-151).
"""

from __future__ import annotations

import numpy as np

PRESET_SCALES = (0.5, 1.0, 1.5)


def random_matrix(size: int, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian matrix divided by its spectral radius, so that ``scale * W`` has radius ``scale``."""
    w = rng.normal(0.0, 1.0, (size, size))
    return w / np.abs(np.linalg.eigvals(w)).max()


def product_norms(w: np.ndarray, v: np.ndarray, scale: float, steps: int) -> np.ndarray:
    """||(scale W)^k v|| / ||v|| for k = 0..steps."""
    out = np.empty(steps + 1)
    out[0] = 1.0
    m = scale * w
    u = v / np.linalg.norm(v)
    for k in range(1, steps + 1):
        u = m @ u
        out[k] = np.linalg.norm(u)
    return out


def jacobian_products(scales: tuple[float, ...], steps: int, size: int, seed: int) -> dict[float, np.ndarray]:
    """One random W and start vector (fixed by the seed) at several scales, so only the scale differs."""
    rng = np.random.default_rng(seed)
    w = random_matrix(size, rng)
    v = rng.normal(0.0, 1.0, size)
    return {s: product_norms(w, v, s, steps) for s in scales}


def product_curves(yours: float, steps: int, size: int, seed: int) -> dict[float, np.ndarray]:
    """The preset scales' curves and the reader's own scale's, on the same W and start vector."""
    return jacobian_products((*PRESET_SCALES, yours), steps, size, seed)
