import dataclasses

import pandas as pd
import streamlit as st

from pages import ui
from rnnviz.core.cells import GRU_CONVENTION
from rnnviz.core.fit import FINAL_LOSS_TAIL
from rnnviz.core.fmt import percent
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import MEMORY_BUDGET_S, stop_note
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_LENGTHS, NOISE_STD
from rnnviz.views.memory.experiment import EVAL_BATCH, EXPERIMENT, MemoryConfig, live_view
from rnnviz.views.memory.figures import memory_loss_curves, recall_film
from rnnviz.views.memory.findings import FAILED, SOLVED, finding, table_row, task_name

PREFIX = "memory"
SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("What makes gated cells learn", ["gate_bias", "window"]),
    ("Training", ["hidden", "steps", "lr", "seed"]),
]

st.title("Long-range memory: RNN, LSTM and GRU side by side")
st.caption(
    "Can a network remember something for T steps? Each task hides the answer far back in the sequence; "
    "the loss at the end only falls if the gradient reaches back that far. A vanilla RNN, an LSTM and a GRU "
    "train on the same data, from the same seed, for the same number of steps."
)
cfg = ui.settings(MemoryConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()

task_text = {
    "copy": "**Copy-first.** Step 1 carries a value and a marker; then come T − 1 steps of noise "
    f"(standard deviation {NOISE_STD:g}). At the end the network must say the first value. Always answering 0 "
    f"scores a mean squared error of {CHANCE_LOSS['copy']:.3g}: chance.",
    "adding": "**Adding.** Every step carries a value in [0, 1]; two steps are marked, one in each half. "
    "At the end the network must say the sum of the two marked values. Always answering 1 scores "
    f"1/6 ≈ {CHANCE_LOSS['adding']:.3g}: chance.",
}
st.markdown(task_text[cfg.task])
gate, kept = memory_gate_retention(cfg.gate_bias, cfg.length)
st.markdown(
    f"**Memory-gate bias {cfg.gate_bias:g}.** It sets where the LSTM's forget gate and the GRU's update gate "
    f"start: σ({cfg.gate_bias:g}) = {gate:.3g}, so before any learning a cell keeps {gate:.3g} of its state per "
    f"step, and {kept:.2g} of it after {cfg.length} steps. The gradient rides back along the same gate, "
    "so this is also how much of the gradient survives the trip back. At bias 0 the gate starts at "
    f"{memory_gate_retention(0.0, 1)[0]:g}: half is lost at every step."
)
st.caption(
    f"The GRU in PyTorch's convention: ${GRU_CONVENTION}$, so z near 1 keeps the old state and a positive "
    "update-gate bias keeps memory. Many texts swap z and 1 − z; in theirs the bias would have to be negative."
)

res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train=f"Training three cells takes a while on this server (at most {MEMORY_BUDGET_S:g} s).",
    live=live_view(cfg),
)
ui.downloads(EXPERIMENT, cfg, res)
for cell, cell_run in res.runs.items():
    note = stop_note(cell, cell_run.history, cfg.steps)
    if note:
        st.warning(note, icon=":material/warning:")

if res.window is not None:
    st.info(
        f"Truncated BPTT: gradients flow back only {res.window} steps from the loss, but what must be "
        f"remembered can be up to {res.length - 1} steps back. No cell can learn a dependency longer than "
        "its window, whatever its gates.",
        icon=":material/content_cut:",
    )

st.plotly_chart(
    memory_loss_curves(
        {cell: r.history for cell, r in res.runs.items()},
        res.chance_loss,
        SOLVED,
        finding(res),
    )
)

st.subheader(f"Final loss against chance, {task_name(cfg.task).lower()}")
lengths = sorted({*MEMORY_LENGTHS[cfg.task], cfg.length})
rows = [
    table_row(
        length,
        res if length == cfg.length else ui.cached(EXPERIMENT, dataclasses.replace(cfg, length=length)),
    )
    for length in lengths
]
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption(
    f"Final loss is the mean over the last {percent(FINAL_LOSS_TAIL)} of training steps, each on fresh "
    f"sequences. Solved: below {SOLVED:g} × chance; failed: above {FAILED:g} × chance. Rows fill in as "
    "lengths are trained with these settings (change the length in the sidebar), here or by anyone else "
    "on this server."
)

st.subheader("What each cell answers, through training")
st.plotly_chart(recall_film(res))
st.caption(
    f"{EVAL_BATCH} held-out sequences, the same for every cell and every training step. Press Play, or "
    "drag the step slider, to watch the answers of each cell move from a flat line (the model answers "
    "the same for every sequence) onto the diagonal, or stay flat when the gradient never reaches step 1."
)

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
