import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.style import visible_whitespace
from rnnviz.views.charlm import corpora
from rnnviz.views.charlm.analysis import EXCERPT_CHARS, SAMPLE_CHARS, SAMPLE_TEMPERATURE
from rnnviz.views.charlm.experiment import (
    AVERAGE_DECAY,
    EXPERIMENT,
    HELD_OUT,
    CharLMConfig,
    bits,
    chosen_unit,
    reading,
    verdict,
    write,
)
from rnnviz.views.charlm.features import FEATURES, MIN_CHARS, rank
from rnnviz.views.charlm.figures import (
    TOP_UNITS,
    against_ngram,
    coloured_text,
    feature_units,
    film,
    live_film,
    next_char_bars,
)
from rnnviz.views.charlm.model import TOP_K, softmax

PREFIX = "charlm"
SETTING_GROUPS = [
    ("Text", ["corpus", "text"]),
    ("Network", ["cell", "embedding", "hidden", "layers", "dropout", "seed"]),
    ("Training", ["seq_len", "carry", "train_steps", "lr", "clip"]),
]

st.title("Character language model")
st.caption(
    "A recurrent network reads a play one character at a time and learns to guess the next one. "
    f"The last {HELD_OUT:.0%} of the text is never trained on: there it is scored against the best "
    "classical model, a Kneser–Ney n-gram that counts what followed each string of characters. "
    "Then it writes, and its units turn out to track words, lines and speakers."
)
cfg = ui.settings(CharLMConfig, PREFIX, groups=SETTING_GROUPS)
missing = corpora.hamlet_missing()
if missing is not None and cfg.corpus == corpora.DEFAULT_CORPUS:
    st.info(missing, icon=":material/info:")
text_file = None
if cfg.corpus == "file":
    text_file = ui.upload(
        "Your text (.txt, UTF-8)",
        key=f"{PREFIX}.upload",
        types=["txt"],
        parse=corpora.text_file,
        help=f"Plain UTF-8 text of at least {corpora.MIN_FILE_CHARS:,} characters; the first "
        f"{corpora.MAX_FILE_CHARS:,} are used. A link cannot carry a file: whoever opens it uploads it again.",
        container=st.sidebar,
    )
ui.share_link()
res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train=f"Training reads the text for up to {TRAINING_BUDGET_S:g} s, showing what the network "
    "writes as it learns. Press Train to start.",
    live=live_film,
    text_file=text_file,
)
ui.downloads(EXPERIMENT, cfg, res)
for note in res.corpus.notes:
    st.info(note, icon=":material/info:")
ui.training_message(res.history)

where = "held-out text" if res.held_out else "training text (too short to hold any out)"
m = st.columns(4)
m[0].metric(
    "Text (characters)",
    f"{len(res.corpus.text):,}",
    help=f"{len(res.vocab)} different characters: the model's alphabet. Trained on the first {res.split:,}.",
)
m[1].metric(
    f"Network on the {where.split(' (')[0]} (nats/char)",
    f"{res.nats:.3f}",
    help=f"Mean cross-entropy per character: {bits(res.nats):.3f} bits. The model kept is the running average "
    f"of its weights (decay {AVERAGE_DECAY:g} per step).",
)
if res.baseline is not None:
    m[2].metric(
        "Best n-gram on it (nats/char)",
        f"{res.baseline.nats:.3f}",
        delta=f"{res.baseline.nats - res.nats:+.3f} for the network",
        help=f"Interpolated modified Kneser–Ney of order {res.baseline.order} ({bits(res.baseline.nats):.3f} "
        "bits/char), the order chosen on the last tenth of the training text, trained on the same characters.",
    )
m[3].metric(
    "Training",
    f"{res.history.seconds:.1f} s",
    help=f"{res.history.steps} steps, each one {res.chunk_len}-character chunk of {res.streams} parallel streams.",
)
st.markdown(f"**{ui.safe_text(verdict(res))}**")

st.subheader("Watch it learn")


@st.fragment
def film_panel() -> None:
    """The film and the unit ranking rerun alone when a unit is picked: nothing retrains."""
    controls = st.columns(4)
    with controls[0]:
        view = ui.view_controls(CharLMConfig, PREFIX, ["feature"])
    with controls[1]:
        ui.view_controls(CharLMConfig, PREFIX, ["state"] if cfg.cell == "lstm" else [])
    with controls[2]:
        ui.view_controls(CharLMConfig, PREFIX, ["layer"], limits={"layer": cfg.layers})
    with controls[3]:
        view = ui.view_controls(CharLMConfig, PREFIX, ["unit"], limits={"unit": cfg.hidden - 1})
    unit = chosen_unit(res, view)
    label = unit.name(cfg.layers)
    if len(res.history.timeline) > 1:
        st.plotly_chart(film(res.history.timeline, unit, cfg.layers))
        st.caption(
            f"Top: {SAMPLE_CHARS} characters written at temperature {SAMPLE_TEMPERATURE:g} from a new line, with "
            f"the same random draws at every step. Bottom: {EXCERPT_CHARS} characters of the held-out text, "
            f"each coloured by {label} after reading it (red positive, blue negative); hover a character for its "
            "value and, at the last step, the five likeliest next ones. Press Play or drag the slider: it "
            "replays the training in your browser."
        )
    ranked = rank(res.search.r[view.feature], TOP_UNITS)
    st.plotly_chart(feature_units(ranked, FEATURES[view.feature], unit, cfg.layers))
    st.caption(
        f"Every unit is ranked by Pearson r between its value after each character and the feature, over "
        f"{res.search.chars:,} characters from across the text. Set *Unit colouring the text* to −1 to follow "
        "the best one, or pick any unit."
    )


