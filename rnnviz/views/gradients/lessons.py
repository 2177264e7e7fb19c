"""The gradients view's prose and claims: the page's lead, and every sentence, metric and equation that
states this run's numbers; whether the gradient vanished, what the vanilla bound forces, whether the gates
keep more of it (paired over the probe sequences) and what clipping did are claims decided by their evidence."""

from __future__ import annotations

import inspect
import math

import numpy as np

from rnnviz.core.cells import CELL_TABLE, MEMORY_GATE
from rnnviz.core.claims import Claim, claim, comparison, paired_bootstrap
from rnnviz.core.fit import FINAL_LOSS_TAIL, History
from rnnviz.core.fmt import percent, sci, tex_number
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import MEMORY_CELLS, VANILLA_CELLS, memory_budget_s
from rnnviz.core.memory_model import stop_mark as memory_stop_mark
from rnnviz.core.memory_tasks import CHANCE_LOSS
from rnnviz.views.gradients.bptt import backward
from rnnviz.views.gradients.gradnorms import FLOAT64_DECADES, VANISH_LEVEL, Bound
from rnnviz.views.gradients.result import GradientsResult, share_of_chance
from rnnviz.views.gradients.settings import CLIP_STEPS, PROBE_BATCH, GradientsConfig

INTRO = (
    "Training a recurrent network sends the error at the end of a sequence back through every step. "
    "That is backpropagation through time: the chain rule through the unrolled network, one Jacobian per "
    "step back, each holding the same W_hh. A product of that many factors can shrink or grow by orders of "
    "magnitude; gates add a path along which it need not."
)

FLOAT32_TINY = float(np.finfo(np.float32).tiny)
FLOAT64_TINY = float(np.finfo(np.float64).tiny)
"""The smallest normal numbers: below them a value loses precision, and soon underflows to zero."""

PageMetric = tuple[str, str, str | None]
"""A number as the page shows it in a metric box: label, value and help."""

BPTT_SOURCE = inspect.getsource(backward)
"""The code that computed the hand-made gradients, shown on the page beside its numbers."""


def click_to_train(cfg: GradientsConfig) -> str | None:
    """An untrained network is measured at once; training every compared cell waits for the reader's click."""
    if not cfg.train_steps:
        return None
    return (
        f"Training every compared cell on copy-first for {cfg.train_steps} steps takes a while on this server "
        f"(at most {memory_budget_s():g} s)."
    )


def main_block(cell: str) -> str:
    """The W_hh block whose spectral radius a reader looks at first: the memory gate's, or the only one."""
    return MEMORY_GATE.get(cell, "h")


def stop_mark(history: History, steps: int) -> str:
    mark = memory_stop_mark(history, steps)
    return f" ({mark})" if mark else ""


def trained_caption(cfg: GradientsConfig, res: GradientsResult) -> str:
    """Did each cell learn the task its gradients were measured on, and did its training run to the end?"""
    shares = ", ".join(
        f"{MEMORY_CELLS[cell]} {percent(s)}{stop_mark(res.curves[cell].history, cfg.train_steps)}"
        for cell, s in share_of_chance(res).items()
    )
    return (
        f"Measured after training on copy-first at length {cfg.length}; final loss (mean of the last "
        f"{percent(FINAL_LOSS_TAIL)} of steps) as a share of chance: {shares}. Press Play under the figure to "
        "watch each curve while its cell learned: does training open the path back in time, or close it?"
    )


def reach_paragraph(cfg: GradientsConfig) -> str:
    return (
        "The loss L is computed at the **last** step only, so the gradient at step t measures how much "
        f"h_t can still change L, T − t steps later. All {cfg.length} norms below come from one forward "
        f"and one backward pass over {PROBE_BATCH} copy-first sequences (the mean norm is drawn), in float64, "
        f"which holds values down to about {FLOAT64_TINY:.0e} (float32 stops near {FLOAT32_TINY:.0e}): a "
        "gradient that vanished hundreds of steps back is measured, not rounded to zero."
    )


