"""The network's reply to one input, laid out column by column for the diagram.

Running a model (``step_outputs``, ``date_outputs``) is kept apart from laying out its reply
(``step_answer``, ``date_answer``), so a snapshot recorded during training is laid out exactly
like the trained network's answer: the training film and the final diagram are one drawing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from rnnviz.core import dates
from rnnviz.core.cells import trace
from rnnviz.core.config import spec_of
from rnnviz.core.memo import by_result
from rnnviz.core.models import TokenModel
from rnnviz.core.timeline import Frame
from rnnviz.views.patterns.result import PatternsResult
from rnnviz.views.patterns.seq2seq import END, GO, PAD, CharVocab, Seq2Seq, pad_batch
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.table import PATTERN_TABLE
from rnnviz.views.patterns.tasks import END as END_MARK
from rnnviz.views.patterns.tasks import STEP_TASKS, Batch, Example

SOURCE = CharVocab.of(dates.SOURCE_CHARS)
TARGET = CharVocab.of(dates.TARGET_CHARS)
DECODE_STEPS = len("2023-01-15") + 1
"""Enough decoder steps for an ISO date and its end mark."""

DISPLAY = {END: END_MARK, GO: "▶", PAD: "·"}
"""How the decoder's special tokens are drawn."""


@dataclass(frozen=True)
class Answer:
    """The network's reply to one input, laid out column by column for the diagram."""

    source: str
    """The input as the network read it, after cleaning."""
    inputs: tuple[str | None, ...]
    """What is fed at each step; None where nothing is."""
    outputs: tuple[str | None, ...]
    """The read-out at each step; None where the pattern has no output there (the encoder)."""
    used: tuple[bool, ...]
    """Which outputs the pattern scores."""
    targets: tuple[str | None, ...]
    """The right output where it is scored and known."""
    text: str
    """The answer as one string."""
    expected: str | None
    layers: tuple[tuple[np.ndarray, ...], ...]
    """Hidden states [layer][direction], each (time, hidden); the encoder's for seq2seq."""
    decoder: np.ndarray | None = None
    """Seq2seq only: the decoder's hidden state after each output, (steps, hidden)."""
    split: int | None = None
    """Seq2seq only: the first decoder column."""
    forward_only: str | None = None
    """Bidirectional only: the forward-only network's answer."""
    notes: tuple[str, ...] = ()

    @property
    def correct(self) -> bool | None:
        return None if self.expected is None else self.text == self.expected


def predict(model: TokenModel, batch: Batch) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(batch.x)).argmax(-1).numpy()