film_panel()

left, right = st.columns(2)
left.plotly_chart(loss_curve(res.history))
left.caption(
    "Training loss per step, and the validation loss (a quarter of the test text) along the way, both in "
    "nats per character."
)
if res.baseline is not None:
    b = res.baseline
    right.plotly_chart(against_ngram(b.dev_nats, b.test_nats, b.order, res.nats))
    right.caption(
        "Each n-gram order counts the characters that followed the previous order − 1 characters. Longer "
        "contexts predict better until they are too rare to count: the dotted curve, measured on held-out "
        "training text, picks the order before the test text is seen."
    )

st.subheader("Units that track features of a play")
if not any(res.search.examples.values()) or len(res.corpus.text) < MIN_CHARS:
    st.info(
        f"The text has {len(res.corpus.text)} characters: too few for a correlation to mean anything. "
        "Pick a longer text to look for feature units.",
        icon=":material/info:",
    )
else:
    cards = st.columns(2)
    for i, (feature, label) in enumerate(FEATURES.items()):
        with cards[i % 2]:
            example = res.search.examples.get(feature)
            if example is None:
                st.markdown(f"**{label}**: never changes in this text.")
                continue
            name = example.best.unit.name(cfg.layers)
            st.markdown(f"**{label}**: {name}, r = {example.best.r:+.2f}")
            st.html(coloured_text(example.text, example.values, 0, name))

st.subheader("Let it write")


@st.fragment
def write_panel() -> None:
    """Generating and inspecting only rerun this part; the trained model is reused."""
    controls = st.columns(2)
    with controls[0]:
        ui.view_controls(CharLMConfig, PREFIX, ["prompt", "length"])
    with controls[1]:
        view = ui.view_controls(CharLMConfig, PREFIX, ["temperature", "greedy", "sampling_seed"])
    gen = write(res, view)
    for note in gen.notes:
        st.info(note, icon=":material/info:")
    unit = chosen_unit(res, view)
    read = reading(res, gen, unit)
    how = "greedily (always the top character)" if view.greedy else f"at temperature {view.temperature:g}"
    st.markdown(
        f"**{len(gen.text) - gen.seed_len} characters written {how}**, each coloured by "
        f"{unit.name(cfg.layers)} (chosen above)."
    )
    st.html(coloured_text(gen.text, read.values, gen.seed_len, unit.name(cfg.layers), read.next_chars))

    position = ui.view_controls(
        CharLMConfig, PREFIX, ["position"], limits={"position": len(gen.text)}
    ).position
    t = min(position, len(gen.text)) - 1
    probs = softmax(gen.logits[t], view.temperature)
    st.plotly_chart(
        next_char_bars(
            res.vocab,
            probs,
            softmax(gen.logits[t], 1.0),
            temperature=view.temperature,
            context=gen.text[: t + 1],
            actual=gen.text[t + 1] if t + 1 < len(gen.text) else None,
            top=TOP_K,
        )
    )
    top = int(probs.argmax())
    z = gen.logits[t]
    st.latex(
        rf"p_i = \frac{{e^{{z_i/T}}}}{{\sum_j e^{{z_j/T}}}}:\quad "
        rf"p_{{\text{{top}}}} = \frac{{e^{{{z[top]:.2f}/{view.temperature:g}}}}}"
        rf"{{\sum_j e^{{z_j/{view.temperature:g}}}}} = {probs[top]:.3f}"
    )
    st.caption(
        f"The top character here is “{ui.safe_text(visible_whitespace(res.vocab[top]))}”, with score "
        f"z = {z[top]:.2f}. Dividing every score by T < 1 widens the gaps, so the top character "
        "wins more often; T > 1 narrows them, so rarer characters get written."
    )


write_panel()

st.subheader("What you are looking at")
a, b, c = st.columns(3)
a.markdown(
    "**Learning in stages.** Play the film: the samples go from noise, to the right letter frequencies, to "
    "short words, to speakers' names on their own lines. The test text is the end of the play, never "
    "trained on, so its score is what the network would do on new text of the same kind."
)
b.markdown(
    "**Against counting.** An n-gram model predicts from the last few characters alone, by counting. The "
    "network has no fixed window: its state carries whatever helps, such as being inside a speaker's name "
    "or far into a line. Within a short training budget, beating good counting is hard, and the numbers "
    "above say honestly by how much it wins or loses."
)
c.markdown(
    "**Interpretable units.** Nobody told the network about words or speakers, yet some units switch on "
    "inside words, count along a line or light up on a line of capitals, because that helps predict the "
    "next character. The r values say how strongly; hover a coloured character to read the unit's value."
)
