"""The memory view's prose and claims: what each task asks, how the gate bias starts the cells, and what
this run's numbers show (each cell solved, partly or failed against chance, and which cell beat which),
every finding decided on the held-out sequences with its 95% interval."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from itertools import combinations

import numpy as np

from rnnviz.core.cells import CELL_TABLE, GRU_CONVENTION
from rnnviz.core.claims import Claim, Interval, claim, comparison, paired_bootstrap
from rnnviz.core.fit import History
from rnnviz.core.fmt import percent
from rnnviz.core.init import memory_gate_retention
from rnnviz.core.memory_model import COMPARED_CELLS, MEMORY_CELLS, memory_budget_s
from rnnviz.core.memory_model import stop_mark as memory_stop_mark
from rnnviz.core.memory_tasks import CHANCE_LOSS, MEMORY_LENGTHS, MEMORY_TASKS, NOISE_STD
from rnnviz.views.memory.result import MemoryResult
from rnnviz.views.memory.settings import EVAL_BATCH, MemoryConfig

INTRO = (
    "Can a network remember something for T steps? Each task hides the answer far back in the sequence; "
    "the loss at the end only falls if the gradient reaches back that far. A vanilla RNN, an LSTM and a GRU "
    "train on the same data, from the same seed, for the same number of steps."
)

SOLVED = 0.1
"""A cell has solved the task when the 95% interval of its held-out loss lies below this share of chance..."""
FAILED = 0.75
"""...and has failed it when the interval lies above this share: halfway between chance and the adding task's
one-value level (ONE_VALUE), so that a network remembering one of the two values is never called failed
because of noise, nor a network at chance called partly."""

ONE_VALUE = {"adding": (1 / 12) / CHANCE_LOSS["adding"]}
"""Loss, as a share of chance, of a network that remembers only one of the adding task's two marked values:
it answers that value plus 0.5 for the other, whose error is Var(U) = 1/12, half of chance (1/6)."""

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
    f"Held-out loss on {EVAL_BATCH} sequences no training batch contained, as a share of chance, with its 95% "
    f"interval (bootstrap over the sequences). Solved: the whole interval below {SOLVED:g} × chance; failed: "
    f"the whole interval above {FAILED:g} × chance; partly: in between; borderline: the interval straddles "
    "a line, so this run cannot tell. Rows fill in as lengths are trained with these settings (change the "
    "length in the sidebar), here or by anyone else on this server."
)

FILM_CAPTION = (
    f"{EVAL_BATCH} held-out sequences, the same for every cell and every training step. Press Play, or "
    "drag the step slider, to watch the answers of each cell move from a flat line (the model answers "
    "the same for every sequence) onto the diagonal, or stay flat when the gradient never reaches back "
    "to what must be remembered."
)

TRUNCATION_TEXT = (
    "**Truncated BPTT.** Long sequences are often trained by cutting the backward pass after k steps. "
    "The forward pass still sees everything, but the gradient cannot reach a cause more than k steps "
    "before the loss. Set the window below the length: what lies further back can no longer be learned."
)


def click_to_train() -> str:
    return f"Training three cells takes a while on this server (at most {memory_budget_s():g} s)."


def gates_paragraph(cfg: MemoryConfig) -> str:
    """How the gradient reaches the start of a sequence in each cell: the mechanism, not this run's outcome."""
    return (
        "**How the gates carry the gradient.** The vanilla RNN's gradient is multiplied by W_hh and a tanh "
        f"slope at every step back, {cfg.length - 1} times on the way from the loss to step 1, so it can "
        "shrink to almost nothing (the gradients view measures how far). The LSTM's cell state and the GRU's "
        "state are updated by *adding*, gated by f or z: with the gate near 1 the gradient passes almost "
        "unchanged, and the network can learn what to write at step 1."
    )


def gate_bias_paragraph(cfg: MemoryConfig) -> str:
    """Where the memory gate starts, and how much of the state (and of the gradient) survives the T − 1 gates
    between step 1 and the end."""
    through = cfg.length - 1
    gate, kept = memory_gate_retention(cfg.gate_bias, through)
    return (
        f"**Memory-gate bias {cfg.gate_bias:g}.** It sets where the LSTM's forget gate and the GRU's update gate "
        f"start: σ({cfg.gate_bias:g}) = {gate:.3g}, so before any learning a cell keeps {gate:.3g} of its state "
        f"per step, and {kept:.2g} of what it wrote at step 1 after the {through} gates that follow. The "
        "gradient rides back along the same gates, so this is also how much of the gradient survives the trip "
        f"back. At bias 0 the gate starts at {memory_gate_retention(0.0, 1)[0]:g}: half is lost at every step."
    )


