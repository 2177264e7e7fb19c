import inspect

import numpy as np
import streamlit as st

from pages import ui
from rnnviz.core.fit import FINAL_LOSS_TAIL
from rnnviz.core.fmt import percent, sci, tex_number
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import MEMORY_BUDGET_S, MEMORY_CELLS, VANILLA_CELLS, stop_note
from rnnviz.core.memory_tasks import CHANCE_LOSS
from rnnviz.views.gradients import bptt
from rnnviz.views.gradients.experiment import (
    CLIP_STEPS,
    EXPERIMENT,
    PROBE_BATCH,
    GradientsConfig,
    main_block,
    share_of_chance,
)
from rnnviz.views.gradients.figures import (
    clipping_figure,
    clipping_title,
    decay_film,
    live_norms,
    powers_tex,
    products_figure,
)
from rnnviz.views.gradients.gradnorms import VANISH_LEVEL
from rnnviz.views.gradients.jacobians import product_curves

FLOAT32_TINY = float(np.finfo(np.float32).tiny)
FLOAT64_TINY = float(np.finfo(np.float64).tiny)
"""The smallest normal numbers: below them a value loses precision, and soon underflows to zero."""

PREFIX = "gradients"
SETTING_GROUPS = [
    ("Network", ["cell", "length", "hidden", "init", "scale", "gate_bias", "seed"]),
    ("Measured on", ["train_steps"]),
    ("Clipping experiment", ["clip_lr", "max_norm"]),
]

st.title("Vanishing & exploding gradients")
st.caption(
    "Training a recurrent network sends the error at the end of a sequence back through every step. "
    "That is backpropagation through time: the chain rule through the unrolled network, one Jacobian per "
    "step, with the same W_hh in every one. So the gradient shrinks or grows geometrically, and gates are "
    "what keep it alive."
)
cfg = ui.settings(GradientsConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()
res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train=f"Training every compared cell on copy-first for {cfg.train_steps} steps takes a while "
    f"on this server (at most {MEMORY_BUDGET_S:g} s)."
    if cfg.train_steps
    else None,
    live=live_norms,
)
ui.downloads(EXPERIMENT, cfg, res)

chosen = res.curves[res.cell]
name = MEMORY_CELLS[res.cell]
for curve in res.curves.values():
    note = stop_note(curve.cell, curve.history, cfg.train_steps) if curve.history is not None else None
    if note:
        st.warning(note, icon=":material/warning:")


@st.fragment
def decay_view() -> None:
    """Overlays and the bound are display choices: toggling them redraws this part only."""
    view = ui.view_controls(GradientsConfig, PREFIX, ["overlay", "show_bound"])
    cells = list(res.curves) if view.overlay else [res.cell]
    st.plotly_chart(decay_film(res, cells, view.show_bound))


@st.fragment
def products_view() -> None:
    view = ui.view_controls(GradientsConfig, PREFIX, ["product_scale", "product_steps"])
    a, n = view.product_scale, view.product_steps
    curves = product_curves(a, n, cfg.hidden, cfg.seed)
    st.plotly_chart(products_figure(curves, a))
    st.latex(powers_tex(a, n))
    st.caption(
        f"With your a = {a:g}, the matrix product's norm after {n} steps is {sci(curves[a][-1])}: "
        "the same order as aⁿ, up to a factor set by W's other eigenvalues and the start vector."
    )


# The page in parts the reader picks one at a time: only the chosen one is built and sent.
SECTIONS = ("How far back", "A product of Jacobians", "Clipping", "BPTT by hand")


