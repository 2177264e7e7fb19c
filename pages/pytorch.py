import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.cells import CELLS, GRU_CONVENTION
from rnnviz.core.data import HAMLET_NAME, hamlet
from rnnviz.core.fmt import percent, sci
from rnnviz.core.reviews import CORPUS_CITATION, corpus_path, missing_message
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.views.pytorch import corrections as fix
from rnnviz.views.pytorch.carried import (
    CHUNK,
    HIDDEN,
    STREAMS,
    TRUNCATION_CHUNKS,
    TRUNCATIONS,
    growth_per_chunk,
)
from rnnviz.views.pytorch.experiment import BUDGET_SHARES, EXPERIMENT, PytorchConfig, PytorchResult
from rnnviz.views.pytorch.figures import (
    accuracy_film,
    live_accuracy,
    positions_figure,
    readers_figure,
    shapes_figure,
    slices_figure,
    truncation_figure,
    where_figure,
)
from rnnviz.views.pytorch.padding import BATCH, NEAR_CHANCE, TEST_SENTENCES, VAL_SENTENCES, chance, verdict
from rnnviz.views.pytorch.readers import READER_SHORT, READERS
from rnnviz.views.pytorch.shapes import code, explore, setup_of

PREFIX = "pytorch"
SETTING_GROUPS = [
    ("Padding readers", ["reader_cell", "reader_bidirectional", "sentences", "epochs"]),
    ("Carried state", ["char_steps"]),
    ("Both", ["seed"]),
]

st.title("RNNs in PyTorch")
st.caption(
    "The mistakes every tutorial warns about, made on purpose and measured: tensor shapes and batch_first, "
    "an h0 of the wrong shape, reading the last output of a padded batch, the backward direction's summary, "
    "and a state carried between chunks without detach()."
)
cfg = ui.settings(PytorchConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()

st.header("Shapes")


@st.fragment
def shapes_explorer() -> None:
    """The module's settings redraw only this part: nothing is trained here."""
    groups = (
        ("cell", "layers"),
        ("batch", "length"),
        ("input_size", "hidden"),
        ("bidirectional", "batch_first"),
    )
    for column, names in zip(st.columns(len(groups)), groups, strict=True):
        with column:
            view = ui.view_controls(PytorchConfig, PREFIX, names)
    explored = explore(setup_of(view))
    s = explored.setup
    left, right = st.columns([3, 2])
    left.plotly_chart(shapes_figure(s))
    with right:
        st.code(code(s), language="python")
        st.caption(
            "Shapes as torch produced them on random input: "
            + ", ".join(f"{name} {size}" for name, size in explored.measured.items())
            + "."
        )
    st.subheader("Which slice of output is h_n")
    left, right = st.columns([3, 2])
    left.plotly_chart(slices_figure(explored))
    rows = []
    for check in explored.checks:
        rows += [
            {
                "read from": check.output_slice,
                "sequence 0": _values(check.from_output[0]),
                "max |difference| from h_n": check.max_difference,
            },
            {
                "read from": check.h_n_row,
                "sequence 0": _values(check.from_h_n[0]),
                "max |difference| from h_n": 0.0,
            },
            {
                "read from": f"{check.wrong_slice} (often taken instead)",
                "sequence 0": _values(check.from_wrong[0]),
                "max |difference| from h_n": check.wrong_difference,
            },
        ]
    with right:
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={"max |difference| from h_n": st.column_config.NumberColumn(format="%.2g")},
        )
        top = (s.layers - 1) * s.directions
        st.markdown(
            f"h_n holds the last state of every layer and direction, layer by layer: row `{top}` is the top "
            "layer's forward direction"
            + (f" and row `{top + 1}` its backward direction" if s.bidirectional else "")
            + f" (`h_n.view({s.layers}, {s.directions}, {s.batch}, {s.hidden})[-1]` names them). The forward "
            "direction ends at the last step, so its summary is output's last step."
            + (
                " The backward direction reads from the end, so its summary of the whole sequence is at "
                "step 0; its value at the last step has read one step only."
                if s.bidirectional
                else ""
            )
        )
    st.subheader("An h0 of the wrong shape")
    for wrong in explored.wrong:
        said = f"torch: {ui.inline_code(wrong.error)}" if wrong.error else "torch raised **nothing**"
        box = st.error if wrong.error else st.warning
        box(
            f"**{wrong.mistake}**, shape {ui.inline_code(str(wrong.shape))}. {said}. In plain words: "
            f"{ui.safe_text(wrong.meaning)}",
            icon=":material/error:" if wrong.error else ":material/visibility_off:",
        )


def _values(row) -> str:
    return "  ".join(f"{v:+.3f}" for v in row)


shapes_explorer()

