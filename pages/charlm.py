import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.core.style import visible_whitespace
from rnnviz.views.charlm.experiment import (
    CHECKPOINT_TEMPERATURE,
    EXPERIMENT,
    CharLMConfig,
    checkpoint_text,
    write,
)
from rnnviz.views.charlm.features import FEATURES, MIN_CHARS, strongest, unit_to_show
from rnnviz.views.charlm.figures import coloured_text, feature_units, next_char_bars
from rnnviz.views.charlm.model import softmax

PREFIX = "charlm"

st.title("Character language model")
st.caption(
    "A recurrent network reads a text one character at a time and learns to guess the next one. "
    "Then it writes: each character it picks is fed back in as the next input."
)
cfg = ui.settings(
    CharLMConfig,
    PREFIX,
    groups=[
        ("Text", ["corpus", "text"]),
        ("Network", ["cell", "embedding", "hidden", "layers", "seed"]),
        ("Training", ["seq_len", "carry", "train_steps", "lr", "clip"]),
    ],
)
ui.share_link()
res = ui.run(EXPERIMENT, cfg)
for note in res.corpus.notes:
    st.info(note, icon=":material/info:")
ui.training_message(res.history)

m = st.columns(4)
m[0].metric(
    "Training text (characters)",
    f"{len(res.corpus.text):,}",
    help=f"{len(res.vocab)} different characters: the model's alphabet.",
)
m[1].metric("Parameters", f"{res.params:,}")
m[2].metric(
    "Final training loss",
    f"{res.history.final_loss():.3g}" if res.history.steps else "untrained",
    help="Cross-entropy in nats per character, averaged over the last steps.",
)
m[3].metric(
    f"Perplexity ({res.perplexity_on})",
    f"{res.perplexity:.3g}",
    help="exp(loss per character): the model is as unsure as if it chose uniformly among this many "
    f"characters. On the training text: {res.train_perplexity:.3g}.",
)

left, right = st.columns(2)
left.plotly_chart(loss_curve(res.history))
with right:
    st.markdown(
        f"**Samples written while it learned** (temperature {CHECKPOINT_TEMPERATURE:g}, ↵ is a new line)"
    )
    st.code(checkpoint_text(res.checkpoints), language=None, wrap_lines=True)
    st.caption(
        f"Each step reads one {res.chunk_len}-character chunk from each of {res.streams} parallel "
        "streams of the text. "
        + (
            "The hidden state is carried into the next chunk but detached, so memory outlives the "
            "chunk while the error stops at its start: truncated backpropagation through time."
            if cfg.carry
            else "Every chunk starts from a zero state, so nothing is remembered across chunks."
        )
    )

st.subheader("Let it write")


@st.fragment
def write_panel() -> None:
    """Generating and inspecting only rerun this part; the trained model is reused."""
    controls = st.columns(3)
    with controls[0]:
        ui.view_controls(CharLMConfig, PREFIX, ["prompt", "length"])
    with controls[1]:
        ui.view_controls(CharLMConfig, PREFIX, ["temperature", "greedy", "sampling_seed"])
    with controls[2]:
        view = ui.view_controls(
            CharLMConfig,
            PREFIX,
            ["layer", "feature", "unit"],
            limits={"layer": cfg.layers, "unit": cfg.hidden - 1},
        )
    gen = write(res, view)
    for note in gen.notes:
        st.info(note, icon=":material/info:")
    layer = min(view.layer, cfg.layers) - 1
    feature = FEATURES[view.feature]
    r = res.correlations[view.feature][layer]
    unit = unit_to_show(view.unit, r)
    how = "greedily (always the top character)" if view.greedy else f"at temperature {view.temperature:g}"
    st.markdown(
        f"**{len(gen.text) - gen.seed_len} characters written {how}**, each coloured by unit {unit} "
        f"of layer {layer + 1}" + (f", the unit that best tracks *{feature}*." if view.unit < 0 else ".")
    )
    st.html(coloured_text(gen.text, gen.states[layer, :, unit], gen.seed_len, unit))

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

    st.markdown(f"**Units that track simple features** (layer {layer + 1}, over the training text)")
    if len(res.corpus.text) < MIN_CHARS:
        st.info(
            f"The training text has {len(res.corpus.text)} characters: too few for a correlation to mean "
            "anything. Pick a longer text to look for feature units.",
            icon=":material/info:",
        )
        return
    left, right = st.columns(2)
    left.plotly_chart(feature_units(r, feature, unit))
    rows = []
    for name, label in FEATURES.items():
        best = strongest(res.correlations[name][layer], 2)
        ranked = [f"unit {u} (r = {v:+.2f})" for u, v in best] + ["never changes"] * (2 - len(best))
        rows.append({"feature": label, "strongest": ranked[0], "runner-up": ranked[1]})
    right.dataframe(pd.DataFrame(rows), hide_index=True)
    right.caption(
        "Pearson correlation between a unit's activation after each character and the feature. "
        "|r| near 1: the unit is a detector for it. Set *Unit colouring the text* to −1 to colour the "
        "sample by the best one."
    )


write_panel()

st.subheader("What you are looking at")
a, b, c = st.columns(3)
a.markdown(
    "**Learning in stages.** The samples above go from noise, to the right letter frequencies, to "
    "short words, to whole lines. A tiny text such as the Zen gets memorised: perplexity on the "
    "training text falls towards 1 while perplexity on the held-out tail, lines it never saw, rises."
)
b.markdown(
    "**Temperature.** The model gives every character a score; the softmax turns scores into "
    "probabilities, after dividing them by T. Low T copies the likeliest path (and repeats itself); "
    "high T takes risks (and misspells). Greedy is the limit T → 0."
)
c.markdown(
    "**Interpretable units.** Nobody told the network about words, yet some units switch on inside "
    "words or just after a space, because that helps predict the next letter or space. The panel "
    "says how strongly: on texts this short, line position and quotes are tracked only weakly. "
    "Hover a coloured character to read the unit's value."
)
