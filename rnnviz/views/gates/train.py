"""A gates run: training on the synthetic tasks (copy, brackets), recording the worked example's gates as it
learns, or reading the sentiment view's trained classifier for the sentiment task.

Training (the cached part) produces two networks from the same initial weights: as initialised and as
trained. Inspecting a sequence (the display part, reading.py) traces both again, so typing a new sequence
never retrains.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import trace
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import fit
from rnnviz.core.init import set_memory_gate_bias
from rnnviz.core.models import TokenModel
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Capture, Frame
from rnnviz.views.gates.gating import (
    gate_saturation,
    influential_units,
    parameter_table,
    saturated_per_item,
    saturated_share,
)
from rnnviz.views.gates.inputs import worked_example
from rnnviz.views.gates.result import GatesResult, HeldOut, Network, weights_of
from rnnviz.views.gates.sentiment_adapter import gates_from_sentiment
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import BATCH, FILM_SEQUENCES, HELD_OUT, POOL, TASKS


def answers(model: TokenModel, x: torch.Tensor, answered: int) -> torch.Tensor:
    """The read-out at the steps that are scored: the last one (copy) or every one (brackets)."""
    return model(x)[:, -answered:, 0]


def _network(model: TokenModel, x_eval: torch.Tensor, y_eval: torch.Tensor) -> Network:
    with torch.no_grad():
        gates = {g: v.numpy() for g, v in trace(model.rnn, x_eval).top.gates.items()}
        predicted = answers(model, x_eval, y_eval.shape[1])
        loss = float(nn.functional.mse_loss(predicted, y_eval))
        item_loss = ((predicted - y_eval) ** 2).mean(dim=1)
    return Network(
        rnn=model.rnn,
        head=model.head,
        embedding=None,
        weights=weights_of(model.rnn),
        saturation=gate_saturation(gates),
        held_out_loss=loss,
        item_loss=item_loss.numpy().astype(np.float32),
        item_saturation=saturated_per_item(gates),
    )


def film_capture(
    model: TokenModel, example: torch.Tensor, x_eval: torch.Tensor, y_eval: torch.Tensor
) -> Capture:
    """What the gates film shows at each snapshot: the worked example's gates and states, and two numbers.

    The held-out loss uses every held-out sequence (one fused pass); the saturated share traces only
    the first FILM_SEQUENCES of them step by step, so capturing stays a small part of training.
    """
    sample = x_eval[:FILM_SEQUENCES]

    def capture() -> Frame:
        top = trace(model.rnn, example).top
        frame: Frame = {"gates": {g: v[0].numpy() for g, v in top.gates.items()}}
        if top.c is not None:
            frame["cell"] = top.c[0].numpy()
        frame["hidden"] = top.h[0].numpy()
        frame["prediction"] = model.head(top.h)[0, :, 0].numpy()
        frame["held_out_loss"] = float(
            nn.functional.mse_loss(answers(model, x_eval, y_eval.shape[1]), y_eval)
        )
        sampled = {g: v.numpy() for g, v in trace(model.rnn, sample).top.gates.items()}
        frame["saturated_share"] = saturated_share(gate_saturation(sampled))
        return frame

    return capture


def train_synthetic(cfg: GatesConfig, on_progress: ProgressFn | None = None) -> GatesResult:
    task = TASKS[cfg.task]
    rng = seed_everything(cfg.seed)
    model = TokenModel(cfg.cell, task.input_size, cfg.hidden, 1)
    set_memory_gate_bias(model.rnn, cfg.cell, cfg.gate_bias)
    untrained = copy.deepcopy(model)
    x_pool, y_pool = (torch.from_numpy(a) for a in task.generate(POOL, cfg.length, rng))
    x_eval, y_eval = (torch.from_numpy(a) for a in task.generate(HELD_OUT, cfg.length, rng))
    answered = y_pool.shape[1]
    _, example = worked_example(cfg.task)

    def loss_fn(rows: np.ndarray) -> torch.Tensor:
        index = torch.from_numpy(rows)
        return nn.functional.mse_loss(answers(model, x_pool[index], answered), y_pool[index])

    history = fit(
        model,
        loss_fn,
        (rng.integers(0, POOL, BATCH) for _ in range(cfg.train_steps)),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        on_progress=on_progress,
        capture=film_capture(model, torch.from_numpy(example).unsqueeze(0), x_eval, y_eval),
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
        trained=_network(model, x_eval, y_eval),
        untrained=_network(untrained, x_eval, y_eval),
        history=history,
        chance_loss=float(y_eval.var(unbiased=False)),
        chance_item_loss=((y_eval - y_eval.mean()) ** 2).mean(dim=1).numpy().astype(np.float32),
        loss_name="mean squared error",
        ranked_units=ranked,
        params=parameter_table(task.input_size, cfg.hidden),
        held_out=HeldOut(inputs=x_eval.numpy(), target=y_eval.numpy()),
        film=history.timeline if len(history.timeline) else None,
    )


def run(cfg: GatesConfig, on_progress: ProgressFn | None = None, upstream: Any = None) -> GatesResult:
    """Train on a synthetic task, or read ``upstream``: the sentiment view's result, resolved by the core."""
    if cfg.task == "sentiment":
        if upstream is None:
            raise ValueError("the sentiment task reads the sentiment view's trained classifier; run it first")
        return gates_from_sentiment(upstream, cfg)
    return train_synthetic(cfg, on_progress)
