import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.views.attention import EXPERIMENT
from rnnviz.views.attention.answers import held_out_example, sweep_rows, typed_answer
from rnnviz.views.attention.figures import (
    accuracy_figure,
    alignment,
    cost,
    example_alignment,
    loss_curves,
    sweep,
)
from rnnviz.views.attention.lessons import (
    ATTENTION_TEX,
    EQUATION_NOTE,
    INTRO,
    LOSS_CAPTION,
    SWEEP_CAPTION,
    TEACHER_FORCING,
    TYPE_SOMETHING,
    WHEN_ATTENTION,
    WHEN_RNN,
    alignment_caption,
    attention_vs_plain,
    bottleneck,
    cost_caption,
    cost_table,
    headline,
    position_caption,
    sweep_table,
    task_sentence,
    train_prompt,
    typed_finding,
    typed_prompt,
    where_attention_looks,
)
from rnnviz.views.attention.result import MODEL_NAMES
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.tasks import DIGIT_TASKS, read

SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("Networks", ["score", "hidden"]),
    ("Training", ["steps", "lr", "seed"]),
]


def task_and_equations(cfg: AttentionConfig) -> None:
    """What the reader sees before pressing Train: the task and both networks' equations."""
    st.markdown(task_sentence(cfg))
    st.latex(ATTENTION_TEX[cfg.score])
    st.caption(EQUATION_NOTE)


cfg, res = ui.page(
    EXPERIMENT,
    intro=INTRO,
    groups=SETTING_GROUPS,
    before_run=task_and_equations,
    click_to_train=train_prompt,
)

columns = st.columns(4)
for column, (label, value) in zip(columns, headline(res).items(), strict=True):
    column.metric(label, value)
st.markdown(attention_vs_plain(res).text)

ui.chart(accuracy_figure(res.history))
if len(res.history.timeline) > 1:
    st.caption(position_caption(res))

example = held_out_example(res)
st.subheader("Where the decoder looked")
ui.chart(example_alignment(res.history, example, where_attention_looks(res).text))
st.caption(alignment_caption(res, example))


@st.fragment
def typed_input() -> None:
    """The reader's own input: display only, answered by the cached networks."""
    st.subheader("Your own input")
    st.caption(typed_prompt(cfg, res))
    shown = ui.view_controls(EXPERIMENT, ["text"])
    typed = read(shown.text, res.task, res.length)
    for note in typed.notes:
        st.info(ui.safe_text(note), icon=":material/keyboard:")
    answer = typed_answer(res, typed)
    if answer is None:
        st.info(TYPE_SOMETHING, icon=":material/keyboard:")
        return
    for name in MODEL_NAMES:
        st.markdown(f"**{MODEL_NAMES[name]}:** {ui.inline_code(''.join(answer.written[name]))}")
    if answer.expected is not None:
        st.markdown(f"**Right answer:** {ui.inline_code(''.join(answer.expected))}")
    ui.chart(
        alignment(
            answer.weights,
            answer.source,
            answer.written["attention"],
            answer.expected or answer.written["attention"],
            typed_finding(res, answer),
        )
    )


typed_input()

if cfg.task in DIGIT_TASKS:
    st.subheader("Accuracy against string length")
    rows = sweep_rows(cfg, res, lambda other: ui.cached(EXPERIMENT, other))
    ui.chart(sweep(rows, cfg.length))
    st.dataframe(pd.DataFrame(sweep_table(rows)), hide_index=True)
    st.caption(SWEEP_CAPTION)

st.subheader("What recurrence costs, measured on this server")
ui.chart(cost(res.cost))
st.dataframe(pd.DataFrame(cost_table(res.cost)), hide_index=True)
st.caption(cost_caption(cfg))
left, right = st.columns(2)
left.markdown(WHEN_RNN)
right.markdown(WHEN_ATTENTION)

ui.chart(loss_curves(res.losses))
st.caption(LOSS_CAPTION)

ui.explain("Why teacher forcing trains fast and greedy decoding cannot", lambda: st.markdown(TEACHER_FORCING))
ui.explain("Why one state is a bottleneck", lambda: st.markdown(bottleneck(res).text))