def decay_metrics(cfg: GradientsConfig, res: GradientsResult) -> list[PageMetric]:
    """What is left of the chosen cell's gradient at step 1, per step, where it vanishes, and W_hh's radius."""
    d = res.curves[res.cell].decay
    radius = res.curves[res.cell].radius
    block = main_block(res.cell)
    overflows = d.overflow_distance is not None
    return [
        (
            "Left at step 1",
            "overflows" if overflows else f"{sci(1 / d.decay_ratio)}×",
            "‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: what is left of the gradient after the trip back to the first step. "
            "The command line reports the inverse as decay_ratio.",
        ),
        (
            "Per step back",
            "—" if overflows else f"×{d.per_step:.3g}",
            "Geometric mean: the norm is multiplied by this on each step back in time.",
        ),
        (
            f"Below {VANISH_LEVEL:.0e}× after".replace("e-0", "e-"),
            f"{d.vanish_distance} steps" if d.vanish_distance is not None else "never",
            f"Distance from the loss at which the norm first falls below {VANISH_LEVEL:g} times its value at "
            f"the loss ('never' means not within these {cfg.length} steps). From there on, those steps barely "
            "shape the update: ∂L/∂W sums one term per time step, and the terms near the loss, "
            f"{1 / VANISH_LEVEL:,.0f} times larger, swamp the far ones.",
        ),
        (
            "ρ(W_hh)" if res.cell in VANILLA_CELLS else f"ρ(W_hh), {block} block",
            f"{radius[block]:.3g}",
            "Spectral radius (largest |eigenvalue|) after the scale slider; per block: "
            + ", ".join(f"{name} {value:.3g}" for name, value in radius.items()),
        ),
    ]


def bound_latex(b: Bound) -> str:
    return (
        rf"\Big\lVert \frac{{\partial L}}{{\partial h_{{T-k}}}}\Big\rVert \le "
        rf"\big(\lVert W_{{hh}}\rVert_2 \max|\varphi'|\big)^k \Big\lVert \frac{{\partial L}}{{\partial h_T}}\Big\rVert"
        rf" = ({b.w_norm:.3g}\cdot{b.max_slope:.3g})^k\,\Big\lVert \frac{{\partial L}}{{\partial h_T}}\Big\rVert"
    )


def bound_claim(res: GradientsResult) -> Claim:
    """What the bound ‖W_hh‖₂ · max|φ'| says about this vanilla cell: below 1 it forces the gradient to vanish,
    at or above 1 nothing is forced, whatever ρ(W_hh)."""
    b = res.bound
    radius = res.curves[res.bound_cell].radius["h"]
    factors = (
        f"For the {MEMORY_CELLS[res.bound_cell]} here ‖W_hh‖₂ = {b.w_norm:.3g} and max|φ'| = {b.max_slope:.3g} "
        f"on these sequences: their product is {b.factor:.3g}"
    )
    return claim(
        "bound_forces_vanishing",
        lambda e: e["factor"] < 1,
        f"{factors}, below 1, so every Jacobian shrinks the gradient by at least that factor and it must vanish "
        "geometrically.",
        f"{factors}, not below 1, so nothing forces the gradient to vanish (ρ(W_hh) = {radius:.3g} alone "
        "guarantees nothing either way): whatever decay is measured comes from the slopes and directions the "
        "gradient actually meets.",
        w_norm=b.w_norm,
        max_slope=b.max_slope,
        factor=b.factor,
        spectral_radius=radius,
    )


def _reach_evidence(res: GradientsResult, cell: str) -> dict[str, float]:
    """What is left at step 1 (log10, pinned to float64's range), and where the curve vanished or overflowed."""
    curve = res.curves[cell]
    d = curve.decay
    left = (
        FLOAT64_DECADES
        if d.overflow_distance is not None or d.decay_ratio == 0
        else -math.log10(d.decay_ratio)
        if math.isfinite(d.decay_ratio)
        else -FLOAT64_DECADES
    )
    evidence = {
        "log10_left_at_step_1": left,
        "steps_back": float(len(curve.norms) - 1),
        "vanish_level": VANISH_LEVEL,
        "overflows": float(d.overflow_distance is not None),
    }
    if d.vanish_distance is not None:
        evidence["vanish_distance"] = float(d.vanish_distance)
    if d.overflow_distance is not None:
        evidence["overflow_distance"] = float(d.overflow_distance)
    return evidence


