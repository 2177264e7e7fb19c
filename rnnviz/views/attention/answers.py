"""Reading the trained networks: their answers to one example, where attention looked, and how well
the alignment follows the rule of the task."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnviz.core.memo import by_result
from rnnviz.views.attention.model import decode
from rnnviz.views.attention.result import MODELS, AttentionResult
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import Batch, Typed, typed_batch, vocabulary

SWEEP_LENGTHS = (5, 10, 20, 30, 40)
"""String lengths the page's sweep lists, filled in as they are trained."""


@dataclass(frozen=True)
class Answer:
    source: tuple[str, ...]
    """The input, one token per input step."""
    expected: tuple[str, ...] | None
    written: dict[str, tuple[str, ...]]
    """Each network's greedy answer, one token per output step."""
    weights: np.ndarray
    """Attention weights of the attentive network, (output steps, input steps)."""


def _answer(res: AttentionResult, batch: Batch, expected: str | None) -> Answer:
    vocab = vocabulary(res.task)
    written, weights = {}, None
    for name in MODELS:
        ids, found = decode(res.models[name], batch)
        written[name] = tuple(vocab.decode(ids[0]))
        weights = found if found is not None else weights
    length = int(batch.lengths[0])
    source = tuple(vocab.source[int(i)] for i in batch.source[0, :length])
    return Answer(
        source, tuple(expected) if expected is not None else None, written, weights[0, :, :length].numpy()
    )


@by_result
def held_out_example(res: AttentionResult, index: int = 0) -> Answer:
    """A held-out example neither network trained on."""
    batch = res.held_out
    row = slice(index, index + 1)
    one = Batch(batch.source[row], batch.lengths[row], batch.target[row])
    return _answer(res, one, vocabulary(res.task).decode(batch.target[index]))


@by_result
def typed_answer(res: AttentionResult, typed: Typed) -> Answer | None:
    """Both networks' answers to the reader's own text; None when there is nothing to read."""
    if not typed.text:
        return None
    return _answer(res, typed_batch(res.task, typed), typed.expected)


def mirrored(task: str, out_steps: int, in_steps: int) -> np.ndarray:
    """The input step each output step should read: the same one when copying, the mirror when reversing."""
    steps = np.arange(out_steps)
    return in_steps - 1 - steps if task == "reverse" else steps


def on_rule_share(weights: np.ndarray, task: str, tolerance: int = 1) -> float:
    """Share of output steps whose largest weight is within ``tolerance`` of the input step the rule names.

    ``weights`` is (output steps, input steps) or a stack of them (examples first).
    """
    stack = weights if weights.ndim == 3 else weights[None]
    target = mirrored(task, stack.shape[1], stack.shape[2])
    return float(np.mean(np.abs(stack.argmax(-1) - target) <= tolerance))


def month_focus(answer: Answer) -> float:
    """Dates: the weight the month's two digits put on the month's letters (a share of 1)."""
    letters = [i for i, ch in enumerate(answer.source) if ch.isalpha()]
    month_digits = slice(5, 7)  # '2023-01-15': characters 6 and 7
    return float(answer.weights[month_digits, letters].sum(1).mean()) if letters else 0.0


def sweep_row(length: int, res: AttentionResult | None) -> dict[str, float | int | None]:
    """One length of the sweep: token accuracy of both networks, None until it has been trained."""
    row: dict[str, float | int | None] = {"length": length}
    for name in MODELS:
        row[name] = res.scores[name].token_accuracy if res is not None else None
    return row


def sweep_rows(
    cfg: AttentionConfig,
    res: AttentionResult,
    cached: Callable[[AttentionConfig], AttentionResult | None],
) -> list[dict[str, float | int | None]]:
    """The sweep over string lengths with these settings: this run, and each other length that
    ``cached(cfg)`` finds trained already (never training one)."""
    return [
        sweep_row(length, res if length == cfg.length else cached(dataclasses.replace(cfg, length=length)))
        for length in sorted({*SWEEP_LENGTHS, cfg.length})
    ]