def step_outputs(model: TokenModel, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """The predicted class at each step of a batch of one, and every hidden state (layer, direction, time, hidden)."""
    x = torch.from_numpy(batch.x)
    with torch.no_grad():
        init = model.initial_state(1)
        h0, c0 = init if isinstance(init, tuple) else (init, None)
        tr = trace(model.rnn, x, h0, c0)
        predicted = model.head(tr.output)[0].argmax(-1).numpy()
    return predicted, np.array([[lt.h[0].numpy() for lt in layer] for layer in tr.layers])


def step_answer(
    pattern: str, example: Example, predicted: np.ndarray, hidden: np.ndarray, forward_only: str | None = None
) -> Answer:
    task = STEP_TASKS[pattern]
    used = example.batch.used[0]
    outputs = tuple(task.classes[i] for i in predicted)
    targets = tuple(task.classes[y] if u else None for y, u in zip(example.batch.y[0], used, strict=True))
    scored = lambda labels: "".join(label for label, u in zip(labels, used, strict=True) if u)
    if pattern == "one_to_many":
        end = END_MARK
        said, expected = "".join(outputs).split(end)[0], scored(targets).removesuffix(end)
    else:
        said, expected = scored(outputs), scored(targets)
    return Answer(
        source="".join(i for i in example.inputs if i is not None),
        inputs=example.inputs,
        outputs=outputs,
        used=tuple(bool(u) for u in used),
        targets=targets,
        text=said,
        expected=expected,
        layers=tuple(tuple(direction for direction in layer) for layer in hidden),
        forward_only=forward_only,
        notes=example.notes,
    )


def forward_only_text(pattern: str, model: TokenModel, example: Example) -> str:
    task = STEP_TASKS[pattern]
    used = example.batch.used[0]
    said = (task.classes[i] for i in predict(model, example.batch)[0])
    return "".join(label for label, u in zip(said, used, strict=True) if u)


def date_outputs(
    model: Seq2Seq, text: str, *, stop: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy ids, the encoder's states (time, hidden) and the decoder's (steps, hidden) for one date.

    ``stop=False`` decodes all DECODE_STEPS even past the end mark, so snapshots share one layout.
    """
    source, lengths = pad_batch(SOURCE, [text])
    decoded = model.greedy(source, lengths, DECODE_STEPS, stop=stop)
    with torch.no_grad():
        tr = trace(model.encoder, model.source_embed(source))
    return decoded.tokens[0].numpy(), tr.layers[0][0].h[0].numpy(), decoded.states[0].numpy()


def date_answer(typed: dates.TypedDate, ids: np.ndarray, encoder: np.ndarray, decoder: np.ndarray) -> Answer:
    ids = ids.tolist()
    said = [DISPLAY.get(TARGET.tokens[i], TARGET.tokens[i]) for i in ids]
    want = list(typed.expected) + [END_MARK] if typed.expected else []
    n_in, n_out = len(typed.text), len(ids)
    return Answer(
        source=typed.text,
        inputs=tuple(typed.text) + (DISPLAY[GO],) + tuple(said[:-1]),
        outputs=(None,) * n_in + tuple(said),
        used=(False,) * n_in + (True,) * n_out,
        targets=(None,) * n_in + tuple(want[t] if t < len(want) else None for t in range(n_out)),
        text=TARGET.decode(ids),
        expected=typed.expected,
        layers=((encoder,),),
        decoder=decoder,
        split=n_in,
        notes=typed.notes,
    )


def film_input(pattern: str) -> str:
    """The input the training film answers: the page's default for this pattern's input field."""
    return str(spec_of(PatternsConfig, PATTERN_TABLE[pattern].field).default)


@by_result
def answer(res: PatternsResult, cfg: PatternsConfig) -> Answer:
    """The trained network's reply to the input in ``cfg`` (the field for its pattern)."""
    raw = str(getattr(cfg, PATTERN_TABLE[res.pattern].field))
    if res.pattern == "seq2seq":
        typed = dates.read_date(raw)
        return date_answer(typed, *date_outputs(res.model, typed.text))
    example = STEP_TASKS[res.pattern].read(raw)
    forward_only = None
    if res.forward_only is not None:
        forward_only = forward_only_text(res.pattern, res.forward_only, example)
    return step_answer(res.pattern, example, *step_outputs(res.model, example.batch), forward_only)


def frame_answer(pattern: str, frame: Frame, columns: int | None = None) -> Answer:
    """A snapshot's reply to the film's input; a date's decoder columns cut to ``columns`` (default: to its end mark)."""
    if pattern == "seq2seq":
        ids = np.asarray(frame["outputs"])
        if columns is None:
            ends = np.flatnonzero(ids == TARGET.index[END])
            columns = int(ends[0]) + 1 if len(ends) else len(ids)
        typed = dates.read_date(film_input(pattern))
        return date_answer(typed, ids[:columns], frame["encoder"], frame["decoder"][:columns])
    example = STEP_TASKS[pattern].read(film_input(pattern))
    return step_answer(pattern, example, frame["outputs"], frame["hidden"])


@by_result
def film_answers(res: PatternsResult, reply: Answer) -> list[Answer] | None:
    """The reply at every snapshot of training, when the reply is to the input the film recorded.

    Every frame keeps the trained reply's columns, so the diagram has one layout through the film.
    """
    if res.film is None or len(res.film) < 2:
        return None
    recorded = frame_answer(res.pattern, res.film.frames[-1])
    if reply.inputs[: reply.split] != recorded.inputs[: recorded.split]:
        return None
    columns = len(reply.outputs) - reply.split if reply.split is not None else None
    return [
        dataclasses.replace(frame_answer(res.pattern, f, columns), forward_only=reply.forward_only)
        for f in res.film.frames
    ]
