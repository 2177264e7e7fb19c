"""The run: three padding readers trained side by side with a snapshot of their validation accuracy,
then two character models on Hamlet (a carried state or none) and the truncated-backpropagation timings.

Each training gets its share of the training budget (``BUDGET_SHARES``), so the whole run fits in one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.classifier import pad
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit, stage_progress
from rnnviz.core.seeding import seed_everything
from rnnviz.views.pytorch.carried import TRUNCATIONS, play, train_chars, truncation
from rnnviz.views.pytorch.padding import (
    BATCH,
    LR,
    Readers,
    Sentences,
    accuracy,
    correct,
    epoch_seconds,
    padding_read,
    sentences,
    shuffled_batches,
    where_summaries,
)
from rnnviz.views.pytorch.readers import READERS
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import BUDGET_SHARES, PytorchConfig


@dataclass(frozen=True, eq=False)
class TrainedReaders:
    readers: Readers
    history: History
    losses: dict[str, list[float]]
    """Each reader's own training loss at every step."""
    capture_seconds: float
    """Time spent recording the timeline, to report what it costs."""


def train_readers(
    data: Sentences,
    cell: str,
    *,
    bidirectional: bool,
    epochs: int,
    seed: int,
    rng: np.random.Generator,
    on_progress: ProgressFn | None,
) -> TrainedReaders:
    """The three readers in one fit loop; each snapshot scores them on the validation sentences."""
    model = Readers(len(data.vocab), cell, bidirectional=bidirectional, seed=seed)
    losses: dict[str, list[float]] = {name: [] for name in READERS}
    targets = torch.as_tensor(data.labels, dtype=torch.float32)

    def loss_fn(rows: np.ndarray) -> Tensor:
        ids, lengths = pad([data.ids[i] for i in rows])
        total = torch.zeros(())
        for name, reader in model.readers.items():
            loss = nn.functional.binary_cross_entropy_with_logits(reader(ids, lengths), targets[rows])
            losses[name].append(float(loss.detach()))
            total = total + loss
        return total / len(READERS)

    spent = {"capture": 0.0}

    def capture() -> dict:
        tic = time.monotonic()
        frame = {"val_accuracy": {name: accuracy(r, data, data.val) for name, r in model.readers.items()}}
        spent["capture"] += time.monotonic() - tic
        return frame

    steps_per_epoch = -(-len(data.train) // BATCH)
    history = fit(
        model,
        loss_fn,
        shuffled_batches(data.train, epochs, rng),
        total_steps=epochs * steps_per_epoch,
        lr=LR,
        on_progress=on_progress,
        budget_share=BUDGET_SHARES["padding"],
        capture=capture,
    )
    return TrainedReaders(model, history, losses, spent["capture"])


def run(cfg: PytorchConfig, on_progress: ProgressFn | None = None) -> PytorchResult:
    rng = seed_everything(cfg.seed)
    data = sentences(cfg.sentences, rng)
    reader_steps = cfg.epochs * -(-len(data.train) // BATCH)
    total = reader_steps + 2 * cfg.char_steps
    trained = train_readers(
        data,
        cfg.reader_cell,
        bidirectional=cfg.reader_bidirectional,
        epochs=cfg.epochs,
        seed=cfg.seed,
        rng=rng,
        on_progress=stage_progress(on_progress, "the three readers, on padded batches", 0, total),
    )
    readers = trained.readers.readers
    text = play()
    chars = tuple(
        train_chars(
            text,
            stateful=stateful,
            steps=cfg.char_steps,
            seed=cfg.seed,
            budget_share=BUDGET_SHARES["stateful" if stateful else "stateless"],
            on_progress=stage_progress(  # only the readers' timeline feeds the live figure
                on_progress,
                f"the character model on Hamlet, {'carrying its state' if stateful else 'starting each chunk from zero'}",
                reader_steps + (0 if stateful else cfg.char_steps),
                total,
                live=False,
            ),
        )
        for stateful in (True, False)
    )
    return PytorchResult(
        data=data,
        readers=trained.readers,
        history=trained.history,
        losses=trained.losses,
        capture_seconds=trained.capture_seconds,
        test_correct={name: correct(r, data, data.test) for name, r in readers.items()},
        epoch_seconds=epoch_seconds(trained.readers, data, rng),
        padding_read=padding_read(data, data.test),
        where=where_summaries(readers["packed"], data),
        chars=chars,
        truncations=tuple(truncation(text, mode, cfg.seed) for mode in TRUNCATIONS),
    )
