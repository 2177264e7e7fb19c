"""What gates do, in numbers: saturation, the memory-gate highway, influential units, parameters per gate block."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnviz.core.cells import CELLS, GATES, SIGNED_GATES, count_parameters, make_rnn

SATURATION_MARGIN = 0.1
"""A sigmoid gate is saturated below 0.1 or above 0.9; a tanh value below -0.9 or above 0.9.

There the nonlinearity is nearly flat: the gate acts as a switch, fully shut or fully open.
"""

"""The state that the memory gate (MEMORY_GATE) carries forward: the LSTM's cell state, the GRU's hidden state."""

COMPARED_CELLS = ("rnn", "lstm", "gru")


def _ends(signed: bool) -> tuple[float, float]:
    """The gate's saturated ends: values below the first or above the second."""
    top = 1.0 - SATURATION_MARGIN
    return (-top if signed else SATURATION_MARGIN), top


def saturation(values: np.ndarray, signed: bool = False) -> dict[str, float]:
    """Shares of values at the low and high ends of the gate's range."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return {"low": 0.0, "high": 0.0}
    bottom, top = _ends(signed)
    return {"low": float(np.mean(v < bottom)), "high": float(np.mean(v > top))}


def gate_saturation(gates: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    return {g: saturation(v, signed=g in SIGNED_GATES) for g, v in gates.items()}


def saturated_share(sat: Mapping[str, Mapping[str, float]]) -> float:
    """Mean share of saturated values over the sigmoid gates: one number for 'how switch-like'."""
    shares = [s["low"] + s["high"] for g, s in sat.items() if g not in SIGNED_GATES]
    return float(np.mean(shares)) if shares else 0.0


def saturated_per_item(gates: Mapping[str, np.ndarray], real: np.ndarray | None = None) -> np.ndarray:
    """One score per held-out item whose mean is the saturated share of ``gates`` (float32).

    ``gates`` are (items, time, units); ``real`` (items, time) marks the steps that count (a padded
    sentence's real words). Each item scores its saturated sigmoid-gate values divided by the mean
    number of values per item, so that a paired bootstrap over items resamples the pooled share, and
    items of unequal length weigh by their length, as in :func:`saturated_share`.
    """
    sigmoid = [np.asarray(v) for g, v in gates.items() if g not in SIGNED_GATES]
    if not sigmoid:
        return np.zeros(0, dtype=np.float32)
    items, steps, units = sigmoid[0].shape
    real = np.ones((items, steps), dtype=bool) if real is None else np.asarray(real, dtype=bool)
    bottom, top = _ends(signed=False)
    counts = np.mean(
        [(((v < bottom) | (v > top)) & real[..., None]).sum(axis=(1, 2)) for v in sigmoid], axis=0
    )
    per_item = real.sum(axis=1).mean() * units
    return (counts / per_item if per_item else np.zeros(items)).astype(np.float32)


def highway(keep: np.ndarray) -> np.ndarray:
    """Running product of the memory gate from step 1: entry t is the product of keep_2 ... keep_t.

    ``keep`` is (time, units). Along the carried state's own path, c_t = f_t * c_(t-1) + ...,
    so d c_t / d c_1 through that path is exactly this product: what survives of step 1's
    memory, and of a gradient sent back from step t to step 1, when nothing else intervenes.
    """
    keep = np.asarray(keep, dtype=np.float64)
    out = np.ones_like(keep)
    if keep.shape[0] > 1:
        out[1:] = np.cumprod(keep[1:], axis=0)
    return out


def influential_units(h: np.ndarray, readout: np.ndarray) -> tuple[int, ...]:
    """Units ranked by how much the prediction varies with them: Var(w_u * h_u) across samples.

    ``h`` is (samples, units), the states the read-out sees. A unit stuck at one value only
    shifts the output; the units whose contribution varies are where the answer is stored.
    """
    contribution = np.asarray(h) * np.asarray(readout)[None, :]
    spread = contribution.var(axis=0)
    return tuple(int(u) for u in np.argsort(-spread, kind="stable"))


def parameter_table(input_size: int, hidden: int) -> dict[str, dict]:
    """Parameters per gate block and in total, counted on real torch modules of each cell type.

    Torch stacks a cell's gate blocks along the first axis of every weight and bias, so a
    block's share is the matching slice of each tensor.
    """
    table = {}
    for cell in COMPARED_CELLS:
        module = make_rnn(cell, input_size, hidden)
        names = GATES[cell] or ("h",)
        blocks = {
            name: sum(p.split(hidden)[k].numel() for p in module.parameters()) for k, name in enumerate(names)
        }
        table[cell] = {"blocks": blocks, "total": count_parameters(module)}
    return table


def parameter_rows(table: Mapping[str, Mapping]) -> list[dict[str, object]]:
    """The comparison table as rows for display, each cell's total set against the LSTM's."""
    lstm = table["lstm"]["total"]
    rows = []
    for cell, row in table.items():
        blocks = row["blocks"]
        rows.append(
            {
                "cell": CELLS[cell],
                "gate blocks": f"{len(blocks)} ({', '.join(blocks)})",
                "parameters per block": max(blocks.values()),
                "total": row["total"],
                "vs LSTM": "same" if row["total"] == lstm else f"{row['total'] / lstm - 1:+.0%}",
            }
        )
    return rows
