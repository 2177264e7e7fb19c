"""Experiment ``patterns``: every input/output pattern of a recurrent network, each on a tiny task.

The trained network is kept in the result, so the reader's typed input can be answered (and
its hidden states drawn) without retraining.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import CELLS, count_parameters, trace
from rnnviz.core.config import param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.models import TokenModel
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.patterns import dates
from rnnviz.views.patterns import tasks as pattern_tasks
from rnnviz.views.patterns.probes import probe_accuracy
from rnnviz.views.patterns.seq2seq import END, GO, PAD, Seq2Seq, Vocab, pad_batch, target_batch
from rnnviz.views.patterns.tasks import ECHO_DELAY, STEP_TASKS, Batch, StepTask

PATTERNS = {
    "many_to_one": "Many-to-one: parity",
    "one_to_many": "One-to-many: spell a number",
    "aligned": "Many-to-many, aligned: running maximum",
    "seq2seq": "Encoder-decoder: date converter",
    "bidirectional": "Bidirectional: largest digit overall",
    "stacked": "Stacked layers: echo with a delay",
}
TRAINING = {"full": "Full", "quarter": "A quarter of the steps", "none": "None: untrained weights"}
TRAINING_SHARE = {"full": 1.0, "quarter": 0.25, "none": 0.0}

INPUT_FIELD = {
    "many_to_one": "bits",
    "one_to_many": "number",
    "aligned": "digits",
    "bidirectional": "digits",
    "stacked": "digits",
    "seq2seq": "date",
}
"""The Config field holding the reader's input for each pattern."""

WIRING_LATEX: dict[str, tuple[str, ...]] = {
    "many_to_one": (
        r"h_t = f(x_t,\ h_{t-1}),\quad t = 1, \dots, T",
        r"\hat y = \operatorname{softmax}(W_y h_T + b_y),\qquad "
        r"\mathcal{L} = -\log \hat y_{\,y}\quad\text{(the last step only)}",
    ),
    "one_to_many": (
        r"h_1 = f(x,\ h_0),\qquad h_t = f(\mathbf{0},\ h_{t-1})\quad (t > 1)",
        r"\hat y_t = \operatorname{softmax}(W_y h_t + b_y),\qquad "
        r"\mathcal{L} = -\sum_{t \le T_{\mathrm{end}}} \log \hat y_{t,\,y_t}",
    ),
    "aligned": (
        r"h_t = f(x_t,\ h_{t-1})",
        r"\hat y_t = \operatorname{softmax}(W_y h_t + b_y),\qquad "
        r"\mathcal{L} = -\sum_{t=1}^{T} \log \hat y_{t,\,y_t}",
    ),
    "seq2seq": (
        r"h_t = f_{\mathrm{enc}}(x_t,\ h_{t-1}),\qquad c = h_T",
        r"s_0 = c,\qquad s_k = f_{\mathrm{dec}}\big([\,e(y_{k-1});\ c\,],\ s_{k-1}\big),\qquad "
        r"\hat y_k = \operatorname{softmax}(W_y s_k + b_y)",
        r"\text{training: } y_{k-1} = \text{the true character;}\quad "
        r"\text{answering: } y_{k-1} = \arg\max \hat y_{k-1}",
    ),
    "bidirectional": (
        r"\overrightarrow{h}_t = f(x_t,\ \overrightarrow{h}_{t-1}),\qquad "
        r"\overleftarrow{h}_t = g(x_t,\ \overleftarrow{h}_{t+1})",
        r"\hat y_t = \operatorname{softmax}\big(W_y\,[\,\overrightarrow{h}_t;\ \overleftarrow{h}_t\,] + b_y\big)",
    ),
    "stacked": (
        r"h^{(1)}_t = f_1(x_t,\ h^{(1)}_{t-1}),\qquad h^{(\ell)}_t = f_\ell(h^{(\ell-1)}_t,\ h^{(\ell)}_{t-1})",
        rf"\hat y_t = \operatorname{{softmax}}(W_y h^{{(L)}}_t + b_y),\quad \text{{scored for }} t > {ECHO_DELAY}",
    ),
}
"""Each wiring in symbols: f is the chosen cell, and the loss says which outputs count."""

CLIP = 1.0
EVAL_BATCHES = 16
POSITION_BATCH = (512, 16)
"""Sequences and length used to measure accuracy at each position (bidirectional)."""
PROBE_DELAYS = 6


@dataclass(frozen=True)
class DateRecipe:
    embed: int = 24
    hidden: int = 64
    steps: int = 300
    batch: int = 64
    lr: float = 0.01
    held_out: int = 1000
    val_every: int = 25
    val_size: int = 256


