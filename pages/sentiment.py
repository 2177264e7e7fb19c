import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.core.reviews import Labelled, corpus_path, missing_message
from rnnviz.views.sentiment import EXPERIMENT
from rnnviz.views.sentiment.figures import (
    accuracy_curve,
    confusion_figure,
    pca_map,
    position_figures,
    reading_figure,
    readout_latex,
    training_film,
    tsne_figure,
)
from rnnviz.views.sentiment.labelled_csv import parse_labelled_csv
from rnnviz.views.sentiment.lessons import (
    BASELINE_HELP,
    CORPUS_CAPTION,
    INTRO,
    MAP_CAPTION,
    NO_SNAPSHOTS,
    NO_WORD_ORDER_CASES,
    READOUT,
    SHUFFLED_HELP,
    TOO_FEW_FOR_TSNE,
    TYPE_A_SENTENCE,
    UNUSABLE_UPLOAD,
    UPLOAD_HELP,
    UPLOAD_LABEL,
    WORD_ORDER_CASES,
    accuracy_delta,
    accuracy_help,
    click_to_train,
    film_caption,
    heatmap_title,
    neighbours_caption,
    positions_caption,
    split_caption,
    split_help,
    training_help,
    tsne_pending,
    upload_caption,
)
from rnnviz.views.sentiment.projection import MIN_TSNE_POINTS
from rnnviz.views.sentiment.reading import (
    SentenceReading,
    biggest_change,
    has_tsne,
    neighbours,
    read_sentence,
    readout_terms,
    sentences_in,
    tsne_map,
    word_order_cases,
    word_order_rows,
)
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import EXAMPLES, SentimentConfig

SETTING_GROUPS = [
    ("Words", ["min_freq"]),
    ("Network", ["cell", "embedding", "hidden", "layers", "bidirectional", "dropout", "seed"]),
    ("Training", ["epochs", "lr"]),
]
KEY = EXPERIMENT.name
# The hidden space in parts the reader picks: only the chosen one is built and sent.
SECTIONS = ("Hidden-state map", "States at every position", "Nearest neighbours")


def data_source(cfg: SentimentConfig) -> dict[str, Labelled]:
    """The visitor's upload when it is valid; nothing for the default corpus (stops the page if that is missing)."""
    st.sidebar.caption("Data")
    uploaded = ui.upload(
        EXPERIMENT,
        UPLOAD_LABEL,
        types=["csv"],
        parse=parse_labelled_csv,
        help=UPLOAD_HELP,
        container=st.sidebar,
    )
    if uploaded is not None:
        st.caption(upload_caption(ui.safe_text(uploaded.name), len(uploaded)))
        return {"data": uploaded}
    if corpus_path() is None:
        st.info(missing_message(), icon=":material/download:")
        st.stop()
    if st.session_state.get(f"{KEY}.upload") is not None:
        st.info(UNUSABLE_UPLOAD, icon=":material/info:")
    st.caption(CORPUS_CAPTION)
    return {}


cfg, res = ui.page(
    EXPERIMENT, intro=INTRO, groups=SETTING_GROUPS, before_run=data_source, click_to_train=click_to_train
)
found = EXPERIMENT.findings_by_id(cfg, res)

m = st.columns(5)
m[0].metric("Test accuracy", f"{res.test_accuracy:.1%}", delta=accuracy_delta(res), help=accuracy_help(res))
m[1].metric("Bag-of-words baseline", f"{res.baseline_accuracy:.1%}", help=BASELINE_HELP)
m[2].metric("Shuffled-words network", f"{res.shuffled_accuracy:.1%}", help=SHUFFLED_HELP)
m[3].metric("Test sentences", f"{res.n_test:,}", help=split_help(cfg, res))
m[4].metric("Training time", f"{res.history.seconds:.1f} s", help=training_help(cfg, res))
st.markdown(found["beats_bag_of_words"].text)
st.caption(split_caption(res))

left, right = st.columns(2)
ui.chart(loss_curve(res.history, log_y=False), container=left)
ui.chart(accuracy_curve(res.history, res.best_epoch, res.baseline_accuracy), container=right)

st.subheader("Watch the clouds form")
if res.history.timeline.frames:
    ui.chart(training_film(res))
    st.caption(film_caption(res))
else:
    st.info(NO_SNAPSHOTS, icon=":material/info:")

