"""The date converter's recipe in the patterns view: its rule in words, its network and its training."""

from __future__ import annotations

from dataclasses import dataclass

RULE = "Convert a date written in words into YYYY-MM-DD."


@dataclass(frozen=True)
class DateRecipe:
    """The date converter's network and training: the encoder-decoder counterpart of a StepTask's recipe."""

    embed: int = 24
    hidden: int = 64
    steps: int = 300
    batch: int = 64
    lr: float = 0.01
    held_out: int = 1000
    """Dates drawn first and never trained on: exact match on them is the reported accuracy."""
    val_every: int = 25
    val_size: int = 256


DATE_RECIPE = DateRecipe()
