"""The patterns view's settings: which pattern trains, and the reader's input for each (display only).

Each pattern reads one of the input fields (``Pattern.field`` in the table); the others do not apply
to it, so the settings panel shows only the one the chosen pattern reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rnnviz.core import dates
from rnnviz.core.config import (
    cell_param,
    param,
    seed_param,
    view_param,
)
from rnnviz.views.patterns.table import PATTERN_TABLE, PATTERNS
from rnnviz.views.patterns.tasks import MAX_TYPED, SPELL_EXAMPLE

TRAINING = {"full": "Full", "quarter": "A quarter of the steps", "none": "None: untrained weights"}
TRAINING_SHARE = {"full": 1.0, "quarter": 0.25, "none": 0.0}

INPUT_FIELDS = tuple(dict.fromkeys(p.field for p in PATTERN_TABLE.values()))
"""The reader's input fields, one per kind of input; a pattern reads one of them."""


def read_by_pattern(field: str) -> Callable[[PatternsConfig], bool]:
    """An input field applies when the chosen pattern reads it."""
    return lambda cfg: PATTERN_TABLE[cfg.pattern].field == field


@dataclass(frozen=True)
class PatternsConfig:
    pattern: str = param(
        "many_to_one",
        "Pattern",
        "Which inputs are read and which outputs are scored; each pattern has its own tiny task.",
        choices=PATTERNS,
    )
    cell: str = cell_param("gru")
    training: str = param(
        "full",
        "Training",
        "How much of the pattern's training recipe to run; less shows a half-trained network.",
        choices=TRAINING,
    )
    seed: int = seed_param(0, help="Seeds the weights and the generated data.")
    bits: str = view_param(
        "1101001",
        "Bits",
        f"A string of 0s and 1s (the first {MAX_TYPED} are read); other characters are ignored.",
        max_chars=64,
        applies=read_by_pattern("bits"),
    )
    number: int = view_param(
        SPELL_EXAMPLE, "Number", "The number to spell.", min=0, max=99, applies=read_by_pattern("number")
    )
    digits: str = view_param(
        "3141592653",
        "Digits",
        f"A string of digits 0 to 9 (the first {MAX_TYPED} are read); other characters are ignored.",
        max_chars=64,
        applies=read_by_pattern("digits"),
    )
    date: str = view_param(
        dates.EXAMPLE,
        "Date",
        "A date such as " + ", ".join(f"'{name}'" for name in dates.FORMAT_NAMES[:3]) + ".",
        max_chars=60,
        applies=read_by_pattern("date"),
    )
