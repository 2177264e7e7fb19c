"""The view's download: figures, their data as CSV, the packed reader's weights and reproduce.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.pytorch import figures, padding
from rnnviz.views.pytorch.carried import CHUNK, TRUNCATIONS
from rnnviz.views.pytorch.readers import READERS
from rnnviz.views.pytorch.shapes import explore, setup_of

if TYPE_CHECKING:
    from rnnviz.views.pytorch.experiment import PytorchConfig, PytorchResult

SCRIPT = Path(__file__).with_name("reproduce_script.py")
"""reproduce.py, kept as a readable script that the tests also run."""
INPUTS_FILE = "test_sentences.json"


def export(cfg: PytorchConfig, res: PytorchResult) -> Export:
    explored = explore(setup_of(cfg))
    tl = res.history.timeline
    timeline = pd.DataFrame(
        {
            "step (batches)": tl.steps,
            "mean training loss (nats)": tl.loss,
            **{
                f"validation accuracy {READERS[name]} (share)": [f["val_accuracy"][name] for f in tl.frames]
                for name in READERS
            },
        }
    )
    readers = pd.DataFrame(
        {
            "reader": list(READERS.values()),
            "test accuracy (share)": [res.test_accuracy[n] for n in READERS],
            "time per epoch (s)": [res.epoch_seconds[n] for n in READERS],
        }
    )
    truncation = pd.DataFrame(
        [
            {"way of carrying the state": TRUNCATIONS[t.mode], "chunk": k + 1, "time (ms)": ms}
            for t in res.truncations
            for k, ms in enumerate(t.milliseconds)
        ]
    )
    positions = pd.DataFrame(
        {
            "position in chunk (character)": range(1, CHUNK + 1),
            **{f"held-out loss, {figures.STATE_NAMES[r.stateful]} (nats)": r.by_position for r in res.chars},
        }
    )
    packed = res.readers.readers["packed"]
    inputs = {
        "cell": cfg.reader_cell,
        "bidirectional": cfg.reader_bidirectional,
        "vocab_size": len(res.data.vocab),
        "embed": padding.EMBED,
        "hidden": padding.HIDDEN,
        "batch": padding.BATCH,
        "ids": [res.data.ids[i] for i in res.data.test],
        "labels": [int(res.data.labels[i]) for i in res.data.test],
    }
    return Export(
        figures={
            "Tensor shapes": figures.shapes_figure(explored.setup),
            "Which slice of output is h_n": figures.slices_figure(explored),
            "Padding readers through training": figures.accuracy_film(res.history),
            "Accuracy and time per epoch": figures.readers_figure(
                res.test_accuracy, res.epoch_seconds, padding.chance(res.data)
            ),
            "Where the summary is": figures.where_figure(res.where),
            "Truncated backpropagation": figures.truncation_figure(res.truncations),
            "Carried state on Hamlet": figures.positions_figure(res.chars),
        },
        tables={
            "readers_timeline": timeline,
            "readers": readers,
            "truncation": truncation,
            "carried_state": positions,
        },
        weights=packed.state_dict(),
        reproduce=SCRIPT.read_text(encoding="utf-8"),
        files={INPUTS_FILE: json.dumps(inputs).encode()},
    )