def reach() -> None:
    """How far back the loss reaches: the measured norms, the bound and the additive path."""
    st.header("How far back does the loss reach?", divider="gray")
    if cfg.train_steps:
        st.caption(
            f"Measured after training on copy-first at length {cfg.length}; final loss (mean of the last "
            f"{percent(FINAL_LOSS_TAIL)} of steps) as a share of chance: "
            + ", ".join(
                f"{MEMORY_CELLS[cell]} {percent(share)}" for cell, share in share_of_chance(res).items()
            )
            + ". Press Play under the figure to watch each curve while its cell learned: does training open "
            "the path back in time, or close it?"
        )
    st.markdown(
        f"The loss L is computed at the **last** step only, so the gradient at step t measures how much "
        f"h_t can still change L, T − t steps later. All {cfg.length} norms below come from one forward "
        f"and one backward pass over {PROBE_BATCH} copy-first sequences (the mean norm is drawn), in float64, "
        f"which holds values down to about {FLOAT64_TINY:.0e} (float32 stops near {FLOAT32_TINY:.0e}): a "
        "gradient that vanished hundreds of steps back is measured, not rounded to zero."
    )
    d = chosen.decay
    m = st.columns(4)
    m[0].metric(
        "Left at step 1",
        "overflows" if d.overflow_distance is not None else f"{sci(1 / d.decay_ratio)}×",
        help="‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: what is left of the gradient after the trip back to the first step. "
        "The command line reports the inverse as decay_ratio.",
    )
    m[1].metric(
        "Per step back",
        "—" if d.overflow_distance is not None else f"×{d.per_step:.3g}",
        help="Geometric mean: the norm is multiplied by this on each step back in time.",
    )
    m[2].metric(
        f"Below {VANISH_LEVEL:.0e}× after".replace("e-0", "e-"),
        f"{d.vanish_distance} steps" if d.vanish_distance is not None else "never",
        help=f"Distance from the loss at which the norm first falls below {VANISH_LEVEL:g} times its value at "
        f"the loss ('never' means not within these {cfg.length} steps). From there on, those steps barely "
        "shape the update: ∂L/∂W sums one term per time step, and the terms near the loss, "
        f"{1 / VANISH_LEVEL:,.0f} times larger, swamp the far ones.",
    )
    radius = chosen.radius
    block = main_block(res.cell)
    m[3].metric(
        "ρ(W_hh)" if res.cell in VANILLA_CELLS else f"ρ(W_hh), {block} block",
        f"{radius[block]:.3g}",
        help="Spectral radius (largest |eigenvalue|) after the scale slider; per block: "
        + ", ".join(f"{block} {value:.3g}" for block, value in radius.items()),
    )

    decay_view()

    st.markdown(
        "**BPTT is the chain rule.** Unroll the network and differentiate through it. For a vanilla cell, "
        "h_s = φ(a_s) with a_s = W_xh x_s + W_hh h_{s−1} + b, and each step back multiplies by one Jacobian:"
    )
    st.latex(
        r"\frac{\partial L}{\partial h_t} = \Big(\prod_{s=t+1}^{T}\frac{\partial h_s}{\partial h_{s-1}}\Big)^{\!\top}"
        r"\frac{\partial L}{\partial h_T},\qquad \frac{\partial h_s}{\partial h_{s-1}} = "
        r"\operatorname{diag}\big(\varphi'(a_s)\big)\,W_{hh}"
    )
    st.markdown(
        "**A spectral-radius question.** Every factor holds the *same* W_hh, so the product behaves like a "
        "power of it: below spectral radius 1 it shrinks geometrically; above 1 it can grow (the linear cell, "
        "whose slope φ' is always 1, shows it cleanly: try the scale slider)."
    )
    if res.bound is not None:
        b = res.bound
        st.latex(
            rf"\Big\lVert \frac{{\partial L}}{{\partial h_{{T-k}}}}\Big\rVert \le "
            rf"\big(\lVert W_{{hh}}\rVert_2 \max|\varphi'|\big)^k \Big\lVert \frac{{\partial L}}{{\partial h_T}}\Big\rVert"
            rf" = ({b.w_norm:.3g}\cdot{b.max_slope:.3g})^k\,\Big\lVert \frac{{\partial L}}{{\partial h_T}}\Big\rVert"
        )
        reading = (
            "below 1, so the bound alone forces the gradient to vanish"
            if b.factor < 1
            else "not below 1, so the bound allows growth: the measured decay comes from W_hh's eigenvalues "
            "and from saturated units, whose slope is near 0"
        )
        st.caption(f"For the {MEMORY_CELLS[res.bound_cell]} here the factor is {b.factor:.3g}: {reading}.")
    gate_value, kept = memory_gate_retention(cfg.gate_bias, cfg.length - 1)
    st.markdown(
        "**The additive path.** The LSTM updates its cell state by *adding*, c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t, "
        "and the GRU its state by mixing, h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}. Along that path the "
        "Jacobian is just diag(f_t) or diag(z_t): no W_hh and no squashing slope. The memory-gate bias sets "
        "where the gate starts:"
    )
    st.latex(
        rf"f_t \approx \sigma({cfg.gate_bias:g}) = {gate_value:.3g},\qquad "
        rf"{gate_value:.3g}^{{{cfg.length - 1}}} = {tex_number(kept)}"
    )
    st.caption(
        f"At bias 0 (close to PyTorch's default) the gate starts near {memory_gate_retention(0.0, 1)[0]:g} and the "
        "LSTM's gradient vanishes as fast as the vanilla RNN's: set the bias slider to 0 and compare."
    )


