"""Bracket nesting: a counting task whose solution is one number carried forward and nudged by ±1.

The target after each token is the nesting depth so far. A gated cell can solve it exactly
with a single unit that keeps its value (forget/update gate open), adds on '(' and subtracts
on ')' (input gate open), and ignores filler letters (input gate shut): counting made visible.
"""

from __future__ import annotations

import numpy as np

VOCAB = ("(", ")", "x")
"""One-hot inputs: open, close, and filler (every letter or digit reads as the same filler token)."""
OPEN, CLOSE, FILLER = range(len(VOCAB))

MAX_DEPTH = 4
"""Training sequences never nest deeper than this; deeper typed input tests generalisation."""

FILLER_SHARE = 0.25
EXAMPLE = "((a)(b(c)))"


def bracket_depth(
    batch: int,
    length: int,
    rng: np.random.Generator,
    max_depth: int = MAX_DEPTH,
    filler: float = FILLER_SHARE,
) -> tuple[np.ndarray, np.ndarray]:
    """One-hot x (batch, length, 3) and the depth after each token, y (batch, length, 1).

    A random walk on depth: filler with probability ``filler``, otherwise '(' or ')' at random,
    forced to stay within 0..max_depth so no sequence closes a bracket it never opened.
    """
    x = np.zeros((batch, length, len(VOCAB)), dtype=np.float32)
    y = np.zeros((batch, length, 1), dtype=np.float32)
    depth = np.zeros(batch, dtype=np.int64)
    rows = np.arange(batch)
    for t in range(length):
        is_filler = rng.random(batch) < filler
        opens = np.where(depth == 0, True, np.where(depth >= max_depth, False, rng.random(batch) < 0.5))
        token = np.where(is_filler, FILLER, np.where(opens, OPEN, CLOSE))
        depth += (token == OPEN).astype(np.int64) - (token == CLOSE).astype(np.int64)
        x[rows, t, token] = 1.0
        y[:, t, 0] = depth
    return x, y


def running_depth(ids: np.ndarray) -> np.ndarray:
    """Depth after each token id; negative where a ')' has no matching '('."""
    ids = np.asarray(ids)
    return np.cumsum((ids == OPEN).astype(np.int64) - (ids == CLOSE).astype(np.int64))


def parse(text: str, max_tokens: int) -> tuple[tuple[str, ...], np.ndarray, tuple[str, ...]]:
    """Typed text to (shown tokens, token ids, notes). Never raises.

    Brackets are brackets, letters and digits are filler, whitespace is skipped so input can
    be spaced out, anything else (emoji, punctuation) is dropped with a note. Too little
    usable input falls back to the worked example.
    """
    notes: list[str] = []
    shown: list[str] = []
    ids: list[int] = []
    dropped: list[str] = []
    for ch in text:
        if ch == "(":
            shown.append(ch)
            ids.append(OPEN)
        elif ch == ")":
            shown.append(ch)
            ids.append(CLOSE)
        elif ch.isalnum():
            shown.append(ch)
            ids.append(FILLER)
        elif not ch.isspace():
            dropped.append(ch)
    if dropped:
        sample = "".join(dict.fromkeys(dropped))[:8]
        notes.append(
            f"Dropped {len(dropped)} character(s) that are neither brackets nor letters or digits: {sample!r}."
        )
    if len(ids) < 2:
        notes.append(
            "A bracket sequence needs at least two brackets or letters; showing the example instead."
        )
        tokens, example_ids, _ = parse(EXAMPLE, max_tokens)
        return tokens, example_ids, tuple(notes)
    if len(ids) > max_tokens:
        notes.append(f"Only the first {max_tokens} characters are used.")
        shown, ids = shown[:max_tokens], ids[:max_tokens]
    depth = running_depth(np.array(ids))
    if depth.min() < 0:
        first = int(np.argmax(depth < 0)) + 1
        notes.append(
            f"The ')' at step {first} closes a bracket that was never opened: training never showed "
            "the network a negative depth, so watch what it does there."
        )
    if depth.max() > MAX_DEPTH:
        notes.append(
            f"This nests {depth.max()} deep; training went only {MAX_DEPTH} deep, so this tests generalisation."
        )
    return tuple(shown), np.array(ids, dtype=np.int64), tuple(notes)
