"""What the gates page says in words and equations, computed from one result and one inspected sequence,
and the findings (claims) this run's numbers decide."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import CARRIED, CELLS, GATE_NAMES, GRU_CONVENTION, MEMORY_GATE
from rnnviz.core.claims import Claim, Interval, claim, comparison, paired_bootstrap
from rnnviz.core.equations import MAX_UNITS as EQUATION_UNITS
from rnnviz.core.equations import step_latex
from rnnviz.core.fmt import sentence_case
from rnnviz.core.reviews import corpus_path, rotten_tomatoes
from rnnviz.views.gates.gating import SATURATION_MARGIN, highway, saturated_share
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.reading import Inspection, Reading, inspect_sequence
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import BATCH

INTRO = (
    "Gates are small sigmoid switches, one per unit and per step, that decide what a gated cell writes, "
    "keeps and shows. Train one on a task and watch whether the switches snap to open or shut."
)
FINDING = (
    "Train a gated cell and see whether its gates become switches, fully open or shut, and how much of a "
    "memory, and of a gradient, a memory gate near 1 carries across many steps."
)


def sentiment_training() -> str:
    """Said before the sentiment task trains (the page waits for a click): the corpus and budget, read now."""
    corpus = (
        f"the {len(rotten_tomatoes()):,} sentences of its review corpus"
        if corpus_path() is not None
        else "its review corpus"
    )
    return (
        f"The sentiment task reads the sentiment view's classifier. Training it reads {corpus}, split by "
        f"movie into training, validation and test sentences, and stops at the {training_budget_s():g} s "
        "compute budget at the latest, once: both views then share it."
    )


MEMORY_UPDATE = {"lstm": r"c_t = f_t \odot c_{t-1} + i_t \odot g_t", "gru": GRU_CONVENTION}
"""The line of each cell's update where the memory gate multiplies the old state (PyTorch's equations)."""

SATURATED = f"below {SATURATION_MARGIN:g} or above {1 - SATURATION_MARGIN:g}"
"""What 'saturated' means for a sigmoid gate, in words."""

GRU_CONVENTION_NOTE = (
    "PyTorch's GRU keeps the old state where z is near 1. Many texts write the update with z and "
    "1 − z swapped; there z near 0 keeps memory, so 'a high update-gate bias keeps memory' holds in "
    "PyTorch's convention only."
)
GRU_CONVENTION_INFO = (
    f"PyTorch's GRU convention, used throughout this page: ${GRU_CONVENTION}$. {GRU_CONVENTION_NOTE}"
)


def shared_classifier_note(cell: str, hidden: int, input_size: int) -> str:
    """What the sentiment task shows: not a network of its own, but the sentiment view's, shared."""
    return (
        f"This is the sentiment view's {CELLS[cell]} classifier ({hidden} units, reading {input_size}-number "
        "word vectors), trained there once and shared; its training film plays on the sentiment page."
    )


@dataclass(frozen=True)
class Stat:
    """One number of the page's headline row: its label, value, change and what it means."""

    label: str
    value: str
    help: str
    delta: str | None = None


def headline_stats(res: GatesResult) -> tuple[Stat, ...]:
    """Held-out loss, saturated share, parameter count and training time, each with how to read it."""
    trained, untrained = saturated_share(res.trained.saturation), saturated_share(res.untrained.saturation)
    return (
        Stat(
            "Held-out loss",
            f"{res.trained.held_out_loss:.3g}",
            f"{res.loss_name.capitalize()} on {held_out(res)} held-out {items(res)}. Guessing the best constant "
            f"scores {res.chance_loss:.3g}; the untrained network scores {res.untrained.held_out_loss:.3g}.",
        ),
        Stat(
            "Saturated gate values",
            f"{trained:.0%}",
            f"Share of sigmoid-gate values {SATURATED} on the held-out {items(res)}.",
            delta=f"{100 * (trained - untrained):+.0f} points vs untrained",
        ),
        Stat(f"{CELLS[res.cell]} parameters", f"{res.params[res.cell]['total']:,}", "Recurrent layer only."),
        Stat(
            "Training time",
            f"{res.history.seconds:.1f} s",
            "Trained by the sentiment view."
            if res.task == "sentiment"
            else f"{res.history.steps} Adam steps of {BATCH} sequences.",
        ),
    )


def keep_path(reading: Reading, cell: str) -> np.ndarray:
    """(time, units): the product of memory-gate values from step 1 to each step (see gating.highway)."""
    return highway(reading.gates[MEMORY_GATE[cell]])


@dataclass(frozen=True)
class KeptMemory:
    """How much of step 1's carried state survives to the last step along the memory-gate path."""

    unit: int
    """Of the units drawn, the one the trained network keeps best."""
    trained: float
    untrained: float


def kept_memory(ins: Inspection, cell: str, units: tuple[int, ...]) -> KeptMemory:
    trained = keep_path(ins.trained, cell)[-1]
    untrained = keep_path(ins.untrained, cell)[-1]
    unit = max(units, key=lambda u: trained[u])
    return KeptMemory(unit=unit, trained=float(trained[unit]), untrained=float(untrained[unit]))


