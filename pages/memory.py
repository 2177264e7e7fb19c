import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.views.memory import EXPERIMENT
from rnnviz.views.memory.figures import memory_loss_curves, recall_film
from rnnviz.views.memory.lessons import (
    FILM_CAPTION,
    GRU_CAPTION,
    INTRO,
    ONE_VALUE,
    SOLVED,
    TABLE_CAPTION,
    TASK_TEXT,
    TRUNCATION_TEXT,
    click_to_train,
    gate_bias_paragraph,
    gates_paragraph,
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

headline, *findings = EXPERIMENT.findings(cfg, res)
ui.chart(
    memory_loss_curves(
        {cell: r.history for cell, r in res.runs.items()},
        res.chance_loss,
        SOLVED,
        headline.text,
        ONE_VALUE.get(res.task),
    )
)
for finding in findings:
    st.markdown(f"- {finding.text}")

st.subheader(table_title(cfg))
st.dataframe(pd.DataFrame(table_rows(cfg, res, lambda other: ui.cached(EXPERIMENT, other))), hide_index=True)
st.caption(TABLE_CAPTION)

st.subheader("What each cell answers, through training")
ui.chart(recall_film(res))
st.caption(FILM_CAPTION)

left, right = st.columns(2)
left.markdown(gates_paragraph(cfg))
right.markdown(TRUNCATION_TEXT)