def products() -> None:
    """The skeleton of BPTT: one matrix multiplied again and again."""
    st.header("A product of Jacobians", divider="gray")
    st.markdown(
        "Strip the cell down to its skeleton: multiply a vector by the same matrix a·W again and again "
        "(W is random, scaled to spectral radius 1). The norm follows aⁿ, computed here in float64, which "
        f"holds values down to about {FLOAT64_TINY:.0e}: a product of hundreds of Jacobians falls below "
        f"float32's smallest normal number, about {FLOAT32_TINY:.0e}, long before that."
    )

    products_view()


def clipping() -> None:
    """The same RNN trained with and without clipping."""
    st.header("Clipping tames explosion", divider="gray")
    free, clipped = res.clip_free, res.clip_clipped
    st.markdown(
        f"The same vanilla RNN (tanh, your W_hh), trained twice with plain SGD at learning rate {cfg.clip_lr:g} "
        f"for up to {CLIP_STEPS} steps on copy-first of length {cfg.length}: once as is, once with "
        f"`clip_grad_norm_(max_norm={cfg.max_norm:g})`, which rescales the whole gradient g to "
        "max_norm · g / ‖g‖ whenever ‖g‖ is larger."
    )
    for label, hist in (("Without clipping", free), (f"Clipped at {cfg.max_norm:g}", clipped)):
        if hist.stop == "budget":
            st.info(
                f"{label}: stopped after {hist.steps} of {CLIP_STEPS} steps when its time budget ran out.",
                icon=":material/timer:",
            )
    c = st.columns(3)
    c[0].metric("Without clipping, diverged at", f"step {free.diverged_at}" if free.diverged_at else "never")
    c[1].metric(
        f"Clipped at {cfg.max_norm:g}, diverged at",
        f"step {clipped.diverged_at}" if clipped.diverged_at else "never",
    )
    c[2].metric(
        "Final loss with clipping",
        sci(clipped.final_loss(FINAL_LOSS_TAIL)),
        help=f"Mean over the last {percent(FINAL_LOSS_TAIL)} of steps; chance level (always answering 0) is "
        f"{CHANCE_LOSS['copy']:g}.",
    )
    st.plotly_chart(clipping_figure(free, clipped, cfg.max_norm, clipping_title(free, clipped, cfg.max_norm)))
    st.markdown(
        "Divergence here is a finding, not a crash: once the loss or the gradient is NaN or infinite, "
        "training stops and the step is reported. Clipping caps the size of each update, so one huge "
        "gradient cannot throw the weights to infinity. It does **nothing for vanishing**: a gradient of "
        "1e-20 is below every threshold and passes through unchanged. Long memory needs a different "
        "path for the gradient, which is what gates provide."
    )


def by_hand() -> None:
    """BPTT written out in NumPy and checked against autograd."""
    st.header("BPTT by hand", divider="gray")
    hand = res.by_hand
    st.markdown(
        f"The vanilla RNN above (tanh, hidden size {cfg.hidden}, the loss ½(ŷ − y)² at the last step) "
        f"on the first {hand.steps} steps of one sequence, differentiated twice: by the NumPy code below, "
        "written out from the equations, and by PyTorch's autograd."
    )
    left, right = st.columns([2, 3])
    with left:
        st.latex(r"\delta_t = \frac{\partial L}{\partial h_t},\qquad \delta_T = (\hat y - y)\, w_y")
        st.latex(
            r"\frac{\partial L}{\partial a_t} = \delta_t \odot (1 - h_t^2) \quad\text{(tanh}' = 1 - \tanh^2)"
        )
        st.latex(r"\delta_{t-1} = W_{hh}^{\top}\, \frac{\partial L}{\partial a_t}")
        st.latex(
            r"\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} \frac{\partial L}{\partial a_t}\, h_{t-1}^{\top}"
        )
        st.metric(
            "Largest |by hand − autograd|",
            f"{max(hand.max_difference.values()):.1e}",
            help="Over every parameter and every dL/dh_t: float64 rounding, nothing more.",
        )
    with right:
        st.dataframe(bptt.norms_table(hand).style.format(sci), hide_index=True)
        st.dataframe(
            bptt.differences_table(hand).style.format("{:.1e}", subset=[bptt.DIFFERENCE_COLUMN]),
            hide_index=True,
        )
    with st.expander("The code that computed the hand-made gradients", icon=":material/code:"):
        st.code(inspect.getsource(bptt.backward), language="python")


part = ui.section(SECTIONS, key=f"{PREFIX}.section")
SHOW = dict(zip(SECTIONS, (reach, products, clipping, by_hand), strict=True))
SHOW[part]()
