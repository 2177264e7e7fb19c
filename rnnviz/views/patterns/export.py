"""The patterns view as --json and as a download: the diagram and hidden states (with their training
films), their data as CSV, the weights and, for the step patterns, reproduce.py recomputing the accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from rnnviz.core.export import Export
from rnnviz.core.figures import loss_curve
from rnnviz.views.patterns.answers import Answer, answer
from rnnviz.views.patterns.figures import position_accuracy, probe_heatmap, reply_diagram, reply_states
from rnnviz.views.patterns.result import PatternsResult
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.tasks import STEP_TASKS

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""The standalone script shipped with a step pattern's export: it recomputes the accuracy."""
EVAL_FILE = "eval_set.json"
METRIC = "accuracy"
"""The headline number: its key in the report's metrics, and what reproduce.py prints."""


def report(cfg: PatternsConfig, res: PatternsResult) -> dict:
    """For --json: the scores, the answer to the typed input (with its notes) and what the pattern adds."""
    reply = answer(res, cfg)
    metrics = {
        METRIC: res.accuracy,
        "train_seconds": res.history.seconds,
        "constant_guess_accuracy": res.baseline,
        "train_steps": res.history.steps,
        "params": res.params,
    }
    if res.forward_only_accuracy is not None:
        metrics["forward_only_accuracy"] = res.forward_only_accuracy
    example = {"input": reply.source, "answer": reply.text, "expected": reply.expected}
    if reply.notes:
        example["notes"] = list(reply.notes)
    out: dict = {"metrics": metrics, "example": example}
    if res.by_position is not None:
        out["accuracy_by_position"] = {
            "bidirectional": res.by_position[0],
            "forward_only": res.by_position[1],
        }
    if res.probe is not None:
        out["probe_accuracy_by_layer_and_delay"] = res.probe
    if res.held_out:
        out["held_out_examples"] = [dict(input=i, expected=e, answer=a) for i, e, a in res.held_out]
    return out


def answer_table(reply: Answer) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step (t)": np.arange(1, len(reply.inputs) + 1),
            "input": reply.inputs,
            "output": reply.outputs,
            "right output": reply.targets,
            "scored": reply.used,
        }
    )


def hidden_table(reply: Answer) -> pd.DataFrame:
    """One row per state value: layer (or encoder/decoder), direction, step and unit."""
    parts = []
    stacks = [(f"layer {k + 1}", layer) for k, layer in enumerate(reply.layers)]
    if reply.decoder is not None:
        stacks = [("encoder", reply.layers[0]), ("decoder", (reply.decoder,))]
    for where, directions in stacks:
        for d, h in enumerate(directions):
            steps, units = h.shape
            parts.append(
                pd.DataFrame(
                    {
                        "network part": where,
                        "direction": "backward" if d else "forward",
                        "step (t)": np.repeat(np.arange(1, steps + 1), units),
                        "unit": np.tile(np.arange(units), steps),
                        "h (hidden state)": h.reshape(-1),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def timeline_table(res: PatternsResult) -> pd.DataFrame:
    timeline = res.history.timeline
    table: dict[str, list] = {"training step": timeline.steps, "training loss (cross-entropy)": timeline.loss}
    table[f"answer to '{res.film_input}'"] = [f["answer"] for f in timeline.frames]
    return pd.DataFrame(table)


def eval_json(res: PatternsResult) -> bytes:
    """What reproduce.py reads: the network's shape and the sequences the accuracy was measured on."""
    task = STEP_TASKS[res.pattern]
    data = {
        "cell": res.cell,
        "input_size": task.input_size,
        "hidden": task.hidden,
        "layers": task.layers,
        "bidirectional": task.bidirectional,
        "classes": len(task.classes),
        "metric": task.metric,
        "batches": [{"x": b.x.tolist(), "y": b.y.tolist(), "used": b.used.tolist()} for b in res.eval_set],
    }
    return json.dumps(data).encode()


def export(cfg: PatternsConfig, res: PatternsResult) -> Export:
    """The download; the date converter ships no reproduce.py (its greedy decoder is the view's own)."""
    reply = answer(res, cfg)
    figures = {"The unrolled network": reply_diagram(res, reply)}
    for k, fig in enumerate(reply_states(res, reply)):
        figures[f"Hidden states ({k + 1})"] = fig
    tables = {"answer": answer_table(reply), "hidden_states": hidden_table(reply)}
    if len(res.history.timeline):
        tables["timeline"] = timeline_table(res)
    if res.by_position is not None:
        figures["Accuracy by position"] = position_accuracy(res.by_position)
        tables["accuracy_by_position"] = pd.DataFrame(
            {
                "position (digit)": np.arange(1, res.by_position.shape[1] + 1),
                "bidirectional accuracy (share, 0..1)": res.by_position[0],
                "forward-only accuracy (share, 0..1)": res.by_position[1],
            }
        )
    if res.probe is not None:
        figures["What each layer holds"] = probe_heatmap(res.probe)
        layers, delays = res.probe.shape
        tables["probe"] = pd.DataFrame(
            {
                "layer": np.repeat(np.arange(1, layers + 1), delays),
                "digit read this many steps ago": np.tile(np.arange(delays), layers),
                "linear read-out accuracy (share, 0..1)": res.probe.reshape(-1),
            }
        )
    if res.held_out:
        tables["held_out_dates"] = pd.DataFrame(res.held_out, columns=["input", "right answer", "network"])
    figures["Training loss"] = loss_curve(res.history)
    steps = res.pattern != "seq2seq"
    return Export(
        figures=figures,
        tables=tables,
        weights=res.model.state_dict(),
        reproduce=REPRODUCE if steps else None,
        files={EVAL_FILE: eval_json(res)} if steps else {},
    )