def step_equations(res: GatesResult, ins: Inspection, t: int, units: tuple[int, ...]) -> list[str]:
    """The trained network's equations at step ``t`` (0-based) with its own numbers.

    Small states are written out in full; larger ones only in the rows of ``units``.
    """
    r = ins.trained
    zeros = np.zeros_like(r.h[0])
    rows = None if r.h.shape[1] <= EQUATION_UNITS else np.array(sorted(units))
    return step_latex(
        res.cell,
        t=t + 1,
        token=ins.tokens[t],
        weights=res.trained.weights,
        x=r.x[t],
        h_prev=r.h[t - 1] if t else zeros,
        c_prev=(r.c[t - 1] if t else zeros) if r.c is not None else None,
        gates={g: v[t] for g, v in r.gates.items()},
        pre={g: v[t] for g, v in r.pre.items()},
        h=r.h[t],
        c=r.c[t] if r.c is not None else None,
        units=rows,
    )


def answer_summary(task: str, ins: Inspection) -> str:
    """One sentence comparing the two networks' answers with the truth on the inspected sequence."""
    if task == "copy":
        return (
            f"The value to recall is {ins.target[0]:.2f}. After the last step the trained network answers "
            f"{ins.trained.prediction[-1]:.2f}; the untrained one {ins.untrained.prediction[-1]:.2f}."
        )
    if task == "sentiment":
        truth = (
            ""
            if np.isnan(ins.target[-1])
            else (f" The review is labelled {'positive' if ins.target[-1] > 0.5 else 'negative'}.")
        )
        return (
            f"After the last word the trained classifier gives P(positive) = {ins.trained.prediction[-1]:.2f}; "
            f"the untrained one {ins.untrained.prediction[-1]:.2f}.{truth}"
        )
    steps = len(ins.target)
    right = {
        name: int(np.sum(np.round(r.prediction) == ins.target))
        for name, r in (("trained", ins.trained), ("untrained", ins.untrained))
    }
    return (
        f"Rounded to a whole number, the trained network gives the right depth at {right['trained']} of "
        f"{steps} steps; the untrained one at {right['untrained']}."
    )


def items(res: GatesResult) -> str:
    return "sentences" if res.task == "sentiment" else "sequences"


def held_out(res: GatesResult) -> int:
    """How many held-out items scored the networks (fewer sentences than HELD_OUT when the test set is small)."""
    return len(res.trained.item_loss)


def belt_text(cell: str, steps: int, kept: KeptMemory) -> tuple[str, str]:
    """The conveyor belt in words and the derivative along it in LaTeX (what training did: memory_path)."""
    keep = MEMORY_GATE[cell]
    carried = CARRIED[cell]
    words = (
        f"The {GATE_NAMES[keep]} multiplies the old state on its way forward. Along that path alone, the "
        f"derivative of the last state with respect to the first is the product of the {keep} values: "
        f"what is left of step 1's memory at step {steps}, and the factor by which a gradient sent back from "
        f"step {steps} reaches step 1. Of the units drawn, unit {kept.unit} keeps the most:"
    )
    latex = (
        rf"\left.\frac{{\partial {carried}_{{{steps}}}}}{{\partial {carried}_1}}\right|"
        rf"_{{\text{{{carried} path, unit {kept.unit}}}}}"
        rf" = \prod_{{t=2}}^{{{steps}}} {keep}_t = {kept.trained:.3g}\ \text{{trained}},\quad"
        rf" {kept.untrained:.3g}\ \text{{untrained}}"
    )
    return words, latex


def block_latex(res: GatesResult) -> str:
    """The parameters of one weight block, counted with this network's sizes."""
    hidden, inputs, block = res.hidden, res.input_size, res.params["rnn"]["total"]
    return (
        rf"\text{{one block}} = \underbrace{{H \cdot I}}_{{W}} + \underbrace{{H \cdot H}}_{{U}} + "
        rf"\underbrace{{2H}}_{{b}} = {hidden}\cdot{inputs} + {hidden}\cdot{hidden} + 2\cdot{hidden} = {block}"
    )


def cell_comparison(res: GatesResult, measured: Claim) -> str:
    """RNN, LSTM or GRU: their parameter counts here, and what this run measured (the ``learned`` claim)."""
    lstm, gru, rnn = (res.params[c]["total"] for c in ("lstm", "gru", "rnn"))
    blocks = {cell: len(row["blocks"]) for cell, row in res.params.items()}
    other = "gru" if res.cell == "lstm" else "lstm"
    return (
        f"- **GRU**: {blocks['gru']} blocks, so always exactly {1 - gru / lstm:.0%} fewer parameters than an "
        f"LSTM of the same size ({gru:,} vs {lstm:,} here), and one state vector instead of two. Its update "
        "gate z is the memory gate: its conveyor belt is the hidden state itself.\n"
        f"- **LSTM**: {blocks['lstm']} blocks ({lstm:,} parameters). The separate cell state keeps a memory "
        "while the output gate decides how much of it to show.\n"
        f"- **Vanilla RNN**: {blocks['rnn']} block ({rnn:,} parameters) and no memory gate, so nothing protects "
        "a memory from being rewritten at every step; fine for short dependencies, and the gradients view "
        "shows how it fails on long ones.\n\n"
        f"**Measured here**, for the {CELLS[res.cell]} after {res.history.seconds:.1f} s of training: "
        f"{measured.text} Switch *Cell* to {CELLS[other]} to measure it on the same seed and data; whether "
        "the GRU's smaller size costs anything is a question each task answers for itself."
    )


