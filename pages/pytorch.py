import streamlit as st

from pages import ui
from rnnviz.core.cells import GRU_CONVENTION
from rnnviz.core.data import hamlet
from rnnviz.core.reviews import corpus_path, missing_message
from rnnviz.views.pytorch import EXPERIMENT
from rnnviz.views.pytorch.figures import (
    accuracy_film,
    positions_figure,
    readers_figure,
    shapes_figure,
    slices_figure,
    slices_table,
    truncation_figure,
    where_figure,
)
from rnnviz.views.pytorch.lessons import (
    CARRIED_LEAD,
    FILM_CAPTION,
    INTRO,
    TRY_BIDIRECTIONAL,
    accuracy_help,
    click_to_train,
    clipping_reach,
    gru_convention,
    h_n_rows,
    measured_shapes,
    no_automatic_detach,
    readers_data,
    readers_lead,
    scaler_leaks,
    stateful_story,
    tanh_peak,
    truncation_failure,
)
from rnnviz.views.pytorch.readers import READER_SHORT, READERS
from rnnviz.views.pytorch.settings import PytorchConfig
from rnnviz.views.pytorch.shapes import code, explore, setup_of

SETTING_GROUPS = [
    ("Padding readers", ["reader_cell", "reader_bidirectional", "sentences", "epochs"]),
    ("Carried state", ["char_steps"]),
    ("Both", ["seed"]),
]
SHAPE_CONTROLS = (
    ("cell", "layers"),
    ("batch", "length"),
    ("input_size", "hidden"),
    ("bidirectional", "batch_first"),
)


@st.fragment
def shapes_explorer() -> None:
    """The module's settings redraw only this part: nothing is trained here."""
    for column, names in zip(st.columns(len(SHAPE_CONTROLS)), SHAPE_CONTROLS, strict=True):
        with column:
            view = ui.view_controls(EXPERIMENT, names)
    explored = explore(setup_of(view))
    s = explored.setup
    left, right = st.columns([3, 2])
    ui.chart(shapes_figure(s), container=left)
    with right:
        st.code(code(s), language="python")
        st.caption(measured_shapes(explored))
    st.subheader("Which slice of output is h_n")
    left, right = st.columns([3, 2])
    ui.chart(slices_figure(explored), container=left)
    with right:
        st.dataframe(
            slices_table(explored),
            hide_index=True,
            column_config={"max |difference| from h_n": st.column_config.NumberColumn(format="%.2g")},
        )
        st.markdown(h_n_rows(s))
    st.subheader("An h0 of the wrong shape")
    for wrong in explored.wrong:
        said = f"torch: {ui.inline_code(wrong.error)}" if wrong.error else "torch raised **nothing**"
        box = st.error if wrong.error else st.warning
        box(
            f"**{wrong.mistake}**, shape {ui.inline_code(str(wrong.shape))}. {said}. In plain words: "
            f"{ui.safe_text(wrong.meaning)}",
            icon=":material/error:" if wrong.error else ":material/visibility_off:",
        )


def before_training(cfg: PytorchConfig) -> None:
    """Everything that needs no training, above the Train button: the shapes explorer, the corrections
    (computed in milliseconds) and the padding comparison's setting."""
    st.header("Shapes")
    shapes_explorer()
    st.header("Five corrections, with numbers")
    st.info(tanh_peak().text, icon=":material/functions:")
    st.info(clipping_reach().text, icon=":material/content_cut:")
    st.info(no_automatic_detach().text, icon=":material/link:")
    st.info(gru_convention().text, icon=":material/swap_horiz:")
    st.latex(GRU_CONVENTION)
    st.info(scaler_leaks().text, icon=":material/visibility:")
    st.header("Padding, measured")
    if corpus_path() is None or hamlet() is None:
        st.info(missing_message(), icon=":material/download:")
        st.stop()
    st.markdown(readers_lead(cfg))
    st.caption(readers_data(cfg))


cfg, res = ui.page(
    EXPERIMENT, intro=INTRO, groups=SETTING_GROUPS, before_run=before_training, click_to_train=click_to_train
)

found = EXPERIMENT.findings_by_id(cfg, res)
acc, seconds = res.test_accuracy, res.epoch_seconds
for column, name in zip(st.columns(len(READERS)), READERS, strict=True):
    column.metric(
        f"Test accuracy, {READER_SHORT[name]}",
        f"{acc[name]:.1%}",
        delta=f"{seconds[name]:.2f} s per epoch",
        delta_color="off",
        delta_arrow="off",
        help=accuracy_help(res, name),
    )
ui.chart(accuracy_film(res.history))
st.caption(FILM_CAPTION)
left, right = st.columns([3, 2])
ui.chart(readers_figure(acc, seconds, res.chance), container=left)
with right:
    for name in (
        "packed_vs_last_padded",
        "packed_vs_own_last",
        "own_last_vs_last_padded",
        "packed_vs_constant_guess",
    ):
        st.markdown(found[name].text)
    st.markdown(f"**What the gap says.** {found['padding_costs_accuracy'].text}")
ui.chart(where_figure(res.where))
st.markdown(found["own_last_step_is_h_n"].text)
if not cfg.reader_bidirectional:
    st.caption(TRY_BIDIRECTIONAL)

st.header("Carried state")
st.markdown(CARRIED_LEAD)
left, right = st.columns([3, 2])
ui.chart(truncation_figure(res.truncations), container=left)
with right:
    for t in res.truncations:
        if t.error is not None:
            st.error(truncation_failure(t) + ui.inline_code(t.error), icon=":material/error:")
    st.markdown(f"{found['detach_is_needed'].text} {found['growing_graph_slows'].text}")
st.subheader("Stateful or stateless chunks")
left, right = st.columns([3, 2])
ui.chart(positions_figure(res.chars), container=left)
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
    st.markdown(f"{found['carried_state_helps'].text} {stateful_story(res)}")
