"""What the memory view reports and exports: its numbers for --json, its figures, their data with units,
the three trained cells and a script that rebuilds the LSTM with plain torch and recomputes its held-out loss."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.export import Export
from rnnviz.core.memory_model import MEMORY_INPUTS, shared_schedule
from rnnviz.views.memory.figures import memory_loss_curves, recall_film
from rnnviz.views.memory.lessons import ANSWERS, ONE_VALUE, SOLVED, headline_claim, share_of_chance, verdict
from rnnviz.views.memory.result import HEADLINE_CELL, HEADLINE_METRIC, MemoryResult
from rnnviz.views.memory.settings import MemoryConfig

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text()
"""Plain torch, shipped as is: it reads the cell and size from model.json, the sequences from held_out.json."""


def timeline_json(res: MemoryResult) -> list[dict]:
    """One entry per snapshot step the three cells share: each cell's training loss, held-out loss and answers."""
    timelines = {cell: r.history.timeline for cell, r in res.runs.items()}
    entries = []
    for step, index in shared_schedule(timelines):
        frames = {cell: timelines[cell].frames[i] for cell, i in index.items()}
        entries.append(
            {
                "step": step,
                "loss": {cell: timelines[cell].loss[i] for cell, i in index.items()},
                "held_out_loss": {cell: f["held_out_loss"] for cell, f in frames.items()},
                "answers": {cell: f["answers"] for cell, f in frames.items()},
            }
        )
    return entries


def report(cfg: MemoryConfig, res: MemoryResult) -> dict[str, Any]:
    return {
        "metrics": {
            "final_loss": {cell: r.final_loss for cell, r in res.runs.items()},
            "held_out_loss": {cell: r.held_out_loss for cell, r in res.runs.items()},
            HEADLINE_METRIC: res.runs[HEADLINE_CELL].held_out_loss,
            "chance_loss": res.chance_loss,
            "loss_over_chance": {cell: res.ratio(cell) for cell in res.runs},
            "held_out_over_chance": {cell: share_of_chance(res, cell).json() for cell in res.runs},
            "verdict": {cell: verdict(res, cell) for cell in res.runs},
            "steps": {cell: r.history.steps for cell, r in res.runs.items()},
            "stop": {cell: r.history.stop for cell, r in res.runs.items()},
        },
        "held_out_target": res.target,
        "timeline": timeline_json(res),
    }


def tables(res: MemoryResult) -> dict[str, pd.DataFrame]:
    answer = ANSWERS[res.task]
    losses = pd.DataFrame(
        [
            {
                "cell": CELL_TABLE[cell].short,
                "training step (step)": step,
                "training loss (mean squared error)": v,
            }
            for cell, r in res.runs.items()
            for step, v in enumerate(r.history.loss, start=1)
        ]
    )
    sequences = np.arange(1, len(res.target) + 1)
    answers = pd.DataFrame(
        {
            "held-out sequence (#)": sequences,
            f"target ({answer})": res.target,
            **{f"answer {CELL_TABLE[c].short} ({answer})": r.prediction for c, r in res.runs.items()},
        }
    )
    film = pd.DataFrame(
        [
            {
                "training step (step)": step,
                "cell": CELL_TABLE[cell].short,
                "held-out sequence (#)": n,
                f"answer ({answer})": float(a),
            }
            for cell, r in res.runs.items()
            for step, frame in zip(r.history.timeline.steps, r.history.timeline.frames, strict=True)
            for n, a in zip(sequences, frame["answers"], strict=True)
        ]
    )
    return {"training_loss": losses, "held_out_answers": answers, "answers_through_training": film}


def export(cfg: MemoryConfig, res: MemoryResult) -> Export:
    return Export(
        figures={
            "Training loss against chance": memory_loss_curves(
                {cell: r.history for cell, r in res.runs.items()},
                res.chance_loss,
                SOLVED,
                headline_claim(res).text,
                ONE_VALUE.get(res.task),
            ),
            "Held-out answers through training": recall_film(res),
        },
        tables=tables(res),
        weights={f"{cell}.{k}": v for cell, r in res.runs.items() for k, v in r.model.state_dict().items()},
        reproduce=REPRODUCE,
        files={
            "model.json": json.dumps(
                {"cell": HEADLINE_CELL, "inputs": MEMORY_INPUTS, "hidden": cfg.hidden}
            ).encode(),
            "held_out.json": json.dumps({"x": res.inputs.tolist(), "y": res.target.tolist()}).encode(),
        },
    )
