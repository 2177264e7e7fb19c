import dataclasses

import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.dates import EXAMPLE as DATE_EXAMPLE
from rnnviz.core.dates import MAX_CHARS as DATE_CHARS
from rnnviz.views.attention import EXPERIMENT, answers, figures, lessons, tasks
from rnnviz.views.attention.cost import LENGTHS as COST_LENGTHS
from rnnviz.views.attention.experiment import SWEEP_LENGTHS, AttentionConfig
from rnnviz.views.attention.result import MODEL_NAMES

PREFIX = "attention"
SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("Networks", ["score", "hidden"]),
    ("Training", ["steps", "lr", "seed"]),
]

st.title("Attention: the bottleneck and the look back")
st.caption(
    "An encoder reads the input one token at a time; a decoder writes the answer. Without attention the "
    "decoder starts from the encoder's last state and sees nothing else: the whole input must squeeze "
    "through one vector. With attention it looks back at every input step before writing each token. "
    "Both networks below have the same GRUs, sizes, seed, batches and training steps."
)
cfg = ui.settings(AttentionConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()

st.markdown(lessons.task_sentence(cfg))
st.latex(lessons.ATTENTION_TEX[cfg.score])
st.caption(lessons.EQUATION_NOTE)

res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train=lessons.train_prompt(cfg),
    live=figures.live,
)
ui.downloads(EXPERIMENT, cfg, res)
ui.training_message(res.history)

columns = st.columns(4)
for column, (label, value) in zip(columns, lessons.headline(res).items(), strict=True):
    column.metric(label, value)

if len(res.history.timeline) > 1:
    st.plotly_chart(figures.position_film(res.history))
    st.caption(lessons.position_caption(res))
else:
    st.plotly_chart(figures.live(res.history))

example = answers.held_out_example(res)
st.subheader("Where the decoder looked")
if len(res.history.timeline) > 1:
    film = figures.alignment_film(
        res.history,
        example.source,
        example.written["attention"],
        example.expected,
        lessons.alignment_finding(res),
    )
    st.plotly_chart(film)
else:
    st.plotly_chart(
        figures.alignment(
            example.weights,
            example.source,
            example.written["attention"],
            example.expected,
            lessons.alignment_finding(res),
        )
    )
st.caption(lessons.alignment_caption(res, example))


@st.fragment
def typed_input() -> None:
    """The reader's own input: display only, answered by the cached networks."""
    st.subheader("Your own input")
    if cfg.task == "dates":
        st.caption(f"Type a date such as “{DATE_EXAMPLE}” (at most {DATE_CHARS} characters are read).")
    else:
        st.caption(f"Type up to {res.length} digits; the networks were trained on strings of {res.length}.")
    shown = ui.view_controls(AttentionConfig, PREFIX, ["text"])
    typed = tasks.read(shown.text, res.task, res.length)
    for note in typed.notes:
        st.info(ui.safe_text(note), icon=":material/keyboard:")
    answer = answers.typed_answer(res, typed)
    if answer is None:
        st.info("Type something above to see where the decoder looks.", icon=":material/keyboard:")
        return
    for name in MODEL_NAMES:
        st.markdown(f"**{MODEL_NAMES[name]}:** {ui.inline_code(''.join(answer.written[name]))}")
    if answer.expected is not None:
        st.markdown(f"**Right answer:** {ui.inline_code(''.join(answer.expected))}")
    st.plotly_chart(
        figures.alignment(
            answer.weights,
            answer.source,
            answer.written["attention"],
            answer.expected or answer.written["attention"],
            lessons.typed_finding(res, answer),
        )
    )


typed_input()

if cfg.task in tasks.DIGIT_TASKS:
    st.subheader("Where the plain network collapses")
    lengths = sorted({*SWEEP_LENGTHS, cfg.length})
    rows = [
        answers.sweep_row(
            length,
            res if length == cfg.length else ui.cached(EXPERIMENT, dataclasses.replace(cfg, length=length)),
        )
        for length in lengths
    ]
    st.plotly_chart(figures.sweep(rows, cfg.length))
    st.dataframe(pd.DataFrame(lessons.sweep_table(rows)), hide_index=True)
    st.caption(
        "Rows fill in as lengths are trained with these settings (change the string length in the sidebar), "
        "here or by anyone else on this server. Each is a full training of both networks."
    )

st.subheader("What recurrence costs, measured on this server")
st.plotly_chart(figures.cost(res.cost))
st.dataframe(pd.DataFrame(lessons.cost_table(res.cost)), hide_index=True)
st.caption(
    f"One sequence of each length T ({', '.join(map(str, COST_LENGTHS))}) through a GRU layer and a "
    f"self-attention layer of the same width ({cfg.hidden} units), timed on this machine while you waited; "
    "the attention-matrix size is read from the tensor the layer allocated."
)
left, right = st.columns(2)
left.markdown(lessons.WHEN_RNN)
right.markdown(lessons.WHEN_ATTENTION)

st.plotly_chart(figures.loss_curves(res.losses))
st.caption(f"Each network's own loss on the training batch of {tasks.BATCH} fresh examples at each step.")

ui.explain(
    "Why teacher forcing trains fast and greedy decoding cannot", lambda: st.markdown(lessons.TEACHER_FORCING)
)
ui.explain("Why the plain network fails on long strings", lambda: st.markdown(lessons.BOTTLENECK))
