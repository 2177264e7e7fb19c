"""What the unroll page says: its lead, the captions written from the run, and the explanation below."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnnviz.core.cells import CELLS, GATE_NAMES
from rnnviz.core.claims import Claim, claim, comparison, paired_bootstrap
from rnnviz.core.fmt import sci
from rnnviz.views.unroll.result import UnrollResult
from rnnviz.views.unroll.settings import UnrollConfig
from rnnviz.views.unroll.step import largest_slope, spectral_norm

INTRO = (
    "A recurrent network reads a sequence one token at a time. At each step one small cell, with the "
    "same weights every time, mixes the new input into the hidden state: the network's working memory."
)

METRIC_HELP = (
    "How badly the model guesses each next token of its own sequence after training: cross-entropy in "
    "nats for text, mean squared error for numbers. Lower is better; the downloaded reproduce.py "
    "recomputes it from the weights."
)

FUSED_HELP = (
    "Largest difference between torch's fused module and the instrumented cell drawn here, over every "
    "hidden state of the sequence."
)

WORKING_MEMORY = (
    "**Working memory.** The hidden state is everything the network keeps about the past. "
    "In *the bank of the river*, the state at *bank* cannot yet know which bank is meant; "
    "by *river* it can. Scrub through time and watch units switch as context arrives; play the "
    "training film and watch them organise as the network learns the sequence."
)

INITIAL_STATE = (
    "**Initial state.** h₀ is the memory before the first token. Zeros is the usual choice; a random "
    "h₀ shows how long its trace lingers; a learned h₀ lets training pick the best starting memory."
)


def loss_label(res: UnrollResult) -> str:
    return "Loss after training" if res.trained else "Loss (untrained)"


def loss_help(res: UnrollResult) -> str:
    """The metric's help, and why the loss curve and the film end on another number: each step's loss is
    measured before that step's update, the loss after training after the last one."""
    last = res.history.loss[-1] if res.trained and res.history.loss else float("nan")
    if not math.isfinite(last):
        return METRIC_HELP
    return (
        f"{METRIC_HELP} The loss curve and the film end on {sci(last)}: step {len(res.history.loss)}'s loss, "
        f"measured before that step's update changed the weights; this one is measured after it."
    )


def step_sentence(res: UnrollResult, t: int, quote: Callable[[str], str]) -> str:
    """What the cell reads at step ``t`` (0-based) and, once trained, what it then predicts.

    ``quote`` shows a token literally (typed text must never render as markup).
    """
    said = f"**Step t = {t + 1}**, reading token {quote(res.tokens[t])}"
    if res.trained:
        said += f"; the model then predicts {quote(res.predictions[t])}"
    return said


def units_caption(units: Sequence[int], hidden: int) -> str | None:
    """Which units the equations write out, when there are too many to show all."""
    if len(units) >= hidden:
        return None
    return f"Showing units {', '.join(map(str, units))} of {hidden}: the most active at this step."


def gates_caption(means: Mapping[str, float], t: int) -> str | None:
    if not means:
        return None
    shown = ", ".join(f"{GATE_NAMES[g]} {v:.2f}" for g, v in means.items())
    return f"Mean gate values at t = {t + 1}: {shown}."


def film_caption(res: UnrollResult) -> str:
    if res.trained:
        return (
            "Press ▶ Play, or drag the training-step slider under a figure: the hidden states and the "
            "guesses as they were at each snapshot of training. It all plays in your browser; nothing retrains."
        )
    return "Untrained: set Training steps above 0 to watch the states and guesses change as it learns."


def parameter_sharing(cell: str) -> str:
    return (
        "**Parameter sharing.** The diagram repeats one cell, and the weight heatmaps are its only "
        f"weights: {CELLS[cell]} uses the same W_xh and W_hh at every step. That is why it reads "
        "sequences of any length, and why a gradient through time meets the same W_hh again and again, "
        "each time scaled by that step's own slope of the nonlinearity."
    )


