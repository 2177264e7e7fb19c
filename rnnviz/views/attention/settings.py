"""The attention view's settings: the task, the two networks' size and score, and how long they train."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.config import (
    hidden_param,
    learning_rate_param,
    length_param,
    only_if,
    param,
    seed_param,
    steps_param,
    view_param,
)
from rnnviz.views.attention.model import ATTENTION
from rnnviz.views.attention.tasks import BATCH, DIGIT_TASKS, MAX_LENGTH, MIN_LENGTH, TASKS

SCORES = {k: v for k, v in ATTENTION.items() if k != "none"}
"""The score functions a reader may pick; the plain network is the other half of every run."""


@dataclass(frozen=True)
class AttentionConfig:
    task: str = param("copy", "Task", "What the decoder must write.", choices=TASKS)
    length: int = only_if(
        lambda cfg: cfg.task in DIGIT_TASKS,
        length_param(
            30,
            label="String length",
            help="Digits to reverse or copy. The plain decoder must carry all of them in one state.",
            min=MIN_LENGTH,
            max=MAX_LENGTH,
            unit="digits",
        ),
    )
    score: str = param(
        "dot", "Attention score", "How a decoder state scores each encoder state.", choices=SCORES
    )
    hidden: int = hidden_param(64, min=8, max=128, help="Units in every LSTM state, in both networks.")
    steps: int = steps_param(
        300,
        help=f"Adam steps for each network, on fresh batches of {BATCH} examples.",
        max=3000,
        step=100,
    )
    lr: float = learning_rate_param(0.01)
    seed: int = seed_param(0, help="Seeds the data (the same for both networks) and the weights.")
    text: str = view_param(
        "",
        "Your input",
        "Digits (or a date) for the trained networks to answer; display only, never retrains.",
        max_chars=60,
    )
