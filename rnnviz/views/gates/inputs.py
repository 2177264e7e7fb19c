"""The inspected sequence: the worked example, a random draw, or typed text, read into network inputs.

Typed input is validated here and never raises: what cannot be used becomes a note for the page.
"""

from __future__ import annotations

import numpy as np

from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.tokens import tokenize
from rnnviz.views.gates.brackets import EXAMPLE as BRACKETS_EXAMPLE
from rnnviz.views.gates.brackets import VOCAB, bracket_depth, parse, running_depth
from rnnviz.views.gates.result import Corpus

SOURCES = {
    "example": "Worked example",
    "random": "Random draw from the task",
    "typed": "Typed by you",
}

MAX_TOKENS = 60
"""Longest inspected sequence: beyond this, heatmap columns get too thin to read."""
MAX_UNITS = 6
"""Most units drawn as lines at once."""
DEFAULT_UNITS = 3

SENTENCE_EXAMPLE = "i expected to hate it , and i loved it"
COPY_EXAMPLE = "0.8 -1.2 0.3 1.5 -0.4 -0.9 0.6 0.1 -1.7 1.1 0.2 -0.5"
COPY_LIMIT = 4.0
"""Typed copy-task values are clipped to ±4: training values are standard normal."""

SequenceInputs = tuple[tuple[str, ...], np.ndarray, np.ndarray, list[str]]
"""Shown tokens, the network input, the right answer after each step, and notes on the input."""


def _copy_inputs(source: str, text: str, draw: int, length: int) -> SequenceInputs:
    """A copy-task sequence: the first value is flagged (second input channel 1) and must be recalled."""
    if source == "random":
        x, _ = copy_first(1, length, np.random.default_rng(draw))
        values, notes = x[0, :, 0].astype(np.float64), []
    else:
        toks = tokenize(
            text if source == "typed" else COPY_EXAMPLE,
            "number",
            max_tokens=MAX_TOKENS,
            fallback=COPY_EXAMPLE,
        )
        values, notes = np.array(toks.values, dtype=np.float64), list(toks.notes)
    if np.abs(values).max() > COPY_LIMIT:
        notes.append(
            f"Values beyond ±{COPY_LIMIT:g} were clipped to ±{COPY_LIMIT:g}: the network trained on "
            "standard normal values, so larger ones only show it out of its depth."
        )
        values = np.clip(values, -COPY_LIMIT, COPY_LIMIT)
    x = np.zeros((len(values), 2), dtype=np.float32)
    x[:, 0] = values
    x[0, 1] = 1.0
    tokens = tuple(f"[{v:.2g}]" if t == 0 else f"{v:.2g}" for t, v in enumerate(values))
    return tokens, x, np.full(len(values), float(x[0, 0])), notes


def _bracket_inputs(source: str, text: str, draw: int, length: int) -> SequenceInputs:
    if source == "random":
        x, y = bracket_depth(1, length, np.random.default_rng(draw))
        ids = x[0].argmax(-1)
        return tuple(VOCAB[i] for i in ids), x[0], y[0, :, 0].astype(np.float64), []
    tokens, ids, notes = parse(text if source == "typed" else BRACKETS_EXAMPLE, MAX_TOKENS)
    x = np.eye(len(VOCAB), dtype=np.float32)[ids]
    return tokens, x, running_depth(ids).astype(np.float64), list(notes)


def _sentence_inputs(corpus: Corpus, source: str, text: str, draw: int) -> SequenceInputs:
    label = np.nan
    if source == "random":
        index = (draw - 1) % len(corpus.sentences)
        text, label = corpus.sentences[index], float(corpus.labels[index])
    elif source != "typed":
        text = SENTENCE_EXAMPLE
    encoded = corpus.tokenize(text, MAX_TOKENS)
    notes = list(encoded.notes)
    if len(encoded.ids) < 2:
        notes = ["A sentence needs at least two words; showing the example instead."]
        encoded, label = corpus.tokenize(SENTENCE_EXAMPLE, MAX_TOKENS), np.nan
    return encoded.tokens, np.array(encoded.ids), np.full(len(encoded.ids), label), notes


def sequence_inputs(
    task: str, source: str, text: str, draw: int, length: int, corpus: Corpus | None = None
) -> SequenceInputs:
    """The sequence that ``source`` picks for ``task``; ``text`` is read only when it is typed."""
    text = text if source == "typed" else ""
    if task == "copy":
        return _copy_inputs(source, text, draw, length)
    if task == "brackets":
        return _bracket_inputs(source, text, draw, length)
    if corpus is None:
        raise ValueError("the sentiment task reads sentences through the sentiment view's tokenizer")
    return _sentence_inputs(corpus, source, text, draw)


def worked_example(task: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Tokens and inputs of a synthetic task's worked example: the sequence replayed through training."""
    tokens, x, _, _ = sequence_inputs(task, "example", "", 1, 0)
    return tokens, x


def choose_units(text: str, hidden: int, ranked: tuple[int, ...]) -> tuple[tuple[int, ...], list[str]]:
    """Units typed as numbers, or the most influential ones; bad entries become a note."""
    default = ranked[: min(DEFAULT_UNITS, hidden)]
    parts = text.replace(",", " ").split()
    if not parts:
        return default, []
    chosen: list[int] = []
    bad: list[str] = []
    for part in parts:
        try:
            unit = int(part)
        except ValueError:
            bad.append(part)
            continue
        if 0 <= unit < hidden:
            if unit not in chosen:
                chosen.append(unit)
        else:
            bad.append(part)
    notes = []
    if bad:
        shown = ", ".join(repr(b[:8]) for b in bad[:3])
        notes.append(f"Units: {shown} not a unit number from 0 to {hidden - 1}; ignored.")
    if len(chosen) > MAX_UNITS:
        notes.append(f"Units: only the first {MAX_UNITS} are drawn.")
        chosen = chosen[:MAX_UNITS]
    if not chosen:
        notes.append("Units: none usable, so the most influential units are shown.")
        return default, notes
    return tuple(chosen), notes
