"""Training the patterns view: every input/output pattern of a recurrent network, each on a tiny task.

The trained network is kept in the result, so the reader's typed input can be answered (and
its hidden states drawn) without retraining. While it trains, its answer to the page's default
input is recorded at each snapshot: the diagram's training film.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import torch
from torch import nn

from rnnviz.core import dates
from rnnviz.core.cells import count_parameters, trace
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import History, fit, stage_progress
from rnnviz.core.models import TokenModel
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Capture, Frame
from rnnviz.views.patterns.answers import (
    DECODE_STEPS,
    SOURCE,
    TARGET,
    date_outputs,
    film_input,
    predict,
    step_answer,
    step_outputs,
)
from rnnviz.views.patterns.date_recipe import DATE_RECIPE
from rnnviz.views.patterns.probes import probe_correct
from rnnviz.views.patterns.result import ItemScores, PatternsResult
from rnnviz.views.patterns.seq2seq import Seq2Seq, pad_batch, target_batch
from rnnviz.views.patterns.settings import TRAINING_SHARE, PatternsConfig
from rnnviz.views.patterns.tasks import STEP_TASKS, Batch, StepTask

CLIP = 1.0
EVAL_BATCHES = 16
POSITION_BATCH = (512, 16)
"""Sequences and length used to measure accuracy at each position (bidirectional)."""
PROBE_DELAYS = 6
PROBE_SEQUENCES = 256
"""Sequences whose states fit (first half) and score (second half) the stacked network's probes."""


def planned_steps(cfg: PatternsConfig) -> int:
    full = DATE_RECIPE.steps if cfg.pattern == "seq2seq" else STEP_TASKS[cfg.pattern].steps
    return round(full * TRAINING_SHARE[cfg.training])


