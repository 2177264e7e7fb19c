import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.cells import CELLS
from rnnviz.core.figures import loss_curve, state_heatmap
from rnnviz.core.reviews import CORPUS_CITATION, Labelled, corpus_path, missing_message
from rnnviz.views.sentiment.experiment import EXAMPLES, EXPERIMENT, SentimentConfig
from rnnviz.views.sentiment.figures import (
    accuracy_curve,
    confusion_figure,
    live_map,
    pca_axes,
    position_maps,
    reading_figure,
    readout_latex,
    state_map,
    training_film,
)
from rnnviz.views.sentiment.film import FILM_SENTENCES
from rnnviz.views.sentiment.labelled_csv import EXPECTED, parse_labelled_csv
from rnnviz.views.sentiment.projection import MIN_TSNE_POINTS
from rnnviz.views.sentiment.reading import (
    NEIGHBOURS,
    SentenceReading,
    biggest_change,
    drift,
    has_tsne,
    map_silhouette,
    neighbours,
    read_sentence,
    readout_terms,
    sentences_in,
    tsne_map,
    word_order_cases,
    word_order_rows,
)
from rnnviz.views.sentiment.result import SentimentResult

PREFIX = "sentiment"
SETTING_GROUPS = [
    ("Words", ["min_freq"]),
    ("Network", ["cell", "embedding", "hidden", "layers", "bidirectional", "dropout", "seed"]),
    ("Training", ["epochs", "lr"]),
]
SENTENCE_KEY = f"{PREFIX}.sentence"
# The hidden space in parts the reader picks: only the chosen one is built and sent.
SECTIONS = ("Hidden-state map", "States at every position", "Nearest neighbours")
UPLOAD_KEY = f"{PREFIX}.upload"

st.title("Sentiment hidden states")
st.caption(
    "A recurrent network reads movie-review sentences one word at a time and must say, at the end, whether "
    "the critic liked the film. Its final hidden state is the whole sentence squeezed into a few numbers: "
    "map those numbers in 2-D and see how it has sorted what it read."
)
cfg = ui.settings(SentimentConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()


def data_source() -> Labelled | None:
    """The visitor's upload when it is valid; None for the default corpus (stops the page if that is missing)."""
    st.sidebar.caption("Data")
    uploaded = ui.upload(
        "Your own sentences (CSV)",
        key=UPLOAD_KEY,
        types=["csv"],
        parse=parse_labelled_csv,
        help=f"Optional: {EXPECTED}.",
        container=st.sidebar,
    )
    if uploaded is not None:
        return uploaded
    if corpus_path() is None:
        st.info(missing_message(), icon=":material/download:")
        st.stop()
    if st.session_state.get(UPLOAD_KEY) is not None:
        st.info(
            "Your file cannot be used (see the sidebar): training on the default corpus instead.",
            icon=":material/info:",
        )
    return None


data = data_source()
if data is None:
    st.caption(f"Data: {CORPUS_CITATION}")
else:
    st.caption(f"Data: your file {ui.safe_text(data.name)}, {len(data):,} sentences.")
res: SentimentResult = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train="Training takes about 10 s on this server with the default settings; bigger networks "
    "and more epochs take longer.",
    live=live_map,
    data=data,
)
ui.downloads(EXPERIMENT, cfg, res)
for note in res.notes:
    st.info(ui.safe_text(note), icon=":material/info:")
ui.training_message(res.history)

