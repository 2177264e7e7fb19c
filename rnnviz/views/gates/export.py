"""The gates view as data: the --json report, and the download with its figures, the gate values as CSV,
the weights and reproduce.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnviz.core.cells import SIGNED_GATES
from rnnviz.core.export import Export
from rnnviz.core.figures import loss_curve
from rnnviz.views.gates.figures import (
    QUANTITIES,
    STATE_NAMES,
    conveyor_belt,
    gates_figure,
    quantity_name,
    saturation_figure,
    unit_lines,
)
from rnnviz.views.gates.gating import gate_saturation, saturated_share
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.lessons import kept_memory
from rnnviz.views.gates.reading import Inspection, inspect_sequence
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.settings import GatesConfig

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
"""The script shipped in an export: recomputes the held-out loss from the weights with plain torch."""
HELD_OUT_FILE = "held_out.json"


def report(cfg: GatesConfig, res: GatesResult) -> dict[str, Any]:
    """The inspected sequence's gates and states, and the run's numbers; ``held_out_loss`` is the headline."""
    ins = inspect_sequence(res, cfg)
    reading = ins.trained
    out: dict[str, Any] = {"tokens": list(ins.tokens), "gates": reading.gates}
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
    if ins.notes:
        out["sequence_notes"] = list(ins.notes)
    return out


def _column(name: str) -> str:
    """'f (forget gate, 0..1)': a CSV column named with what it is and its range."""
    if name in STATE_NAMES:
        return f"{name} ({quantity_name(name)}" + (", -1..1)" if name == "h" else ")")
    return f"{name} ({quantity_name(name)}, {'-1..1' if name in SIGNED_GATES else '0..1'})"


def gate_table(res: GatesResult, ins: Inspection) -> pd.DataFrame:
    """One row per step and unit: every gate and state of the trained network on the inspected sequence."""
    steps, units = ins.trained.h.shape
    values = ins.trained.quantities()
    table = {
        "step (t)": np.repeat(np.arange(1, steps + 1), units),
        "token": np.repeat(np.array(ins.tokens, dtype=object), units),
        "unit": np.tile(np.arange(units), steps),
    }
    for name in QUANTITIES[res.cell]:
        table[_column(name)] = values[name].reshape(-1)
    return pd.DataFrame(table)


def answer_table(res: GatesResult, ins: Inspection) -> pd.DataFrame:
    what = "P(positive)" if res.task == "sentiment" else "value"
    return pd.DataFrame(
        {
            "step (t)": np.arange(1, len(ins.tokens) + 1),
            "token": ins.tokens,
            f"right answer ({what})": ins.target,
            f"trained answer ({what})": ins.trained.prediction,
            f"untrained answer ({what})": ins.untrained.prediction,
        }
    )


def timeline_table(res: GatesResult) -> pd.DataFrame:
    """The loss at each snapshot, and for this view's own training the held-out numbers there too."""
    timeline = res.history.timeline
    table: dict[str, list] = {
        "training step": timeline.steps,
        f"training loss ({res.loss_name})": timeline.loss,
    }
    if res.film is not None:
        table[f"held-out loss ({res.loss_name})"] = [f["held_out_loss"] for f in res.film.frames]
        table["saturated sigmoid-gate values (share, 0..1)"] = [f["saturated_share"] for f in res.film.frames]
    return pd.DataFrame(table)


def held_out_json(res: GatesResult) -> bytes:
    """What reproduce.py reads: the network's shape and the held-out data, float32 values written exactly."""
    held = res.held_out
    data = {
        "task": res.task,
        "cell": res.cell,
        "input_size": res.input_size,
        "hidden": res.hidden,
        "inputs": held.inputs.tolist(),
        "target": held.target.tolist(),
    }
    if held.lengths is not None:
        data["lengths"] = held.lengths.tolist()
    return json.dumps(data).encode()


def export(cfg: GatesConfig, res: GatesResult) -> Export:
    ins = inspect_sequence(res, cfg)
    units, _ = choose_units(cfg.units, res.hidden, res.ranked_units)
    kept = kept_memory(ins, res.cell, units)
    figures = {
        "Every gate, units × time": gates_figure(res, ins, cfg.source),
        "Units step by step": unit_lines(
            ins.trained, ins.tokens, res.cell, units, "the answer depends on them"
        ),
        "Saturation: gates become switches": saturation_figure(res, ins, cfg.source),
        "The conveyor belt": conveyor_belt(ins.trained, ins.tokens, res.cell, units, kept.unit),
        "Training loss": loss_curve(res.history),
    }
    return Export(
        figures=figures,
        tables={
            "gates": gate_table(res, ins),
            "answers": answer_table(res, ins),
            "timeline": timeline_table(res),
        },
        weights=res.trained.state_dict(),
        reproduce=REPRODUCE,
        files={HELD_OUT_FILE: held_out_json(res)},
    )