DATE_RECIPE = DateRecipe()
SOURCE = Vocab.of(dates.SOURCE_CHARS)
TARGET = Vocab.of(dates.TARGET_CHARS)
DECODE_STEPS = len("2023-01-15") + 1


@dataclass(frozen=True)
class PatternsConfig:
    pattern: str = param(
        "many_to_one",
        label="Pattern",
        help="Which inputs are read and which outputs are scored; each pattern has its own tiny task.",
        choices=PATTERNS,
    )
    cell: str = param("gru", label="Cell", help="The recurrent cell type.", choices=CELLS)
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
        help="A string of 0s and 1s; other characters are ignored.",
        max_chars=64,
        role="view",
    )
    number: int = param(42, label="Number", help="The number to spell.", min=0, max=99, role="view")
    digits: str = param(
        "3141592653",
        label="Digits",
        help="A string of digits 0 to 9; other characters are ignored.",
        max_chars=64,
        role="view",
    )
    date: str = param(
        dates.EXAMPLE,
        label="Date",
        help="A date such as 'January 15, 2023', 'Jan 15, 2023' or '15 January 2023'.",
        max_chars=60,
        role="view",
    )


@dataclass(frozen=True)
class PatternsResult:
    pattern: str
    cell: str
    model: nn.Module
    history: History
    planned_steps: int
    accuracy: float
    """Held-out exact match (seq2seq); per sequence or per step on fresh sequences (the others)."""
    baseline: float
    """Accuracy of always giving the most common answer: the level that means 'learnt nothing'."""
    params: int
    forward_only: TokenModel | None = None
    """Bidirectional only: the same network reading left to right only, trained the same way."""
    forward_only_accuracy: float | None = None
    by_position: np.ndarray | None = None
    """Bidirectional only: accuracy at each position, rows (bidirectional, forward only)."""
    probe: np.ndarray | None = None
    """Stacked only: linear-probe accuracy (layer, delay) for the digit read that many steps ago."""
    held_out: tuple[tuple[str, str, str], ...] = ()
    """Seq2seq only: a few (input, expected, answer) from the held-out dates."""


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


def planned_steps(cfg: PatternsConfig) -> int:
    full = DATE_RECIPE.steps if cfg.pattern == "seq2seq" else STEP_TASKS[cfg.pattern].steps
    return round(full * TRAINING_SHARE[cfg.training])


def recipe(cfg: PatternsConfig) -> str:
    """The network and training in one line, for the page and --help readers."""
    steps = planned_steps(cfg)
    cell = CELLS[cfg.cell]
    if cfg.pattern == "seq2seq":
        r = DATE_RECIPE
        return (
            f"{cell} encoder and decoder, {r.hidden} units each, {r.embed}-dimensional character "
            f"embeddings; {steps} Adam steps of {r.batch} generated dates (years {dates.YEARS[0]}–"
            f"{dates.YEARS[1]}, {len(dates.FORMATS)} spellings), learning rate {r.lr:g}, clipping at {CLIP:g}."
        )
    task = STEP_TASKS[cfg.pattern]
    layers = f"{task.layers} stacked layers of " if task.layers > 1 else ""
    direction = "bidirectional " if task.bidirectional else ""
    data = (
        "all 100 numbers"
        if cfg.pattern == "one_to_many"
        else f"{task.batch} fresh random sequences of length {task.lengths[0]}–{task.lengths[1]}"
    )
    text = (
        f"{direction}{layers}{cell}, {task.hidden} units; {steps} Adam steps of {data}, "
        f"learning rate {task.lr:g}, clipping at {CLIP:g}."
    )
    return text[0].upper() + text[1:]


def _tensors(batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.from_numpy(batch.x), torch.from_numpy(batch.y), torch.from_numpy(batch.used)


def _step_loss(model: TokenModel, batch: Batch) -> torch.Tensor:
    """Cross-entropy over the scored outputs only: the mask is what makes the pattern."""
    x, y, used = _tensors(batch)
    logits = model(x)
    return nn.functional.cross_entropy(logits[used], y[used])


def _predict(model: TokenModel, batch: Batch) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(batch.x)).argmax(-1).numpy()


def _right(model: TokenModel, batch: Batch) -> np.ndarray:
    """Per step: the output is right or not scored."""
    return (_predict(model, batch) == batch.y) | ~batch.used


