"""Tiny tasks, one per input/output pattern, each small enough to train in a few seconds.

Every task produces a Batch: one-hot inputs, a target class at every step, and a mask of the
outputs that count. The mask *is* the pattern: many-to-one scores only the last step, aligned
tagging scores every step, one-to-many feeds one input and scores a run of outputs. The same
functions label generated training data and the reader's typed input, so the truth shown on
the page is the rule the network was trained on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np

MAX_TYPED = 32
"""Longest typed input used: twice the longest training sequence, enough to test generalisation."""

DIGITS = tuple("0123456789")
BITS = ("0", "1")
END = "∎"
"""Output of a generator that says 'I am done'."""


@dataclass(frozen=True)
class Batch:
    x: np.ndarray
    """Inputs, (batch, time, input size), float32: one-hot rows, all zero where nothing is fed."""
    y: np.ndarray
    """Target class of every step, (batch, time), int64; 0 where the step is not scored."""
    used: np.ndarray
    """Which outputs are scored, (batch, time), bool."""


@dataclass(frozen=True)
class Example:
    """One input from the reader, cleaned, labelled and ready for the network."""

    batch: Batch
    """A batch of one."""
    inputs: tuple[str | None, ...]
    """What is fed at each step, for the diagram; None where nothing is."""
    notes: tuple[str, ...]


@dataclass(frozen=True)
class StepTask:
    """A task for a network that reads one input and writes one output per step."""

    rule: str
    """The task in one sentence, for the page."""
    classes: tuple[str, ...]
    """Output labels, in the order of the read-out's units."""
    input_size: int
    lengths: tuple[int, int]
    """Shortest and longest training sequence."""
    sample: Callable[..., Batch]
    """sample(rng, batch, length=None): fresh training data; the length is drawn when not given."""
    read: Callable[[str], Example]
    metric: Literal["step", "sequence"]
    """Accuracy per scored step, or per sequence (all its scored steps right)."""
    hidden: int
    fresh: bool = True
    """Whether evaluation data is new to the network; a generator's repertoire is its training data."""
    layers: int = 1
    bidirectional: bool = False
    steps: int = 300
    lr: float = 0.01
    batch: int = 64


def one_hot(ids: np.ndarray, size: int) -> np.ndarray:
    return np.eye(size, dtype=np.float32)[ids]