def _reach_sentence(cell: str, e: dict[str, float]) -> str:
    """What happened to the gradient on its way back: vanished, exploded, grew, or survived."""
    name = MEMORY_CELLS[cell]
    left = (
        f"{sci(10 ** e['log10_left_at_step_1'])}×" if abs(e["log10_left_at_step_1"]) < FLOAT64_DECADES else ""
    )
    steps = int(e["steps_back"])
    if "vanish_distance" in e:
        return (
            f"{name}: the gradient vanishes. {int(e['vanish_distance'])} steps back from the loss it is below "
            f"{e['vanish_level']:g} of its size there, and at step 1, {steps} steps back, it is {left or 'zero'}."
        )
    if e["overflows"]:
        return (
            f"{name}: the gradient explodes: {int(e['overflow_distance'])} steps back from the loss its norm is "
            "past float64's largest number."
        )
    if e["log10_left_at_step_1"] > 0:
        return f"{name}: the gradient grows on its way back: at step 1, {steps} steps back, it is {left} its size at the loss."
    return (
        f"{name}: the gradient has not vanished within these {steps} steps: at step 1 it is {left} its "
        f"size at the loss (vanished means below {e['vanish_level']:g})."
    )


def reach_claim(res: GradientsResult) -> Claim:
    """The view's headline: did the chosen cell's gradient vanish before it reached step 1?"""
    e = _reach_evidence(res, res.cell)
    return claim(
        "gradient_vanishes",
        lambda e: e.get("vanish_distance", math.inf) <= e["steps_back"],
        _reach_sentence(res.cell, e),
        _reach_sentence(res.cell, e),
        **e,
    )


def gate_claim(res: GradientsResult, gated: str) -> Claim:
    """Does a gated cell keep more of the gradient at step 1 than the vanilla RNN, sequence by sequence?"""
    mine, vanilla = res.curves[gated].reach, res.curves["rnn"].reach
    return comparison(
        f"{gated}_keeps_more_than_rnn",
        CELL_TABLE[gated].short,
        CELL_TABLE["rnn"].short,
        paired_bootstrap(mine, vanilla),
        better="higher",
        measure=f"log10 of the gradient's share left at step 1, paired over {PROBE_BATCH} probe sequences",
        first_log10_left=float(np.mean(mine)),
        second_log10_left=float(np.mean(vanilla)),
    )


def gate_claims(res: GradientsResult) -> list[Claim]:
    """Each gated cell measured here against the vanilla RNN."""
    return [gate_claim(res, cell) for cell in res.curves if cell not in VANILLA_CELLS]


def clipping_claim(cfg: GradientsConfig, res: GradientsResult) -> Claim:
    """The clipping experiment's verdict: did clipping keep finite a training that diverged without it?"""
    free, clipped = res.clip_free, res.clip_clipped
    peak = max((v for v in free.grad_norm if math.isfinite(v)), default=0.0)
    e = {
        "free_diverged_at": float(free.diverged_at or 0),
        "clipped_diverged_at": float(clipped.diverged_at or 0),
        "clipped_steps": float(clipped.steps),
        "peak_free_grad_norm": float(peak),
        "max_norm": cfg.max_norm,
    }
    return claim(
        "clipping_prevents_divergence",
        lambda e: e["free_diverged_at"] > 0 and e["clipped_diverged_at"] == 0,
        f"Without clipping, training diverged at step {free.diverged_at} (gradient norm up to {peak:.2g}); "
        f"clipped at {cfg.max_norm:g}, it stayed finite for all {clipped.steps} steps",
        _clipping_otherwise(free, clipped, cfg.max_norm, peak),
        **e,
    )


