"""What the memory view's numbers mean, in words: solved or failed against chance, one line per finding."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rnnviz.core.cells import CELL_TABLE
from rnnviz.core.fmt import percent
from rnnviz.core.memory_model import COMPARED_CELLS
from rnnviz.core.memory_tasks import MEMORY_TASKS

if TYPE_CHECKING:
    from rnnviz.views.memory.experiment import MemoryResult

SOLVED = 0.1
"""A cell has solved the task when its final loss is below this share of the chance loss."""
FAILED = 0.5
"""...and has failed it when its final loss is still above this share."""

ANSWERS = {"copy": "first value", "adding": "sum of the marked values"}
"""What the network must say at the end of a sequence of each task."""


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
