"""What the view records of a character model: a film frame at each snapshot, and the unit search at the end.

A frame is what the film replays: a short sample written from a fixed seed, and every unit's
value on a fixed excerpt of held-out text with the five likeliest next characters after each
character. The search reads a longer stretch of held-out text and ranks every unit by how well
it tracks each feature of a play.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core.timeline import Frame
from rnnviz.views.charlm.features import (
    BRACKETS,
    FEATURES,
    QUOTE_MARKS,
    Ranked,
    correlations,
    feature_values,
    rank,
)
from rnnviz.views.charlm.model import CharModel, generate, states, top_next, windows

WARM_CHARS = 100
"""Characters of preceding text every scored window reads first, so nothing starts from a blank state."""
EVAL_WINDOWS = 32
"""Windows the held-out text is read in, side by side."""
EXCERPT_CHARS = 200
"""Characters of held-out text coloured in the film: a few lines of a play."""
SAMPLE_CHARS = 100
"""Characters written at each snapshot."""
SAMPLE_TEMPERATURE = 0.8
ANALYSIS_CHARS = 8_000
"""Characters the unit search reads: enough lines, quotes and speakers for a stable r."""
EXAMPLE_CHARS = 200
"""Length of the excerpt that shows each feature's best unit at work."""
EXAMPLE_STEP = 20
"""Candidate excerpt starts are this far apart; the one where the feature varies most is shown."""


def excerpt_start(text: str, start: int, end: int) -> int:
    """The first line start at or after ``start`` that leaves room for the excerpt (else ``start``)."""
    at = text.find("\n", start, max(start, end - EXCERPT_CHARS)) + 1
    return at if at > 0 else start


def prompt_of(vocab: Sequence[str], text: str) -> str:
    """Samples start after a newline, where a play starts a speech; else after the text's first character."""
    return "\n" if "\n" in vocab else text[0]


@torch.no_grad()
def frame(
    model: CharModel, vocab: Sequence[str], ids: np.ndarray, at: int, length: int, prompt: str, seed: int
) -> Frame:
    """One snapshot: the sample, the excerpt with h (and c) of every layer after each character, and the top 5.

    The frame carries its own text, so a live figure can be drawn from it alone. States are
    float16: a frame of a 256-unit LSTM is about 0.2 MB.
    """
    win = windows(ids, at + 1, at + 1 + length, 1, WARM_CHARS)
    logits, _, _ = model(torch.from_numpy(win.inputs))
    top_ids, top_p = top_next(logits[0, win.warm :].numpy())
    sample = generate(
        model, vocab, prompt, SAMPLE_CHARS, temperature=SAMPLE_TEMPERATURE, sampling_seed=seed
    ).text[len(prompt) :]
    out: Frame = {
        "sample": sample,
        "excerpt": "".join(vocab[i] for i in ids[at : at + length]),
        "top_chars": ["".join(vocab[i] for i in row) for row in top_ids],
        "top_p": top_p.astype(np.float16),
    }
    for kind, values in states(model, win.inputs).items():
        out[kind] = values[:, 0, win.warm :].astype(np.float16)
    return out


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
