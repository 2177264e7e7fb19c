"""Experiment ``pytorch``: the mistakes every PyTorch RNN tutorial warns about, made and measured.

The shapes explorer runs a module on random tensors (no training, display-only settings); the run
trains the three padding readers on review sentences, two character models on Hamlet (a carried
state or none) and times truncated backpropagation with and without ``detach()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rnnviz.core.cells import CELLS
from rnnviz.core.config import (
    epochs_param,
    param,
    seed_param,
    steps_param,
    view_param,
)
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, Progress
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.pytorch import carried, corrections, padding
from rnnviz.views.pytorch.carried import TRUNCATIONS, CharRun, Truncation
from rnnviz.views.pytorch.export import export
from rnnviz.views.pytorch.figures import accuracy_film
from rnnviz.views.pytorch.padding import Readers, Sentences, Where
from rnnviz.views.pytorch.shapes import explore, setup_of

BUDGET_SHARES = {"padding": 0.7, "stateful": 0.1, "stateless": 0.1}
"""Shares of the training budget: the three readers together, then each character model."""


def _shape(default: int, label: str, help: str, top: int) -> int:
    return view_param(default, label, help, min=1, max=top)


@dataclass(frozen=True)
class PytorchConfig:
    cell: str = view_param("lstm", "Cell", "The recurrent module whose tensors are shown.", choices=CELLS)
    batch: int = _shape(3, "Batch size", "Sequences in the batch.", 8)
    length: int = _shape(7, "Length", "Time steps in each sequence.", 12)
    input_size: int = _shape(5, "Input size", "Numbers per time step going in (input_size).", 8)
    hidden: int = _shape(4, "Hidden size", "Units in each hidden state (hidden_size).", 8)
    layers: int = _shape(2, "Layers", "Stacked recurrent layers (num_layers).", 3)
    bidirectional: bool = view_param(
        True, "Bidirectional", "A second direction reads each sequence from the end."
    )
    batch_first: bool = view_param(
        True, "batch_first", "Input and output as (batch, time, features) instead of (time, batch, features)."
    )
    reader_cell: str = param(
        "gru", "Readers' cell", "The recurrent cell of the three padding readers.", choices=CELLS
    )
    reader_bidirectional: bool = param(
        False,
        "Bidirectional readers",
        "Each reader reads both ways; shows where the backward direction's summary really is.",
    )
    sentences: int = param(
        3000,
        "Training sentences",
        "Review sentences the readers learn from, a random subset of the training movies' sentences, "
        "so the three trainings fit the server's time budget.",
        min=500,
        max=8000,
        step=500,
        unit="sentences",
    )
    epochs: int = epochs_param(2, help="Passes over the training sentences.", max=6)
    char_steps: int = steps_param(
        150,
        label="Character-model steps",
        help="Training steps of each character model (with and without a carried state).",
        min=20,
        max=600,
        step=10,
    )
    seed: int = seed_param(0, help="Seeds the sentence subset, the split, the weights and the batch order.")


@dataclass(frozen=True, eq=False)
class PytorchResult:
    data: Sentences
    readers: Readers
    history: History
    """The three readers' joint training: loss is their mean; the timeline holds their accuracies."""
    losses: dict[str, list[float]]
    capture_seconds: float
    test_accuracy: dict[str, float]
    epoch_seconds: dict[str, float]
    padding_read: float
    """Mean padding tokens after a test sentence's end in its batch."""
    where: tuple[Where, ...]
    chars: tuple[CharRun, CharRun]
    """Stateful, then stateless."""
    truncations: tuple[Truncation, ...]

    @property
    def stateful(self) -> CharRun:
        return self.chars[0]

    @property
    def stateless(self) -> CharRun:
        return self.chars[1]


def _stage(on_progress: ProgressFn | None, offset: int, total: int, note: str) -> ProgressFn | None:
    """One progress bar over several trainings: each reports its steps after those of the stages before."""
    if on_progress is None:
        return None

    def report(p: Progress) -> None:
        live = p.new_frame and offset == 0  # only the readers' timeline feeds the live figure
        on_progress(dataclasses.replace(p, step=offset + p.step, total=total, note=note, new_frame=live))

    return report


