"""What the character model's Download menu holds: its figures, their data with units, the weights and
reproduce.py, which recomputes the held-out nats per character with plain torch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.core.figures import loss_curve
from rnnviz.views.charlm.features import FEATURES, Unit, choose, rank
from rnnviz.views.charlm.figures import TOP_UNITS, against_ngram, feature_units, film

if TYPE_CHECKING:  # the experiment imports this module to name its export
    from rnnviz.views.charlm.experiment import CharLMConfig, CharLMResult

SCRIPT = Path(__file__).with_name("reproduce_script.py")
WINDOWS_FILE = "test_windows.json"


def _unit(cfg: CharLMConfig, res: CharLMResult) -> Unit:
    return choose(res.search.r[cfg.feature], state=cfg.state, layer=cfg.layer, unit=cfg.unit)


def tables(cfg: CharLMConfig, res: CharLMResult) -> dict[str, pd.DataFrame]:
    timeline = res.history.timeline
    unit = _unit(cfg, res)
    name = unit.name(cfg.layers)
    out = {
        "samples_through_training": pd.DataFrame(
            {
                "step (t)": timeline.steps,
                "training loss (nats/char)": timeline.loss,
                "sample (text, from a new line)": [f["sample"] for f in timeline.frames],
            }
        ),
        "excerpt_unit_through_training": pd.DataFrame(
            [
                {
                    "step (t)": step,
                    "position (character)": i + 1,
                    "character": ch,
                    f"{name} (activation)": float(frame[unit.state][unit.layer, i, unit.index]),
                }
                for step, frame in zip(timeline.steps, timeline.frames, strict=True)
                for i, ch in enumerate(frame["excerpt"])
            ]
        ),
        "excerpt_next_characters": pd.DataFrame(
            [
                {
                    "position (character)": i + 1,
                    "character": ch,
                    **{f"next {k + 1} (character)": top[k] for k in range(len(top))},
                    **{f"next {k + 1} (probability)": float(p[k]) for k in range(len(top))},
                }
                for i, (ch, top, p) in enumerate(
                    zip(res.excerpt, res.final["top_chars"], res.final["top_p"], strict=True)
                )
            ]
        ),
        "feature_units": pd.DataFrame(
            [
                {
                    "feature": label,
                    "state (h or c)": x.unit.state,
                    "layer": x.unit.layer + 1,
                    "unit": x.unit.index,
                    "r (Pearson, -1..1)": x.r,
                }
                for feature, label in FEATURES.items()
                for x in rank(res.search.r[feature], TOP_UNITS)
            ]
        ),
    }
    if res.baseline is not None:
        out["ngram_by_order"] = pd.DataFrame(
            {
                "order (characters)": range(1, len(res.baseline.test_nats) + 1),
                "held-out training text (nats/char)": res.baseline.dev_nats,
                "test text (nats/char)": res.baseline.test_nats,
            }
        )
    return out


def export(cfg: CharLMConfig, res: CharLMResult) -> Export:
    unit = _unit(cfg, res)
    figures = {}
    if len(res.history.timeline):
        figures["Learning to write, and one unit through training"] = film(
            res.history.timeline, unit, cfg.layers
        )
    if res.history.steps:
        figures["Training loss"] = loss_curve(res.history)
    if res.baseline is not None:
        b = res.baseline
        figures["The network against n-grams"] = against_ngram(b.dev_nats, b.test_nats, b.order, res.nats)
    ranked = rank(res.search.r[cfg.feature], TOP_UNITS)
    figures[f"Units that track “{FEATURES[cfg.feature]}”"] = feature_units(
        ranked, FEATURES[cfg.feature], unit, cfg.layers
    )
    windows = {
        "cell": cfg.cell,
        "vocab": list(res.vocab),
        "embedding": cfg.embedding,
        "hidden": cfg.hidden,
        "layers": cfg.layers,
        "inputs": res.test.inputs.tolist(),
        "targets": res.test.targets.tolist(),
    }
    return Export(
        figures=figures,
        tables=tables(cfg, res),
        weights=res.model.state_dict(),
        reproduce=SCRIPT.read_text(encoding="utf-8"),
        files={WINDOWS_FILE: json.dumps(windows, ensure_ascii=False).encode()},
    )