LOSS_BLOCK = 5
"""Tokens per bootstrap block: neighbouring guesses share the state, so their losses move together."""
FUSED_TOLERANCE = 1e-4
"""Largest fused-vs-step-by-step difference still called a match: float32 rounding over a sequence stays
far below it, a misread weight block far above."""


def claims(cfg: UnrollConfig, res: UnrollResult) -> list[Claim]:
    """What this run shows, headline first: training lowered the loss, the drawn cell is the trained one,
    and (vanilla cells) whether the recurrent weights guarantee that an earlier state fades."""
    found = [training_lowers_loss(res), fused_matches(res)]
    fading = earlier_state_fades(res)
    return found + ([fading] if fading is not None else [])


def training_lowers_loss(res: UnrollResult) -> Claim:
    """The same guesses scored before and after training, paired per target step; the sequence is also the
    training data, so this says how well it learned the sequence, not how well it would predict another."""
    measure = "squared error of each next value" if res.numeric else "next-token cross-entropy (nats)"
    losses = np.concatenate([res.token_loss_before, res.token_loss_after])
    overflowed = float(np.sum(~np.isfinite(losses)))
    if overflowed:
        return claim(
            "training_lowers_loss",
            lambda e: e["overflowed"] == 0,
            "",
            f"The {measure} overflows float32 on this sequence, so it cannot tell whether training helped.",
            overflowed=overflowed,
        )
    return comparison(
        "training_lowers_loss",
        "the trained network",
        "the network before training",
        paired_bootstrap(res.token_loss_after, res.token_loss_before, block=LOSS_BLOCK),
        better="lower",
        measure=f"{measure} on the sequence it trained on",
        loss_before=float(res.token_loss_before.mean()),
        loss_after=res.loss_after,
        steps_trained=res.history.steps,
    )


def fused_matches(res: UnrollResult) -> Claim:
    return claim(
        "fused_matches",
        lambda e: e["fused_gap"] <= FUSED_TOLERANCE,
        f"The step-by-step cell drawn here matches torch's fused module (largest difference "
        f"{res.fused_gap:.1e}, within {FUSED_TOLERANCE:.0e}): "
        "the pictures show the trained model's own numbers.",
        f"The step-by-step cell drawn here differs from torch's fused module by up to {res.fused_gap:.1e}: "
        "the pictures may not show the trained model's own numbers.",
        fused_gap=res.fused_gap,
        tolerance=FUSED_TOLERANCE,
    )


def earlier_state_fades(res: UnrollResult) -> Claim | None:
    """Whether layer 1's recurrence is a contraction on this sequence (Pascanu et al. 2013).

    Each step's Jacobian is diag(φ′) W_hh with a diagonal that changes every step, so the spectral
    radius of W_hh guarantees nothing (W = [[1, 1], [-1, -0.9]] has radius 0.32, diag(1, 0) W has 1.0);
    ‖W_hh‖₂ · max φ′ < 1 bounds every step, hence their product. None for gated cells.
    """
    slope = largest_slope(res)
    if slope is None:
        return None
    norm = spectral_norm(res.weights[0]["W_hh"])
    radius = res.radius[0]["h"]
    bound = norm * slope
    return claim(
        "earlier_state_fades",
        lambda e: e["norm"] * e["largest_slope"] < 1,
        f"‖W_hh‖₂ = {norm:.2f} and φ′ stays at or below {slope:.2f} on this sequence, so each step's "
        f"Jacobian diag(φ′) W_hh stretches no vector by more than {bound:.2f} < 1: what an earlier state "
        f"adds fades at least geometrically (spectral radius {radius:.2f}; Pascanu et al. 2013).",
        f"‖W_hh‖₂ · max φ′ = {bound:.2f} ≥ 1 on this sequence (spectral radius {radius:.2f}), so nothing "
        "guarantees that an earlier state's influence fades: each step's Jacobian is diag(φ′) W_hh with a "
        "diagonal that changes every step, and a spectral radius below 1 alone bounds none of their "
        "products; ‖W_hh‖₂ · max φ′ < 1 does (Pascanu et al. 2013).",
        norm=norm,
        largest_slope=slope,
        radius=radius,
    )