def run(cfg: PytorchConfig, on_progress: ProgressFn | None = None) -> PytorchResult:
    rng = seed_everything(cfg.seed)
    data = padding.sentences(cfg.sentences, rng)
    reader_steps = cfg.epochs * -(-len(data.train) // padding.BATCH)
    total = reader_steps + 2 * cfg.char_steps
    trained = padding.train(
        data,
        cfg.reader_cell,
        bidirectional=cfg.reader_bidirectional,
        epochs=cfg.epochs,
        seed=cfg.seed,
        rng=rng,
        budget_s=BUDGET_SHARES["padding"] * TRAINING_BUDGET_S,
        on_progress=_stage(on_progress, 0, total, "Three readers learn from padded batches"),
    )
    readers = trained.readers.readers
    text = carried.play()
    chars = tuple(
        carried.train_chars(
            text,
            stateful=stateful,
            steps=cfg.char_steps,
            seed=cfg.seed,
            budget_s=BUDGET_SHARES["stateful" if stateful else "stateless"] * TRAINING_BUDGET_S,
            on_progress=_stage(
                on_progress,
                reader_steps + (0 if stateful else cfg.char_steps),
                total,
                f"Character model on Hamlet, {'carrying its state' if stateful else 'starting each chunk from zero'}",
            ),
        )
        for stateful in (True, False)
    )
    return PytorchResult(
        data=data,
        readers=trained.readers,
        history=trained.history,
        losses=trained.losses,
        capture_seconds=trained.capture_seconds,
        test_accuracy={name: padding.accuracy(r, data, data.test) for name, r in readers.items()},
        epoch_seconds=padding.epoch_seconds(trained.readers, data, rng),
        padding_read=padding.padding_read(data, data.test),
        where=padding.where_summaries(readers["packed"], data),
        chars=chars,
        truncations=tuple(carried.truncation(text, mode, cfg.seed) for mode in TRUNCATIONS),
    )


def report(cfg: PytorchConfig, res: PytorchResult) -> dict:
    explored = explore(setup_of(cfg))
    derivative = corrections.derivative_peaks()
    vanishing, exploding = corrections.clipping()
    metrics = {
        "padding_accuracy": res.test_accuracy,
        "epoch_seconds": res.epoch_seconds,
        "packed_test_accuracy": res.test_accuracy["packed"],
        "padding_tokens_read": res.padding_read,
        "stateful_loss": res.stateful.held_out_loss,
        "stateless_loss": res.stateless.held_out_loss,
        "train_seconds": round(res.history.seconds, 1),
        "n_train": len(res.data.train),
        "n_test": len(res.data.test),
    }
    return {
        "shapes": {name: list(size) for name, size in explored.measured.items()},
        "metrics": metrics,
        "where": [dataclasses.asdict(w) for w in res.where],
        "truncation": {
            t.mode: {"milliseconds": list(t.milliseconds), "error": t.error} for t in res.truncations
        },
        "corrections": {
            "tanh_derivative_peak": derivative.tanh_peak,
            "sigmoid_derivative_peak": derivative.sigmoid_peak,
            "clipping": {c.case: dataclasses.asdict(c) for c in (vanishing, exploding)},
            "carried_state_reaches_first_chunk": corrections.carried_graph().reaches_first_chunk,
            "gru": dataclasses.asdict(corrections.gru_conventions()),
            "scaler": dataclasses.asdict(corrections.scaler_leak()),
        },
        "timeline": res.history.timeline.json(),
    }


EXPERIMENT = Experiment(
    name="pytorch",
    title="RNNs in PyTorch",
    config=PytorchConfig,
    run=run,
    report=report,
    description="Tensor shapes, padding, carried state and common corrections, measured on real PyTorch "
    "modules: three padding readers trained on review sentences, two character models on Hamlet.",
    export=export,
    film=lambda cfg, res: accuracy_film(res.history),
)