def _clipping_otherwise(free: History, clipped: History, max_norm: float, peak: float) -> str:
    if free.diverged_at is not None:
        return (
            f"Both runs diverged: without clipping at step {free.diverged_at}, clipped at {max_norm:g} "
            f"at step {clipped.diverged_at}"
        )
    if clipped.diverged_at is not None:
        return (
            f"Only the clipped run diverged (at step {clipped.diverged_at}); without clipping training stayed "
            f"finite, its largest gradient norm {peak:.2g}"
        )
    return f"Neither run diverged at this learning rate: the largest gradient norm without clipping was {peak:.2g}"


def claims(cfg: GradientsConfig, res: GradientsResult) -> list[Claim]:
    """Every finding the page states, headline first: the chosen cell's reach, the bound, the gates against
    the vanilla RNN, and the clipping experiment."""
    out = [reach_claim(res)]
    if res.bound is not None:
        out.append(bound_claim(res))
    out += gate_claims(res)
    out.append(clipping_claim(cfg, res))
    return out


def additive_path_latex(cfg: GradientsConfig) -> str:
    """Where the memory gate starts, and what is left of the gradient after T − 1 such gates."""
    gate, kept = memory_gate_retention(cfg.gate_bias, cfg.length - 1)
    return (
        rf"f_t \approx \sigma({cfg.gate_bias:g}) = {gate:.3g},\qquad "
        rf"{gate:.3g}^{{{cfg.length - 1}}} = {tex_number(kept)}"
    )


ADDITIVE_PATH_AT_BIAS_0 = (
    f"At bias 0 (close to PyTorch's default) the gate starts near {memory_gate_retention(0.0, 1)[0]:g}, so the "
    "additive path loses half of the gradient at every step: set the bias slider to 0 and compare the LSTM's "
    "curve with the vanilla RNN's."
)

RADIUS_EXAMPLE = np.array([[1.0, 1.0], [-1.0, -0.9]])
SLOPES_EXAMPLE = np.diag([1.0, 0.0])
"""A W whose spectral radius is small, and slopes (one unit linear, one saturated) that undo it."""


def _radius(m: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvals(m)).max())


SPECTRAL_RADIUS_TEXT = (
    "**Not a spectral-radius question.** Every factor holds the *same* W_hh, but between W_hh and the next "
    "factor sits diag(φ'(a_s)), which changes every step, so the product is no power of W_hh and ρ(W_hh) < 1 "
    f"does not make it shrink: W = [[1, 1], [−1, −0.9]] has ρ(W) = {_radius(RADIUS_EXAMPLE):.2g}, yet with "
    f"slopes diag(1, 0) the Jacobian has ρ = {_radius(SLOPES_EXAMPLE @ RADIUS_EXAMPLE):.2g}. What does "
    "guarantee it is ‖W_hh‖₂ · max|φ'| < 1 (Pascanu et al. 2013): then every Jacobian shrinks the gradient "
    "by at least that factor. Above 1 nothing is guaranteed either way (the linear cell, whose slope φ' is "
    "always 1, is the one case where the product is a power of W_hh and ρ decides: try the scale slider)."
)

PRODUCTS_TEXT = (
    "Strip the cell down to its skeleton: multiply a vector by the same matrix a·W again and again "
    "(W is random, scaled to spectral radius 1). The norm follows aⁿ, computed here in float64, which "
    f"holds values down to about {FLOAT64_TINY:.0e}: a product of hundreds of Jacobians falls below "
    f"float32's smallest normal number, about {FLOAT32_TINY:.0e}, long before that."
)

WORKED_POWERS = ((0.5, 10), (0.9, 100))
"""Powers a^n worked out beside the product figure, before the reader's own."""


