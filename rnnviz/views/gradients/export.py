"""Export of the gradients view: its figures, their data with units, the measured cells' weights and a
script that rebuilds the chosen cell with plain torch and recomputes its decay ratio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.export import Export
from rnnviz.core.memory_model import MEMORY_INPUTS
from rnnviz.views.gradients import bptt
from rnnviz.views.gradients.figures import (
    clipping_figure,
    clipping_title,
    decay_film,
    products_figure,
)
from rnnviz.views.gradients.jacobians import product_curves

if TYPE_CHECKING:
    from rnnviz.views.gradients.experiment import GradientsConfig, GradientsResult

SCRIPT = Path(__file__).with_name("reproduce.py")
"""Plain torch, shipped as is: it reads the cell and size from model.json, the sequences from probe.json."""

NORM = "‖∂L/∂h_t‖ (mean over the probe sequences)"


def tables(
    cfg: GradientsConfig, res: GradientsResult, curves: dict[float, np.ndarray]
) -> dict[str, pd.DataFrame]:
    length = len(res.curves[res.cell].norms)
    norms = pd.DataFrame(
        {
            "step t (step)": np.arange(1, length + 1),
            "distance from the loss T − t (steps)": np.arange(length)[::-1],
            **{f"{NORM} {CELL_TABLE[c].short}": curve.norms for c, curve in res.curves.items()},
        }
    )
    if res.bound is not None:
        norms[f"vanilla bound {CELL_TABLE[res.bound_cell].short} (‖W_hh‖·max|φ'|)^k"] = res.bound.values
    out = {"grad_norms": norms}
    if all(c.history is not None for c in res.curves.values()):
        out["grad_norms_through_training"] = pd.DataFrame(
            [
                {"training step (step)": s, "cell": CELL_TABLE[c].short, "step t (step)": t, NORM: v}
                for c, curve in res.curves.items()
                for s, frame in zip(curve.history.timeline.steps, curve.history.timeline.frames, strict=True)
                for t, v in enumerate(frame["grad_norms"], start=1)
            ]
        )
    out["jacobian_products"] = pd.DataFrame(
        {
            "multiplications n (steps)": np.arange(cfg.product_steps + 1),
            **{f"‖(aW)ⁿv‖ / ‖v‖ at a = {a:g} (ratio)": v for a, v in curves.items()},
        }
    )
    out["clipping"] = pd.DataFrame(
        [
            {
                "run": name,
                "training step (step)": i,
                "loss (mean squared error)": loss,
                "gradient norm before clipping (‖∇θ L‖)": before,
                "gradient norm applied (‖∇θ L‖)": applied,
            }
            for name, hist in (
                ("no clipping", res.clip_free),
                (f"clipped at {cfg.max_norm:g}", res.clip_clipped),
            )
            for i, (loss, before, applied) in enumerate(
                zip(hist.loss, hist.grad_norm, hist.clipped_norm, strict=False), start=1
            )
        ]
    )
    out["bptt_by_hand_norms"] = bptt.norms_table(res.by_hand)
    out["bptt_by_hand_differences"] = bptt.differences_table(res.by_hand)
    return out


def export_gradients(cfg: GradientsConfig, res: GradientsResult) -> Export:
    curves = product_curves(cfg.product_scale, cfg.product_steps, cfg.hidden, cfg.seed)
    free, clipped = res.clip_free, res.clip_clipped
    return Export(
        figures={
            "How far back the loss reaches": decay_film(res, list(res.curves), show_bound=True),
            "A product of Jacobians": products_figure(curves, cfg.product_scale),
            "Clipping tames explosion": clipping_figure(
                free, clipped, cfg.max_norm, clipping_title(free, clipped, cfg.max_norm)
            ),
        },
        tables=tables(cfg, res, curves),
        weights={
            f"{c}.{k}": v for c, curve in res.curves.items() for k, v in curve.model.state_dict().items()
        },
        reproduce=SCRIPT.read_text(),
        files={
            "model.json": json.dumps(
                {"cell": res.cell, "inputs": MEMORY_INPUTS, "hidden": cfg.hidden}
            ).encode(),
            "probe.json": json.dumps({"x": res.probe_x.tolist(), "y": res.probe_y[:, 0].tolist()}).encode(),
        },
    )
