"""The attention view's --json report and its export: its figures, their data with units, both trained
networks and a script that rebuilds the attentive one with plain torch and recomputes its held-out token
accuracy."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.attention.answers import held_out_example
from rnnviz.views.attention.figures import accuracy_figure, alignment, cost, loss_curves
from rnnviz.views.attention.lessons import cost_table, where_attention_looks
from rnnviz.views.attention.model import EMBED
from rnnviz.views.attention.result import MODEL_NAMES, MODELS, AttentionResult
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import vocabulary

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""Plain torch, shipped as is: it reads the sizes from model.json and the examples from held_out.json."""


def metrics(res: AttentionResult) -> dict[str, float]:
    return {
        "token_accuracy_attention": res.scores["attention"].token_accuracy,
        "token_accuracy_plain": res.scores["plain"].token_accuracy,
        "exact_attention": res.scores["attention"].exact,
        "exact_plain": res.scores["plain"].exact,
        "train_seconds": res.train_seconds,
        "steps_trained": res.history.steps,
    }


def report(cfg: AttentionConfig, res: AttentionResult) -> dict[str, Any]:
    return {
        "metrics": metrics(res),
        "position_accuracy": {name: res.scores[name].position_accuracy for name in MODELS},
        "cost": [dataclasses.asdict(row) for row in res.cost],
    }


def tables(res: AttentionResult) -> dict[str, pd.DataFrame]:
    steps = range(1, res.length + 1)
    accuracy = pd.DataFrame(
        {
            "output step (t)": steps,
            **{f"{MODEL_NAMES[m]}: share right (0..1)": res.scores[m].position_accuracy for m in MODELS},
        }
    )
    example = held_out_example(res)
    looked = pd.DataFrame(
        [
            {
                "output step (t)": t + 1,
                "token written": example.written["attention"][t],
                "input step (i)": i + 1,
                "token read": example.source[i],
                "attention weight (0..1)": float(example.weights[t, i]),
            }
            for t in range(example.weights.shape[0])
            for i in range(example.weights.shape[1])
        ]
    )
    through_training = pd.DataFrame(
        [
            {
                "training step (step)": step,
                "output step (t)": t + 1,
                **{f"{MODEL_NAMES[m]}: share right (0..1)": float(frame[f"accuracy_{m}"][t]) for m in MODELS},
            }
            for step, frame in zip(res.history.timeline.steps, res.history.timeline.frames, strict=True)
            for t in range(res.length)
        ]
    )
    costs = pd.DataFrame(cost_table(res.cost))
    losses = pd.DataFrame(
        {"training step (step)": range(1, res.history.steps + 1)}
        | {f"{MODEL_NAMES[m]}: loss (nats per token)": res.losses[m] for m in MODELS}
    )
    return {
        "accuracy_per_output_step": accuracy,
        "alignment_held_out_example": looked,
        "accuracy_through_training": through_training,
        "cost_rnn_vs_self_attention": costs,
        "training_loss": losses,
    }


def export(cfg: AttentionConfig, res: AttentionResult) -> Export:
    vocab = vocabulary(res.task)
    example = held_out_example(res)
    spec = {
        "hidden": cfg.hidden,
        "embed": EMBED,
        "score": cfg.score,
        "source_size": len(vocab.source),
        "target_size": len(vocab.target),
    }
    held_out = {
        "source": res.held_out.source.tolist(),
        "lengths": res.held_out.lengths.tolist(),
        "target": res.held_out.target.tolist(),
    }
    figs = {
        "Accuracy per output step": accuracy_figure(res.history),
        "Where the decoder looked": alignment(
            example.weights,
            example.source,
            example.written["attention"],
            example.expected,
            where_attention_looks(res).text,
        ),
        "What recurrence costs": cost(res.cost),
        "Training loss": loss_curves(res.losses),
    }
    return Export(
        figures=figs,
        tables=tables(res),
        weights={f"{m}.{k}": v for m in MODELS for k, v in res.models[m].state_dict().items()},
        reproduce=REPRODUCE,
        files={
            "model.json": json.dumps(spec).encode(),
            "held_out.json": json.dumps(held_out).encode(),
        },
    )