def power_tex(a: float, n: int) -> str:
    """a^n for the worked examples; through logarithms when float64 would underflow (0.05^500 = 3e-651)."""
    if a <= 0:
        return "0"
    exponent = n * math.log10(a)
    if abs(exponent) < 300:
        return tex_number(a**n)
    whole = math.floor(exponent)
    return tex_number(10 ** (exponent - whole)) + rf" \times 10^{{{whole}}}"


def powers_tex(a: float, n: int) -> str:
    """The worked examples and the reader's own a^n, as one line of LaTeX."""
    worked = [rf"{b:g}^{{{k}}} = {power_tex(b, k)}" for b, k in WORKED_POWERS]
    return r",\qquad ".join([*worked, rf"\text{{yours: }} a^n = {a:g}^{{{n}}} = {power_tex(a, n)}"])


def products_caption(cfg: GradientsConfig, curves: dict[float, np.ndarray]) -> str:
    a, n = cfg.product_scale, cfg.product_steps
    return (
        f"With your a = {a:g}, the matrix product's norm after {n} steps is {sci(curves[a][-1])}: "
        "the same order as aⁿ, up to a factor set by W's other eigenvalues and the start vector."
    )


CLIPPING_HEADER = "With and without clipping"

CLIPPING_TEXT = (
    "Divergence here is a finding, not a crash: once the loss or the gradient is NaN or infinite, training "
    "stops and the step is reported. Clipping caps the size of each update, so one huge gradient cannot "
    "throw the weights to infinity in one step. It does **nothing for vanishing**: a gradient smaller than "
    "max_norm passes through unchanged, however small. Long memory needs a different path for the "
    "gradient, which is what gates provide."
)


def clipping_setup(cfg: GradientsConfig) -> str:
    return (
        f"The same vanilla RNN (tanh, your W_hh), trained twice with plain SGD at learning rate {cfg.clip_lr:g} "
        f"for up to {CLIP_STEPS} steps on copy-first of length {cfg.length}: once as is, once with "
        f"`clip_grad_norm_(max_norm={cfg.max_norm:g})`, which rescales the whole gradient g to "
        "max_norm · g / ‖g‖ whenever ‖g‖ is larger."
    )


def clipping_budget_notes(cfg: GradientsConfig, res: GradientsResult) -> list[str]:
    """A sentence for each clipping run that its time budget cut short."""
    runs = (("Without clipping", res.clip_free), (f"Clipped at {cfg.max_norm:g}", res.clip_clipped))
    return [
        f"{label}: stopped after {hist.steps} of {CLIP_STEPS} steps when its time budget ran out."
        for label, hist in runs
        if hist.stop == "budget"
    ]


def clipping_metrics(cfg: GradientsConfig, res: GradientsResult) -> list[PageMetric]:
    free, clipped = res.clip_free, res.clip_clipped
    return [
        ("Without clipping, diverged at", f"step {free.diverged_at}" if free.diverged_at else "never", None),
        (
            f"Clipped at {cfg.max_norm:g}, diverged at",
            f"step {clipped.diverged_at}" if clipped.diverged_at else "never",
            None,
        ),
        (
            "Final loss with clipping",
            sci(clipped.final_loss(FINAL_LOSS_TAIL)),
            f"Mean over the last {percent(FINAL_LOSS_TAIL)} of steps; chance level (always answering 0) is "
            f"{CHANCE_LOSS['copy']:g}.",
        ),
    ]


def by_hand_setup(cfg: GradientsConfig, res: GradientsResult) -> str:
    return (
        f"The vanilla RNN above (tanh, hidden size {cfg.hidden}, the loss ½(ŷ − y)² at the last step) "
        f"on the first {res.by_hand.steps} steps of one sequence, differentiated twice: by the NumPy code "
        "below, written out from the equations, and by PyTorch's autograd."
    )


def by_hand_metric(res: GradientsResult) -> PageMetric:
    return (
        "Largest |by hand − autograd|",
        f"{max(res.by_hand.max_difference.values()):.1e}",
        "Over every parameter and every dL/dh_t: float64 rounding, nothing more.",
    )