def _tensors(batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.from_numpy(batch.x), torch.from_numpy(batch.y), torch.from_numpy(batch.used)


def _step_loss(model: TokenModel, batch: Batch) -> torch.Tensor:
    """Cross-entropy over the scored outputs only: the mask is what makes the pattern."""
    x, y, used = _tensors(batch)
    logits = model(x)
    return nn.functional.cross_entropy(logits[used], y[used])


def _right(model: TokenModel, batch: Batch) -> np.ndarray:
    """Per step: the output is right or not scored."""
    return (predict(model, batch) == batch.y) | ~batch.used


def step_accuracy(model: TokenModel, batches: list[Batch], metric: str) -> float:
    if metric == "sequence":
        return float(np.mean(np.concatenate([_right(model, b).all(axis=1) for b in batches])))
    hits = sum(int((_right(model, b) & b.used).sum()) for b in batches)
    return hits / sum(int(b.used.sum()) for b in batches)


def _rows(batches: list[Batch]) -> Counter:
    return Counter(tuple(y[u].tolist()) for b in batches for y, u in zip(b.y, b.used, strict=True))


def constant_guess(batches: list[Batch], metric: str) -> float:
    """Accuracy of always giving the most common answer (per step), or the most common whole answer."""
    if metric == "sequence":
        rows = _rows(batches)
        return max(rows.values()) / rows.total()
    targets = np.concatenate([b.y[b.used] for b in batches])
    return float(np.bincount(targets).max() / len(targets))


def _right_per_item(right: list[np.ndarray], batches: list[Batch], metric: str) -> np.ndarray:
    """Per sequence: 1 if all its scored outputs are right (sequence metric), else how many are right."""
    if metric == "sequence":
        return np.concatenate([r.all(axis=1) for r in right]).astype(np.float32)
    return np.concatenate([(r & b.used).sum(axis=1) for r, b in zip(right, batches, strict=True)]).astype(
        np.float32
    )


def item_scores(
    model: TokenModel, batches: list[Batch], metric: str, forward_only: TokenModel | None = None
) -> ItemScores:
    """The network's, the constant guess's (and the forward-only network's) right outputs per sequence."""
    if metric == "sequence":
        commonest = _rows(batches).most_common(1)[0][0]
        constant = [
            np.array([tuple(y[u].tolist()) == commonest for y, u in zip(b.y, b.used, strict=True)])[:, None]
            for b in batches
        ]
        scored = np.ones(sum(len(b.y) for b in batches), dtype=np.float32)
    else:
        commonest = int(np.bincount(np.concatenate([b.y[b.used] for b in batches])).argmax())
        constant = [b.y == commonest for b in batches]
        scored = np.concatenate([b.used.sum(axis=1) for b in batches]).astype(np.float32)
    network = lambda m: _right_per_item([_right(m, b) for b in batches], batches, metric)
    return ItemScores(
        right=network(model),
        constant_right=_right_per_item(constant, batches, metric),
        scored=scored,
        forward_only_right=None if forward_only is None else network(forward_only),
    )


def _train_step_model(
    task: StepTask,
    cell: str,
    steps: int,
    rng: np.random.Generator,
    eval_set: list[Batch],
    on_progress: ProgressFn | None,
    *,
    bidirectional: bool,
    budget_share: float,
    film: str | None = None,
) -> tuple[TokenModel, History]:
    """One step model, given ``budget_share`` of the training budget (a run may train two).

    With ``film`` (a pattern name), its answer to that pattern's default input is recorded.
    """
    model = TokenModel(
        cell, task.input_size, task.hidden, len(task.classes), task.layers, bidirectional=bidirectional
    )
    batches = (task.sample(rng, task.batch) for _ in range(steps))
    history = fit(
        model,
        lambda b: _step_loss(model, b),
        batches,
        total_steps=steps,
        lr=task.lr,
        clip=CLIP,
        val_fn=lambda: float(np.mean([float(_step_loss(model, b)) for b in eval_set[:4]])),
        val_every=max(1, steps // 10) if task.fresh else 0,
        on_progress=on_progress,
        budget_share=budget_share,
        capture=step_capture(model, film) if film is not None else None,
    )
    return model, history


def step_capture(model: TokenModel, pattern: str) -> Capture:
    """The film's frame: the answer to the default input, each step's predicted class and hidden states."""
    example = STEP_TASKS[pattern].read(film_input(pattern))

    def capture() -> Frame:
        outputs, hidden = step_outputs(model, example.batch)
        return {
            "answer": step_answer(pattern, example, outputs, hidden).text,
            "outputs": outputs,
            "hidden": hidden,
        }

    return capture


def date_capture(model: Seq2Seq) -> Capture:
    """The film's frame: the converter's answer to the default date, with encoder and decoder states."""
    typed = dates.read_date(film_input("seq2seq"))

    def capture() -> Frame:
        ids, encoder, decoder = date_outputs(model, typed.text, stop=False)
        return {"answer": TARGET.decode(ids.tolist()), "outputs": ids, "encoder": encoder, "decoder": decoder}

    return capture


def _position_right(models: list[TokenModel], task: StepTask, rng: np.random.Generator) -> np.ndarray:
    """(models, sequences, positions): whether each model tags each position of fresh sequences right."""
    batch = task.sample(rng, *POSITION_BATCH)
    return np.stack([predict(m, batch) == batch.y for m in models])


def _probe(model: TokenModel, task: StepTask, batch: Batch) -> tuple[np.ndarray, ...]:
    """For each delay k, layer and held-out state: can a linear read-out recover the digit read k steps ago?

    Fitted on the first half of the sequences and scored on the second half.
    """
    with torch.no_grad():
        tr = trace(model.rnn, torch.from_numpy(batch.x))
    ids = batch.x.argmax(-1)
    length = ids.shape[1]
    half = len(ids) // 2
    states = [lt.h.numpy() for (lt,) in tr.layers]
    by_delay = []
    for k in range(PROBE_DELAYS):
        labels = ids[:, : length - k]
        by_delay.append(
            np.stack(
                [
                    probe_correct(
                        (h[:half, k:].reshape(-1, h.shape[-1]), labels[:half].reshape(-1)),
                        (h[half:, k:].reshape(-1, h.shape[-1]), labels[half:].reshape(-1)),
                        classes=task.input_size,
                    )
                    for h in states
                ]
            )
        )
    return tuple(by_delay)


def run_steps(cfg: PatternsConfig, on_progress: ProgressFn | None = None) -> PatternsResult:
    task = STEP_TASKS[cfg.pattern]
    rng = seed_everything(cfg.seed)
    eval_set = [task.sample(rng, task.batch) for _ in range(EVAL_BATCHES)]
    steps = planned_steps(cfg)
    runs = 2 if task.bidirectional else 1
    model, history = _train_step_model(
        task,
        cfg.cell,
        steps,
        rng,
        eval_set,
        stage_progress(on_progress, "the bidirectional network", 0, runs * steps)
        if runs > 1
        else on_progress,
        bidirectional=task.bidirectional,
        budget_share=1 / runs,
        film=cfg.pattern,
    )
    extra: dict = {}
    if task.bidirectional:
        forward, _ = _train_step_model(
            task,
            cfg.cell,
            steps,
            rng,
            eval_set,
            stage_progress(on_progress, "the forward-only network", steps, runs * steps),
            bidirectional=False,
            budget_share=1 / runs,
        )
        extra = dict(
            forward_only=forward,
            forward_only_accuracy=step_accuracy(forward, eval_set, task.metric),
            position_right=_position_right([model, forward], task, rng),
        )
    if task.layers > 1:
        extra["probe_right"] = _probe(model, task, task.sample(rng, PROBE_SEQUENCES, task.lengths[1]))
    items = eval_set if task.fresh else eval_set[:1]  # a generator's repertoire: each of its inputs once
    return PatternsResult(
        pattern=cfg.pattern,
        cell=cfg.cell,
        model=model,
        history=history,
        planned_steps=steps,
        accuracy=step_accuracy(model, eval_set, task.metric),
        baseline=constant_guess(eval_set, task.metric),
        params=count_parameters(model),
        items=item_scores(model, items, task.metric, extra.get("forward_only")),
        eval_set=tuple(eval_set),
        film=history.timeline if len(history.timeline) else None,
        film_input=film_input(cfg.pattern),
        **extra,
    )


def _date_batch(sources: list[str], targets: list[str]) -> tuple[torch.Tensor, ...]:
    return (*pad_batch(SOURCE, sources), *target_batch(TARGET, targets))


def _date_loss(model: Seq2Seq, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    source, lengths, decoder_inputs, target = batch
    logits = model(source, lengths, decoder_inputs)
    return nn.functional.cross_entropy(logits.reshape(-1, len(TARGET)), target.reshape(-1))


def _held_out_sample(rows: list[tuple[str, str, str]], size: int = 6) -> tuple[tuple[str, str, str], ...]:
    """A few held-out dates, mistakes first (there is more to learn from them), in their original order."""
    wrong = [i for i, (_, want, got) in enumerate(rows) if want != got][: size // 2]
    right = [i for i, (_, want, got) in enumerate(rows) if want == got][: size - len(wrong)]
    return tuple(rows[i] for i in sorted(wrong + right))


def run_dates(cfg: PatternsConfig, on_progress: ProgressFn | None = None) -> PatternsResult:
    r = DATE_RECIPE
    rng = seed_everything(cfg.seed)
    held_days = dates.held_out_days(rng, r.held_out)
    held_sources, held_targets = dates.pairs(rng, held_days)
    held = _date_batch(held_sources, held_targets)
    val = _date_batch(held_sources[: r.val_size], held_targets[: r.val_size])
    model = Seq2Seq(cfg.cell, SOURCE, TARGET, r.embed, r.hidden)
    steps = planned_steps(cfg)
    batches = (
        _date_batch(*dates.pairs(rng, dates.training_days(rng, r.batch, held_days))) for _ in range(steps)
    )
    history = fit(
        model,
        lambda b: _date_loss(model, b),
        batches,
        total_steps=steps,
        lr=r.lr,
        clip=CLIP,
        val_fn=lambda: float(_date_loss(model, val)),
        val_every=r.val_every,
        on_progress=on_progress,
        capture=date_capture(model),
    )
    decoded = model.greedy(held[0], held[1], DECODE_STEPS)
    answers = [TARGET.decode(row) for row in decoded.tokens.tolist()]
    rows = list(zip(held_sources, held_targets, answers, strict=True))
    commonest = Counter(held_targets).most_common(1)[0][0]
    return PatternsResult(
        pattern=cfg.pattern,
        cell=cfg.cell,
        model=model,
        history=history,
        planned_steps=steps,
        accuracy=float(np.mean([want == got for _, want, got in rows])),
        baseline=1 / len(set(held_targets)),
        params=count_parameters(model),
        items=ItemScores(
            right=np.array([want == got for _, want, got in rows], dtype=np.float32),
            constant_right=np.array([want == commonest for want in held_targets], dtype=np.float32),
            scored=np.ones(len(rows), dtype=np.float32),
        ),
        film=history.timeline if len(history.timeline) else None,
        film_input=film_input(cfg.pattern),
        held_out=_held_out_sample(rows),
    )


def run(cfg: PatternsConfig, on_progress: ProgressFn | None = None) -> PatternsResult:
    """Train the chosen pattern's network on its task; the step patterns share one training loop."""
    if cfg.pattern == "seq2seq":
        return run_dates(cfg, on_progress)
    return run_steps(cfg, on_progress)