# Findings: each decided by this run's numbers (core.claims), headline first.


def _capitalised(found: Claim) -> Claim:
    """A comparison's sentence with a capital letter: it opens with whichever side won."""
    return dataclasses.replace(found, text=sentence_case(found.text))


def _points(interval: Interval) -> str:
    """A difference of two shares and its interval, in percentage points."""
    return (
        f"(difference {100 * interval.estimate:+.1f} points, 95% interval {100 * interval.low:+.1f} to "
        f"{100 * interval.high:+.1f})"
    )


def _advice(res: GatesResult) -> str:
    if res.task == "sentiment":
        return "The sentiment view's settings decide how this classifier was trained."
    if res.history.steps == 0:
        return "Set training steps above 0 to compare."
    return "Try more training steps or a shorter training length."


def _switch_like(e: dict[str, float]) -> bool:
    return e["low"] > 0


def gates_switch(res: GatesResult) -> Claim:
    """Did training make the gates switch-like: saturated shares paired on the same held-out items."""
    interval = paired_bootstrap(res.trained.item_saturation, res.untrained.item_saturation)
    after, before = saturated_share(res.trained.saturation), saturated_share(res.untrained.saturation)
    reference = (
        "an untrained network of the same shape"
        if res.task == "sentiment"
        else "the same network before training"
    )
    measured = (
        f"on {held_out(res)} held-out {items(res)}, {after:.0%} of the sigmoid-gate values are saturated "
        f"({SATURATED}) after training, against {before:.0%} for {reference} {_points(interval)}."
    )
    if interval.low > 0:
        text = f"**Training made the gates switch-like.** {measured[0].upper()}{measured[1:]}"
    elif interval.spans_zero:
        text = f"**Training left the gates as switch-like as before (a tie within this run's noise):** {measured} {_advice(res)}"
    else:
        text = f"**Here training made the gates less switch-like:** {measured} {_advice(res)}"
    evidence = {
        "trained_share": after,
        "untrained_share": before,
        "items": float(held_out(res)),
        **interval.json(),
    }
    return Claim("gates_switch", text, _switch_like(evidence), evidence, _switch_like)


def learned(res: GatesResult) -> Claim:
    """The trained network against the best constant guess, paired on the same held-out items."""
    return _capitalised(
        comparison(
            "learned",
            "the trained network",
            "the best constant guess",
            paired_bootstrap(res.trained.item_loss, res.chance_item_loss),
            better="lower",
            measure=f"held-out {res.loss_name} over {held_out(res)} {items(res)}",
            trained_loss=res.trained.held_out_loss,
            chance_loss=res.chance_loss,
            untrained_loss=res.untrained.held_out_loss,
        )
    )


def memory_path(cell: str, kept: KeptMemory) -> Claim:
    """What training did to the drawn unit that keeps most: the memory-gate product on this sequence."""
    keep = MEMORY_GATE[cell]
    numbers = f"{kept.untrained:.3g} untrained, {kept.trained:.3g} trained"
    lowered = (
        f"each dip of {keep} lets new input overwrite the unit, so this network carries its memory in a "
        "changing state rather than on an unchanged belt."
        if kept.trained < kept.untrained
        else "training has not changed it."
    )
    return claim(
        "memory_path",
        lambda e: e["trained"] > e["untrained"],
        f"On this sequence training raised unit {kept.unit}'s product of {keep} ({numbers}): more of step 1's "
        "memory survives to the end. A vanilla RNN has no such path: its gradient is multiplied by "
        "diag(tanh′) W_hh at every step, and nothing holds that product near 1 (see the vanishing-gradients "
        "view).",
        f"On this sequence training did not raise unit {kept.unit}'s product of {keep} ({numbers}): {lowered}",
        unit=kept.unit,
        trained=kept.trained,
        untrained=kept.untrained,
    )


def claims(cfg: GatesConfig, res: GatesResult) -> list[Claim]:
    """Every finding the page states, headline first; the belt's is read on the sequence ``cfg`` inspects."""
    units, _ = choose_units(cfg.units, res.hidden, res.ranked_units)
    kept = kept_memory(inspect_sequence(res, cfg), res.cell, units)
    return [gates_switch(res), learned(res), memory_path(res.cell, kept)]
