"""What a run of the PyTorch view gives away: the --json report, and the download (figures, their data as
CSV, the packed reader's weights and reproduce.py, which recomputes its test accuracy with plain torch)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.pytorch.carried import CHUNK, TRUNCATIONS
from rnnviz.views.pytorch.corrections import (
    carried_graph,
    clipping,
    derivative_peaks,
    gru_conventions,
    scaler_leak,
)
from rnnviz.views.pytorch.figures import (
    STATE_NAMES,
    accuracy_film,
    positions_figure,
    readers_figure,
    shapes_figure,
    slices_figure,
    truncation_figure,
    where_figure,
)
from rnnviz.views.pytorch.padding import BATCH, EMBED, HIDDEN
from rnnviz.views.pytorch.readers import READERS
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import PytorchConfig
from rnnviz.views.pytorch.shapes import explore, setup_of

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""reproduce.py, kept as a readable script beside this module."""
INPUTS_FILE = "test_sentences.json"
"""What reproduce.py reads besides the weights: the settings and the test sentences as token ids."""


def report(cfg: PytorchConfig, res: PytorchResult) -> dict[str, Any]:
    """The shapes of the explored module, the readers' and character models' numbers and the corrections."""
    explored = explore(setup_of(cfg))
    derivative = derivative_peaks()
    vanishing, exploding = clipping()
    metrics = {
        "padding_accuracy": res.test_accuracy,
        "epoch_seconds": res.epoch_seconds,
        "packed_test_accuracy": res.test_accuracy["packed"],
        "padding_tokens_read": res.padding_read,
        "stateful_loss": res.stateful.held_out_loss,
        "stateless_loss": res.stateless.held_out_loss,
        "train_seconds": round(res.history.seconds, 1),
        "n_train": len(res.data.train),
        "n_test": len(res.data.test),
    }
    return {
        "shapes": {name: list(size) for name, size in explored.measured.items()},
        "metrics": metrics,
        "where": [dataclasses.asdict(w) for w in res.where],
        "truncation": {
            t.mode: {"milliseconds": list(t.milliseconds), "error": t.error} for t in res.truncations
        },
        "corrections": {
            "tanh_derivative_peak": derivative.tanh_peak,
            "sigmoid_derivative_peak": derivative.sigmoid_peak,
            "clipping": {c.case: dataclasses.asdict(c) for c in (vanishing, exploding)},
            "carried_state_reaches_first_chunk": carried_graph().reaches_first_chunk,
            "gru": dataclasses.asdict(gru_conventions()),
            "scaler": dataclasses.asdict(scaler_leak()),
        },
    }


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
            **{f"held-out loss, {STATE_NAMES[r.stateful]} (nats)": r.by_position for r in res.chars},
        }
    )
    packed = res.readers.readers["packed"]
    inputs = {
        "cell": cfg.reader_cell,
        "bidirectional": cfg.reader_bidirectional,
        "vocab_size": len(res.data.vocab),
        "embed": EMBED,
        "hidden": HIDDEN,
        "batch": BATCH,
        "ids": [res.data.ids[i] for i in res.data.test],
        "labels": [int(res.data.labels[i]) for i in res.data.test],
    }
    return Export(
        figures={
            "Tensor shapes": shapes_figure(explored.setup),
            "Which slice of output is h_n": slices_figure(explored),
            "Padding readers through training": accuracy_film(res.history),
            "Accuracy and time per epoch": readers_figure(res.test_accuracy, res.epoch_seconds, res.chance),
            "Where the summary is": where_figure(res.where),
            "Truncated backpropagation": truncation_figure(res.truncations),
            "Carried state on Hamlet": positions_figure(res.chars),
        },
        tables={
            "readers_timeline": timeline,
            "readers": readers,
            "truncation": truncation,
            "carried_state": positions,
        },
        weights=packed.state_dict(),
        reproduce=REPRODUCE,
        files={INPUTS_FILE: json.dumps(inputs).encode()},
    )
