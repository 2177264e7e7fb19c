import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.patterns import dates
from rnnviz.views.patterns.experiment import (
    DATE_RECIPE,
    EXPERIMENT,
    INPUT_FIELD,
    WIRING_LATEX,
    PatternsConfig,
    answer,
    recipe,
)
from rnnviz.views.patterns.figures import pattern_diagram, position_accuracy, probe_heatmap, state_figures
from rnnviz.views.patterns.tasks import STEP_TASKS

PREFIX = "patterns"

ABOUT = {
    "many_to_one": "**Many-to-one** reads a whole sequence and answers once, at the end: sentiment of a "
    "review, the label of a signal. Every step's read-out exists, but only the last is scored, so "
    "training shapes the hidden state into a summary that is ready when the sequence ends.",
    "one_to_many": "**One-to-many** reads one input and writes a sequence: a caption from an image, music "
    "from a style. Here the input enters at step 1 only; after that the network runs on its hidden "
    "state alone, which must therefore carry a plan of the whole word.",
    "aligned": "**Many-to-many, aligned** writes one output per input, as it reads: tagging words, "
    "marking events in a signal. Each output may use only what has been read so far, which is "
    "enough for a running maximum.",
    "seq2seq": "**Encoder-decoder** reads a whole sequence, squeezes it into one vector (the encoder's "
    "last hidden state, the *context*), then writes a sequence of a different length from it: "
    "translation, or here converting a written date to ISO format. Training feeds the decoder the "
    "true previous character (teacher forcing); answering feeds it its own (greedy decoding).",
    "bidirectional": "**Bidirectional** runs two networks over the sequence, one left to right and one right "
    "to left, and reads both at every step. Each output can then use the past *and* the future: "
    "needed here, since the largest digit may come last.",
    "stacked": "**Stacked layers** feed each layer's hidden states to the next layer as its inputs. Deeper "
    "layers can build on what lower ones computed; the probe below shows how the work of "
    "remembering is shared between them.",
}

ACCURACY_HELP = {
    "many_to_one": "Share of fresh random bit strings whose parity is right.",
    "one_to_many": "Share of the 100 numbers spelled exactly, end mark included.",
    "aligned": "Share of right tags on fresh random sequences.",
    "seq2seq": f"Exact match on {DATE_RECIPE.held_out:,} held-out dates, never seen in training.",
    "bidirectional": "Share of right tags on fresh random sequences.",
    "stacked": "Share of right echoes on fresh random sequences.",
}

st.title("Sequence patterns")
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
st.markdown(ABOUT[cfg.pattern])
rule = dates.RULE if cfg.pattern == "seq2seq" else STEP_TASKS[cfg.pattern].rule
st.caption(f"Task: {rule} Network: {recipe(cfg)}")


def wiring() -> None:
    for line in WIRING_LATEX[cfg.pattern]:
        st.latex(line)


ui.explain("The wiring in equations", wiring)
res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train="Training the date converter takes about 5 s on an idle server, longer when it is busy."
    if cfg.pattern == "seq2seq"
    else None,
)
ui.training_message(res.history)

m = st.columns(4)
m[0].metric("Accuracy", f"{100 * res.accuracy:.1f}%", help=ACCURACY_HELP[cfg.pattern])
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
    field = INPUT_FIELD[cfg.pattern]
    view = ui.view_controls(PatternsConfig, PREFIX, [field])
    reply = answer(res, view)
    for note in reply.notes:
        st.info(note, icon=":material/info:")
    st.plotly_chart(
        pattern_diagram(reply, cell=cfg.cell, bidirectional=cfg.pattern == "bidirectional"),
        config={"displayModeBar": False},
    )
    lines = [
        f"**Read:** {ui.safe_text(reply.source)}",
        f"**Answer:** {ui.safe_text(reply.text) or '(nothing)'}",
    ]
    if reply.expected is not None:
        lines.append(f"**Right answer:** {ui.safe_text(reply.expected)}")
    if reply.forward_only is not None:
        lines.append(f"**Forward-only network:** {ui.safe_text(reply.forward_only)}")
    st.markdown("  \n".join(lines))
    figs = state_figures(reply, cfg.pattern)
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
        "ago (on half of 256 sequences, scored on the other half). Lower layers keep recent digits; "
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