def step_accuracy(model: TokenModel, batches: list[Batch], metric: str) -> float:
    if metric == "sequence":
        return float(np.mean(np.concatenate([_right(model, b).all(axis=1) for b in batches])))
    hits = sum(int((_right(model, b) & b.used).sum()) for b in batches)
    return hits / sum(int(b.used.sum()) for b in batches)


def constant_guess(batches: list[Batch], metric: str) -> float:
    """Accuracy of always giving the most common answer (per step), or the most common whole answer."""
    if metric == "sequence":
        rows = Counter(tuple(y[u].tolist()) for b in batches for y, u in zip(b.y, b.used, strict=True))
        return max(rows.values()) / rows.total()
    targets = np.concatenate([b.y[b.used] for b in batches])
    return float(np.bincount(targets).max() / len(targets))


def _train_step_model(
    task: StepTask,
    cell: str,
    steps: int,
    rng: np.random.Generator,
    eval_set: list[Batch],
    on_progress: ProgressFn | None,
    *,
    bidirectional: bool,
) -> tuple[TokenModel, History]:
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
        budget_s=TRAINING_BUDGET_S / (2 if task.bidirectional else 1),
    )
    return model, history


def _offset(on_progress: ProgressFn | None, done: int, total: int) -> ProgressFn | None:
    """Report one of several trainings as a part of the whole, so one progress bar covers them all."""
    if on_progress is None:
        return None
    return lambda p: on_progress(dataclasses.replace(p, step=done + p.step, total=total))


def _by_position(models: list[TokenModel], task: StepTask, rng: np.random.Generator) -> np.ndarray:
    batch = task.sample(rng, *POSITION_BATCH)
    return np.stack([(_predict(m, batch) == batch.y).mean(axis=0) for m in models])


def _probe(model: TokenModel, task: StepTask, batch: Batch) -> np.ndarray:
    """For each layer and delay k, can a linear read-out recover the digit read k steps ago?

    Fitted on the first half of the sequences and scored on the second half.
    """
    with torch.no_grad():
        tr = trace(model.rnn, torch.from_numpy(batch.x))
    ids = batch.x.argmax(-1)
    length = ids.shape[1]
    half = len(ids) // 2
    out = np.zeros((len(tr.layers), PROBE_DELAYS))
    for layer, (lt,) in enumerate(tr.layers):
        h = lt.h.numpy()
        for k in range(PROBE_DELAYS):
            states, labels = h[:, k:], ids[:, : length - k]
            out[layer, k] = probe_accuracy(
                (states[:half].reshape(-1, h.shape[-1]), labels[:half].reshape(-1)),
                (states[half:].reshape(-1, h.shape[-1]), labels[half:].reshape(-1)),
                classes=task.input_size,
            )
    return out


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
        _offset(on_progress, 0, runs * steps),
        bidirectional=task.bidirectional,
    )
    extra: dict = {}
    if task.bidirectional:
        forward, _ = _train_step_model(
            task,
            cfg.cell,
            steps,
            rng,
            eval_set,
            _offset(on_progress, steps, runs * steps),
            bidirectional=False,
        )
        extra = dict(
            forward_only=forward,
            forward_only_accuracy=step_accuracy(forward, eval_set, task.metric),
            by_position=_by_position([model, forward], task, rng),
        )
    if task.layers > 1:
        extra["probe"] = _probe(model, task, task.sample(rng, 256, task.lengths[1]))
    return PatternsResult(
        pattern=cfg.pattern,
        cell=cfg.cell,
        model=model,
        history=history,
        planned_steps=steps,
        accuracy=step_accuracy(model, eval_set, task.metric),
        baseline=constant_guess(eval_set, task.metric),
        params=count_parameters(model),
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
        budget_s=TRAINING_BUDGET_S,
    )
    decoded = model.greedy(held[0], held[1], DECODE_STEPS)
    answers = [TARGET.decode(row) for row in decoded.tokens.tolist()]
    rows = list(zip(held_sources, held_targets, answers, strict=True))
    return PatternsResult(
        pattern=cfg.pattern,
        cell=cfg.cell,
        model=model,
        history=history,
        planned_steps=steps,
        accuracy=float(np.mean([want == got for _, want, got in rows])),
        baseline=1 / len(set(held_targets)),
        params=count_parameters(model),
        held_out=_held_out_sample(rows),
    )


def run(cfg: PatternsConfig, on_progress: ProgressFn | None = None) -> PatternsResult:
    if cfg.pattern == "seq2seq":
        return run_dates(cfg, on_progress)
    return run_steps(cfg, on_progress)


DISPLAY = {END: pattern_tasks.END, GO: "▶", PAD: "·"}
"""How the decoder's special tokens are drawn."""


