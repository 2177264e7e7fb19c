"""Export of the memory view: its figures, their data with units, the three trained cells and a script
that rebuilds the LSTM with plain torch and recomputes its held-out loss."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.export import Export
from rnnviz.core.memory_model import MEMORY_INPUTS
from rnnviz.views.memory.figures import memory_loss_curves, recall_film
from rnnviz.views.memory.findings import ANSWERS, SOLVED, finding

if TYPE_CHECKING:
    from rnnviz.views.memory.experiment import MemoryConfig, MemoryResult

REPRODUCED_CELL = "lstm"
"""The cell reproduce.py rebuilds: the one that remembers, whose held-out loss is worth checking."""

SCRIPT = Path(__file__).with_name("reproduce.py")
"""Plain torch, shipped as is: it reads the cell and size from model.json, the sequences from held_out.json."""


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


def export_memory(cfg: MemoryConfig, res: MemoryResult) -> Export:
    return Export(
        figures={
            "Training loss against chance": memory_loss_curves(
                {cell: r.history for cell, r in res.runs.items()}, res.chance_loss, SOLVED, finding(res)
            ),
            "Held-out answers through training": recall_film(res),
        },
        tables=tables(res),
        weights={f"{cell}.{k}": v for cell, r in res.runs.items() for k, v in r.model.state_dict().items()},
        reproduce=SCRIPT.read_text(),
        files={
            "model.json": json.dumps(
                {"cell": REPRODUCED_CELL, "inputs": MEMORY_INPUTS, "hidden": cfg.hidden}
            ).encode(),
            "held_out.json": json.dumps({"x": res.inputs.tolist(), "y": res.target.tolist()}).encode(),
        },
    )
