import streamlit as st

from pages import ui
from rnnviz.core.fmt import sci
from rnnviz.views.gradients import EXPERIMENT
from rnnviz.views.gradients.bptt import DIFFERENCE_COLUMN, differences_table, norms_table
from rnnviz.views.gradients.figures import clipping_figure, decay_film, products_figure, reader_products
from rnnviz.views.gradients.lessons import (
    ADDITIVE_PATH_AT_BIAS_0,
    BPTT_SOURCE,
    CLIPPING_HEADER,
    CLIPPING_TEXT,
    INTRO,
    PRODUCTS_TEXT,
    SPECTRAL_RADIUS_TEXT,
    PageMetric,
    additive_path_latex,
    bound_claim,
    bound_latex,
    by_hand_metric,
    by_hand_setup,
    click_to_train,
    clipping_budget_notes,
    clipping_claim,
    clipping_metrics,
    clipping_setup,
    decay_metrics,
    gate_claims,
    powers_tex,
    products_caption,
    reach_claim,
    reach_paragraph,
    trained_caption,
)

SETTING_GROUPS = [
    ("Network", ["cell", "length", "hidden", "init", "scale", "gate_bias", "seed"]),
    ("Measured on", ["train_steps"]),
    ("Clipping experiment", ["clip_lr", "max_norm"]),
]


cfg, res = ui.page(EXPERIMENT, intro=INTRO, groups=SETTING_GROUPS, click_to_train=click_to_train)


def metrics(values: list[PageMetric]) -> None:
    for column, (label, value, help) in zip(st.columns(len(values)), values, strict=True):
        column.metric(label, value, help=help)


@st.fragment
def decay_view() -> None:
    """Overlays and the bound are display choices: toggling them redraws this part only."""
    view = ui.view_controls(EXPERIMENT, ["overlay", "show_bound"])
    cells = list(res.curves) if view.overlay else [res.cell]
    ui.chart(decay_film(res, cells, view.show_bound))


@st.fragment
def products_view() -> None:
    view = ui.view_controls(EXPERIMENT, ["product_scale", "product_steps"])
    curves = reader_products(view)
    ui.chart(products_figure(curves, view.product_scale))
    st.latex(powers_tex(view.product_scale, view.product_steps))
    st.caption(products_caption(view, curves))


# The page in parts the reader picks one at a time: only the chosen one is built and sent.
SECTIONS = ("How far back", "A product of Jacobians", "Clipping", "BPTT by hand")


def reach() -> None:
    """How far back the loss reaches: the measured norms, the bound and the additive path."""
    st.header("How far back does the loss reach?", divider="gray")
    if res.trained:
        st.caption(trained_caption(cfg, res))
    st.markdown(reach_paragraph(cfg))
    st.markdown(f"**{reach_claim(res).text}**")
    metrics(decay_metrics(cfg, res))

    decay_view()
    for found in gate_claims(res):
        st.markdown(f"- {found.text}")

    st.markdown(
        "**BPTT is the chain rule.** Unroll the network and differentiate through it. For a vanilla cell, "
        "h_s = φ(a_s) with a_s = W_xh x_s + W_hh h_{s−1} + b, and each step back multiplies by one Jacobian:"
    )
    st.latex(
        r"\frac{\partial L}{\partial h_t} = \Big(\prod_{s=t+1}^{T}\frac{\partial h_s}{\partial h_{s-1}}\Big)^{\!\top}"
        r"\frac{\partial L}{\partial h_T},\qquad \frac{\partial h_s}{\partial h_{s-1}} = "
        r"\operatorname{diag}\big(\varphi'(a_s)\big)\,W_{hh}"
    )
    st.markdown(SPECTRAL_RADIUS_TEXT)
    if res.bound is not None:
        st.latex(bound_latex(res.bound))
        st.caption(bound_claim(res).text)
    st.markdown(
        "**The additive path.** The LSTM updates its cell state by *adding*, c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t, "
        "and the GRU its state by mixing, h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}. Along that path the "
        "Jacobian is just diag(f_t) or diag(z_t): no W_hh and no squashing slope. The memory-gate bias sets "
        "where the gate starts:"
    )
    st.latex(additive_path_latex(cfg))
    st.caption(ADDITIVE_PATH_AT_BIAS_0)


def products() -> None:
    """The skeleton of BPTT: one matrix multiplied again and again."""
    st.header("A product of Jacobians", divider="gray")
    st.markdown(PRODUCTS_TEXT)
    products_view()


def clipping() -> None:
    """The same RNN trained with and without clipping."""
    st.header(CLIPPING_HEADER, divider="gray")
    free, clipped = res.clip_free, res.clip_clipped
    st.markdown(clipping_setup(cfg))
    for note in clipping_budget_notes(cfg, res):
        st.info(note, icon=":material/timer:")
    metrics(clipping_metrics(cfg, res))
    ui.chart(clipping_figure(free, clipped, cfg.max_norm, clipping_claim(cfg, res).text))
    st.markdown(CLIPPING_TEXT)


def by_hand() -> None:
    """BPTT written out in NumPy and checked against autograd."""
    st.header("BPTT by hand", divider="gray")
    st.markdown(by_hand_setup(cfg, res))
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
        label, value, help = by_hand_metric(res)
        st.metric(label, value, help=help)
    with right:
        st.dataframe(norms_table(res.by_hand).style.format(sci), hide_index=True)
        st.dataframe(
            differences_table(res.by_hand).style.format("{:.1e}", subset=[DIFFERENCE_COLUMN]),
            hide_index=True,
        )
    with st.expander("The code that computed the hand-made gradients", icon=":material/code:"):
        st.code(BPTT_SOURCE, language="python")


part = ui.section(SECTIONS, key=f"{EXPERIMENT.name}.section")
SHOW = dict(zip(SECTIONS, (reach, products, clipping, by_hand), strict=True))
SHOW[part]()
