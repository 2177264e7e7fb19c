import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.patterns import EXPERIMENT
from rnnviz.views.patterns.answers import answer
from rnnviz.views.patterns.figures import position_accuracy, probe_heatmap, reply_diagram, reply_states
from rnnviz.views.patterns.lessons import (
    BIDIRECTIONAL_POSITIONS,
    CONSTANT_GUESS_HELP,
    FORWARD_ONLY_HELP,
    INTRO,
    PLAY_FILM,
    PROBE,
    RESTORE_FOR_FILM,
    click_to_train,
    recipe,
)
from rnnviz.views.patterns.settings import INPUT_FIELDS, PatternsConfig
from rnnviz.views.patterns.table import PATTERN_TABLE

POSITION_CLAIMS = ("forward_only_improves_along_the_sequence", "bidirectional_right_from_the_start")
LAYER_CLAIMS = ("first_layer_keeps_the_digit_just_read", "top_layer_keeps_the_echo")


def pattern_lead(cfg: PatternsConfig) -> None:
    """What the reader sees before the run: the pattern, its task, its network and its wiring."""
    pattern = PATTERN_TABLE[cfg.pattern]
    st.markdown(pattern.about)
    st.caption(f"Task: {pattern.rule} Network: {recipe(cfg)}")

    def wiring() -> None:
        for line in pattern.wiring:
            st.latex(line)

    ui.explain("The wiring in equations", wiring)


cfg, res = ui.page(
    EXPERIMENT,
    intro=INTRO,
    groups=[("Pattern", ["pattern"]), ("Network", ["cell", "training", "seed"])],
    before_run=pattern_lead,
    click_to_train=click_to_train,
)
pattern = PATTERN_TABLE[cfg.pattern]
found = EXPERIMENT.findings_by_id(cfg, res)

m = st.columns(4)
m[0].metric("Accuracy", f"{100 * res.accuracy:.1f}%", help=pattern.accuracy_help)
m[1].metric("Constant guess", f"{100 * res.baseline:.1f}%", help=CONSTANT_GUESS_HELP)
if res.forward_only_accuracy is not None:
    m[2].metric("Forward only", f"{100 * res.forward_only_accuracy:.1f}%", help=FORWARD_ONLY_HELP)
else:
    m[2].metric("Parameters", f"{res.params:,}")
m[3].metric("Training time", f"{res.history.seconds:.1f} s", help=f"{res.history.steps} steps.")
st.markdown(found["beats_constant_guess"].text)
if "bidirectional_beats_forward_only" in found:
    st.markdown(found["bidirectional_beats_forward_only"].text)


@st.fragment
def try_input() -> None:
    """Typing new input only re-runs the trained network; nothing is retrained."""
    view = ui.view_controls(EXPERIMENT, INPUT_FIELDS)
    reply = answer(res, view)
    for note in reply.notes:
        st.info(note, icon=":material/info:")
    diagram = reply_diagram(res, reply)
    ui.chart(diagram, toolbar=False)
    if diagram.frames:
        st.caption(PLAY_FILM)
    elif res.history.steps:
        st.caption(RESTORE_FOR_FILM)
    lines = [
        f"**Read:** {ui.safe_text(reply.source)}",
        f"**Answer:** {ui.safe_text(reply.text) or '(nothing)'}",
    ]
    if reply.expected is not None:
        lines.append(f"**Right answer:** {ui.safe_text(reply.expected)}")
    if reply.forward_only is not None:
        lines.append(f"**Forward-only network:** {ui.safe_text(reply.forward_only)}")
    st.markdown("  \n".join(lines))
    figs = reply_states(res, reply)
    for col, fig in zip(st.columns(len(figs)), figs, strict=True):
        ui.chart(fig, container=col)


try_input()

if res.by_position is not None:
    ui.chart(position_accuracy(res.by_position))
    positions = (found[name].text for name in POSITION_CLAIMS)
    st.caption(" ".join([BIDIRECTIONAL_POSITIONS, *positions]))
if res.probe is not None:
    ui.chart(probe_heatmap(res.probe))
    st.markdown(f"**{found['layers_share_the_work'].text}**")
    st.caption(" ".join([PROBE, *(found[name].text for name in LAYER_CLAIMS)]))
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
ui.chart(loss_curve(res.history))