st.subheader("What word order adds")
left, right = st.columns([1, 2])
ui.chart(confusion_figure(res.test_labels, res.test_prob), container=left)
cases = word_order_cases(res)
with right:
    st.markdown(found["word_order_helps"].text)
    st.markdown(found["word_order_on_cues"].text)
    if cases:
        st.caption(WORD_ORDER_CASES)
        st.dataframe(
            pd.DataFrame(word_order_rows(res, cases)),
            hide_index=True,
            column_config={
                "sentence": st.column_config.TextColumn(width="large"),
                "true label": st.column_config.TextColumn(width="small"),
                "network": st.column_config.NumberColumn("network P(pos)", format="%.2f", width="small"),
                "shuffled words": st.column_config.NumberColumn(
                    "shuffled words P(pos)", format="%.2f", width="small"
                ),
                "bag of words": st.column_config.NumberColumn(
                    "bag of words P(pos)", format="%.2f", width="small"
                ),
            },
        )
    else:
        st.markdown(NO_WORD_ORDER_CASES)

st.subheader("Your sentence")


def _use_example() -> None:
    picked = st.session_state.get(f"{KEY}.example")
    if picked:
        st.session_state[f"{KEY}.sentence"] = picked
    st.session_state[f"{KEY}.example"] = None


st.pills("Try a contrast", EXAMPLES, key=f"{KEY}.example", on_change=_use_example)
view = ui.view_controls(EXPERIMENT, ["sentence"])
reading = read_sentence(res, view.sentence)
for note in reading.notes:
    st.info(ui.safe_text(note), icon=":material/info:")
if not reading.tokens:
    st.info(TYPE_A_SENTENCE, icon=":material/edit:")
else:
    ui.chart(reading_figure(reading.tokens, reading.prob, reading.baseline_prob, reading.known))
    jump = biggest_change(reading)
    ui.chart(
        state_heatmap(reading.states, reading.tokens, title=heatmap_title(reading.tokens, jump), name="h")
    )
    st.latex(readout_latex(*readout_terms(res, reading.states[-1]), reading.prob[-1]))
    st.caption(READOUT)


@st.fragment
def hidden_state_map(res: SentimentResult, reading: SentenceReading, separation: str) -> None:
    """Changing map, colour or perplexity redraws only this part; t-SNE maps are computed once and kept.

    ``separation`` is the finding under either map, measured in the hidden space itself.
    """
    left, mid, right = st.columns(3)
    with left:
        view = ui.view_controls(EXPERIMENT, ["projection"])
    with mid:
        view = ui.view_controls(EXPERIMENT, ["colour"])
    with right:
        view = ui.view_controls(EXPERIMENT, ["perplexity"])
    pca_fig = pca_map(res, view.colour, reading)
    slot = st.empty()
    if view.projection == "pca" or len(res.map_index) < MIN_TSNE_POINTS:
        ui.chart(pca_fig, container=slot)
        if view.projection == "tsne":
            st.info(TOO_FEW_FOR_TSNE, icon=":material/info:")
    else:
        if not has_tsne(res, view.perplexity):
            with slot.container():
                ui.chart(pca_fig)
                st.caption(tsne_pending(len(res.map_index), view.perplexity))
        ui.chart(tsne_figure(res, tsne_map(res, view.perplexity), view.colour, reading), container=slot)
        st.caption(MAP_CAPTION)
    st.markdown(separation)


def states_at_every_position(res: SentimentResult) -> None:
    by_step, by_label = position_figures(
        res, (found["states_fan_out"].text, found["classes_drift_apart"].text)
    )
    left, right = st.columns(2)
    ui.chart(by_step, container=left)
    ui.chart(by_label, container=right)
    st.caption(positions_caption(sentences_in(res.positions)))


@st.fragment
def nearest_sentences(res: SentimentResult, reading: SentenceReading) -> None:
    """Picking another sentence redraws only this table."""
    st.markdown("#### Nearest neighbours in hidden space")
    options = ([-1] if reading.tokens else []) + list(range(len(res.test_texts)))
    choice = st.selectbox(
        "Sentences the network treats as most alike",
        options,
        format_func=lambda i: (
            f"Your sentence: {' '.join(reading.tokens)[:90]}" if i < 0 else res.test_texts[i][:110]
        ),
        key=f"{KEY}.probe",
    )
    if choice is None:
        return
    state = reading.states[-1] if choice < 0 else res.test_states[choice]
    rows = neighbours(res, state, exclude=None if choice < 0 else choice)
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            "P(positive)": st.column_config.NumberColumn(format="%.2f"),
            "distance": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    st.caption(neighbours_caption(res))


st.subheader("Inside the hidden space")
part = ui.section(SECTIONS, key=f"{KEY}.section")
if part == SECTIONS[0]:
    hidden_state_map(res, reading, found["clouds_separate"].text)
elif part == SECTIONS[1]:
    states_at_every_position(res)
else:
    nearest_sentences(res, reading)