train, val, test = res.splits
m = st.columns(4)
m[0].metric(
    "Test accuracy",
    f"{res.test_accuracy:.1%}",
    delta=f"{100 * (res.test_accuracy - res.baseline_accuracy):+.1f} points vs bag of words",
    help=f"Share of the {test.size:,} test sentences whose sentiment the network gets right.",
)
m[1].metric(
    "Bag-of-words baseline",
    f"{res.baseline_accuracy:.1%}",
    help="Logistic regression on which words a sentence contains, in any order: same split, same vocabulary.",
)
m[2].metric(
    "Test sentences",
    f"{test.size:,}",
    help=f"Trained on {train.size:,} sentences, validated on {val.size:,}. Vocabulary: "
    f"{len(res.classifier.vocab):,} tokens seen at least {cfg.min_freq} time(s) in training.",
)
m[3].metric(
    "Training time",
    f"{res.history.seconds:.1f} s",
    help=f"{res.history.steps:,} Adam steps of {CELLS[cfg.cell]}; {res.params:,} parameters.",
)
if res.grouped:
    st.caption(
        f"Split by movie: the {test.size:,} test sentences come from {test.groups} movies the network never "
        "read about, so it cannot lean on a title or an actor's name."
    )
else:
    st.caption("Uploaded sentences carry no movie names, so they are split sentence by sentence.")

left, right = st.columns(2)
left.plotly_chart(loss_curve(res.history, log_y=False))
right.plotly_chart(accuracy_curve(res.history, res.best_epoch, res.baseline_accuracy))

st.subheader("Watch the clouds form")
if res.history.timeline.frames:
    st.plotly_chart(training_film(res))
    st.caption(
        f"The final hidden states of {len(res.film_index):,} of the {test.size:,} test sentences (up to "
        f"{FILM_SENTENCES} are followed), "
        f"recorded at {len(res.history.timeline)} moments of training, from the untrained network (step 0) "
        "to the last step. Press Play or drag the slider: the film plays in your browser, nothing is "
        "trained again. Every frame uses the principal axes of the last one, so a dot moves only because "
        "that sentence's state moved. The model kept for the rest of the page is the one of the best "
        f"validation epoch ({res.best_epoch}), which may be earlier than the last frame."
    )
else:
    st.info("No snapshots were recorded for this run.", icon=":material/info:")

st.subheader("What word order adds")
left, right = st.columns([1, 2])
left.plotly_chart(confusion_figure(res.test_labels, res.test_prob))
cases, right_count = word_order_cases(res)
with right:
    if cases:
        st.markdown(
            f"Bag of words knows only *which* words appear. On the {len(cases)} test sentences with a "
            f"negation or *but* where the two models disagree, the network is right "
            f"**{right_count['network']}** times and the bag of words **{right_count['baseline']}** times."
        )
        st.dataframe(
            pd.DataFrame(word_order_rows(res, cases)),
            hide_index=True,
            column_config={
                "sentence": st.column_config.TextColumn(width="large"),
                "true label": st.column_config.TextColumn(width="small"),
                "network": st.column_config.NumberColumn("network P(pos)", format="%.2f", width="small"),
                "bag of words": st.column_config.NumberColumn(
                    "bag of words P(pos)", format="%.2f", width="small"
                ),
            },
        )
    else:
        st.markdown("On this test set the two models agree on every sentence with a negation or *but*.")

st.subheader("Your sentence")


def _use_example() -> None:
    picked = st.session_state.get(f"{PREFIX}.example")
    if picked:
        st.session_state[SENTENCE_KEY] = picked
    st.session_state[f"{PREFIX}.example"] = None


st.pills("Try a contrast", EXAMPLES, key=f"{PREFIX}.example", on_change=_use_example)
view = ui.view_controls(SentimentConfig, PREFIX, ["sentence"])
reading = read_sentence(res, view.sentence)
for note in reading.notes:
    st.info(ui.safe_text(note), icon=":material/info:")
if not reading.tokens:
    st.info(
        "Type a sentence above (or pick a contrast) to watch the network read it.", icon=":material/edit:"
    )
else:
    st.plotly_chart(reading_figure(reading.tokens, reading.prob, reading.baseline_prob, reading.known))
    jump = biggest_change(reading)
    st.plotly_chart(
        state_heatmap(
            reading.states,
            reading.tokens,
            title=f"Hidden state after each token: the biggest move is at '{reading.tokens[jump][:20]}' (t={jump + 1})",
            name="h",
        )
    )
    st.latex(readout_latex(*readout_terms(res, reading.states[-1]), reading.prob[-1]))
    st.caption(
        "The read-out is one logistic unit on the final hidden state h_T: every picture on this page is a "
        "view of h, and only its projection on w decides the verdict."
    )


