"""Training of the attention view: a plain LSTM encoder-decoder and the same network with attention, side
by side.

Both models see the same batches from the same seed for the same number of steps. They train in
one fit loop on the sum of their losses: their parameters are disjoint and Adam scales each
parameter's step by its own gradient history, so this is exactly two separate trainings, with one
progress bar, one budget and one snapshot schedule.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import fit
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Capture, Frame
from rnnviz.views.attention.cost import measure
from rnnviz.views.attention.model import Seq2Seq, decode
from rnnviz.views.attention.result import MODELS, AttentionResult, Scores
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import BATCH, Batch, make_data, vocabulary


def build(task: str, hidden: int, score: str) -> dict[str, Seq2Seq]:
    vocab = vocabulary(task)
    kinds = {"plain": "none", "attention": score}
    return {name: Seq2Seq(len(vocab.source), len(vocab.target), hidden, kinds[name]) for name in MODELS}


def score(model: Seq2Seq, batch: Batch) -> tuple[Scores, Tensor | None]:
    """How often one network's greedy answers are right, per output step and overall."""
    answers, weights = decode(model, batch)
    right = (answers == batch.target).float()
    return (
        Scores(
            answers=answers.numpy(),
            right=right.bool().numpy(),
            position_accuracy=right.mean(0).numpy(),
            token_accuracy=float(right.mean()),
            exact=float(right.all(1).float().mean()),
        ),
        weights,
    )


def _recorder(models: dict[str, Seq2Seq], batch: Batch) -> Capture:
    """Every held-out example scored, so the last snapshot is the final result; one example's weights."""

    def capture() -> Frame:
        frame: Frame = {}
        for name, model in models.items():
            model.eval()
            found, weights = score(model, batch)
            frame[f"accuracy_{name}"] = found.position_accuracy.astype(np.float32)
            if weights is not None:
                frame["weights"] = weights[0, :, : int(batch.lengths[0])].numpy().astype(np.float32)
        return frame

    return capture


def run(cfg: AttentionConfig, on_progress: ProgressFn | None = None) -> AttentionResult:
    rng = seed_everything(cfg.seed)
    data = make_data(cfg.task, cfg.length, BATCH, rng)
    models = build(cfg.task, cfg.hidden, cfg.score)
    pair = nn.ModuleDict(models)
    losses: dict[str, list[float]] = {name: [] for name in MODELS}
    entropy = nn.CrossEntropyLoss()

    def loss_fn(batch: Batch) -> Tensor:
        total = torch.zeros(())
        for name, model in models.items():
            logits = model(batch.source, batch.lengths, batch.target_in).logits
            loss = entropy(logits.flatten(0, 1), batch.target.flatten())
            losses[name].append(float(loss.detach()))
            total = total + loss
        return total

    start = time.monotonic()
    history = fit(
        pair,
        loss_fn,
        data.batches,
        total_steps=cfg.steps,
        lr=cfg.lr,
        on_progress=on_progress,
        capture=_recorder(models, data.held_out),
        fused_optimizer=True,
    )
    train_seconds = time.monotonic() - start
    scores, weights = {}, None
    for name, model in models.items():
        scores[name], found = score(model, data.held_out)
        weights = found if found is not None else weights
    return AttentionResult(
        task=cfg.task,
        length=data.held_out.target.shape[1],
        models=models,
        history=history,
        losses={name: values[: history.steps] for name, values in losses.items()},
        held_out=data.held_out,
        scores=scores,
        weights=weights.numpy(),
        cost=measure(cfg.hidden),
        train_seconds=train_seconds,
    )
