"""What the gradients view reports and exports: its numbers for --json, its figures, their data with
units, the measured cells' weights and a script that rebuilds the chosen cell with plain torch and
recomputes its decay ratio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.export import Export
from rnnviz.core.fit import FINAL_LOSS_TAIL
from rnnviz.core.memory_model import MEMORY_INPUTS, shared_schedule
from rnnviz.views.gradients.bptt import differences_table, norms_table
from rnnviz.views.gradients.figures import clipping_figure, decay_film, products_figure, reader_products
from rnnviz.views.gradients.lessons import CLIPPING_HEADER, clipping_claim
from rnnviz.views.gradients.result import GradientsResult
from rnnviz.views.gradients.settings import GradientsConfig

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text()
"""Plain torch, shipped as is: it reads the cell and size from model.json, the sequences from probe.json."""

NORM = "‖∂L/∂h_t‖ (mean over the probe sequences)"


def timeline_json(res: GradientsResult) -> list[dict]:
    """One entry per snapshot step the trained cells share: each cell's training loss and norm curve.

    An untrained network has one entry, at step 0, with no training loss.
    """
    if not res.trained:
        return [
            {
                "step": 0,
                "loss": {cell: None for cell in res.curves},
                "grad_norms": {cell: c.norms for cell, c in res.curves.items()},
            }
        ]
    timelines = {cell: c.history.timeline for cell, c in res.curves.items()}
    return [
        {
            "step": step,
            "loss": {cell: timelines[cell].loss[i] for cell, i in index.items()},
            "grad_norms": {cell: timelines[cell].frames[i]["grad_norms"] for cell, i in index.items()},
        }
        for step, index in shared_schedule(timelines)
    ]


def report(cfg: GradientsConfig, res: GradientsResult) -> dict[str, Any]:
    chosen = res.curves[res.cell]
    return {
        "grad_norms": chosen.norms,
        "metrics": {
            "decay_ratio": chosen.decay.decay_ratio,
            "per_step_factor": chosen.decay.per_step,
            "vanish_distance": chosen.decay.vanish_distance,
            "overflow_distance": chosen.decay.overflow_distance,
            "spectral_radius": chosen.radius,
            "decay_ratio_by_cell": {c: curve.decay.decay_ratio for c, curve in res.curves.items()},
            "bound_factor": res.bound.factor if res.bound is not None else None,
            "clipping": {
                "diverged_at_without_clipping": res.clip_free.diverged_at,
                "diverged_at_with_clipping": res.clip_clipped.diverged_at,
                "final_loss_with_clipping": res.clip_clipped.final_loss(FINAL_LOSS_TAIL),
                "max_grad_norm_without_clipping": max(res.clip_free.grad_norm, default=None),
            },
            "bptt_by_hand_max_difference": max(res.by_hand.max_difference.values()),
        },
        "timeline": timeline_json(res),
    }


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
    if res.trained:
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
    out["bptt_by_hand_norms"] = norms_table(res.by_hand)
    out["bptt_by_hand_differences"] = differences_table(res.by_hand)
    return out


def export(cfg: GradientsConfig, res: GradientsResult) -> Export:
    curves = reader_products(cfg)
    free, clipped = res.clip_free, res.clip_clipped
    return Export(
        figures={
            "How far back the loss reaches": decay_film(res, list(res.curves), show_bound=True),
            "A product of Jacobians": products_figure(curves, cfg.product_scale),
            CLIPPING_HEADER: clipping_figure(free, clipped, cfg.max_norm, clipping_claim(cfg, res).text),
        },
        tables=tables(cfg, res, curves),
        weights={
            f"{c}.{k}": v for c, curve in res.curves.items() for k, v in curve.model.state_dict().items()
        },
        reproduce=REPRODUCE,
        files={
            "model.json": json.dumps(
                {"cell": res.cell, "inputs": MEMORY_INPUTS, "hidden": cfg.hidden}
            ).encode(),
            "probe.json": json.dumps({"x": res.probe_x.tolist(), "y": res.probe_y[:, 0].tolist()}).encode(),
        },
    )
