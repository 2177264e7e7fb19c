"""Experiment ``attention``: a plain GRU encoder-decoder and the same network with attention, side by side.

Both models see the same batches from the same seed for the same number of steps. They train in
one fit loop on the sum of their losses: their parameters are disjoint and Adam scales each
parameter's step by its own gradient history, so this is exactly two separate trainings, with one
progress bar, one budget and one snapshot schedule.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.core.config import (
    hidden_param,
    learning_rate_param,
    length_param,
    param,
    seed_param,
    spec_of,
    steps_param,
    view_param,
)
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import fit
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Capture, Frame
from rnnviz.views.attention import cost, tasks
from rnnviz.views.attention.export import export
from rnnviz.views.attention.figures import position_film
from rnnviz.views.attention.model import ATTENTION, Seq2Seq
from rnnviz.views.attention.result import MODELS, AttentionResult, score

SWEEP_LENGTHS = (5, 10, 20, 30, 40)
"""String lengths the page's sweep lists, filled in as they are trained."""
SCORES = {k: v for k, v in ATTENTION.items() if k != "none"}


@dataclass(frozen=True)
class AttentionConfig:
    task: str = param("copy", "Task", "What the decoder must write.", choices=tasks.TASKS)
    length: int = length_param(
        30,
        label="String length",
        help="Digits to reverse or copy. The plain decoder must carry all of them in one state.",
        min=tasks.MIN_LENGTH,
        max=tasks.MAX_LENGTH,
        unit="digits",
    )
    score: str = param(
        "dot", "Attention score", "How a decoder state scores each encoder state.", choices=SCORES
    )
    hidden: int = hidden_param(64, min=8, max=128, help="Units in every GRU state, in both networks.")
    steps: int = steps_param(
        300,
        help=f"Adam steps for each network, on fresh batches of {tasks.BATCH} examples.",
        max=3000,
        step=100,
    )
    lr: float = learning_rate_param(0.01)
    seed: int = seed_param(0, help="Seeds the data (the same for both networks) and the weights.")
    text: str = view_param(
        "",
        "Your input",
        "Digits (or a date) for the trained networks to answer; display only, never retrains.",
        max_chars=60,
    )


def normalise(cfg: AttentionConfig) -> AttentionConfig:
    """The string length means nothing to the date task."""
    if cfg.task == "dates":
        return dataclasses.replace(cfg, length=spec_of(AttentionConfig, "length").default)
    return cfg


def build(task: str, hidden: int, score: str) -> dict[str, Seq2Seq]:
    vocab = tasks.vocabulary(task)
    kinds = {"plain": "none", "attention": score}
    return {name: Seq2Seq(len(vocab.source), len(vocab.target), hidden, kinds[name]) for name in MODELS}


def _recorder(models: dict[str, Seq2Seq], batch: tasks.Batch) -> Capture:
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
    data = tasks.make_data(cfg.task, cfg.length, tasks.BATCH, rng)
    models = build(cfg.task, cfg.hidden, cfg.score)
    pair = nn.ModuleDict(models)
    losses: dict[str, list[float]] = {name: [] for name in MODELS}
    entropy = nn.CrossEntropyLoss()

    def loss_fn(batch: tasks.Batch) -> Tensor:
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
        budget_s=TRAINING_BUDGET_S,
        capture=_recorder(models, data.held_out),
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
        cost=cost.measure(cfg.hidden),
        train_seconds=train_seconds,
    )


def metrics(res: AttentionResult) -> dict[str, float]:
    return {
        "token_accuracy_attention": res.scores["attention"].token_accuracy,
        "token_accuracy_plain": res.scores["plain"].token_accuracy,
        "exact_attention": res.scores["attention"].exact,
        "exact_plain": res.scores["plain"].exact,
        "train_seconds": res.train_seconds,
        "steps_trained": res.history.steps,
    }


def report(cfg: AttentionConfig, res: AttentionResult) -> dict:
    return {
        "metrics": metrics(res),
        "position_accuracy": {name: res.scores[name].position_accuracy for name in MODELS},
        "cost": [dataclasses.asdict(row) for row in res.cost],
        "timeline": res.history.timeline.json(),
    }


EXPERIMENT = Experiment(
    name="attention",
    title="Attention",
    config=AttentionConfig,
    run=run,
    report=report,
    description=(
        "A GRU encoder-decoder squeezes its input into one state; with attention its decoder looks back "
        "at every input step. Both train side by side on copying or reversing digit strings, or converting dates."
    ),
    normalise=normalise,
    export=export,
    film=lambda cfg, res: position_film(res.history),
)
