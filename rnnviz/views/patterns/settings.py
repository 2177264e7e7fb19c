"""The patterns view's settings: which pattern trains, and the reader's input for each (display only)."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core import dates
from rnnviz.core.config import cell_param, param, seed_param
from rnnviz.views.patterns.table import PATTERNS
from rnnviz.views.patterns.tasks import MAX_TYPED, SPELL_EXAMPLE

TRAINING = {"full": "Full", "quarter": "A quarter of the steps", "none": "None: untrained weights"}
TRAINING_SHARE = {"full": 1.0, "quarter": 0.25, "none": 0.0}


@dataclass(frozen=True)
class PatternsConfig:
    pattern: str = param(
        "many_to_one",
        label="Pattern",
        help="Which inputs are read and which outputs are scored; each pattern has its own tiny task.",
        choices=PATTERNS,
    )
    cell: str = cell_param("gru")
    training: str = param(
        "full",
        label="Training",
        help="How much of the pattern's training recipe to run; less shows a half-trained network.",
        choices=TRAINING,
    )
    seed: int = seed_param(0, help="Seeds the weights and the generated data.")
    bits: str = param(
        "1101001",
        label="Bits",
        help=f"A string of 0s and 1s (the first {MAX_TYPED} are read); other characters are ignored.",
        max_chars=64,
        role="view",
    )
    number: int = param(
        SPELL_EXAMPLE, label="Number", help="The number to spell.", min=0, max=99, role="view"
    )
    digits: str = param(
        "3141592653",
        label="Digits",
        help=f"A string of digits 0 to 9 (the first {MAX_TYPED} are read); other characters are ignored.",
        max_chars=64,
        role="view",
    )
    date: str = param(
        dates.EXAMPLE,
        label="Date",
        help="A date such as " + ", ".join(f"'{name}'" for name in dates.FORMAT_NAMES[:3]) + ".",
        max_chars=60,
        role="view",
    )
