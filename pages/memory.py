import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.views.memory import EXPERIMENT
from rnnviz.views.memory.figures import memory_loss_curves, recall_film
from rnnviz.views.memory.lessons import (
    FILM_CAPTION,
    GRU_CAPTION,
    INTRO,
    SOLVED,
    TABLE_CAPTION,
    TASK_TEXT,
    click_to_train,
    finding,
    gate_bias_paragraph,
    table_rows,
    table_title,
)
from rnnviz.views.memory.settings import MemoryConfig

SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("What makes gated cells learn", ["gate_bias", "window"]),
    ("Training", ["hidden", "steps", "lr", "seed"]),
]


def explain_task(cfg: MemoryConfig) -> None:
    """What will be trained, read before pressing Train: the task and where the memory gates start."""
    st.markdown(TASK_TEXT[cfg.task])
    st.markdown(gate_bias_paragraph(cfg))
    st.caption(GRU_CAPTION)


cfg, res = ui.page(
    EXPERIMENT,
    intro=INTRO,
    groups=SETTING_GROUPS,
    before_run=explain_task,
    click_to_train=click_to_train(),
)

st.plotly_chart(
    memory_loss_curves(
        {cell: r.history for cell, r in res.runs.items()}, res.chance_loss, SOLVED, finding(res)
    )
)

st.subheader(table_title(cfg))
st.dataframe(pd.DataFrame(table_rows(cfg, res, lambda other: ui.cached(EXPERIMENT, other))), hide_index=True)
st.caption(TABLE_CAPTION)

st.subheader("What each cell answers, through training")
st.plotly_chart(recall_film(res))
st.caption(FILM_CAPTION)

left, right = st.columns(2)
left.markdown(
    "**Why the gates win.** The vanilla RNN's gradient is multiplied by W_hh and a tanh slope at every "
    "step back, so after 100 steps almost nothing of the loss reaches step 1 (see the gradients view). "
    "The LSTM's cell state and the GRU's state are updated by *adding*, gated by f or z: with the gate "
    "near 1 the gradient passes almost unchanged, and the network can learn what to write at step 1."
)
right.markdown(
    "**Truncated BPTT.** Long sequences are often trained by cutting the backward pass after k steps. "
    "The forward pass still sees everything, but the gradient cannot reach a cause more than k steps "
    "before the loss. Set the window below the length and watch every cell fall to chance."
)
