"""The tasks: reverse or copy a random digit string, or convert a date written in words.

Every task is a batch of id tensors. Source id 0 is padding and target id 0 is the decoder's
start token, so the characters themselves are ids 1 and up. Held-out examples are drawn first
and never appear in training, so accuracy on them measures the skill, not recall.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from rnnviz.core import dates

DIGITS = tuple("0123456789")
PAD, GO = "·", "▶"
"""How the padding and start tokens are drawn; they are id 0 of their vocabularies."""

TASKS = {
    "reverse": "Reverse a digit string",
    "copy": "Copy a digit string",
    "dates": "Convert a date (January 15, 2023 → 2023-01-15)",
}
DIGIT_TASKS = ("reverse", "copy")
DATE_SPELLINGS = 3
"""The date task trains on the first three spellings of core.dates: enough to show alignment, quick to learn."""

MIN_LENGTH, MAX_LENGTH = 5, 40
BATCH = 64
"""Fresh training examples per step."""
HELD_OUT = 256
"""Held-out examples scored after training (greedy decoding)."""


@dataclass(frozen=True)
class Vocabulary:
    source: tuple[str, ...]
    target: tuple[str, ...]

    def encode(self, text: str) -> list[int]:
        index = {ch: i for i, ch in enumerate(self.source)}
        return [index[ch] for ch in text]

    def decode(self, ids: Tensor | np.ndarray) -> str:
        return "".join(self.target[int(i)] for i in ids)


def vocabulary(task: str) -> Vocabulary:
    if task == "dates":
        return Vocabulary((PAD, *dates.SOURCE_CHARS), (GO, *dates.TARGET_CHARS))
    return Vocabulary((PAD, *DIGITS), (GO, *DIGITS))


@dataclass(frozen=True)
class Batch:
    source: Tensor
    """(batch, input steps) ids, right-padded with 0."""
    lengths: Tensor
    target: Tensor
    """(batch, output steps) ids the decoder must write."""

    @property
    def target_in(self) -> Tensor:
        """Teacher forcing: the start token, then the true previous targets."""
        return torch.cat([torch.zeros_like(self.target[:, :1]), self.target[:, :-1]], dim=1)

    def __len__(self) -> int:
        return self.source.shape[0]


def _digit_batch(digits: np.ndarray, task: str) -> Batch:
    source = torch.from_numpy(digits + 1)
    target = source.flip(1) if task == "reverse" else source.clone()
    return Batch(source, torch.full((len(digits),), digits.shape[1]), target)


def _fingerprint(digits: np.ndarray) -> np.ndarray:
    """An integer per string from its first 18 digits: equal strings, equal fingerprints."""
    head = digits[:, :18]
    return head @ (10 ** np.arange(head.shape[1] - 1, -1, -1, dtype=np.int64))


def _fresh_digits(rng: np.random.Generator, n: int, length: int, held_out: np.ndarray) -> np.ndarray:
    digits = rng.integers(0, 10, (n, length))
    # Strings sharing a held-out string's first 18 digits are redrawn: never the same string.
    while (clash := np.isin(_fingerprint(digits), held_out)).any():
        digits[clash] = rng.integers(0, 10, (int(clash.sum()), length))
    return digits


def _text_batch(vocab: Vocabulary, sources: list[str], targets: list[str]) -> Batch:
    lengths = torch.tensor([len(s) for s in sources])
    source = torch.zeros(len(sources), int(lengths.max()), dtype=torch.long)
    for row, text in enumerate(sources):
        source[row, : len(text)] = torch.tensor(vocab.encode(text))
    index = {ch: i for i, ch in enumerate(vocab.target)}
    target = torch.tensor([[index[ch] for ch in t] for t in targets])
    return Batch(source, lengths, target)


@dataclass(frozen=True)
class Data:
    """A task's held-out batch and an endless stream of training batches that avoid it."""

    held_out: Batch
    batches: Iterator[Batch]


def make_data(task: str, length: int, batch_size: int, rng: np.random.Generator) -> Data:
    if task == "dates":
        vocab = vocabulary(task)
        held_days = dates.held_out_days(rng, HELD_OUT)

        def date_stream() -> Iterator[Batch]:
            while True:
                days = dates.training_days(rng, batch_size, held_days)
                yield _text_batch(vocab, *dates.pairs(rng, days, DATE_SPELLINGS))

        return Data(_text_batch(vocab, *dates.pairs(rng, held_days, DATE_SPELLINGS)), date_stream())
    held = rng.integers(0, 10, (HELD_OUT, length))
    prints = _fingerprint(held)

    def digit_stream() -> Iterator[Batch]:
        while True:
            yield _digit_batch(_fresh_digits(rng, batch_size, length, prints), task)

    return Data(_digit_batch(held, task), digit_stream())


@dataclass(frozen=True)
class Typed:
    """The user's text as the network reads it, and what a reader should be told about it."""

    text: str
    expected: str | None
    """The right answer, when there is one."""
    notes: tuple[str, ...]


def read_digits(raw: str, task: str, length: int) -> Typed:
    """Digits only, at most the trained length. Never raises: anything else becomes a note."""
    notes = []
    unknown = sorted({ch for ch in raw if ch not in DIGITS and not ch.isspace()})
    if unknown:
        shown = " ".join(repr(ch) for ch in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        notes.append(f"Only the digits 0-9 can be read; {shown} removed.")
    text = "".join(ch for ch in raw if ch in DIGITS)
    if len(text) > length:
        notes.append(f"The network was trained on {length} digits; only the first {length} are read.")
        text = text[:length]
    elif 0 < len(text) < length:
        notes.append(
            f"The network was trained on strings of exactly {length} digits: a shorter one tests "
            "whether it learnt the rule or the length."
        )
    if not text:
        return Typed("", None, tuple(notes))
    return Typed(text, text[::-1] if task == "reverse" else text, tuple(notes))


def read(raw: str, task: str, length: int) -> Typed:
    if task == "dates":
        typed = dates.read_date(raw, fallback=None)
        return Typed(typed.text, typed.expected, typed.notes)
    return read_digits(raw, task, length)


def typed_batch(task: str, typed: Typed) -> Batch:
    """One row for the user's text; its target is the right answer or, without one, a stand-in of the same
    length (only the number of output steps is read from it)."""
    vocab = vocabulary(task)
    steps = dates.TARGET_LENGTH if task == "dates" else len(typed.text)
    answer = typed.expected if typed.expected is not None else vocab.target[1] * steps
    return _text_batch(vocab, [typed.text], [answer])