st.header("Five corrections, with numbers")
derivative = fix.derivative_peaks()
vanishing, exploding = fix.clipping()
graph = fix.carried_graph()
gru = fix.gru_conventions()
leak = fix.scaler_leak()
st.info(
    f"**tanh′ peaks at {derivative.tanh_peak:.3g}, not 0.25.** On a grid from -6 to 6, autograd finds the "
    f"largest slope of tanh to be {derivative.tanh_peak:.4f} (at x = {abs(round(derivative.tanh_peak_at, 6)):g}); "
    f"{derivative.sigmoid_peak:.4f} is the sigmoid's peak. A tanh RNN's gradient shrinks through small weights "
    "and saturated units, not through a 0.25 factor at every step.",
    icon=":material/functions:",
)
st.info(
    f"**Clipping tames exploding gradients and does nothing for vanishing ones.** A linear recurrence of "
    f"{fix.CLIP_LENGTH} steps, loss on the last state, clip_grad_norm_ at max_norm={fix.CLIP_NORM:g}. "
    f"Vanishing (spectral radius {fix.RADIUS['vanishing']:g}): gradient norm {sci(vanishing.total_before)} "
    f"before and {sci(vanishing.total_after)} after clipping, and ‖∂L/∂h₁‖ stays {sci(vanishing.first_step)}. "
    f"Exploding (radius {fix.RADIUS['exploding']:g}): {sci(exploding.total_before)} is clipped to "
    f"{sci(exploding.total_after)}. Clipping rescales the whole gradient, so the share that reaches step 1 "
    f"(‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ = {sci(vanishing.reach)} when vanishing) is the same before and after.",
    icon=":material/content_cut:",
)
st.info(
    f"**nn.RNN does not detach a state you pass back in.** Chunk 1's final state passed to chunk 2 as it "
    f"is: chunk 2's loss sends a gradient of norm {sci(graph.reaches_first_chunk)} into chunk 1's input. "
    f"With `h.detach()`, chunk 1's input gets {'a gradient' if graph.detached_grad else 'no gradient at all'}. "
    "Truncated backpropagation is yours to write: see *Carried state* below for what forgetting it costs.",
    icon=":material/link:",
)
st.info(
    f"**GRU conventions differ.** PyTorch updates with the formula below: z near 1 *keeps* the old state. "
    f"Written that way by hand from nn.GRU's own weights, the states match nn.GRU to "
    f"{sci(gru.pytorch_convention)}; with z and 1 − z swapped, as in many texts, they are off by up to "
    f"{sci(gru.swapped_convention)}. So 'a positive update-gate bias keeps memory' holds in PyTorch's "
    "convention only; the gates and memory pages use it too.",
    icon=":material/swap_horiz:",
)
st.latex(GRU_CONVENTION)
st.info(
    f"**A scaler fitted on all the data leaks the future.** A rising series of {leak.points} points, the last "
    f"{percent(leak.test_share)} held out. Its training mean is {leak.train_mean:.2f}, but the mean of all "
    f"of it is {leak.all_mean:.2f}: a scaler fitted on everything already knows the test period is higher. "
    f"A predictor that knows nothing (it always answers 0 in scaled units, the scaler's mean) has test MSE "
    f"{leak.honest_error:.1f} with the honest scaler and {leak.leaky_error:.1f} with the leaky one: it looks "
    f"{leak.honest_error / leak.leaky_error:.1f}× better for having seen the future.",
    icon=":material/visibility:",
)

st.header("Padding, measured")
if corpus_path() is None or hamlet() is None:
    st.info(missing_message(), icon=":material/download:")
    st.stop()
st.markdown(
    f"Three copies of one classifier (embedding, one {CELLS[cfg.reader_cell]} layer, a logistic read-out) start "
    f"from the same weights and learn from the same post-padded batches of {BATCH} review sentences. They "
    "differ only in where they read a sentence's summary: "
    + "; ".join(f"**{label}**" for label in READERS.values())
    + ". Batches are random, as in most tutorials, so short sentences sit beside long ones and get padded."
)
st.caption(
    f"Data: {CORPUS_CITATION} Trained on {cfg.sentences:,} sentences, a random subset of the training movies' "
    f"sentences, so the three trainings fit the server's {BUDGET_SHARES['padding'] * TRAINING_BUDGET_S:g} s "
    f"share of its {TRAINING_BUDGET_S:g} s budget. Scored on up to {TEST_SENTENCES:,} sentences from movies none "
    f"of them read about; the timeline scores {VAL_SENTENCES} validation sentences at each snapshot."
)
res: PytorchResult = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train="Training the three readers and the two character models takes about 20 s on this server "
    "with the default settings.",
    live=live_accuracy,
)
ui.downloads(EXPERIMENT, cfg, res)
ui.training_message(res.history)