def random_digits(rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
    """Digits up to a random ceiling per sequence, so the largest digit is not almost always 9."""
    ceiling = rng.integers(0, 10, (batch, 1))
    return np.floor(rng.random((batch, length)) * (ceiling + 1)).astype(np.int64)


Labeller = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""Token ids (batch, time) -> (targets, used), both (batch, time)."""


def parity(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many-to-one: only the last output counts, and it must say whether the ones are odd."""
    y = np.zeros_like(ids)
    y[:, -1] = ids.sum(axis=1) % 2
    used = np.zeros(ids.shape, dtype=bool)
    used[:, -1] = True
    return y, used


def running_max(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aligned tagging that needs only the past: the largest digit so far."""
    return np.maximum.accumulate(ids, axis=1), np.ones(ids.shape, dtype=bool)


def whole_max(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Aligned tagging that needs the future too: the largest digit of the whole sequence."""
    return np.repeat(ids.max(axis=1, keepdims=True), ids.shape[1], axis=1), np.ones(ids.shape, dtype=bool)


ECHO_DELAY = 3


def echo(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Say the digit read three steps ago; the first three outputs have nothing to say."""
    y = np.zeros_like(ids)
    y[:, ECHO_DELAY:] = ids[:, :-ECHO_DELAY]
    used = np.zeros(ids.shape, dtype=bool)
    used[:, ECHO_DELAY:] = True
    return y, used


def symbol_batch(ids: np.ndarray, symbols: tuple[str, ...], label: Labeller) -> Batch:
    y, used = label(ids)
    return Batch(x=one_hot(ids, len(symbols)), y=y.astype(np.int64), used=used)


def read_symbols(
    text: str,
    symbols: tuple[str, ...],
    *,
    example: str,
    min_length: int,
    trained_max: int,
    what: str,
) -> tuple[list[int], list[str]]:
    """Keep the symbols the task knows; say what was dropped, cut or replaced. Never raises."""
    notes: list[str] = []
    index = {s: i for i, s in enumerate(symbols)}
    kept = [index[ch] for ch in text if ch in index]
    dropped = sorted({ch for ch in text if ch not in index and not ch.isspace()})
    if dropped:
        shown = " ".join(repr(ch) for ch in dropped[:5]) + (" …" if len(dropped) > 5 else "")
        notes.append(f"Only {what} are read; ignored {shown}.")
    if len(kept) < min_length:
        notes.append(f"Type at least {min_length} {what}; showing the example {example} instead.")
        kept = [index[ch] for ch in example]
    elif len(kept) > MAX_TYPED:
        notes.append(f"Only the first {MAX_TYPED} {what} are used.")
        kept = kept[:MAX_TYPED]
    if len(kept) > trained_max:
        notes.append(
            f"Training sequences had at most {trained_max} steps; this one has {len(kept)}, "
            "so the network is being asked to generalise."
        )
    return kept, notes


def symbol_task(
    *,
    rule: str,
    symbols: tuple[str, ...],
    classes: tuple[str, ...],
    label: Labeller,
    draw: Callable[[np.random.Generator, int, int], np.ndarray],
    lengths: tuple[int, int],
    example: str,
    what: str,
    metric: Literal["step", "sequence"] = "step",
    **recipe,
) -> StepTask:
    """A task whose input is a typed string of symbols, one per step."""

    def sample(rng: np.random.Generator, batch: int, length: int | None = None) -> Batch:
        if length is None:
            length = int(rng.integers(lengths[0], lengths[1] + 1))
        return symbol_batch(draw(rng, batch, length), symbols, label)

    def read(text: str) -> Example:
        ids, notes = read_symbols(
            text, symbols, example=example, min_length=lengths[0], trained_max=lengths[1], what=what
        )
        batch = symbol_batch(np.array([ids], dtype=np.int64), symbols, label)
        return Example(batch=batch, inputs=tuple(symbols[i] for i in ids), notes=tuple(notes))

    return StepTask(
        rule=rule,
        classes=classes,
        input_size=len(symbols),
        lengths=lengths,
        sample=sample,
        read=read,
        metric=metric,
        **recipe,
    )


def random_bits(rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
    return rng.integers(0, 2, (batch, length))


def uniform_digits(rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
    return rng.integers(0, 10, (batch, length))


digit_task = partial(
    symbol_task, symbols=DIGITS, classes=DIGITS, draw=random_digits, lengths=(2, 16), what="digits"
)
"""A task that reads digits and answers with a digit at every step: the three tagging patterns."""


ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["-", "-", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_name(n: int) -> str:
    """English name of 0..99, e.g. 42 -> 'forty-two'."""
    if n < 20:
        return ONES[n]
    return TENS[n // 10] + (f"-{ONES[n % 10]}" if n % 10 else "")


NAMES = tuple(number_name(n) for n in range(100))
LETTERS = (END,) + tuple(sorted(set("".join(NAMES))))
SPELL_STEPS = max(len(name) for name in NAMES) + 1
"""Enough steps for the longest name and its end mark."""
SPELL_EXAMPLE = 42


def spell_batch(numbers: np.ndarray) -> Batch:
    """The number goes in once, at step 1, as two one-hot codes (tens, units); then nothing more."""
    batch = len(numbers)
    x = np.zeros((batch, SPELL_STEPS, 20), dtype=np.float32)
    x[np.arange(batch), 0, numbers // 10] = 1.0
    x[np.arange(batch), 0, 10 + numbers % 10] = 1.0
    y = np.zeros((batch, SPELL_STEPS), dtype=np.int64)
    used = np.zeros((batch, SPELL_STEPS), dtype=bool)
    for row, n in enumerate(numbers):
        spelled = NAMES[n] + END
        y[row, : len(spelled)] = [LETTERS.index(ch) for ch in spelled]
        used[row, : len(spelled)] = True
    return Batch(x=x, y=y, used=used)


def sample_spell(rng: np.random.Generator, batch: int, length: int | None = None) -> Batch:
    """Every number once per 100 rows: a generator learns its whole repertoire; nothing is held out."""
    return spell_batch(np.resize(rng.permutation(100), batch))


def read_number(text: str) -> Example:
    notes: list[str] = []
    try:
        n = int(text.strip())
    except ValueError:
        notes.append(f"Type a whole number from 0 to 99; showing {SPELL_EXAMPLE} instead.")
        n = SPELL_EXAMPLE
    if not 0 <= n <= 99:
        notes.append(f"Only 0 to 99 are named; showing {SPELL_EXAMPLE} instead.")
        n = SPELL_EXAMPLE
    inputs = (str(n),) + (None,) * (SPELL_STEPS - 1)
    return Example(batch=spell_batch(np.array([n])), inputs=inputs, notes=tuple(notes))


STEP_TASKS: dict[str, StepTask] = {
    "many_to_one": symbol_task(
        rule="Read bits one by one; at the end only, say whether the number of ones is odd or even.",
        symbols=BITS,
        classes=("even", "odd"),
        label=parity,
        draw=random_bits,
        lengths=(1, 16),
        example="1101001",
        what="bits (0 or 1)",
        metric="sequence",
        hidden=16,
    ),
    "one_to_many": StepTask(
        rule=f"Read one number (0 to 99) at step 1, then write its English name, one letter per step, "
        f"and {END} at the end.",
        classes=LETTERS,
        input_size=20,
        lengths=(SPELL_STEPS, SPELL_STEPS),
        sample=sample_spell,
        read=read_number,
        metric="sequence",
        hidden=32,
        fresh=False,
        steps=200,
        lr=0.02,
        batch=100,
    ),
    "aligned": digit_task(
        rule="Tag every digit with the largest digit read so far.",
        label=running_max,
        example="3141592653",
        hidden=32,
    ),
    "bidirectional": digit_task(
        rule="Tag every digit with the largest digit of the whole sequence, including digits not yet read.",
        label=whole_max,
        example="2718281828",
        hidden=24,
        bidirectional=True,
    ),
    "stacked": digit_task(
        rule=f"Repeat each digit {ECHO_DELAY} steps after reading it.",
        label=echo,
        draw=uniform_digits,
        lengths=(ECHO_DELAY + 1, 16),
        example="8675309",
        hidden=32,
        layers=3,
        steps=200,
    ),
}
