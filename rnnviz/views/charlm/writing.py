"""The trained model writing: its continuation of the seed text, what one unit did while it wrote, and its
next-character distribution at one position. Display-only: each reads the cached model, none retrains."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.memo import by_result
from rnnviz.views.charlm.features import Unit
from rnnviz.views.charlm.figures import next_chars
from rnnviz.views.charlm.model import Generation, generate, softmax, states, top_next
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import CharLMConfig


@by_result
def write(res: CharLMResult, cfg: CharLMConfig, length: int | None = None) -> Generation:
    """The model's continuation of the Config's seed text, at its temperature and sampling seed."""
    return generate(
        res.model,
        res.vocab,
        cfg.prompt,
        cfg.length if length is None else length,
        temperature=cfg.temperature,
        greedy=cfg.greedy,
        sampling_seed=cfg.sampling_seed,
        fallback=res.prompt,
    )


@dataclass(frozen=True)
class Reading:
    """What the model did on a written text: one unit's value after each character, and its top guesses."""

    values: np.ndarray
    next_chars: tuple[str, ...]
    """Per character, the five likeliest next characters with their probabilities, as hover text."""


@by_result
def reading(res: CharLMResult, gen: Generation, unit: Unit) -> Reading:
    """Read the written text again with the step-by-step cell, which also gives the LSTM's cell state c."""
    ids = np.array([[res.vocab.index(ch) for ch in gen.text]])
    values = states(res.model, ids)[unit.state if unit.state in res.final else "h"]
    top_ids, top_p = top_next(gen.logits)
    hovers = tuple(
        next_chars("".join(res.vocab[i] for i in row), p) for row, p in zip(top_ids, top_p, strict=True)
    )
    return Reading(values[unit.layer, 0, :, unit.index], hovers)


@dataclass(frozen=True)
class Guess:
    """The model's next-character distribution after one character of a written text."""

    context: str
    """The text up to and including that character."""
    actual: str | None
    """The character written next; None after the last one."""
    probs: np.ndarray
    """At the chosen temperature."""
    probs_t1: np.ndarray
    """At T = 1: the model's own distribution."""
    top: int
    """The likeliest next character's id."""
    score: float
    """Its score z before the softmax."""


def guess_at(gen: Generation, position: int, temperature: float) -> Guess:
    """The distribution after character ``position`` (from 1, clamped to the text)."""
    t = min(position, len(gen.text)) - 1
    z = gen.logits[t]
    probs = softmax(z, temperature)
    top = int(probs.argmax())
    return Guess(
        context=gen.text[: t + 1],
        actual=gen.text[t + 1] if t + 1 < len(gen.text) else None,
        probs=probs,
        probs_t1=softmax(z, 1.0),
        top=top,
        score=float(z[top]),
    )
