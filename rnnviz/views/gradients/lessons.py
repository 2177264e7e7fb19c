"""The gradients view's prose: the page's lead, and every sentence, metric and equation that states this
run's numbers."""

from __future__ import annotations

import inspect
import math

import numpy as np

from rnnviz.core.cells import MEMORY_GATE
from rnnviz.core.fit import FINAL_LOSS_TAIL
from rnnviz.core.fmt import percent, sci, tex_number
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import MEMORY_CELLS, VANILLA_CELLS, memory_budget_s
from rnnviz.core.memory_tasks import CHANCE_LOSS
from rnnviz.views.gradients.bptt import backward
from rnnviz.views.gradients.gradnorms import VANISH_LEVEL, Bound
from rnnviz.views.gradients.result import GradientsResult, share_of_chance
from rnnviz.views.gradients.settings import CLIP_STEPS, PROBE_BATCH, GradientsConfig

INTRO = (
    "Training a recurrent network sends the error at the end of a sequence back through every step. "
    "That is backpropagation through time: the chain rule through the unrolled network, one Jacobian per "
    "step, with the same W_hh in every one. So the gradient shrinks or grows geometrically, and gates are "
    "what keep it alive."
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


def trained_caption(cfg: GradientsConfig, res: GradientsResult) -> str:
    """Did each cell learn the task its gradients were measured on?"""
    shares = ", ".join(f"{MEMORY_CELLS[cell]} {percent(s)}" for cell, s in share_of_chance(res).items())
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


def bound_caption(res: GradientsResult) -> str:
    """What the bound's factor says about this vanilla cell: forced to vanish, or free to grow."""
    b = res.bound
    reading = (
        "below 1, so the bound alone forces the gradient to vanish"
        if b.factor < 1
        else "not below 1, so the bound allows growth: the measured decay comes from W_hh's eigenvalues "
        "and from saturated units, whose slope is near 0"
    )
    return f"For the {MEMORY_CELLS[res.bound_cell]} here the factor is {b.factor:.3g}: {reading}."


def additive_path_latex(cfg: GradientsConfig) -> str:
    """Where the memory gate starts, and what is left of the gradient after T − 1 such gates."""
    gate, kept = memory_gate_retention(cfg.gate_bias, cfg.length - 1)
    return (
        rf"f_t \approx \sigma({cfg.gate_bias:g}) = {gate:.3g},\qquad "
        rf"{gate:.3g}^{{{cfg.length - 1}}} = {tex_number(kept)}"
    )


ADDITIVE_PATH_AT_BIAS_0 = (
    f"At bias 0 (close to PyTorch's default) the gate starts near {memory_gate_retention(0.0, 1)[0]:g} and the "
    "LSTM's gradient vanishes as fast as the vanilla RNN's: set the bias slider to 0 and compare."
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