@st.fragment
def hidden_state_map(res: SentimentResult, reading: SentenceReading) -> None:
    """Changing map, colour or perplexity redraws only this part; t-SNE maps are computed once and kept."""
    left, mid, right = st.columns(3)
    with left:
        view = ui.view_controls(SentimentConfig, PREFIX, ["projection"])
    with mid:
        view = ui.view_controls(SentimentConfig, PREFIX, ["colour"])
    with right:
        view = ui.view_controls(SentimentConfig, PREFIX, ["perplexity"])
    shown = res.map_index
    common = dict(
        labels=res.test_labels[shown],
        prob=res.test_prob[shown],
        texts=[res.test_texts[i] for i in shown],
        colour=view.colour,
        tokens=reading.tokens,
    )
    pca_title = (
        f"PCA of {len(shown):,} test sentences' final states: silhouette "
        f"{_fmt(map_silhouette(res, 'pca', view.perplexity))} by true label"
    )
    pca_fig = state_map(
        res.pca_points,
        title=pca_title,
        axes=pca_axes(res.pca),
        trajectory=res.pca.project(reading.states) if reading.tokens else None,
        **common,
    )
    slot = st.empty()
    if view.projection == "pca" or len(shown) < MIN_TSNE_POINTS:
        slot.plotly_chart(pca_fig)
        if view.projection == "tsne":
            st.info("Too few test sentences for t-SNE; showing PCA.", icon=":material/info:")
        return
    if not has_tsne(res, view.perplexity):
        with slot.container():
            st.plotly_chart(pca_fig)
            st.caption(
                f"Computing t-SNE of {len(shown):,} points (perplexity {view.perplexity}); PCA meanwhile."
            )
    tsne = tsne_map(res, view.perplexity)
    slot.plotly_chart(
        state_map(
            tsne.points,
            title=(
                f"t-SNE of {len(shown):,} test sentences' final states (perplexity {tsne.perplexity:g}): "
                f"silhouette {_fmt(map_silhouette(res, 'tsne', view.perplexity))} by true label"
            ),
            axes=("t-SNE 1", "t-SNE 2"),
            trajectory=tsne.place(reading.states) if reading.tokens else None,
            **common,
        )
    )
    st.caption(
        "Each dot is one test sentence's final hidden state; the black path is your sentence, one point per "
        "token read, ending at the star. t-SNE keeps each point's nearest neighbours close but bends distances "
        "between clusters; your sentence is placed into the finished map without moving the other points. "
        "Silhouette: +1 means the two classes form tight, separate clouds, 0 that they overlap."
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def states_at_every_position(res: SentimentResult) -> None:
    pos = res.positions
    by_step, by_label = position_maps(
        pos.points, pos.step, pos.label, pos.token, pca_axes(res.pca), drift(pos)
    )
    left, right = st.columns(2)
    left.plotly_chart(by_step)
    right.plotly_chart(by_label)
    st.caption(
        f"The state after every token of {sentences_in(pos)} test sentences, on the same PCA axes as "
        "the map. Every sentence starts from the same zero state; each word pushes it, and by the last word "
        "it has moved to the side its verdict lies on."
    )


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
        key=f"{PREFIX}.probe",
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
    st.caption(
        f"The {NEIGHBOURS} test sentences whose final hidden states are closest (Euclidean distance between "
        f"{res.test_states.shape[1]}-number states). Compare their verdicts and their topics: the network keeps "
        "what it needs for sentiment."
    )


st.subheader("Inside the hidden space")
part = ui.section(SECTIONS, key=f"{PREFIX}.section")
if part == SECTIONS[0]:
    hidden_state_map(res, reading)
elif part == SECTIONS[1]:
    states_at_every_position(res)
else:
    nearest_sentences(res, reading)
