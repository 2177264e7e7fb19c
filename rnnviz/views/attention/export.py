"""Export of the attention view: its figures, their data with units, both trained networks and a script
that rebuilds the attentive one with plain torch and recomputes its held-out token accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.attention import answers, figures, lessons, tasks
from rnnviz.views.attention.model import EMBED
from rnnviz.views.attention.result import MODEL_NAMES, MODELS, AttentionResult

if TYPE_CHECKING:
    from rnnviz.views.attention.experiment import AttentionConfig

SCRIPT = Path(__file__).with_name("reproduce.py")
"""Plain torch, shipped as is: it reads the sizes from model.json and the examples from held_out.json."""


def tables(res: AttentionResult) -> dict[str, pd.DataFrame]:
    steps = range(1, res.length + 1)
    accuracy = pd.DataFrame(
        {
            "output step (t)": steps,
            **{f"{MODEL_NAMES[m]}: share right (0..1)": res.scores[m].position_accuracy for m in MODELS},
        }
    )
    example = answers.held_out_example(res)
    alignment = pd.DataFrame(
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
    film = pd.DataFrame(
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
    cost = pd.DataFrame(lessons.cost_table(res.cost))
    losses = pd.DataFrame(
        {"training step (step)": range(1, res.history.steps + 1)}
        | {f"{MODEL_NAMES[m]}: loss (nats per token)": res.losses[m] for m in MODELS}
    )
    return {
        "accuracy_per_output_step": accuracy,
        "alignment_held_out_example": alignment,
        "accuracy_through_training": film,
        "cost_rnn_vs_self_attention": cost,
        "training_loss": losses,
    }


def export(cfg: AttentionConfig, res: AttentionResult) -> Export:
    vocab = tasks.vocabulary(res.task)
    example = answers.held_out_example(res)
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
        "Accuracy per output step": figures.position_film(res.history)
        if len(res.history.timeline) > 1
        else figures.live(res.history),
        "Where the decoder looked": figures.alignment(
            example.weights,
            example.source,
            example.written["attention"],
            example.expected,
            lessons.alignment_finding(res),
        ),
        "What recurrence costs": figures.cost(res.cost),
        "Training loss": figures.loss_curves(res.losses),
    }
    return Export(
        figures=figs,
        tables=tables(res),
        weights={f"{m}.{k}": v for m in MODELS for k, v in res.models[m].state_dict().items()},
        reproduce=SCRIPT.read_text(),
        files={
            "model.json": json.dumps(spec).encode(),
            "held_out.json": json.dumps(held_out).encode(),
        },
    )
