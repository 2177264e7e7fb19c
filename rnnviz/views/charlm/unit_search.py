"""The unit search at the end of a run: which units of the trained model track each feature of a play.

The search reads stretches spread over the whole text and ranks every unit (of h and, for an LSTM,
c, in every layer) by Pearson r between its value after each character and each feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.views.charlm.features import (
    BRACKETS,
    FEATURES,
    QUOTE_MARKS,
    Ranked,
    correlations,
    feature_values,
    rank,
)
from rnnviz.views.charlm.model import EVAL_WINDOWS, WARM_CHARS, CharModel, states

ANALYSIS_CHARS = 8_000
"""Characters the unit search reads: enough lines, quotes and speakers for a stable r."""
EXAMPLE_CHARS = 200
"""Length of the excerpt that shows each feature's best unit at work."""
EXAMPLE_STEP = 20
"""Candidate excerpt starts are this far apart; the one where the feature varies most is shown."""


@dataclass(frozen=True)
class Example:
    """A stretch of text showing one feature's best unit: the text, the unit's value after each character."""

    best: Ranked
    text: str
    values: np.ndarray


@dataclass(frozen=True)
class Search:
    r: dict[str, dict[str, np.ndarray]]
    """feature -> state ('h' or 'c') -> Pearson r, (layers, hidden)."""
    examples: dict[str, Example]
    """feature -> its best unit at work; missing when the feature never changes in the text read."""
    chars: int
    """Characters read."""


def _example(text: str, values: np.ndarray, feature: np.ndarray, best: Ranked) -> Example:
    """The EXAMPLE_CHARS-long stretch where the feature varies most, so the unit has something to show."""
    length = min(EXAMPLE_CHARS, len(text))
    starts = range(0, len(text) - length + 1, EXAMPLE_STEP)
    at = max(starts, key=lambda s: (float(np.var(feature[s : s + length])), -s))
    return Example(best, text[at : at + length], values[at : at + length])


FEATURE_CONTEXT = 1_000
"""Characters before a window from which its line and quote features are worked out."""


MARKED_WINDOWS = 8
"""Of the EVAL_WINDOWS, how many are placed at quotes and brackets, which a play may hardly use."""


def spread(first: int, last: int) -> np.ndarray:
    return np.linspace(first, last, EVAL_WINDOWS - MARKED_WINDOWS).astype(int)


def marked(text: str, first: int, length: int) -> np.ndarray:
    """Window starts shortly before quotation marks and brackets spread over the text (none if it has none)."""
    marks = [t for t, ch in enumerate(text) if ch in QUOTE_MARKS or ch in BRACKETS]
    if not marks:
        return np.zeros(0, dtype=int)
    chosen = np.asarray(marks)[np.linspace(0, len(marks) - 1, MARKED_WINDOWS).astype(int)]
    return np.clip(chosen - length // 4, first, len(text) - 1 - length)


@torch.no_grad()
def search(model: CharModel, ids: np.ndarray, text: str) -> Search:
    """Read EVAL_WINDOWS windows spread over the whole text and rank every unit by each feature.

    Spread, because a play's features are uneven: its stage directions in brackets may all sit
    in a few scenes. The search is about what units do, not a score, so training text is fair game.
    """
    length = min(ANALYSIS_CHARS // EVAL_WINDOWS, len(ids) - 1)
    warm = max(0, min(WARM_CHARS, len(ids) - 1 - length))
    starts = np.unique(np.concatenate([spread(warm, len(ids) - length), marked(text, warm, length)]))
    inputs = np.stack([ids[a - warm : a + length] for a in starts])
    read = {k: v[:, :, warm:].reshape(v.shape[0], -1, v.shape[-1]) for k, v in states(model, inputs).items()}
    values: dict[str, list[np.ndarray]] = {name: [] for name in FEATURES}
    for a in starts:
        context = max(0, a - FEATURE_CONTEXT)
        for name, v in feature_values(text[context : a + length]).items():
            values[name].append(v[a - context :])
    shown = "".join(text[a : a + length] for a in starts)
    r, examples = {}, {}
    for name in FEATURES:
        feature = np.concatenate(values[name])
        r[name] = {k: correlations(v, feature) for k, v in read.items()}
        best = rank(r[name], 1)
        if best:
            unit = best[0].unit
            examples[name] = _example(shown, read[unit.state][unit.layer, :, unit.index], feature, best[0])
    return Search(r, examples, len(shown))