acc, seconds = res.test_accuracy, res.epoch_seconds
for column, name in zip(st.columns(len(READERS)), READERS, strict=True):
    column.metric(
        f"Test accuracy, {READER_SHORT[name]}",
        f"{acc[name]:.1%}",
        delta=f"{seconds[name]:.2f} s per epoch",
        delta_color="off",
        delta_arrow="off",
        help=f"{READERS[name]}: accuracy on {len(res.data.test):,} test sentences from unseen movies; the time "
        "of one epoch's forward and backward passes, measured on the same batches for all three readers.",
    )
st.plotly_chart(accuracy_film(res.history))
st.caption(
    "Validation accuracy of the three readers at each snapshot of their training. Press Play, or drag the "
    "slider, to replay it in your browser: nothing is retrained."
)
gap = acc["packed"] - acc["last_padded"]
floor = chance(res.data)
why = {
    "untrained": f"All three readers are still within {percent(NEAR_CHANCE)} of chance ({floor:.1%}): with this "
    "little training where they read cannot matter yet. More sentences or epochs make the gap appear.",
    "padding": "Those steps move the state through the recurrent weights and the biases (the padding's input "
    "is a zero embedding and adds nothing), so the state the read-out sees has partly forgotten the sentence, "
    "and by a different amount for each sentence, depending on who shared its batch.",
    "held": f"The gap is small: the {CELLS[cfg.reader_cell]} kept most of what it had read through the padding's "
    "zero inputs. A gated cell can learn to: its memory gate (the LSTM's forget gate, the GRU's update gate) "
    "stays open, near 1, and keeps the state as it was; a vanilla RNN can only hope its weights and biases let "
    "the state fade slowly.",
}[verdict(acc, floor)]
left, right = st.columns([3, 2])
left.plotly_chart(readers_figure(acc, seconds, floor))
right.markdown(
    f"**Why the gap ({100 * gap:+.1f} points).** In these test batches, output[:, -1] has read on average "
    f"**{res.padding_read:.1f} padding tokens** after the sentence's last word. {why}"
)
st.plotly_chart(where_figure(res.where))
st.markdown(
    f"Reading each sentence's own last step gives {acc['own_last']:.1%} against packing's {acc['packed']:.1%}: "
    + (
        "for a bidirectional layer the two differ, because without packing the backward direction starts in the "
        "padding and its state at the last word has read one word only (see the bars)."
        if cfg.reader_bidirectional
        else "for a one-way layer they compute the same states (the bars show a difference of ~0), so only "
        "the cost differs. Packing saves the padding steps but pays for sorting and bookkeeping; which wins "
        "depends on how much the lengths in a batch differ, the batch size and the hardware."
    )
)
if not cfg.reader_bidirectional:
    st.caption("Switch on *Bidirectional readers* to see where the backward direction's summary really is.")

st.header("Carried state")
runs = {t.mode: t for t in res.truncations}
grow = growth_per_chunk(runs["growing"])
st.markdown(
    f"A character LSTM ({HIDDEN} units) reads {HAMLET_NAME} in chunks of {CHUNK} characters, {STREAMS} streams "
    f"side by side, passing each chunk's last state on to the next. {TRUNCATION_CHUNKS} chunks, four ways:"
)
left, right = st.columns([3, 2])
left.plotly_chart(truncation_figure(res.truncations))
with right:
    for t in res.truncations:
        if t.error is not None:
            st.error(
                f"**{TRUNCATIONS[t.mode]}**: fails at chunk {t.failed_at}. torch: {ui.inline_code(t.error)}",
                icon=":material/error:",
            )
    st.markdown(
        "Without `detach()`, the second backward pass tries to go back through the first chunk, whose graph "
        "the first pass freed. `retain_graph=True` keeps that graph, but the optimiser has since changed the "
        "weights it saved, so torch refuses again. Only without updating the weights does it run, and then "
        f"each backward pass reaches back to the first character: by chunk {len(runs['growing'].milliseconds)} "
        f"it goes through {runs['growing'].reach:,} steps, and each chunk costs about {grow:.1f} ms more than "
        f"the one before. With `detach()` every backward pass is {CHUNK} steps long."
    )
st.subheader("Stateful or stateless chunks")
left, right = st.columns([3, 2])
left.plotly_chart(positions_figure(res.chars))
stateful, stateless = res.stateful, res.stateless
with right:
    a, b = st.columns(2)
    a.metric(
        "Carried state (nats/char)", f"{stateful.held_out_loss:.3f}", help="Held-out loss per character."
    )
    b.metric(
        "Zero state (nats/char)",
        f"{stateless.held_out_loss:.3f}",
        delta=f"{stateless.held_out_loss - stateful.held_out_loss:+.3f}",
        delta_color="inverse",
    )
    st.markdown(
        f"Both models trained {stateful.history.steps} steps on the first part of the play and are scored on "
        "its end, each read the way it was trained. The carried state (detached between chunks) lets every "
        "chunk start with the context of the one before; from a zero state, the first characters of each chunk "
        "are guessed blind. Longer chunks shrink the difference, at the price of longer backward passes."
    )
