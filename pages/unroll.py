import numpy as np
import streamlit as st

from pages import ui
from rnnviz.core.cells import CELLS, GATE_NAMES, GATES
from rnnviz.core.equations import shown_units, step_latex
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.views.unroll.experiment import EXPERIMENT, UnrollConfig
from rnnviz.views.unroll.figures import unrolled_diagram, weight_heatmaps

PREFIX = "unroll"

st.title("Unrolled hidden states")
st.caption(
    "A recurrent network reads a sequence one token at a time. At each step one small cell, with the "
    "same weights every time, mixes the new input into the hidden state: the network's working memory."
)
cfg = ui.settings(
    UnrollConfig,
    PREFIX,
    groups=[
        ("Input", ["text", "tokenizer"]),
        ("Network", ["cell", "hidden", "layers", "h0", "seed"]),
        ("Training", ["train_steps", "lr"]),
    ],
)
ui.share_link()
res = ui.run(EXPERIMENT, cfg)
for note in res.notes:
    st.info(note, icon=":material/info:")
ui.training_message(res.history)

steps = len(res.tokens)
m = st.columns(4)
m[0].metric("Steps (tokens)", steps)
m[1].metric("Parameters", f"{res.params:,}")
m[2].metric(
    "Final training loss",
    f"{res.history.final_loss():.3g}" if res.history.steps else "untrained",
)
m[3].metric(
    "Fused vs step-by-step",
    f"{res.fused_gap:.1e}",
    help="Largest difference between torch's fused module and the instrumented cell drawn here: "
    "the pictures show the trained model's own numbers.",
)


@st.fragment
def inspect_step() -> None:
    """Scrubbing through time only redraws this part; the model is not retrained."""
    view = ui.view_controls(
        UnrollConfig,
        PREFIX,
        ["step", "layer"],
        limits={"step": steps, "layer": cfg.layers},
    )
    t = min(view.step, steps) - 1
    layer = min(view.layer, cfg.layers) - 1
    s = res.states
    h = s.h[layer]
    c = s.c[layer] if s.c is not None else None
    st.plotly_chart(
        unrolled_diagram(
            h,
            res.tokens,
            t,
            cfg.cell,
            c,
            None if res.history.steps == 0 else res.predictions,
        ),
        config={"displayModeBar": False},
    )
    st.markdown(
        f"**Step t = {t + 1}**, reading token {ui.inline_code(res.tokens[t])}"
        + (f"; the model then predicts {ui.inline_code(res.predictions[t])}" if res.history.steps else "")
    )
    h_prev = h[t - 1] if t else res.h0[layer]
    c_prev = (c[t - 1] if t else res.c0[layer]) if c is not None else None
    x_t = res.x[t] if layer == 0 else s.h[layer - 1][t]
    units = shown_units(h[t])
    if len(units) < h.shape[1]:
        st.caption(
            f"Showing units {', '.join(map(str, units))} of {h.shape[1]}: the most active at this step."
        )
    lines = step_latex(
        cfg.cell,
        t=t + 1,
        token=res.tokens[t] if layer == 0 else f"h^{layer}",
        weights=res.weights[layer],
        x=x_t,
        h_prev=h_prev,
        c_prev=c_prev,
        gates={g: v[layer][t] for g, v in s.gates.items()},
        pre={k: v[layer][t] for k, v in s.pre.items()},
        h=h[t],
        c=c[t] if c is not None else None,
        units=units,
    )
    for line in lines:
        st.latex(line)
    if GATES[cfg.cell]:
        means = ", ".join(f"{GATE_NAMES[g]} {np.mean(s.gates[g][layer][t]):.2f}" for g in GATES[cfg.cell])
        st.caption(f"Mean gate values at t = {t + 1}: {means}.")
    left, right = st.columns(2)
    left.plotly_chart(
        state_heatmap(
            h,
            res.tokens,
            title=f"Hidden state h, layer {layer + 1}: one column per step",
            name="h",
            highlight=t,
        )
    )
    if c is not None:
        right.plotly_chart(
            state_heatmap(
                c,
                res.tokens,
                title="Cell state c: the LSTM's additive memory lane",
                name="c",
                highlight=t,
            )
        )
    else:
        right.plotly_chart(loss_curve(res.history))


inspect_step()

layer_weights = res.weights[0]
fig_x, fig_h = weight_heatmaps(layer_weights, cfg.cell, res.radius[0], res.vocab)
left, right = st.columns(2)
left.plotly_chart(fig_x)
right.plotly_chart(fig_h)
if res.states.c is not None:
    st.plotly_chart(loss_curve(res.history))

st.subheader("What you are looking at")
a, b, c = st.columns(3)
a.markdown(
    "**Working memory.** The hidden state is everything the network keeps about the past. "
    "In *the bank of the river*, the state at *bank* cannot yet know which bank is meant; "
    "by *river* it can. Scrub through time and watch units switch as context arrives."
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