def truncation_note(window: int, length: int) -> str:
    return (
        f"Truncated BPTT: gradients flow back only {window} steps from the loss, but what must be "
        f"remembered can be up to {length - 1} steps back. No cell can learn a dependency longer than "
        "its window, whatever its gates."
    )


def stop_mark(history: History, steps: int) -> str:
    mark = memory_stop_mark(history, steps)
    return f" · {mark}" if mark else ""


def task_name(task: str) -> str:
    """'Copy-first' from 'Copy-first: recall the first value'."""
    return MEMORY_TASKS[task].split(":")[0]


def share_of_chance(res: MemoryResult, cell: str) -> Interval:
    """The cell's held-out loss over chance, with a 95% bootstrap interval over the held-out sequences."""
    errors = res.runs[cell].errors.astype(np.float64) / res.chance_loss
    if not np.all(np.isfinite(errors)):
        return Interval(math.inf, math.inf, math.inf)
    return paired_bootstrap(errors, np.zeros_like(errors))


def verdict_of(e: dict[str, float]) -> str:
    """Solved, partly or failed, only where the whole interval is on one side of a line; else borderline."""
    if e["diverged"]:
        return "diverged"
    if e["share_high"] < e["solved"]:
        return "solved"
    if e["share_low"] > e["failed"]:
        return "failed"
    if e["share_low"] > e["solved"] and e["share_high"] < e["failed"]:
        return "partly"
    return "borderline"


def _share_evidence(res: MemoryResult, cell: str) -> dict[str, float]:
    share = share_of_chance(res, cell)
    evidence = {
        "share": share.estimate,
        "share_low": share.low,
        "share_high": share.high,
        "solved": SOLVED,
        "failed": FAILED,
        "diverged": float(not math.isfinite(share.estimate)),
    }
    if res.task in ONE_VALUE:
        evidence["one_value"] = ONE_VALUE[res.task]
    return evidence


def verdict(res: MemoryResult, cell: str) -> str:
    return verdict_of(_share_evidence(res, cell))


def _share_text(e: dict[str, float]) -> str:
    return f"{percent(e['share'])} of chance (95% interval {percent(e['share_low'])} to {percent(e['share_high'])})"


def _verdict_sentence(cell: str, e: dict[str, float]) -> str:
    """What the cell did, in a sentence: its verdict, its share of chance and the line it is measured against."""
    name = MEMORY_CELLS[cell]
    got = verdict_of(e)
    if got == "diverged":
        return f"{name} diverged: its answers are not finite numbers."
    loss = f"held-out loss {_share_text(e)}"
    if got == "solved":
        return f"{name} solved it: {loss}, all below the {SOLVED:g} × chance line."
    if got == "failed":
        return f"{name} failed: {loss}, all above {FAILED:g} × chance."
    if got == "borderline":
        return f"{name} is borderline: {loss} straddles a line ({SOLVED:g} or {FAILED:g} × chance), so this run cannot tell."
    sentence = f"{name} partly remembers: {loss}, between {SOLVED:g} and {FAILED:g} × chance."
    if "one_value" in e and e["share_low"] <= e["one_value"] <= e["share_high"]:
        sentence += (
            f" That is where a network that remembers only one of the two marked values lands "
            f"({percent(e['one_value'])} of chance)."
        )
    return sentence


def cell_claim(res: MemoryResult, cell: str) -> Claim:
    """Did this cell solve the task? The sentence says what it did if not: partly, failed, borderline, diverged."""
    e = _share_evidence(res, cell)
    return claim(
        f"{cell}_solves",
        lambda e: not e["diverged"] and e["share_high"] < e["solved"],
        _verdict_sentence(cell, e),
        _verdict_sentence(cell, e),
        **e,
    )


