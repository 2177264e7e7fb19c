"""Turning typed text into a token sequence, with polite notes instead of errors."""

from __future__ import annotations

import math
from dataclasses import dataclass

TOKENIZERS = {"char": "Characters", "word": "Words", "number": "Numbers"}


@dataclass(frozen=True)
class Tokens:
    tokens: tuple[str, ...]
    values: tuple[float, ...] | None
    """The numbers, when the sequence is numeric; None for text."""
    notes: tuple[str, ...] = ()

    def with_notes(self, notes: list[str]) -> Tokens:
        return Tokens(self.tokens, self.values, tuple(notes) + self.notes)


def _numbers(text: str) -> tuple[list[float], list[str]]:
    """The finite numbers in ``text`` (separated by spaces, commas or semicolons), and what was skipped."""
    values, skipped = [], []
    for part in text.replace(",", " ").replace(";", " ").split():
        try:
            v = float(part)
        except ValueError:
            v = math.nan
        if math.isfinite(v):
            values.append(v)
        else:
            skipped.append(part)
    return values, skipped


def tokenize(text: str, mode: str, *, max_tokens: int, fallback: str) -> Tokens:
    """Split ``text`` by character, word or number; too short or unusable input falls back to ``fallback``."""
    notes: list[str] = []
    values: list[float] | None = None
    if mode == "number":
        values, skipped = _numbers(text)
        toks = [f"{v:g}" for v in values]
        if skipped:
            shown = ", ".join(repr(s[:12]) for s in skipped[:3])
            notes.append(f"Ignored {len(skipped)} item(s) that are not finite numbers: {shown}.")
    elif mode == "word":
        toks = text.split()
    else:
        toks = list(text) if text.strip() else []
    if len(toks) < 2:
        notes.append("The input needs at least two tokens; showing the example instead.")
        return tokenize(fallback, mode, max_tokens=max_tokens, fallback=fallback).with_notes(notes)
    if len(toks) > max_tokens:
        notes.append(f"Only the first {max_tokens} tokens are used.")
        toks = toks[:max_tokens]
        values = values[:max_tokens] if values is not None else None
    return Tokens(tuple(toks), tuple(values) if values is not None else None, tuple(notes))
