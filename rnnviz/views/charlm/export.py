"""What the character model's --json report and Download menu hold: its numbers, its figures, their data
with units, the weights and reproduce.py, which recomputes the held-out nats per character with plain torch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from rnnviz.core.export import Export
from rnnviz.views.charlm.features import FEATURES, rank
from rnnviz.views.charlm.figures import TOP_UNITS, against_ngram, feature_units, film, losses
from rnnviz.views.charlm.lessons import METRIC_NAME, PROGRESS_LOSS, beats_ngram, best_r, evaluated_on
from rnnviz.views.charlm.model import bits
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import CharLMConfig
from rnnviz.views.charlm.writing import write

REPRODUCE = Path(__file__).with_name("reproduce.py").read_text(encoding="utf-8")
WINDOWS_FILE = "test_windows.json"
"""The held-out windows, read by reproduce.py exactly as the run read them."""


def report(cfg: CharLMConfig, res: CharLMResult) -> dict[str, Any]:
    """The numbers; its timeline is lean: each snapshot's sample and the chosen unit on the excerpt."""
    unit = res.unit(cfg)
    base = res.baseline
    return {
        "metrics": {
            METRIC_NAME: res.nats,
            "test_bits_per_char": bits(res.nats),
            "ngram_test_nats_per_char": base.nats if base else None,
            "ngram_test_bits_per_char": bits(base.nats) if base else None,
            "ngram_order": base.order if base else None,
            "corpus_chars": len(res.corpus.text),
            "train_seconds": res.history.seconds,
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "sample": write(res, cfg).text,
        },
        "evaluated_on": evaluated_on(res),
        "verdict": beats_ngram(res).text,
        "ngram_nats_by_order": {
            "held_out_training_text": list(base.dev_nats) if base else None,
            "test": list(base.test_nats) if base else None,
        },
        "units": {
            name: [
                {"state": x.unit.state, "layer": x.unit.layer + 1, "unit": x.unit.index, "r": x.r}
                for x in rank(res.search.r[name], 3)
            ]
            for name in FEATURES
        },
        "untrained_best_abs_r": {name: best_r(res.untrained.r[name]) for name in FEATURES},
        "timeline": [
            {
                "step": entry["step"],
                "loss": entry["loss"],
                "sample": entry["sample"],
                "unit": [unit.state, unit.layer + 1, unit.index],
                "unit_values": entry[unit.state][unit.layer, :, unit.index],
            }
            for entry in res.history.timeline.json()
        ],
    }


def tables(cfg: CharLMConfig, res: CharLMResult) -> dict[str, pd.DataFrame]:
    timeline = res.history.timeline
    unit = res.unit(cfg)
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
                    "network (trained or untrained)": network,
                    "feature": label,
                    "state (h or c)": x.unit.state,
                    "layer": x.unit.layer + 1,
                    "unit": x.unit.index,
                    "r (Pearson, -1..1)": x.r,
                }
                for network, search in (("trained", res.search), ("untrained", res.untrained))
                for feature, label in FEATURES.items()
                for x in rank(search.r[feature], TOP_UNITS)
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
    """The Download menu's files; reproduce.py scores the exported weights on test_windows.json."""
    unit = res.unit(cfg)
    figures = {}
    if len(res.history.timeline):
        figures["Learning to write, and one unit through training"] = film(cfg, res)
    if res.history.steps:
        figures["Training loss"] = losses(res.history, PROGRESS_LOSS)
    if res.baseline is not None:
        b = res.baseline
        figures["The network against n-grams"] = against_ngram(b.dev_nats, b.test_nats, b.order, res.nats)
    ranked = rank(res.search.r[cfg.feature], TOP_UNITS)
    figures[f"Units that track “{FEATURES[cfg.feature]}”"] = feature_units(
        ranked, FEATURES[cfg.feature], unit, cfg.layers, best_r(res.untrained.r[cfg.feature])
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
        reproduce=REPRODUCE,
        files={WINDOWS_FILE: json.dumps(windows, ensure_ascii=False).encode()},
    )
