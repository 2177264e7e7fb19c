"""The gates view's tasks: one table row per task, with the data each synthetic task trains on.

Copy and brackets are generated here and trained by this view; sentiment reads the sentiment
view's classifier (see sentiment_adapter), so it has no generator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnviz.core.memory_tasks import copy_first
from rnnviz.views.gates.brackets import VOCAB, bracket_depth

Generate = Callable[[int, int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
"""(batch, length, rng) -> x (batch, length, input), y (batch, answered steps)."""


@dataclass(frozen=True)
class Task:
    label: str
    help: str
    """What the network must do, in one sentence for the Task control's help."""
    input_size: int | None = None
    """None for sentiment: the classifier's word vectors decide it."""
    generate: Generate | None = None


def _bracket_task(batch: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = bracket_depth(batch, length, rng)
    return x, y[..., 0]


TASKS: dict[str, Task] = {
    "copy": Task(
        "Memory: recall the flagged first value through noise",
        "Memory: the first value is flagged; after the noise that follows, the network must say it.",
        input_size=2,
        generate=copy_first,
    ),
    "brackets": Task(
        "Counting: bracket nesting depth",
        "Counting: after each token, say how deeply the brackets are nested; letters are filler.",
        input_size=len(VOCAB),
        generate=_bracket_task,
    ),
    "sentiment": Task(
        "Sentiment: a review sentence, read by the sentiment view's classifier",
        "Sentiment: positive or negative, for a movie-review sentence (trains the sentiment view's "
        "classifier once, within the compute budget, unless that view has trained it already).",
    ),
}
"""Copy answers once, after the last step; brackets after every step. y's width says which."""

TASK_LABELS = {name: task.label for name, task in TASKS.items()}

POOL = 4096
"""Training sequences generated once; each step samples a minibatch from them."""
BATCH = 64
"""Sequences per training step."""
HELD_OUT = 256
"""Fresh sequences (or test sentences) for the held-out loss, saturation and the choice of influential units."""
FILM_SEQUENCES = 32
"""Held-out sequences whose gates are traced at each training snapshot: enough for a share, cheap to trace."""