def _answer_steps(res: PatternsResult, text: str) -> Answer:
    task = STEP_TASKS[res.pattern]
    example = task.read(text)
    x = torch.from_numpy(example.batch.x)
    model: TokenModel = res.model
    with torch.no_grad():
        init = model.initial_state(1)
        h0, c0 = init if isinstance(init, tuple) else (init, None)
        tr = trace(model.rnn, x, h0, c0)
        predicted = model.head(tr.output)[0].argmax(-1).tolist()
    used = example.batch.used[0]
    outputs = tuple(task.classes[i] for i in predicted)
    targets = tuple(task.classes[y] if u else None for y, u in zip(example.batch.y[0], used, strict=True))
    scored = lambda labels: "".join(label for label, u in zip(labels, used, strict=True) if u)
    if res.pattern == "one_to_many":
        end = pattern_tasks.END
        said, expected = "".join(outputs).split(end)[0], scored(targets).removesuffix(end)
    else:
        said, expected = scored(outputs), scored(targets)
    forward_only = None
    if res.forward_only is not None:
        forward_only = scored(tuple(task.classes[i] for i in _predict(res.forward_only, example.batch)[0]))
    return Answer(
        source="".join(i for i in example.inputs if i is not None),
        inputs=example.inputs,
        outputs=outputs,
        used=tuple(bool(u) for u in used),
        targets=targets,
        text=said,
        expected=expected,
        layers=tuple(tuple(lt.h[0].numpy() for lt in layer) for layer in tr.layers),
        forward_only=forward_only,
        notes=example.notes,
    )


def _answer_date(res: PatternsResult, text: str) -> Answer:
    typed = dates.read_date(text)
    model: Seq2Seq = res.model
    source, lengths = pad_batch(SOURCE, [typed.text])
    decoded = model.greedy(source, lengths, DECODE_STEPS)
    ids = decoded.tokens[0].tolist()
    said = [DISPLAY.get(TARGET.tokens[i], TARGET.tokens[i]) for i in ids]
    with torch.no_grad():
        tr = trace(model.encoder, model.source_embed(source))
    want = list(typed.expected) + [pattern_tasks.END] if typed.expected else []
    n_in, n_out = len(typed.text), len(ids)
    return Answer(
        source=typed.text,
        inputs=tuple(typed.text) + (DISPLAY[GO],) + tuple(said[:-1]),
        outputs=(None,) * n_in + tuple(said),
        used=(False,) * n_in + (True,) * n_out,
        targets=(None,) * n_in + tuple(want[t] if t < len(want) else None for t in range(n_out)),
        text=TARGET.decode(ids),
        expected=typed.expected,
        layers=((tr.layers[0][0].h[0].numpy(),),),
        decoder=decoded.states[0].numpy(),
        split=n_in,
        notes=typed.notes,
    )


def answer(res: PatternsResult, cfg: PatternsConfig) -> Answer:
    """The trained network's reply to the input in ``cfg`` (the field for its pattern)."""
    raw = str(getattr(cfg, INPUT_FIELD[res.pattern]))
    if res.pattern == "seq2seq":
        return _answer_date(res, raw)
    return _answer_steps(res, raw)


def report(cfg: PatternsConfig, res: PatternsResult) -> dict:
    reply = answer(res, cfg)
    metrics = {
        "accuracy": res.accuracy,
        "train_seconds": res.history.seconds,
        "constant_guess_accuracy": res.baseline,
        "train_steps": res.history.steps,
        "params": res.params,
    }
    if res.forward_only_accuracy is not None:
        metrics["forward_only_accuracy"] = res.forward_only_accuracy
    out: dict = {
        "metrics": metrics,
        "example": {"input": reply.source, "answer": reply.text, "expected": reply.expected},
    }
    if res.by_position is not None:
        out["accuracy_by_position"] = {
            "bidirectional": res.by_position[0],
            "forward_only": res.by_position[1],
        }
    if res.probe is not None:
        out["probe_accuracy_by_layer_and_delay"] = res.probe
    if res.held_out:
        out["held_out_examples"] = [dict(input=i, expected=e, answer=a) for i, e, a in res.held_out]
    if reply.notes:
        out["notes"] = list(reply.notes)
    return out


EXPERIMENT = Experiment(
    name="patterns",
    title="Sequence patterns",
    config=PatternsConfig,
    run=run,
    report=report,
    description="Many-to-one, one-to-many, aligned tagging, encoder-decoder, bidirectional and stacked "
    "networks, each trained on a tiny task.",
)
