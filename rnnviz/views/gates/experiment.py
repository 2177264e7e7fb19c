"""Experiment ``gates``: train an LSTM or GRU on a task whose gating can be read, then open every gate.

Training (the cached part) produces two networks from the same initial weights: as initialised
and as trained, and a film of the worked example's gates through training. Inspecting a sequence
(the display part) traces both networks through the instrumented cells, so typing a new
sequence never retrains. The sentiment task reuses the sentiment view's trained classifier
instead of training its own (see sentiment_adapter).
"""

from __future__ import annotations

from typing import Any

from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.views.gates.export import export
from rnnviz.views.gates.gating import gate_saturation, saturated_share
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.lessons import kept_memory
from rnnviz.views.gates.reading import inspect_sequence
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.sentiment_adapter import gates_from_sentiment, normalise, sentiment_upstream
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.training import train_synthetic


def run(cfg: GatesConfig, on_progress: ProgressFn | None = None, upstream: Any = None) -> GatesResult:
    if cfg.task == "sentiment":
        if upstream is None:
            raise ValueError("the sentiment task reads the sentiment view's trained classifier; run it first")
        return gates_from_sentiment(upstream, cfg)
    return train_synthetic(cfg, on_progress)


def report(cfg: GatesConfig, res: GatesResult) -> dict:
    ins = inspect_sequence(res, cfg)
    reading = ins.trained
    out: dict = {"tokens": list(ins.tokens), "gates": reading.gates}
    if reading.c is not None:
        out["cell"] = reading.c
    out["hidden"] = reading.h
    out["prediction"] = reading.prediction
    kept = kept_memory(ins, res.cell, choose_units("", res.hidden, res.ranked_units)[0])
    out["metrics"] = {
        "saturation": gate_saturation(reading.gates),
        "saturation_untrained": gate_saturation(ins.untrained.gates),
        "held_out_saturated_share": {
            "trained": saturated_share(res.trained.saturation),
            "untrained": saturated_share(res.untrained.saturation),
        },
        "params": {cell: row["total"] for cell, row in res.params.items()},
        "final_loss": res.history.final_loss() if res.history.steps else None,
        "held_out_loss": res.trained.held_out_loss,
        "chance_loss": res.chance_loss,
        "keep_path": {"unit": kept.unit, "trained": kept.trained, "untrained": kept.untrained},
        "fused_gap": max(reading.fused_gap, ins.untrained.fused_gap),
    }
    out["timeline"] = res.history.timeline.json()
    if ins.notes:
        out["notes"] = list(ins.notes)
    return out


EXPERIMENT = Experiment(
    name="gates",
    title="LSTM & GRU gates",
    config=GatesConfig,
    run=run,
    report=report,
    description="Train an LSTM or GRU on a memory, counting or sentiment task and record every gate at "
    "every step, before, during and after training.",
    normalise=normalise,
    upstream=sentiment_upstream,
    export=export,
)
