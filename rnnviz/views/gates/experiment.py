"""Experiment ``gates``: train an LSTM or GRU on a task whose gating can be read, then open every gate.

Training (the cached part) produces two networks from the same initial weights: as
initialised and as trained. Inspecting a sequence (the display part) traces both through the
instrumented cells, so typing a new sequence never retrains. The sentiment task reuses the
sentiment view's trained classifier instead of training its own (see gates_from_sentiment).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import CELLS, MEMORY_GATE, trace
from rnnviz.core.classifier import Encoded, SentimentModel, pad
from rnnviz.core.config import LEARNING_RATES, learning_rate_param, param, seed_param, spec_of
from rnnviz.core.equations import MAX_UNITS as EQUATION_UNITS
from rnnviz.core.equations import step_latex
from rnnviz.core.experiment import Experiment, ProgressFn, Upstream
from rnnviz.core.fit import History, fit
from rnnviz.core.init import set_memory_gate_bias
from rnnviz.core.memory_tasks import copy_first
from rnnviz.core.models import TokenModel
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.tokens import tokenize
from rnnviz.views.gates import brackets
from rnnviz.views.gates.gating import (
    gate_saturation,
    highway,
    influential_units,
    parameter_table,
    saturated_share,
)

TASKS = {
    "copy": "Memory: recall the flagged first value through noise",
    "brackets": "Counting: bracket nesting depth",
    "sentiment": "Sentiment: a review sentence, read by the sentiment view's classifier",
}
GATED_CELLS = {c: CELLS[c] for c in ("lstm", "gru")}
SOURCES = {
    "example": "Worked example",
    "random": "Random draw from the task",
    "typed": "Typed by you",
}

MAX_TOKENS = 60
"""Longest inspected sequence: beyond this, heatmap columns get too thin to read."""
MAX_UNITS = 6
"""Most units drawn as lines at once."""
DEFAULT_UNITS = 3

POOL = 4096
"""Training sequences generated once; each step samples a minibatch from them."""
BATCH = 64
HELD_OUT = 256
"""Fresh sequences for the held-out loss, saturation and the choice of influential units."""

SENTENCE_EXAMPLE = "i expected to hate it , and i loved it"

COPY_EXAMPLE = "0.8 -1.2 0.3 1.5 -0.4 -0.9 0.6 0.1 -1.7 1.1 0.2 -0.5"
COPY_LIMIT = 4.0
"""Typed copy-task values are clipped to ±4: training values are standard normal."""


@dataclass(frozen=True)
class GatesConfig:
    task: str = param(
        "copy",
        label="Task",
        help="Memory: the first value is flagged; after the noise that follows, the network must say it. "
        "Counting: after each token, say how deeply the brackets are nested; letters are filler. "
        "Sentiment: positive or negative, for a movie-review sentence (trains the sentiment view's "
        "classifier, about 10 s, once).",
        choices=TASKS,
    )
    cell: str = param("lstm", label="Cell", help="The gated recurrent cell.", choices=GATED_CELLS)
    hidden: int = param(
        8,
        label="Hidden size",
        help="Units in the hidden state (and the LSTM's cell state).",
        min=1,
        max=32,
        unit="units",
    )
    length: int = param(
        12,
        label="Training length",
        help="Steps per training sequence: the longer, the further back the network must remember.",
        min=4,
        max=40,
        unit="steps",
    )
    gate_bias: float = param(
        1.0,
        label="Memory-gate bias at start",
        help="Initial bias of the LSTM's forget gate and the GRU's update gate, so the untrained network "
        "leans toward keeping its state; 1 is the usual choice, 0 is close to PyTorch's default.",
        min=0.0,
        max=5.0,
        step=0.5,
    )
    train_steps: int = param(
        400,
        label="Training steps",
        help="Adam steps on minibatches of 64 sequences; 0 leaves the network untrained.",
        min=0,
        max=2000,
        step=50,
        unit="steps",
    )
    lr: float = learning_rate_param(0.03, choices=LEARNING_RATES[1:])
    seed: int = seed_param(0, help="Seeds the weights and the training data.")
    source: str = param(
        "example",
        label="Inspected sequence",
        help="The sequence whose gates are drawn: the worked example, a random draw from the task, "
        "or your own.",
        choices=SOURCES,
        role="view",
    )
    sequence: str = param(
        "",
        label="Your sequence",
        help="Memory task: numbers separated by spaces; the first is the flagged one to recall. "
        "Counting task: brackets ( and ), with letters or digits as filler. Sentiment task: any sentence.",
        max_chars=400,
        role="view",
    )
    draw: int = param(
        1,
        label="Draw number",
        help="Which random sequence of the task to inspect.",
        min=1,
        max=1000,
        role="view",
    )
    compare: bool = param(
        False,
        label="Show untrained",
        help="Draw the same network before training beside the trained one, on the same input.",
        role="view",
    )
    units: str = param(
        "",
        label="Units to plot",
        help="Unit numbers separated by spaces, e.g. 0 3 5. Empty picks the units the answer depends on most.",
        max_chars=40,
        role="view",
    )
    step: int = param(
        1,
        label="Time step t",
        help="The step whose gate equations are written out with numbers.",
        min=1,
        max=MAX_TOKENS,
        role="view",
    )


@dataclass(frozen=True)
class Network:
    """One network of the comparison, ready to be traced on any sequence."""

    rnn: nn.RNNBase
    head: nn.Linear
    """The read-out from the hidden state to the answer."""
    embedding: nn.Embedding | None
    """Word vectors of the sentiment model (its recurrent input is embedding(ids)); None for the
    synthetic tasks, whose inputs are fed as they are."""
    weights: dict[str, np.ndarray]
    """W_ih, W_hh and b = b_ih + b_hh, as torch stores them (gate blocks stacked)."""
    saturation: dict[str, dict[str, float]]
    """Per gate, shares of saturated values over the held-out sequences."""
    held_out_loss: float


@dataclass(frozen=True)
class Corpus:
    """What the sentiment task reads from the sentiment view: its tokenizer and test sentences."""

    tokenize: Callable[..., Encoded]
    sentences: tuple[str, ...]
    labels: np.ndarray


@dataclass(frozen=True)
class GatesResult:
    task: str
    cell: str
    input_size: int
    hidden: int
    trained: Network
    untrained: Network
    """The same network as initialised: structure seen in ``trained`` but not here came from learning."""
    history: History
    chance_loss: float
    """Held-out loss of the best constant guess: the loss of a network that learned nothing."""
    loss_name: str
    """'mean squared error' for the synthetic tasks, 'cross-entropy' for sentiment."""
    ranked_units: tuple[int, ...]
    """Units of the trained network, the ones the answer depends on most first."""
    params: dict[str, dict]
    """parameter_table() for this task's input size and the chosen hidden size."""
    corpus: Corpus | None = None


