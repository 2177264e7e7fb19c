"""Simple facts about each character of a text, and which hidden units track them.

A unit whose activation correlates strongly with "inside a word" or "position in the line"
is the kind of interpretable neuron found in character models: nobody asked for it, yet
predicting the next character made it worth keeping.
"""

from __future__ import annotations

import numpy as np

FEATURES: dict[str, str] = {
    "word": "inside a word",
    "line": "position in the line",
    "space": "just read a space",
    "quote": "inside quotes",
}

MIN_CHARS = 50
"""Below this many characters a correlation says more about chance than about the unit."""

QUOTE_MARKS = {'"': None, "“": True, "”": False, "«": True, "»": False}
"""Whether a mark opens (True) or closes (False) a quotation; None toggles, as the straight quote does."""


def feature_values(text: str) -> dict[str, np.ndarray]:
    """Per character of ``text``, the value of each feature after reading that character."""
    word = np.array([ch.isalnum() for ch in text], dtype=float)
    space = np.array([ch == " " for ch in text], dtype=float)
    line = np.zeros(len(text))
    quote = np.zeros(len(text))
    column, inside = 0, False
    for t, ch in enumerate(text):
        column = 0 if ch == "\n" else column + 1
        line[t] = column
        if ch in QUOTE_MARKS:
            opens = QUOTE_MARKS[ch]
            inside = not inside if opens is None else opens
            quote[t] = 1.0  # both marks belong to the quotation
        else:
            quote[t] = inside
    return {"word": word, "line": line, "space": space, "quote": quote}


def correlations(states: np.ndarray, text: str) -> dict[str, np.ndarray]:
    """Pearson r of every unit with every feature, shaped (layers, hidden).

    NaN where r is undefined or meaningless: the feature never changes in this text (no
    quotes, one line), the unit never moves, or the text is shorter than MIN_CHARS.
    """
    if len(text) < MIN_CHARS:
        return {name: np.full(states.shape[::2], np.nan) for name in FEATURES}
    out = {}
    with np.errstate(all="ignore"):  # a diverged model's states are not finite: r is then NaN
        centred = states - states.mean(axis=1, keepdims=True)
        spread = np.sqrt((centred**2).sum(axis=1))
        for name, values in feature_values(text).items():
            f = values - values.mean()
            denom = spread * np.sqrt((f**2).sum())
            r = np.einsum("lth,t->lh", centred, f) / denom
            out[name] = np.where(denom > 1e-12, r, np.nan)
    return out


def strongest(r: np.ndarray, count: int) -> list[tuple[int, float]]:
    """The ``count`` units of one layer with the largest |r|, as (unit, r), skipping undefined ones."""
    order = [int(u) for u in np.argsort(-np.nan_to_num(np.abs(r), nan=-1.0), kind="stable")]
    return [(u, float(r[u])) for u in order[:count] if np.isfinite(r[u])]


def unit_to_show(chosen: int, r: np.ndarray) -> int:
    """The unit a page colours by: the chosen one, or for -1 the one tracking the feature best."""
    if chosen >= 0:
        return min(chosen, len(r) - 1)
    best = strongest(r, 1)
    return best[0][0] if best else 0
