"""Experiment ``unroll``: one network, one sequence, every hidden state at every step, through training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from rnnviz.core.cells import (
    GATES,
    States,
    count_parameters,
    spectral_radius,
    states,
)
from rnnviz.core.config import (
    cell_param,
    hidden_param,
    layers_param,
    learning_rate_param,
    param,
    seed_param,
    steps_param,
    time_step_param,
    view_param,
)
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.models import H0_MODES, TokenModel
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.core.tokens import TOKENIZERS
from rnnviz.views.unroll.capture import initial_state, look, prediction_labels
from rnnviz.views.unroll.export import export
from rnnviz.views.unroll.sequence import EXAMPLE_TEXT, MAX_TOKENS, next_token_loss, read_sequence

MAX_LAYERS = 3


@dataclass(frozen=True)
class UnrollConfig:
    text: str = param(
        EXAMPLE_TEXT,
        "Input sequence",
        f"Text to read one token at a time (the first {MAX_TOKENS} tokens); "
        "for Numbers, values separated by spaces.",
        max_chars=400,
    )
    tokenizer: str = param("char", "Tokens", "How the input is split into steps.", choices=TOKENIZERS)
    cell: str = cell_param()
    hidden: int = hidden_param(8, max=64)
    layers: int = layers_param(1, max=MAX_LAYERS)
    h0: str = param(
        "zeros",
        "Initial state h₀",
        "Zeros (the usual choice), random (fixed by the seed) or learned with the weights.",
        choices=H0_MODES,
    )
    train_steps: int = steps_param(
        150,
        help="Adam steps of next-token prediction on the input itself; 0 shows the untrained network.",
        max=1000,
        step=10,
    )
    lr: float = learning_rate_param(0.01)
    seed: int = seed_param(0, help="Seeds the weights and the random initial state.")
    step: int = time_step_param(help="The step whose update equation is written out.", max=MAX_TOKENS)
    layer: int = view_param(1, "Layer shown", "Which stacked layer the figures show.", min=1, max=MAX_LAYERS)


@dataclass(frozen=True)
class UnrollResult:
    tokens: tuple[str, ...]
    vocab: tuple[str, ...]
    numeric: bool
    x: np.ndarray
    """Inputs, (time, input size): one-hot rows, or the numbers themselves."""
    states: States
    h0: np.ndarray
    """Initial state, (layers, hidden)."""
    c0: np.ndarray | None
    weights: tuple[dict[str, np.ndarray], ...]
    """Per layer: W_ih, W_hh, b (= b_ih + b_hh), as torch stores them (gate blocks stacked)."""
    radius: tuple[dict[str, float], ...]
    """Per layer, the spectral radius of each square block of W_hh (one per gate; 'h' for the vanilla cell)."""
    final: Frame
    """The trained model's frame, as :func:`look` captures one: equal to the timeline's last frame."""
    predictions: tuple[str, ...]
    """The model's next-token guess after each step, as text."""
    loss_after: float
    """The trained model's loss on the sequence: what reproduce.py recomputes from the weights."""
    history: History
    model_state: dict[str, torch.Tensor]
    """The trained weights (and initial state), for export."""
    params: int
    fused_gap: float
    """Largest |h_fused - h_instrumented|: the figures' numbers are the trained model's own."""
    notes: tuple[str, ...]

    @property
    def values(self) -> np.ndarray | None:
        """The numbers read, for a numeric sequence; None for text."""
        return self.x[:, 0] if self.numeric else None


def block_radii(cell: str, w_hh: np.ndarray) -> dict[str, float]:
    names = GATES[cell] or ("h",)
    blocks = np.split(w_hh, len(names))
    return {name: spectral_radius(torch.from_numpy(b)) for name, b in zip(names, blocks, strict=True)}


def run(cfg: UnrollConfig, on_progress: ProgressFn | None = None) -> UnrollResult:
    seq = read_sequence(cfg.text, cfg.tokenizer)
    x = seq.inputs()
    target = seq.targets()

    seed_everything(cfg.seed)
    out_size = 1 if seq.numeric else len(seq.vocab)
    model = TokenModel(cfg.cell, x.shape[-1], cfg.hidden, out_size, cfg.layers, cfg.h0)

    def loss_fn(_: Any) -> torch.Tensor:
        return next_token_loss(model(x[:, :-1]), target, seq.numeric)

    history = fit(
        model,
        loss_fn,
        range(cfg.train_steps),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        on_progress=on_progress,
        budget_s=TRAINING_BUDGET_S,
        capture=lambda: look(model, x, seq)[1],
    )

    with torch.no_grad():
        tr, final = look(model, x, seq)
        fused, _ = model.rnn(x, model.initial_state(1))
        loss_after = float(loss_fn(None))
    h0, c0 = initial_state(model)

    weights = []
    for layer in range(cfg.layers):
        w_ih = getattr(model.rnn, f"weight_ih_l{layer}").detach()
        w_hh = getattr(model.rnn, f"weight_hh_l{layer}").detach()
        bias = (getattr(model.rnn, f"bias_ih_l{layer}") + getattr(model.rnn, f"bias_hh_l{layer}")).detach()
        weights.append({"W_ih": w_ih.numpy(), "W_hh": w_hh.numpy(), "b": bias.numpy()})

    return UnrollResult(
        tokens=seq.tokens,
        vocab=seq.vocab,
        numeric=seq.numeric,
        x=x[0].numpy(),
        states=states(tr),
        h0=h0[:, 0].detach().numpy(),
        c0=c0[:, 0].numpy() if c0 is not None else None,
        weights=tuple(weights),
        radius=tuple(block_radii(cfg.cell, w["W_hh"]) for w in weights),
        final=final,
        predictions=prediction_labels(final),
        loss_after=loss_after,
        history=history,
        model_state={k: v.detach().clone() for k, v in model.state_dict().items()},
        params=count_parameters(model),
        fused_gap=float((fused - tr.output).abs().max()),
        notes=seq.notes,
    )


def report(cfg: UnrollConfig, res: UnrollResult) -> dict:
    top = -1
    out = {
        "tokens": list(res.tokens),
        "hidden": res.states.h[top],
        "predictions": res.final["predictions"],
        "metrics": {
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "loss_after_training": res.loss_after,
            "train_steps": res.history.steps,
            "spectral_radius": list(res.radius),
            "params": res.params,
            "fused_gap": res.fused_gap,
        },
        "timeline": res.history.timeline.json(),
    }
    if res.states.c is not None:
        out["cell"] = res.states.c[top]
    if GATES[res.states.cell]:
        out["gates"] = {g: v[top] for g, v in res.states.gates.items()}
    if res.notes:
        out["notes"] = list(res.notes)
    return out


EXPERIMENT = Experiment(
    name="unroll",
    title="Unrolled hidden states",
    config=UnrollConfig,
    run=run,
    report=report,
    description="Read a sequence one token at a time and record every hidden state, gate and cell state.",
    export=export,
)
