"""What the unroll view reports (--json) and offers for download: its figures, their data, the weights
and reproduce.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnviz.core.cells import GATES
from rnnviz.core.export import Export
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.views.unroll.figures import hidden_film, predictions_film, unrolled_diagram, weight_heatmaps
from rnnviz.views.unroll.result import UnrollResult, hidden_of
from rnnviz.views.unroll.settings import UnrollConfig

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""A plain-torch script kept as a real file in this package, so it stays readable and linted."""

SEQUENCE_FILE = "sequence.json"


def report(cfg: UnrollConfig, res: UnrollResult) -> dict[str, Any]:
    """The --json report: the top layer's states and guesses, and the numbers of the run."""
    top = -1
    out = {
        "tokens": list(res.tokens),
        "hidden": res.states.h[top],
        "predictions": res.final["predictions"],
        "metrics": {
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "loss_after_training": res.loss_after,
            "train_steps": res.history.steps,
            "spectral_radius": list(res.radius),
            "params": res.params,
            "fused_gap": res.fused_gap,
        },
    }
    if res.states.c is not None:
        out["cell"] = res.states.c[top]
    if GATES[res.states.cell]:
        out["gates"] = {g: v[top] for g, v in res.states.gates.items()}
    return out


def state_unit(cell: str) -> str:
    """The range of a hidden state's values, for column names: a ReLU state is unbounded above."""
    return "activation, 0 and up" if cell == "rnn_relu" else "activation, -1..1"


def hidden_table(res: UnrollResult, cell: str) -> pd.DataFrame:
    """The trained model's hidden state at every time step of every layer, one column per unit."""
    layers, steps, units = res.states.h.shape
    unit = state_unit(cell)
    return pd.DataFrame(
        {
            "layer": np.repeat(np.arange(1, layers + 1), steps),
            "step (t)": np.tile(np.arange(1, steps + 1), layers),
            "token": list(res.tokens) * layers,
            **{f"h_{u} ({unit})": res.states.h[:, :, u].ravel() for u in range(units)},
        }
    )


def film_table(res: UnrollResult, cell: str) -> pd.DataFrame:
    """The hidden states at every training snapshot: the data of the training film."""
    timeline = res.history.timeline
    unit = state_unit(cell)
    rows = []
    for step, loss, frame in zip(timeline.steps, timeline.loss, timeline.frames, strict=True):
        for layer in range(res.states.h.shape[0]):
            h = hidden_of(frame, layer)
            for t, token in enumerate(res.tokens):
                rows.append(
                    {
                        "training step": step,
                        "training loss": loss,
                        "layer": layer + 1,
                        "step (t)": t + 1,
                        "token": token,
                        **{f"h_{u} ({unit})": h[t, u] for u in range(h.shape[1])},
                    }
                )
    return pd.DataFrame(rows)


def predictions_table(res: UnrollResult) -> pd.DataFrame:
    """The trained model's guess after each step beside what actually came next."""
    steps = len(res.tokens)
    table = {
        "step (t)": np.arange(1, steps + 1),
        "token read": list(res.tokens),
        "actual next token": [*res.tokens[1:], ""],
        "guessed next token": list(res.predictions),
    }
    if res.numeric:
        table["guessed next value"] = np.asarray(res.final["predictions"], dtype=float)
    else:
        table["probability of the actual next token (0..1)"] = [*res.final["p_next"], np.nan]
    return pd.DataFrame(table)


def sequence_json(cfg: UnrollConfig, res: UnrollResult) -> bytes:
    """What reproduce.py reads: the sequence and the shape of the network."""
    numbers = res.x[:, 0].astype(float).tolist() if res.numeric else None
    return json.dumps(
        {
            "cell": cfg.cell,
            "hidden": cfg.hidden,
            "layers": cfg.layers,
            "tokens": list(res.tokens),
            "vocab": list(res.vocab),
            "numbers": numbers,
        },
        ensure_ascii=False,
        indent=1,
    ).encode()


def export(cfg: UnrollConfig, res: UnrollResult) -> Export:
    timeline = res.history.timeline
    s = res.states
    figures = {
        "The network unrolled": unrolled_diagram(
            s.h[0], res.tokens, 0, cfg.cell, s.c[0] if s.c is not None else None, res.predictions
        ),
        **{
            f"Hidden state of layer {k + 1} through training": hidden_film(timeline, res.final, k, res.tokens)
            for k in range(cfg.layers)
        },
        "Next-token guesses through training": predictions_film(timeline, res.final, res.tokens, res.values),
    }
    if s.c is not None:
        figures["Cell state"] = state_heatmap(
            s.c[-1],
            res.tokens,
            title="Cell state c of the top layer: the LSTM's additive memory lane",
            name="c",
        )
    fig_x, fig_h = weight_heatmaps(res.weights[0], cfg.cell, res.radius[0], res.vocab)
    figures |= {"Input weights W_xh": fig_x, "Recurrent weights W_hh": fig_h, "Loss": loss_curve(res.history)}
    loss_name = "mean squared error" if res.numeric else "cross-entropy, nats"
    return Export(
        figures=figures,
        tables={
            "hidden_states": hidden_table(res, cfg.cell),
            "hidden_states_through_training": film_table(res, cfg.cell),
            "predictions": predictions_table(res),
            "loss": pd.DataFrame(
                {
                    "training step": np.arange(1, res.history.steps + 1),
                    f"training loss ({loss_name})": res.history.loss,
                }
            ),
        },
        weights=res.model_state,
        reproduce=REPRODUCE,
        files={SEQUENCE_FILE: sequence_json(cfg, res)},
    )
