import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.patterns.answers import answer, film_answers
from rnnviz.views.patterns.experiment import EXPERIMENT, PROBE_SEQUENCES, recipe
from rnnviz.views.patterns.figures import (
    live_figure,
    pattern_diagram,
    position_accuracy,
    probe_heatmap,
    state_figures,
)
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.table import PATTERN_TABLE

PREFIX = "patterns"

st.title(EXPERIMENT.title)
st.caption(
    "One recurrent cell, wired six ways. Which inputs it reads and which outputs are scored decide "
    "what it can learn. Each pattern trains live on a tiny task; then type your own input and watch the network answer."
)
cfg = ui.settings(
    PatternsConfig,
    PREFIX,
    groups=[("Pattern", ["pattern"]), ("Network", ["cell", "training", "seed"])],
)
ui.share_link()
pattern = PATTERN_TABLE[cfg.pattern]
st.markdown(pattern.about)
st.caption(f"Task: {pattern.rule} Network: {recipe(cfg)}")


def wiring() -> None:
    for line in pattern.wiring:
        st.latex(line)


ui.explain("The wiring in equations", wiring)
res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train="Training the date converter takes about 5 s on an idle server, longer when it is busy."
    if cfg.pattern == "seq2seq"
    else None,
    live=live_figure(cfg.pattern, cfg.cell),
)
ui.downloads(EXPERIMENT, cfg, res)
ui.training_message(res.history)

m = st.columns(4)
m[0].metric("Accuracy", f"{100 * res.accuracy:.1f}%", help=pattern.accuracy_help)
m[1].metric(
    "Constant guess",
    f"{100 * res.baseline:.1f}%",
    help="Accuracy of always giving the commonest answer: the level that means the network learnt nothing.",
)
if res.forward_only_accuracy is not None:
    m[2].metric(
        "Forward only",
        f"{100 * res.forward_only_accuracy:.1f}%",
        help="The same cell and training, reading left to right only.",
    )
else:
    m[2].metric("Parameters", f"{res.params:,}")
m[3].metric("Training time", f"{res.history.seconds:.1f} s", help=f"{res.history.steps} steps.")


@st.fragment
def try_input() -> None:
    """Typing new input only re-runs the trained network; nothing is retrained."""
    view = ui.view_controls(PatternsConfig, PREFIX, [pattern.field])
    reply = answer(res, view)
    for note in reply.notes:
        st.info(note, icon=":material/info:")
    film = film_answers(res, reply)
    steps = [str(s) for s in res.film.steps] if film else []
    captions = [res.film.label(i) for i in range(len(res.film))] if film else []
    st.plotly_chart(
        pattern_diagram(
            reply,
            cell=cfg.cell,
            bidirectional=cfg.pattern == "bidirectional",
            film=film,
            labels=steps,
            captions=captions,
        ),
        config={"displayModeBar": False},
    )
    if film:
        st.caption(
            "Press ▶ Play, or drag the training-step slider, to watch the answer form through training."
        )
    elif res.history.steps:
        st.caption("The training film plays on the example input: restore it to replay training.")
    lines = [
        f"**Read:** {ui.safe_text(reply.source)}",
        f"**Answer:** {ui.safe_text(reply.text) or '(nothing)'}",
    ]
    if reply.expected is not None:
        lines.append(f"**Right answer:** {ui.safe_text(reply.expected)}")
    if reply.forward_only is not None:
        lines.append(f"**Forward-only network:** {ui.safe_text(reply.forward_only)}")
    st.markdown("  \n".join(lines))
    figs = state_figures(reply, cfg.pattern, film=film, labels=steps, captions=captions)
    for col, fig in zip(st.columns(len(figs)), figs, strict=True):
        col.plotly_chart(fig)


try_input()

if res.by_position is not None:
    st.plotly_chart(position_accuracy(res.by_position))
    st.caption(
        "At position 1 the forward network has seen one digit, so it can only guess the largest; "
        "by the last position it has seen them all. The backward pass brings the rest of the "
        "sequence to every position."
    )
if res.probe is not None:
    st.plotly_chart(probe_heatmap(res.probe))
    st.caption(
        "A linear read-out is fitted to each layer's hidden states to recover the digit read k steps "
        f"ago (on half of {PROBE_SEQUENCES} sequences, scored on the other half). Lower layers keep recent digits; "
        "the top layer keeps what the output needs."
    )
if res.held_out:
    st.subheader("Held-out dates")
    st.dataframe(
        pd.DataFrame(
            [
                {"input": i, "right answer": e, "network": a, "exact match": "✓" if e == a else "✗"}
                for i, e, a in res.held_out
            ]
        ),
        hide_index=True,
    )
st.plotly_chart(loss_curve(res.history))
