"""Training of the unroll view: one network learns to guess the next token of one sequence, and every
snapshot records all its hidden states, so the page can play them back."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnviz.core.cells import GATES, Trace, count_parameters, spectral_radius, states, trace
from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import fit
from rnnviz.core.models import TokenModel
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.views.unroll.result import UnrollResult
from rnnviz.views.unroll.sequence import Sequence, next_token_loss, next_token_losses, read_sequence
from rnnviz.views.unroll.settings import UnrollConfig


def initial_state(model: TokenModel) -> tuple[torch.Tensor, torch.Tensor | None]:
    init = model.initial_state(1)
    return init if isinstance(init, tuple) else (init, None)


def look(model: TokenModel, x: torch.Tensor, seq: Sequence) -> tuple[Trace, Frame]:
    """Read the whole sequence step by step; the frame holds what the training film draws.

    Frame: ``hidden`` (time, units) of the top layer, ``hidden_lower_layers`` (layers - 1, time, units)
    when stacked, ``predictions`` after each step (tokens, or numbers) and, for text, ``p_next``: the
    probability given to the token that actually comes next (time - 1).
    The same function draws the final result, so the timeline's last frame equals it exactly.
    """
    tr = trace(model.rnn, x, *initial_state(model))
    out = model.head(tr.output)[0]
    hidden = [layer[0].h[0].numpy() for layer in tr.layers]
    frame: Frame = {"hidden": hidden[-1]}
    if len(hidden) > 1:
        frame["hidden_lower_layers"] = np.stack(hidden[:-1])
    if seq.numeric:
        frame["predictions"] = out[:, 0].numpy()
    else:
        frame["predictions"] = tuple(seq.vocab[i] for i in out.argmax(-1).tolist())
        probs = torch.softmax(out[:-1], dim=-1)
        frame["p_next"] = probs.gather(1, seq.targets()[:, None])[:, 0].numpy()
    return tr, frame


def prediction_labels(frame: Frame) -> tuple[str, ...]:
    return tuple(p if isinstance(p, str) else f"{p:.3g}" for p in frame["predictions"])


def block_radii(cell: str, w_hh: np.ndarray) -> dict[str, float]:
    names = GATES[cell] or ("h",)
    blocks = np.split(w_hh, len(names))
    return {name: spectral_radius(torch.from_numpy(b)) for name, b in zip(names, blocks, strict=True)}


def layer_weights(model: TokenModel, layers: int) -> tuple[dict[str, np.ndarray], ...]:
    """Per layer W_ih, W_hh and the summed bias, as the equations write them."""
    out = []
    for layer in range(layers):
        w_ih = getattr(model.rnn, f"weight_ih_l{layer}").detach()
        w_hh = getattr(model.rnn, f"weight_hh_l{layer}").detach()
        bias = (getattr(model.rnn, f"bias_ih_l{layer}") + getattr(model.rnn, f"bias_hh_l{layer}")).detach()
        out.append({"W_ih": w_ih.numpy(), "W_hh": w_hh.numpy(), "b": bias.numpy()})
    return tuple(out)


def params(cfg: UnrollConfig) -> int:
    """Trainable parameters of the model run() trains for ``cfg`` (built on the meta device)."""
    seq = read_sequence(cfg.text, cfg.tokenizer)
    out_size = 1 if seq.numeric else len(seq.vocab)
    return parameter_count(
        lambda: TokenModel(cfg.cell, seq.inputs().shape[-1], cfg.hidden, out_size, cfg.layers, cfg.h0)
    )


def run(cfg: UnrollConfig, on_progress: ProgressFn | None = None) -> UnrollResult:
    seq = read_sequence(cfg.text, cfg.tokenizer)
    x = seq.inputs()
    target = seq.targets()

    seed_everything(cfg.seed)
    out_size = 1 if seq.numeric else len(seq.vocab)
    model = TokenModel(cfg.cell, x.shape[-1], cfg.hidden, out_size, cfg.layers, cfg.h0)

    def loss_fn(_: Any) -> torch.Tensor:
        return next_token_loss(model(x[:, :-1]), target, seq.numeric)

    def token_losses() -> np.ndarray:
        with torch.no_grad():
            return next_token_losses(model(x[:, :-1]), target, seq.numeric).numpy().astype(np.float32)

    before = token_losses()

    history = fit(
        model,
        loss_fn,
        range(cfg.train_steps),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        on_progress=on_progress,
        capture=lambda: look(model, x, seq)[1],
    )

    with torch.no_grad():
        tr, final = look(model, x, seq)
        fused, _ = model.rnn(x, model.initial_state(1))
        loss_after = float(loss_fn(None))
    after = token_losses()
    h0, c0 = initial_state(model)
    weights = layer_weights(model, cfg.layers)

    return UnrollResult(
        tokens=seq.tokens,
        vocab=seq.vocab,
        numeric=seq.numeric,
        x=x[0].numpy(),
        states=states(tr),
        h0=h0[:, 0].detach().numpy(),
        c0=c0[:, 0].numpy() if c0 is not None else None,
        weights=weights,
        radius=tuple(block_radii(cfg.cell, w["W_hh"]) for w in weights),
        final=final,
        predictions=prediction_labels(final),
        loss_after=loss_after,
        token_loss_before=before,
        token_loss_after=after,
        history=history,
        model_state={k: v.detach().clone() for k, v in model.state_dict().items()},
        params=count_parameters(model),
        fused_gap=float((fused - tr.output).abs().max()),
        notes=seq.notes,
    )
