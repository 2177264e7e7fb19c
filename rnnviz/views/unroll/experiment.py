"""Experiment ``unroll``: one network, one sequence, every hidden state at every step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import (
    CELLS,
    GATES,
    States,
    count_parameters,
    spectral_radius,
    states,
    trace,
)
from rnnviz.core.config import learning_rate_param, param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, fit
from rnnviz.core.models import H0_MODES, TokenModel
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.tokens import TOKENIZERS, tokenize

EXAMPLE_TEXT = "the bank of the river"
EXAMPLE_NUMBERS = "0 1 2 3 2 1 0 -1 -2 -3 -2 -1 0 1 2 3"
MAX_TOKENS = 120


@dataclass(frozen=True)
class UnrollConfig:
    text: str = param(
        EXAMPLE_TEXT,
        label="Input sequence",
        help="Text to read one token at a time; for Numbers, values separated by spaces.",
        max_chars=400,
    )
    tokenizer: str = param(
        "char",
        label="Tokens",
        help="How the input is split into steps.",
        choices=TOKENIZERS,
    )
    cell: str = param("rnn", label="Cell", help="The recurrent cell type.", choices=CELLS)
    hidden: int = param(
        8,
        label="Hidden size",
        help="Units in each hidden state.",
        min=1,
        max=64,
        unit="units",
    )
    layers: int = param(1, label="Layers", help="Stacked recurrent layers.", min=1, max=3)
    h0: str = param(
        "zeros",
        label="Initial state h₀",
        help="Zeros (the usual choice), random (fixed by the seed) or learned with the weights.",
        choices=H0_MODES,
    )
    train_steps: int = param(
        150,
        label="Training steps",
        help="Adam steps of next-token prediction on the input itself; 0 shows the untrained network.",
        min=0,
        max=1000,
        step=10,
        unit="steps",
    )
    lr: float = learning_rate_param(0.01)
    seed: int = seed_param(0, help="Seeds the weights and the random initial state.")
    step: int = param(
        1,
        label="Time step t",
        help="The step whose update equation is written out.",
        min=1,
        max=MAX_TOKENS,
        role="view",
    )
    layer: int = param(
        1,
        label="Layer shown",
        help="Which stacked layer the figures show.",
        min=1,
        max=3,
        role="view",
    )


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
    predictions: tuple[str, ...]
    """The model's next-token guess after each step."""
    history: History
    params: int
    fused_gap: float
    """Largest |h_fused - h_instrumented|: the figures' numbers are the trained model's own."""
    notes: tuple[str, ...]


def block_radii(cell: str, w_hh: np.ndarray) -> dict[str, float]:
    names = GATES[cell] or ("h",)
    blocks = np.split(w_hh, len(names))
    return {name: spectral_radius(torch.from_numpy(b)) for name, b in zip(names, blocks, strict=True)}


def run(cfg: UnrollConfig, on_progress: ProgressFn | None = None) -> UnrollResult:
    fallback = EXAMPLE_NUMBERS if cfg.tokenizer == "number" else EXAMPLE_TEXT
    toks = tokenize(cfg.text, cfg.tokenizer, max_tokens=MAX_TOKENS, fallback=fallback)
    numeric = toks.values is not None
    vocab = () if numeric else tuple(sorted(set(toks.tokens)))
    if numeric:
        x = torch.tensor(toks.values, dtype=torch.float32).unsqueeze(-1)
    else:
        index = {t: i for i, t in enumerate(vocab)}
        ids = torch.tensor([index[t] for t in toks.tokens])
        x = nn.functional.one_hot(ids, len(vocab)).float()
    x = x.unsqueeze(0)

    seed_everything(cfg.seed)
    out_size = 1 if numeric else len(vocab)
    model = TokenModel(cfg.cell, x.shape[-1], cfg.hidden, out_size, cfg.layers, cfg.h0)

    inputs = x[:, :-1]
    if numeric:
        target = x[:, 1:]

        def loss_fn(_: int) -> torch.Tensor:
            return nn.functional.mse_loss(model(inputs), target)
    else:
        target_ids = ids[1:].unsqueeze(0)

        def loss_fn(_: int) -> torch.Tensor:
            logits = model(inputs)
            return nn.functional.cross_entropy(logits.reshape(-1, out_size), target_ids.reshape(-1))

    history = fit(
        model,
        loss_fn,
        range(cfg.train_steps),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        on_progress=on_progress,
        budget_s=TRAINING_BUDGET_S,
    )

    with torch.no_grad():
        init = model.initial_state(1)
        h0, c0 = init if isinstance(init, tuple) else (init, None)
        tr = trace(model.rnn, x, h0, c0)
        fused, _ = model.rnn(x, init)
        out = model.head(tr.output)[0]
    if numeric:
        predictions = tuple(f"{v:.3g}" for v in out[:, 0].tolist())
    else:
        predictions = tuple(vocab[i] for i in out.argmax(-1).tolist())

    weights = []
    for layer in range(cfg.layers):
        w_ih = getattr(model.rnn, f"weight_ih_l{layer}").detach()
        w_hh = getattr(model.rnn, f"weight_hh_l{layer}").detach()
        bias = (getattr(model.rnn, f"bias_ih_l{layer}") + getattr(model.rnn, f"bias_hh_l{layer}")).detach()
        weights.append({"W_ih": w_ih.numpy(), "W_hh": w_hh.numpy(), "b": bias.numpy()})

    return UnrollResult(
        tokens=toks.tokens,
        vocab=vocab,
        numeric=numeric,
        x=x[0].numpy(),
        states=states(tr),
        h0=h0[:, 0].detach().numpy(),
        c0=c0[:, 0].numpy() if c0 is not None else None,
        weights=tuple(weights),
        radius=tuple(block_radii(cfg.cell, w["W_hh"]) for w in weights),
        predictions=predictions,
        history=history,
        params=count_parameters(model),
        fused_gap=float((fused - tr.output).abs().max()),
        notes=toks.notes,
    )


def report(cfg: UnrollConfig, res: UnrollResult) -> dict:
    top = -1
    out = {
        "tokens": list(res.tokens),
        "hidden": res.states.h[top],
        "metrics": {
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "train_steps": res.history.steps,
            "spectral_radius": list(res.radius),
            "params": res.params,
            "fused_gap": res.fused_gap,
        },
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
)
