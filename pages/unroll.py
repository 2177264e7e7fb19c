import streamlit as st

from pages import ui
from rnnviz.core.equations import shown_units, step_latex
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.core.fmt import sci
from rnnviz.views.unroll import EXPERIMENT
from rnnviz.views.unroll.figures import guesses_film, states_film, unrolled_diagram, weight_figures
from rnnviz.views.unroll.lessons import (
    FUSED_HELP,
    INITIAL_STATE,
    INTRO,
    WORKING_MEMORY,
    earlier_state_fades,
    film_caption,
    fused_matches,
    gates_caption,
    loss_help,
    loss_label,
    parameter_sharing,
    step_sentence,
    training_lowers_loss,
    units_caption,
)
from rnnviz.views.unroll.step import gate_means, step_inputs

SETTING_GROUPS = [
    ("Input", ["text", "tokenizer"]),
    ("Network", ["cell", "hidden", "layers", "h0", "seed"]),
    ("Training", ["train_steps", "lr"]),
]

cfg, res = ui.page(EXPERIMENT, intro=INTRO, groups=SETTING_GROUPS)

steps = len(res.tokens)
m = st.columns(4)
m[0].metric("Steps (tokens)", steps)
m[1].metric("Parameters", f"{res.params:,}")
m[2].metric(loss_label(res), sci(res.loss_after), help=loss_help(res))
m[3].metric("Fused vs step-by-step", f"{res.fused_gap:.1e}", help=FUSED_HELP)
st.markdown(training_lowers_loss(res).text)
st.caption(fused_matches(res).text)

layer = ui.view_controls(EXPERIMENT, ["layer"], limits={"layer": cfg.layers}).shown_layer


@st.fragment
def inspect_step() -> None:
    """Scrubbing through time only redraws this part; the model is not retrained."""
    view = ui.view_controls(EXPERIMENT, ["step"], limits={"step": steps})
    t = min(view.step, steps) - 1
    s = res.states
    c = s.c[layer] if s.c is not None else None
    ui.chart(
        unrolled_diagram(s.h[layer], res.tokens, t, cfg.cell, c, res.predictions if res.trained else None),
        toolbar=False,
    )
    st.markdown(step_sentence(res, t, ui.inline_code))
    inputs = step_inputs(res, layer, t)
    units = shown_units(inputs["h"])
    shown = units_caption(units, cfg.hidden)
    if shown:
        st.caption(shown)
    for line in step_latex(cfg.cell, **inputs, units=units):
        st.latex(line)
    gates = gates_caption(gate_means(res, layer, t), t)
    if gates:
        st.caption(gates)
    if c is not None:
        ui.chart(
            state_heatmap(
                c,
                res.tokens,
                title=f"Cell state c, layer {layer + 1}: the LSTM's additive memory lane",
                name="c",
                highlight=t,
            )
        )


inspect_step()

st.subheader("Watch it learn")
st.caption(film_caption(res))
left, right = st.columns(2)
ui.chart(states_film(res, layer), container=left)
ui.chart(guesses_film(res), container=right)

fig_x, fig_h = weight_figures(res)
left, right = st.columns(2)
ui.chart(fig_x, container=left)
ui.chart(fig_h, container=right)
fading = earlier_state_fades(res)
if fading is not None:
    right.caption(fading.text)
ui.chart(loss_curve(res.history))

st.subheader("What you are looking at")
a, b, c = st.columns(3)
a.markdown(WORKING_MEMORY)
b.markdown(parameter_sharing(cfg.cell))
c.markdown(INITIAL_STATE)