def headline_claim(res: MemoryResult) -> Claim:
    """The view's finding: the gated cells remember and the vanilla RNN does not, each by its whole interval."""
    where = f"{task_name(res.task)}, T = {res.length}"
    evidence = {
        f"{cell}_{k}": v
        for cell in COMPARED_CELLS
        for k, v in _share_evidence(res, cell).items()
        if "share" in k
    }
    shares = {cell: percent(evidence[f"{cell}_share"]) for cell in COMPARED_CELLS}
    listed = ", ".join(f"{CELL_TABLE[c].short} {shares[c]} ({verdict(res, c)})" for c in COMPARED_CELLS)
    return claim(
        "gates_remember",
        lambda e: (
            e["lstm_share_high"] < e["solved"]
            and e["gru_share_high"] < e["solved"]
            and e["rnn_share_low"] > e["failed"]
        ),
        f"{where}: the LSTM ({shares['lstm']} of chance) and the GRU ({shares['gru']}) remember, the vanilla "
        f"RNN ({shares['rnn']}) does not",
        f"{where}, held-out loss vs chance: {listed}",
        solved=SOLVED,
        failed=FAILED,
        **evidence,
    )


def pair_claim(res: MemoryResult, first: str, second: str) -> Claim:
    """Which of two cells answers the same held-out sequences better, with a paired bootstrap interval."""
    a, b = res.runs[first].errors, res.runs[second].errors
    names = CELL_TABLE[first].short, CELL_TABLE[second].short
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return claim(
            f"{first}_vs_{second}",
            lambda e: False,
            "",
            f"{names[0]} and {names[1]} cannot be compared: one of them diverged.",
            first_finite=float(np.all(np.isfinite(a))),
            second_finite=float(np.all(np.isfinite(b))),
        )
    return comparison(
        f"{first}_vs_{second}",
        *names,
        paired_bootstrap(a, b),
        better="lower",
        measure=f"squared error over {EVAL_BATCH} held-out sequences",
        first_loss=float(np.mean(a)),
        second_loss=float(np.mean(b)),
    )


def truncation_claim(res: MemoryResult) -> Claim:
    """With a window shorter than the task: did every cell fail, as nothing beyond the window is learnable?"""
    evidence = {f"{cell}_share_low": _share_evidence(res, cell)["share_low"] for cell in COMPARED_CELLS}
    listed = ", ".join(f"{CELL_TABLE[c].short} {verdict(res, c)}" for c in COMPARED_CELLS)
    return claim(
        "window_cuts_memory",
        lambda e: all(e[f"{c}_share_low"] > e["failed"] for c in COMPARED_CELLS),
        f"With gradients cut {res.window} steps before the loss, every cell failed ({listed}).",
        f"With gradients cut {res.window} steps before the loss, not every cell failed ({listed}): what lies "
        "within the window can still be learned.",
        failed=FAILED,
        window=float(res.window),
        **evidence,
    )


def claims(cfg: MemoryConfig, res: MemoryResult) -> list[Claim]:
    """Every finding the page states, headline first: the verdict line, each cell's, each pair's, truncation's."""
    out = [headline_claim(res), *(cell_claim(res, cell) for cell in COMPARED_CELLS)]
    out += [pair_claim(res, a, b) for a, b in _pairs()]
    if res.window is not None:
        out.append(truncation_claim(res))
    return out


def _pairs() -> list[tuple[str, str]]:
    """Each gated cell against the vanilla one, then the gated cells against each other."""
    gated = [c for c in COMPARED_CELLS if c != "rnn"]
    return [(c, "rnn") for c in gated] + list(combinations(gated, 2))


def table_title(cfg: MemoryConfig) -> str:
    return f"Held-out loss against chance, {task_name(cfg.task).lower()}"


def table_cell(res: MemoryResult, cell: str, steps: int) -> str:
    e = _share_evidence(res, cell)
    return f"{_share_text(e)} · {verdict_of(e)}{stop_mark(res.runs[cell].history, steps)}"


def table_row(length: int, res: MemoryResult | None, steps: int) -> dict[str, object]:
    """One row of the results table: each cell's held-out loss as a share of chance, its verdict and its stop."""
    row: dict[str, object] = {"Length T": length}
    for cell in COMPARED_CELLS:
        row[CELL_TABLE[cell].short] = "not trained yet" if res is None else table_cell(res, cell, steps)
    return row


def table_rows(
    cfg: MemoryConfig, res: MemoryResult, cached: Callable[[MemoryConfig], MemoryResult | None]
) -> list[dict[str, object]]:
    """The task's usual lengths and this one, each filled from ``cached`` (results trained already) if it can be."""
    lengths = sorted({*MEMORY_LENGTHS[cfg.task], cfg.length})
    return [
        table_row(
            length,
            res if length == cfg.length else cached(dataclasses.replace(cfg, length=length)),
            cfg.steps,
        )
        for length in lengths
    ]