@dataclass(frozen=True)
class Reading:
    """One network reading the inspected sequence; every array is (time, units) unless noted."""

    x: np.ndarray
    """The recurrent layer's input, (time, input size): for sentiment, this network's word vectors."""
    gates: dict[str, np.ndarray]
    pre: dict[str, np.ndarray]
    h: np.ndarray
    c: np.ndarray | None
    prediction: np.ndarray
    """The read-out after each step, (time,): for sentiment, P(positive)."""
    fused_gap: float
    """Largest |h_fused - h_instrumented|: the drawn numbers are the model's own."""

    def values(self, name: str) -> np.ndarray:
        """A gate by its letter, or the state 'c' or 'h'."""
        if name == "h":
            return self.h
        if name == "c" and self.c is not None:
            return self.c
        return self.gates[name]


@dataclass(frozen=True)
class Inspection:
    tokens: tuple[str, ...]
    target: np.ndarray
    """The right answer after each step, (time,); NaN where unknown (a typed sentence)."""
    trained: Reading
    untrained: Reading
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    input_size: int
    generate: Callable[[int, int, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    """(batch, length, rng) -> x (batch, length, input), y (batch, answered steps)."""


def _bracket_task(batch: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, y = brackets.bracket_depth(batch, length, rng)
    return x, y[..., 0]


TASK_SPECS = {
    "copy": Task(input_size=2, generate=copy_first),
    "brackets": Task(input_size=len(brackets.VOCAB), generate=_bracket_task),
}
"""Copy answers once, after the last step; brackets after every step. y's width says which."""


def _answers(model: TokenModel, x: torch.Tensor, answered: int) -> torch.Tensor:
    return model(x)[:, -answered:, 0]


def _weights(rnn: nn.RNNBase) -> dict[str, np.ndarray]:
    return {
        "W_ih": rnn.weight_ih_l0.detach().numpy().copy(),
        "W_hh": rnn.weight_hh_l0.detach().numpy().copy(),
        "b": (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().numpy(),
    }


def _token_network(model: TokenModel, x_eval: torch.Tensor, y_eval: torch.Tensor) -> Network:
    with torch.no_grad():
        gates = {g: v.numpy() for g, v in trace(model.rnn, x_eval).top.gates.items()}
        loss = float(nn.functional.mse_loss(_answers(model, x_eval, y_eval.shape[1]), y_eval))
    return Network(
        rnn=model.rnn,
        head=model.head,
        embedding=None,
        weights=_weights(model.rnn),
        saturation=gate_saturation(gates),
        held_out_loss=loss,
    )


def run(cfg: GatesConfig, on_progress: ProgressFn | None = None, upstream: Any = None) -> GatesResult:
    if cfg.task == "sentiment":
        if upstream is None:
            raise ValueError("the sentiment task reads the sentiment view's trained classifier; run it first")
        return gates_from_sentiment(upstream, cfg)
    task = TASK_SPECS[cfg.task]
    rng = seed_everything(cfg.seed)
    model = TokenModel(cfg.cell, task.input_size, cfg.hidden, 1)
    set_memory_gate_bias(model.rnn, cfg.cell, cfg.gate_bias)
    untrained = copy.deepcopy(model)
    x_pool, y_pool = (torch.from_numpy(a) for a in task.generate(POOL, cfg.length, rng))
    x_eval, y_eval = (torch.from_numpy(a) for a in task.generate(HELD_OUT, cfg.length, rng))
    answered = y_pool.shape[1]

    def loss_fn(rows: np.ndarray) -> torch.Tensor:
        index = torch.from_numpy(rows)
        return nn.functional.mse_loss(_answers(model, x_pool[index], answered), y_pool[index])

    history = fit(
        model,
        loss_fn,
        (rng.integers(0, POOL, BATCH) for _ in range(cfg.train_steps)),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        on_progress=on_progress,
        budget_s=TRAINING_BUDGET_S,
    )
    untrained.eval()
    with torch.no_grad():
        h_read = model.rnn(x_eval)[0][:, -answered:]
    ranked = influential_units(h_read.reshape(-1, cfg.hidden).numpy(), model.head.weight[0].detach().numpy())
    return GatesResult(
        task=cfg.task,
        cell=cfg.cell,
        input_size=task.input_size,
        hidden=cfg.hidden,
        trained=_token_network(model, x_eval, y_eval),
        untrained=_token_network(untrained, x_eval, y_eval),
        history=history,
        chance_loss=float(y_eval.var(unbiased=False)),
        loss_name="mean squared error",
        ranked_units=ranked,
        params=parameter_table(task.input_size, cfg.hidden),
    )


def sentiment_upstream(cfg: GatesConfig) -> Upstream | None:
    """For the sentiment task, the sentiment view's classifier: its defaults with this page's cell and seed.

    One layer, one direction, so every gate belongs to one cell read left to right. Leaving
    the rest at the defaults lets both views share one trained model.
    """
    if cfg.task != "sentiment":
        return None
    return Upstream("sentiment", {"cell": cfg.cell, "seed": cfg.seed, "layers": 1, "bidirectional": False})


SENTIMENT_UNUSED = ("hidden", "length", "gate_bias", "train_steps", "lr")
"""Settings the sentiment task ignores: the sentiment view's settings decide how its classifier was trained."""


def normalise(cfg: GatesConfig) -> GatesConfig:
    """Settings the sentiment task ignores are reset, so changing them never trains again."""
    if cfg.task != "sentiment":
        return cfg
    return dataclasses.replace(cfg, **{name: spec_of(GatesConfig, name).default for name in SENTIMENT_UNUSED})


def _sentence_network(
    model: SentimentModel, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor
) -> tuple[Network, np.ndarray]:
    """A sentiment model as a Network, and its last hidden state for each held-out sentence.

    Sentences are padded at the end; padding comes after every real word, so it never changes a
    real step, and only real steps count towards saturation.
    """
    with torch.no_grad():
        top = trace(model.rnn, model.embed(ids)).top
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        last = top.h[torch.arange(len(lengths)), lengths - 1]
        loss = float(nn.functional.binary_cross_entropy_with_logits(model.head(last)[:, 0], labels))
    network = Network(
        rnn=model.rnn,
        head=model.head,
        embedding=model.embed,
        weights=_weights(model.rnn),
        saturation=gate_saturation({g: v[real].numpy() for g, v in top.gates.items()}),
        held_out_loss=loss,
    )
    return network, last.numpy()


def gates_from_sentiment(senti: Any, cfg: GatesConfig) -> GatesResult:
    """The sentiment view's trained classifier, with an untrained twin of the same shape.

    The twin is freshly initialised from the seed (the sentiment view keeps no copy of its
    initial weights), so the comparison is with an untrained network of the same architecture.
    """
    trained = senti.classifier.model
    rnn = trained.rnn
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed)
        twin = SentimentModel(trained.embed.num_embeddings, cfg.cell, rnn.input_size, rnn.hidden_size)
    twin.eval()
    count = min(HELD_OUT, len(senti.test_texts))
    encoded = [senti.classifier.tokenize(text, MAX_TOKENS).ids for text in senti.test_texts[:count]]
    kept = [i for i, ids in enumerate(encoded) if ids]
    ids, lengths = pad([encoded[i] for i in kept])
    labels = torch.tensor(senti.test_labels[kept], dtype=torch.float32)
    trained_net, last = _sentence_network(trained, ids, lengths, labels)
    untrained_net, _ = _sentence_network(twin, ids, lengths, labels)
    p = float(labels.mean())
    return GatesResult(
        task="sentiment",
        cell=cfg.cell,
        input_size=rnn.input_size,
        hidden=rnn.hidden_size,
        trained=trained_net,
        untrained=untrained_net,
        history=senti.history,
        chance_loss=float(-(p * np.log(p) + (1 - p) * np.log(1 - p))) if 0 < p < 1 else 0.0,
        loss_name="cross-entropy",
        ranked_units=influential_units(last, trained.head.weight[0].detach().numpy()),
        params=parameter_table(rnn.input_size, rnn.hidden_size),
        corpus=Corpus(
            tokenize=senti.classifier.tokenize,
            sentences=tuple(senti.test_texts),
            labels=np.asarray(senti.test_labels),
        ),
    )


SequenceInputs = tuple[tuple[str, ...], np.ndarray, np.ndarray, list[str]]
"""Shown tokens, the network input, the right answer after each step, and notes on the input."""


def _copy_inputs(source: str, text: str, draw: int, length: int) -> SequenceInputs:
    """A copy-task sequence: the first value is flagged (second input channel 1) and must be recalled."""
    if source == "random":
        x, _ = copy_first(1, length, np.random.default_rng(draw))
        values, notes = x[0, :, 0].astype(np.float64), []
    else:
        toks = tokenize(
            text if source == "typed" else COPY_EXAMPLE,
            "number",
            max_tokens=MAX_TOKENS,
            fallback=COPY_EXAMPLE,
        )
        values, notes = np.array(toks.values, dtype=np.float64), list(toks.notes)
    if np.abs(values).max() > COPY_LIMIT:
        notes.append(
            f"Values beyond ±{COPY_LIMIT:g} were clipped to ±{COPY_LIMIT:g}: the network trained on "
            "standard normal values, so larger ones only show it out of its depth."
        )
        values = np.clip(values, -COPY_LIMIT, COPY_LIMIT)
    x = np.zeros((len(values), 2), dtype=np.float32)
    x[:, 0] = values
    x[0, 1] = 1.0
    tokens = tuple(f"[{v:.2g}]" if t == 0 else f"{v:.2g}" for t, v in enumerate(values))
    return tokens, x, np.full(len(values), float(x[0, 0])), notes


def _bracket_inputs(source: str, text: str, draw: int, length: int) -> SequenceInputs:
    if source == "random":
        x, y = brackets.bracket_depth(1, length, np.random.default_rng(draw))
        ids = x[0].argmax(-1)
        return tuple(brackets.VOCAB[i] for i in ids), x[0], y[0, :, 0].astype(np.float64), []
    tokens, ids, notes = brackets.parse(text if source == "typed" else brackets.EXAMPLE, MAX_TOKENS)
    x = np.eye(len(brackets.VOCAB), dtype=np.float32)[ids]
    return tokens, x, brackets.running_depth(ids).astype(np.float64), list(notes)


def _sentence_inputs(corpus: Corpus, source: str, text: str, draw: int) -> SequenceInputs:
    label = np.nan
    if source == "random":
        index = (draw - 1) % len(corpus.sentences)
        text, label = corpus.sentences[index], float(corpus.labels[index])
    elif source != "typed":
        text = SENTENCE_EXAMPLE
    encoded = corpus.tokenize(text, MAX_TOKENS)
    notes = list(encoded.notes)
    if len(encoded.ids) < 2:
        notes = ["A sentence needs at least two words; showing the example instead."]
        encoded, label = corpus.tokenize(SENTENCE_EXAMPLE, MAX_TOKENS), np.nan
    return encoded.tokens, np.array(encoded.ids), np.full(len(encoded.ids), label), notes


def _read(network: Network, inputs: np.ndarray, probability: bool) -> Reading:
    """Trace one network on one sequence (zero initial state, as in training)."""
    with torch.no_grad():
        if network.embedding is not None:
            x = network.embedding(torch.from_numpy(inputs).unsqueeze(0))
        else:
            x = torch.from_numpy(inputs).unsqueeze(0)
        tr = trace(network.rnn, x)
        fused, _ = network.rnn(x)
        prediction = network.head(tr.output)[0, :, 0]
        if probability:
            prediction = torch.sigmoid(prediction)
    top = tr.top
    return Reading(
        x=x[0].numpy(),
        gates={g: v[0].numpy() for g, v in top.gates.items()},
        pre={g: v[0].numpy() for g, v in top.pre.items()},
        h=top.h[0].numpy(),
        c=top.c[0].numpy() if top.c is not None else None,
        prediction=prediction.numpy().astype(np.float64),
        fused_gap=float((fused - tr.output).abs().max()),
    )


def inspect_sequence(res: GatesResult, cfg: GatesConfig) -> Inspection:
    """Both networks on the sequence the view fields of ``cfg`` pick; typed input is validated here."""
    text = cfg.sequence if cfg.source == "typed" else ""
    if res.task == "copy":
        tokens, x, target, notes = _copy_inputs(cfg.source, text, cfg.draw, cfg.length)
    elif res.task == "brackets":
        tokens, x, target, notes = _bracket_inputs(cfg.source, text, cfg.draw, cfg.length)
    else:
        tokens, x, target, notes = _sentence_inputs(res.corpus, cfg.source, text, cfg.draw)
    probability = res.task == "sentiment"
    return Inspection(
        tokens=tokens,
        target=target,
        trained=_read(res.trained, x, probability),
        untrained=_read(res.untrained, x, probability),
        notes=tuple(notes),
    )


def choose_units(text: str, hidden: int, ranked: tuple[int, ...]) -> tuple[tuple[int, ...], list[str]]:
    """Units typed as numbers, or the most influential ones; bad entries become a note."""
    default = ranked[: min(DEFAULT_UNITS, hidden)]
    parts = text.replace(",", " ").split()
    if not parts:
        return default, []
    chosen: list[int] = []
    bad: list[str] = []
    for part in parts:
        try:
            unit = int(part)
        except ValueError:
            bad.append(part)
            continue
        if 0 <= unit < hidden:
            if unit not in chosen:
                chosen.append(unit)
        else:
            bad.append(part)
    notes = []
    if bad:
        shown = ", ".join(repr(b[:8]) for b in bad[:3])
        notes.append(f"Units: {shown} not a unit number from 0 to {hidden - 1}; ignored.")
    if len(chosen) > MAX_UNITS:
        notes.append(f"Units: only the first {MAX_UNITS} are drawn.")
        chosen = chosen[:MAX_UNITS]
    if not chosen:
        notes.append("Units: none usable, so the most influential units are shown.")
        return default, notes
    return tuple(chosen), notes


def keep_path(reading: Reading, cell: str) -> np.ndarray:
    """(time, units): the product of memory-gate values from step 1 to each step (see gating.highway)."""
    return highway(reading.gates[MEMORY_GATE[cell]])


def step_equations(res: GatesResult, ins: Inspection, t: int, units: tuple[int, ...]) -> list[str]:
    """The trained network's equations at step ``t`` (0-based) with its own numbers.

    Small states are written out in full; larger ones only in the rows of ``units``.
    """
    r = ins.trained
    zeros = np.zeros_like(r.h[0])
    rows = None if r.h.shape[1] <= EQUATION_UNITS else np.array(sorted(units))
    return step_latex(
        res.cell,
        t=t + 1,
        token=ins.tokens[t],
        weights=res.trained.weights,
        x=r.x[t],
        h_prev=r.h[t - 1] if t else zeros,
        c_prev=(r.c[t - 1] if t else zeros) if r.c is not None else None,
        gates={g: v[t] for g, v in r.gates.items()},
        pre={g: v[t] for g, v in r.pre.items()},
        h=r.h[t],
        c=r.c[t] if r.c is not None else None,
        units=rows,
    )


@dataclass(frozen=True)
class KeptMemory:
    """How much of step 1's carried state survives to the last step along the memory-gate path."""

    unit: int
    """Of the units drawn, the one the trained network keeps best."""
    trained: float
    untrained: float


def kept_memory(ins: Inspection, cell: str, units: tuple[int, ...]) -> KeptMemory:
    trained = keep_path(ins.trained, cell)[-1]
    untrained = keep_path(ins.untrained, cell)[-1]
    unit = max(units, key=lambda u: trained[u])
    return KeptMemory(unit=unit, trained=float(trained[unit]), untrained=float(untrained[unit]))


def answer_summary(task: str, ins: Inspection) -> str:
    """One sentence comparing the two networks' answers with the truth on the inspected sequence."""
    if task == "copy":
        return (
            f"The value to recall is {ins.target[0]:.2f}. After the last step the trained network answers "
            f"{ins.trained.prediction[-1]:.2f}; the untrained one {ins.untrained.prediction[-1]:.2f}."
        )
    if task == "sentiment":
        truth = (
            ""
            if np.isnan(ins.target[-1])
            else (f" The review is labelled {'positive' if ins.target[-1] > 0.5 else 'negative'}.")
        )
        return (
            f"After the last word the trained classifier gives P(positive) = {ins.trained.prediction[-1]:.2f}; "
            f"the untrained one {ins.untrained.prediction[-1]:.2f}.{truth}"
        )
    steps = len(ins.target)
    right = {
        name: int(np.sum(np.round(r.prediction) == ins.target))
        for name, r in (("trained", ins.trained), ("untrained", ins.untrained))
    }
    return (
        f"Rounded to a whole number, the trained network gives the right depth at {right['trained']} of "
        f"{steps} steps; the untrained one at {right['untrained']}."
    )


def report(cfg: GatesConfig, res: GatesResult) -> dict:
    ins = inspect_sequence(res, cfg)
    reading = ins.trained
    out: dict = {"tokens": list(ins.tokens), "gates": reading.gates}
    if reading.c is not None:
        out["cell"] = reading.c
    out["hidden"] = reading.h
    out["prediction"] = reading.prediction
    kept = kept_memory(ins, res.cell, choose_units("", res.hidden, res.ranked_units)[0])
    out["metrics"] = {
        "saturation": gate_saturation(reading.gates),
        "saturation_untrained": gate_saturation(ins.untrained.gates),
        "held_out_saturated_share": {
            "trained": saturated_share(res.trained.saturation),
            "untrained": saturated_share(res.untrained.saturation),
        },
        "params": {cell: row["total"] for cell, row in res.params.items()},
        "final_loss": res.history.final_loss() if res.history.steps else None,
        "held_out_loss": res.trained.held_out_loss,
        "chance_loss": res.chance_loss,
        "keep_path": {"unit": kept.unit, "trained": kept.trained, "untrained": kept.untrained},
        "fused_gap": max(reading.fused_gap, ins.untrained.fused_gap),
    }
    if ins.notes:
        out["notes"] = list(ins.notes)
    return out


EXPERIMENT = Experiment(
    name="gates",
    title="LSTM & GRU gates",
    config=GatesConfig,
    run=run,
    report=report,
    description="Train an LSTM or GRU on a memory, counting or sentiment task and record every gate at "
    "every step, before and after training.",
    normalise=normalise,
    upstream=sentiment_upstream,
)
