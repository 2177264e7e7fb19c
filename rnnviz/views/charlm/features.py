"""Features of a play at each character, and the automatic search for the units that track them.

A unit whose activation correlates strongly with "position in the line" is the kind of
interpretable neuron found in character models (Karpathy's char-rnn). Correlation alone proves
little: an untrained network's units already follow the character just read, so the search also
ranks the untrained network's units, and what training added is the difference. The search
ranks every unit of every layer, of the hidden state h and (for the LSTM) the cell state c, by
Pearson r.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURES: dict[str, str] = {
    "word": "inside a word",
    "quote": "inside quotes or brackets",
    "line": "position in the line",
    "speaker": "a line of speaker names in capitals",
    "newline": "just after a newline",
}
CURRENT_CHARACTER = frozenset({"word", "newline"})
"""Features that are a function of the character just read alone: any unit its input drives tracks them,
trained or not, so a unit that tracks one is not evidence of learning."""

MIN_CHARS = 50
"""Below this many characters a correlation says more about chance than about the unit."""

QUOTE_MARKS = {'"': None, "“": True, "”": False, "«": True, "»": False}
"""Whether a mark opens (True) or closes (False) a quotation; None toggles, as the straight quote does."""
BRACKETS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}
"""Apostrophes are left out: in plays they mostly mark elisions ('tis, perform'd), not quotations."""


def speaker_lines(text: str) -> np.ndarray:
    """1 on the characters of a line written in capitals (a speaker's name, a stage heading), else 0."""
    out = np.zeros(len(text))
    start = 0
    for line in text.split("\n"):
        letters = [ch for ch in line if ch.isalpha()]
        if len(letters) >= 2 and all(ch.isupper() for ch in letters):
            out[start : start + len(line)] = 1.0
        start += len(line) + 1
    return out


def feature_values(text: str) -> dict[str, np.ndarray]:
    """Per character of ``text``, the value of each feature after reading that character."""
    word = np.array([ch.isalnum() for ch in text], dtype=float)
    newline = np.array([ch == "\n" for ch in text], dtype=float)
    line = np.zeros(len(text))
    quote = np.zeros(len(text))
    column, inside, depth = 0, False, 0
    for t, ch in enumerate(text):
        column = 0 if ch == "\n" else column + 1
        line[t] = column
        opening = False
        if ch in QUOTE_MARKS:
            opens = QUOTE_MARKS[ch]
            inside = not inside if opens is None else opens
            opening = True  # both marks belong to the quotation
        elif ch in BRACKETS:
            depth = max(0, depth + BRACKETS[ch])
            opening = True
        quote[t] = opening or inside or depth > 0
    return {"word": word, "quote": quote, "line": line, "speaker": speaker_lines(text), "newline": newline}


def correlations(states: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Pearson r of every unit with one feature: states (..., time, hidden), values (time,) -> (..., hidden).

    NaN where r is undefined or meaningless: the feature never changes in this text (no
    quotes, one line), the unit never moves, or the text is shorter than MIN_CHARS.
    """
    shape = states.shape[:-2] + states.shape[-1:]
    if len(values) < MIN_CHARS:
        return np.full(shape, np.nan)
    with np.errstate(all="ignore"):  # a diverged model's states are not finite: r is then NaN
        centred = states - states.mean(axis=-2, keepdims=True)
        f = values - values.mean()
        denom = np.sqrt((centred**2).sum(axis=-2)) * np.sqrt((f**2).sum())
        r = np.einsum("...th,t->...h", centred, f) / denom
        return np.where(denom > 1e-12, r, np.nan)


@dataclass(frozen=True)
class Unit:
    """One unit: of the hidden state ('h') or the LSTM's cell state ('c'), in a layer (from 0)."""

    state: str
    layer: int
    index: int

    def name(self, layers: int = 1) -> str:
        where = f" of layer {self.layer + 1}" if layers > 1 else ""
        return f"{self.state}[{self.index}]{where}"


@dataclass(frozen=True)
class Ranked:
    unit: Unit
    r: float


def rank(r: dict[str, np.ndarray], count: int) -> list[Ranked]:
    """The ``count`` units with the largest |r| over every state and layer; r[state] is (layers, hidden).

    Ties keep the order of ``r``'s states, layers and units. Sorted in NumPy: the page ranks on every
    visit, and a Python object per unit cost a fifth of a visit's server time at 256 units."""
    tables = [(state, np.asarray(table, dtype=float)) for state, table in r.items()]
    values = np.concatenate([table.ravel() for _, table in tables]) if tables else np.empty(0)
    starts = np.cumsum([0] + [table.size for _, table in tables])
    finite = np.flatnonzero(np.isfinite(values))
    best = finite[np.argsort(-np.abs(values[finite]), kind="stable")][:count]
    found = []
    for i in best:
        k = int(np.searchsorted(starts, i, side="right")) - 1
        state, table = tables[k]
        layer, unit = np.unravel_index(i - starts[k], table.shape)
        found.append(Ranked(Unit(state, int(layer), int(unit)), float(values[i])))
    return found


def choose(r: dict[str, np.ndarray], *, state: str, layer: int, unit: int) -> Unit:
    """The unit asked for (layer from 1), clamped to the model; for unit -1 the best-ranked one for r."""
    if unit >= 0:
        state = state if state in r else "h"
        layers, hidden = r[state].shape
        return Unit(state, min(max(layer, 1), layers) - 1, min(unit, hidden - 1))
    best = rank(r, 1)
    return best[0].unit if best else Unit("h", 0, 0)
