import streamlit as st

from pages import ui
from rnnviz.core.style import visible_whitespace
from rnnviz.views.charlm import EXPERIMENT
from rnnviz.views.charlm.corpora import DEFAULT_CORPUS, UPLOADED, TextFile, hamlet_missing, text_file
from rnnviz.views.charlm.features import FEATURES, MIN_CHARS, rank
from rnnviz.views.charlm.figures import (
    TOP_UNITS,
    against_ngram,
    coloured_text,
    feature_units,
    film,
    losses,
    next_char_bars,
)
from rnnviz.views.charlm.lessons import (
    INTRO,
    LOOKING_AT,
    LOSS_CAPTION,
    NGRAM_CAPTION,
    PROGRESS_LOSS,
    UPLOAD_HELP,
    UPLOAD_LABEL,
    best_r,
    click_to_train,
    film_caption,
    network_help,
    network_label,
    ngram_delta,
    ngram_help,
    search_caption,
    softmax_caption,
    softmax_equation,
    text_help,
    too_short_to_correlate,
    training_help,
    units_lesson,
    written_header,
)
from rnnviz.views.charlm.model import TOP_K
from rnnviz.views.charlm.settings import CharLMConfig
from rnnviz.views.charlm.writing import guess_at, reading, write

SETTING_GROUPS = [
    ("Text", ["corpus", "text"]),
    ("Network", ["cell", "embedding", "hidden", "layers", "dropout", "seed"]),
    ("Training", ["seq_len", "carry", "train_steps", "lr", "clip"]),
]


def before_run(cfg: CharLMConfig) -> dict[str, TextFile | None]:
    """Hamlet's absence said before training on the fallback; the uploaded text file, when one is asked for."""
    missing = hamlet_missing()
    if missing is not None and cfg.corpus == DEFAULT_CORPUS:
        st.info(missing, icon=":material/info:")
    if cfg.corpus != UPLOADED:
        return {}
    return {
        "text_file": ui.upload(
            EXPERIMENT,
            UPLOAD_LABEL,
            types=["txt"],
            parse=text_file,
            help=UPLOAD_HELP,
            container=st.sidebar,
        )
    }


cfg, res = ui.page(
    EXPERIMENT,
    intro=INTRO,
    groups=SETTING_GROUPS,
    before_run=before_run,
    click_to_train=click_to_train(),
)

said = {c.id: c.text for c in EXPERIMENT.findings(cfg, res)}

m = st.columns(4)
m[0].metric("Text (characters)", f"{len(res.corpus.text):,}", help=text_help(res))
m[1].metric(network_label(res), f"{res.nats:.3f}", help=network_help(res))
if res.baseline is not None:
    m[2].metric(
        f"N-gram (order {res.baseline.order}) on it (nats/char)",
        f"{res.baseline.nats:.3f}",
        delta=ngram_delta(res),
        help=ngram_help(res),
    )
m[3].metric("Training", f"{res.history.seconds:.1f} s", help=training_help(res))
st.markdown(f"**{said['beats_ngram']}**")

st.subheader("Watch it learn")


@st.fragment
def film_panel() -> None:
    """The film and the unit ranking rerun alone when a unit is picked: nothing retrains."""
    controls = st.columns(4)
    with controls[0]:
        view = ui.view_controls(EXPERIMENT, ["feature"])
    with controls[1]:
        ui.view_controls(EXPERIMENT, ["state"] if cfg.cell == "lstm" else [])
    with controls[2]:
        ui.view_controls(EXPERIMENT, ["layer"], limits={"layer": cfg.layers})
    with controls[3]:
        view = ui.view_controls(EXPERIMENT, ["unit"], limits={"unit": cfg.hidden - 1})
    unit = res.unit(view)
    if len(res.history.timeline) > 1:
        ui.chart(film(view, res))
        st.caption(film_caption(unit.name(cfg.layers)))
    ranked = rank(res.search.r[view.feature], TOP_UNITS)
    untrained = best_r(res.untrained.r[view.feature])
    ui.chart(feature_units(ranked, FEATURES[view.feature], unit, cfg.layers, untrained))
    st.caption(search_caption(res))


film_panel()

left, right = st.columns(2)
ui.chart(losses(res.history, PROGRESS_LOSS), container=left)
left.caption(LOSS_CAPTION)
if res.baseline is not None:
    b = res.baseline
    ui.chart(against_ngram(b.dev_nats, b.test_nats, b.order, res.nats), container=right)
    right.caption(NGRAM_CAPTION)

st.subheader("Units that track features of a play")
if not any(res.search.examples.values()) or len(res.corpus.text) < MIN_CHARS:
    st.info(too_short_to_correlate(res), icon=":material/info:")
else:
    cards = st.columns(2)
    for i, (feature, label) in enumerate(FEATURES.items()):
        with cards[i % 2]:
            st.markdown(f"**{label}**: {said['unit_' + feature]}")
            example = res.search.examples.get(feature)
            if example is not None:
                name = example.best.unit.name(cfg.layers)
                st.html(coloured_text(example.text, example.values, 0, name))

st.subheader("Let it write")


@st.fragment
def write_panel() -> None:
    """Generating and inspecting only rerun this part; the trained model is reused."""
    controls = st.columns(2)
    with controls[0]:
        ui.view_controls(EXPERIMENT, ["prompt", "length"])
    with controls[1]:
        view = ui.view_controls(EXPERIMENT, ["temperature", "greedy", "sampling_seed"])
    gen = write(res, view)
    for note in gen.notes:
        st.info(note, icon=":material/info:")
    unit = res.unit(view)
    name = unit.name(cfg.layers)
    read = reading(res, gen, unit)
    st.markdown(written_header(len(gen.text) - gen.seed_len, view.greedy, view.temperature, name))
    st.html(coloured_text(gen.text, read.values, gen.seed_len, name, read.next_chars))

    position = ui.view_controls(EXPERIMENT, ["position"], limits={"position": len(gen.text)}).position
    guess = guess_at(gen, position, view.temperature)
    ui.chart(
        next_char_bars(
            res.vocab,
            guess.probs,
            guess.probs_t1,
            temperature=view.temperature,
            context=guess.context,
            actual=guess.actual,
            top=TOP_K,
        )
    )
    st.latex(softmax_equation(guess, view.temperature))
    top_char = ui.safe_text(visible_whitespace(res.vocab[guess.top]))
    st.caption(softmax_caption(top_char, guess))


write_panel()

st.subheader("What you are looking at")
for column, text in zip(st.columns(3), [*LOOKING_AT, units_lesson(said["units_learned"])], strict=True):
    column.markdown(text)
