import streamlit as st

from pages import ui
from rnnviz.core.cells import CELLS, GATE_NAMES
from rnnviz.core.equations import shown_units, step_latex
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.core.fmt import sci
from rnnviz.views.unroll.experiment import EXPERIMENT, UnrollConfig
from rnnviz.views.unroll.figures import (
    guesses_film,
    live_hidden,
    states_film,
    unrolled_diagram,
    weight_figures,
)
from rnnviz.views.unroll.step import gate_means, step_inputs

PREFIX = "unroll"
SETTING_GROUPS = [
    ("Input", ["text", "tokenizer"]),
    ("Network", ["cell", "hidden", "layers", "h0", "seed"]),
    ("Training", ["train_steps", "lr"]),
]

st.title("Unrolled hidden states")
st.caption(
    "A recurrent network reads a sequence one token at a time. At each step one small cell, with the "
    "same weights every time, mixes the new input into the hidden state: the network's working memory."
)
cfg = ui.settings(UnrollConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()
res = ui.run(EXPERIMENT, cfg, live=live_hidden(cfg))
ui.downloads(EXPERIMENT, cfg, res)
for note in res.notes:
    st.info(note, icon=":material/info:")
ui.training_message(res.history)

trained = res.history.steps > 0
steps = len(res.tokens)
m = st.columns(4)
m[0].metric("Steps (tokens)", steps)
m[1].metric("Parameters", f"{res.params:,}")
m[2].metric(
    "Loss after training" if trained else "Loss (untrained)",
    sci(res.loss_after),
    help="How badly the model guesses each next token of the sequence now "
    + ("(mean squared error)" if res.numeric else "(cross-entropy in nats)")
    + ": the number the downloaded reproduce.py recomputes from the weights.",
)
m[3].metric(
    "Fused vs step-by-step",
    f"{res.fused_gap:.1e}",
    help="Largest difference between torch's fused module and the instrumented cell drawn here: "
    "the pictures show the trained model's own numbers.",
)


layer = ui.view_controls(UnrollConfig, PREFIX, ["layer"], limits={"layer": cfg.layers}).layer
layer = min(layer, cfg.layers) - 1


@st.fragment
def inspect_step() -> None:
    """Scrubbing through time only redraws this part; the model is not retrained."""
    view = ui.view_controls(UnrollConfig, PREFIX, ["step"], limits={"step": steps})
    t = min(view.step, steps) - 1
    s = res.states
    c = s.c[layer] if s.c is not None else None
    st.plotly_chart(
        unrolled_diagram(s.h[layer], res.tokens, t, cfg.cell, c, res.predictions if trained else None),
        config={"displayModeBar": False},
    )
    st.markdown(
        f"**Step t = {t + 1}**, reading token {ui.inline_code(res.tokens[t])}"
        + (f"; the model then predicts {ui.inline_code(res.predictions[t])}" if trained else "")
    )
    inputs = step_inputs(res, layer, t)
    units = shown_units(inputs["h"])
    if len(units) < cfg.hidden:
        st.caption(
            f"Showing units {', '.join(map(str, units))} of {cfg.hidden}: the most active at this step."
        )
    for line in step_latex(cfg.cell, **inputs, units=units):
        st.latex(line)
    means = gate_means(res, layer, t)
    if means:
        shown = ", ".join(f"{GATE_NAMES[g]} {v:.2f}" for g, v in means.items())
        st.caption(f"Mean gate values at t = {t + 1}: {shown}.")
    if c is not None:
        st.plotly_chart(
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
st.caption(
    "Press ▶ Play, or drag the training-step slider under a figure: the hidden states and the "
    "guesses as they were at each snapshot of training. It all plays in your browser; nothing retrains."
    if trained
    else "Untrained: set Training steps above 0 to watch the states and guesses change as it learns."
)
left, right = st.columns(2)
left.plotly_chart(states_film(res, layer))
right.plotly_chart(guesses_film(res))

fig_x, fig_h = weight_figures(res)
left, right = st.columns(2)
left.plotly_chart(fig_x)
right.plotly_chart(fig_h)
st.plotly_chart(loss_curve(res.history))

st.subheader("What you are looking at")
a, b, c = st.columns(3)
a.markdown(
    "**Working memory.** The hidden state is everything the network keeps about the past. "
    "In *the bank of the river*, the state at *bank* cannot yet know which bank is meant; "
    "by *river* it can. Scrub through time and watch units switch as context arrives; play the "
    "training film and watch them organise as the network learns the sequence."
)
b.markdown(
    "**Parameter sharing.** The diagram repeats one cell, and the weight heatmaps are its only "
    f"weights: {CELLS[cfg.cell]} uses the same W_xh and W_hh at every step. That is why it reads "
    "sequences of any length, and why gradients multiply by the same W_hh again and again."
)
c.markdown(
    "**Initial state.** h₀ is the memory before the first token. Zeros is the usual choice; a random "
    "h₀ shows how long its trace lingers; a learned h₀ lets training pick the best starting memory."
)
