"""The memory view's prose and verdicts: what each task asks, how the gate bias starts the cells, and what
the numbers mean (solved or failed against chance), one line per finding."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from rnnviz.core.cells import CELL_TABLE, GRU_CONVENTION
from rnnviz.core.fit import FINAL_LOSS_TAIL
from rnnviz.core.fmt import percent
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import COMPARED_CELLS, memory_budget_s
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_LENGTHS, MEMORY_TASKS, NOISE_STD
from rnnviz.views.memory.result import MemoryResult
from rnnviz.views.memory.settings import EVAL_BATCH, MemoryConfig

INTRO = (
    "Can a network remember something for T steps? Each task hides the answer far back in the sequence; "
    "the loss at the end only falls if the gradient reaches back that far. A vanilla RNN, an LSTM and a GRU "
    "train on the same data, from the same seed, for the same number of steps."
)

SOLVED = 0.1
"""A cell has solved the task when its final loss is below this share of the chance loss."""
FAILED = 0.5
"""...and has failed it when its final loss is still above this share."""

ANSWERS = {"copy": "first value", "adding": "sum of the marked values"}
"""What the network must say at the end of a sequence of each task."""

TASK_TEXT = {
    "copy": "**Copy-first.** Step 1 carries a value and a marker; then come T − 1 steps of noise "
    f"(standard deviation {NOISE_STD:g}). At the end the network must say the first value. Always answering 0 "
    f"scores a mean squared error of {CHANCE_LOSS['copy']:.3g}: chance.",
    "adding": "**Adding.** Every step carries a value in [0, 1]; two steps are marked, one in each half. "
    "At the end the network must say the sum of the two marked values. Always answering 1 scores "
    f"1/6 ≈ {CHANCE_LOSS['adding']:.3g}: chance.",
}

GRU_CAPTION = (
    f"The GRU in PyTorch's convention: ${GRU_CONVENTION}$, so z near 1 keeps the old state and a positive "
    "update-gate bias keeps memory. Many texts swap z and 1 − z; in theirs the bias would have to be negative."
)

TABLE_CAPTION = (
    f"Final loss is the mean over the last {percent(FINAL_LOSS_TAIL)} of training steps, each on fresh "
    f"sequences. Solved: below {SOLVED:g} × chance; failed: above {FAILED:g} × chance. Rows fill in as "
    "lengths are trained with these settings (change the length in the sidebar), here or by anyone else "
    "on this server."
)

FILM_CAPTION = (
    f"{EVAL_BATCH} held-out sequences, the same for every cell and every training step. Press Play, or "
    "drag the step slider, to watch the answers of each cell move from a flat line (the model answers "
    "the same for every sequence) onto the diagonal, or stay flat when the gradient never reaches step 1."
)


def click_to_train() -> str:
    return f"Training three cells takes a while on this server (at most {memory_budget_s():g} s)."


def gate_bias_paragraph(cfg: MemoryConfig) -> str:
    """Where the memory gate starts, and how much of the state (and of the gradient) survives T steps of it."""
    gate, kept = memory_gate_retention(cfg.gate_bias, cfg.length)
    return (
        f"**Memory-gate bias {cfg.gate_bias:g}.** It sets where the LSTM's forget gate and the GRU's update gate "
        f"start: σ({cfg.gate_bias:g}) = {gate:.3g}, so before any learning a cell keeps {gate:.3g} of its state "
        f"per step, and {kept:.2g} of it after {cfg.length} steps. The gradient rides back along the same gate, "
        "so this is also how much of the gradient survives the trip back. At bias 0 the gate starts at "
        f"{memory_gate_retention(0.0, 1)[0]:g}: half is lost at every step."
    )


def truncation_note(window: int, length: int) -> str:
    return (
        f"Truncated BPTT: gradients flow back only {window} steps from the loss, but what must be "
        f"remembered can be up to {length - 1} steps back. No cell can learn a dependency longer than "
        "its window, whatever its gates."
    )


def verdict(loss: float, chance: float) -> str:
    if not math.isfinite(loss):
        return "diverged"
    if loss < SOLVED * chance:
        return "solved"
    if loss > FAILED * chance:
        return "failed"
    return "partly"


def task_name(task: str) -> str:
    """'Copy-first' from 'Copy-first: recall the first value'."""
    return MEMORY_TASKS[task].split(":")[0]


def finding(res: MemoryResult) -> str:
    """What the numbers show, in one line: each cell's final loss as a share of chance, and its verdict."""
    parts = [
        f"{CELL_TABLE[cell].short} {percent(res.ratio(cell))} ({verdict(run.final_loss, res.chance_loss)})"
        for cell, run in res.runs.items()
    ]
    return f"{task_name(res.task)}, T = {res.length}, final loss vs chance: " + ", ".join(parts)


def table_title(cfg: MemoryConfig) -> str:
    return f"Final loss against chance, {task_name(cfg.task).lower()}"


def table_row(length: int, res: MemoryResult | None) -> dict[str, object]:
    """One row of the results table: each cell's final loss as a share of chance, with its verdict."""
    row: dict[str, object] = {"Length T": length}
    for cell in COMPARED_CELLS:
        if res is None:
            row[CELL_TABLE[cell].short] = "not trained yet"
        else:
            loss = res.runs[cell].final_loss
            row[CELL_TABLE[cell].short] = (
                f"{percent(loss / res.chance_loss)} of chance · {verdict(loss, res.chance_loss)}"
            )
    return row


def table_rows(
    cfg: MemoryConfig, res: MemoryResult, cached: Callable[[MemoryConfig], MemoryResult | None]
) -> list[dict[str, object]]:
    """The task's usual lengths and this one, each filled from ``cached`` (results trained already) if it can be."""
    lengths = sorted({*MEMORY_LENGTHS[cfg.task], cfg.length})
    return [
        table_row(length, res if length == cfg.length else cached(dataclasses.replace(cfg, length=length)))
        for length in lengths
    ]
