"""What the gates page says in words and equations, computed from one result and one inspected sequence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.cells import CARRIED, CELLS, GATE_NAMES, GRU_CONVENTION, MEMORY_GATE
from rnnviz.core.equations import MAX_UNITS as EQUATION_UNITS
from rnnviz.core.equations import step_latex
from rnnviz.core.fmt import percent
from rnnviz.views.gates.gating import SATURATION_MARGIN, highway, saturated_share
from rnnviz.views.gates.reading import Inspection, Reading
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.tasks import BATCH, HELD_OUT, SENTIMENT_TRAIN_S

INTRO = (
    "Gates are small sigmoid switches, one per unit and per step, that decide what a gated cell writes, "
    "keeps and shows. Train one on a task and watch the switches snap to open or shut."
)

SENTIMENT_TRAINING = (
    "The sentiment task reads the sentiment view's classifier. Training it reads about 10,000 review "
    f"sentences and takes about {SENTIMENT_TRAIN_S} s on this server, once: both views then share it."
)
"""Said before the sentiment task trains: the page waits for a click."""

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
            f"{res.loss_name.capitalize()} on {HELD_OUT} held-out {items(res)}. Guessing the best constant "
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


def saturation_finding(res: GatesResult) -> str:
    """The page's headline: did training make the gates switch-like, measured on held-out data."""
    trained, untrained = saturated_share(res.trained.saturation), saturated_share(res.untrained.saturation)
    things = items(res)
    if res.history.steps == 0:
        return "**Untrained.** Both networks below are the same: set training steps above 0 to compare."
    if trained > untrained:
        before = (
            "an untrained network of the same shape"
            if res.task == "sentiment"
            else "the same network before training"
        )
        return (
            f"**Training made the gates switch-like.** On {HELD_OUT} held-out {things}, {trained:.0%} "
            f"of the sigmoid-gate values are saturated ({SATURATED}) after training, against "
            f"{untrained:.0%} for {before}. The loss fell from {res.untrained.held_out_loss:.3g} to "
            f"{res.trained.held_out_loss:.3g} (best constant guess: {res.chance_loss:.3g})."
        )
    advice = (
        "The sentiment view's settings decide how this classifier was trained."
        if res.task == "sentiment"
        else "Try more training steps or a shorter training length."
    )
    return (
        f"**Here training did not saturate the gates:** on {HELD_OUT} held-out {things}, {trained:.0%} "
        f"of sigmoid-gate values are saturated after training, {untrained:.0%} before. {advice}"
    )


def belt_text(cell: str, steps: int, kept: KeptMemory) -> tuple[str, str, str]:
    """The conveyor belt in words, the derivative along it in LaTeX, and what training did to it."""
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
    if kept.trained > kept.untrained:
        verdict = (
            "Training raised the memory gate where memory must survive. A vanilla RNN has no such path: its "
            "gradient is multiplied by W_hh and tanh′ at every step and fades or explodes geometrically "
            "(see the vanishing-gradients view)."
        )
    else:
        verdict = (
            f"Here training lowered it: each dip of {keep} lets new input overwrite the unit, so this network "
            "carries its memory in a changing state rather than on an unchanged belt."
        )
    return words, latex, verdict


def block_latex(res: GatesResult) -> str:
    """The parameters of one weight block, counted with this network's sizes."""
    hidden, inputs, block = res.hidden, res.input_size, res.params["rnn"]["total"]
    return (
        rf"\text{{one block}} = \underbrace{{H \cdot I}}_{{W}} + \underbrace{{H \cdot H}}_{{U}} + "
        rf"\underbrace{{2H}}_{{b}} = {hidden}\cdot{inputs} + {hidden}\cdot{hidden} + 2\cdot{hidden} = {block}"
    )


def cell_comparison(res: GatesResult) -> str:
    """RNN, LSTM or GRU: their parameter counts here, and what this run measured."""
    lstm, gru, rnn = (res.params[c]["total"] for c in ("lstm", "gru", "rnn"))
    blocks = {cell: len(row["blocks"]) for cell, row in res.params.items()}
    other = "gru" if res.cell == "lstm" else "lstm"
    share = percent(res.trained.held_out_loss / res.chance_loss) if res.chance_loss else "n/a"
    return (
        f"- **GRU**: {blocks['gru']} blocks, so always exactly {1 - gru / lstm:.0%} fewer parameters than an "
        f"LSTM of the same size ({gru:,} vs {lstm:,} here), and one state vector instead of two. Its update "
        "gate z is the memory gate: its conveyor belt is the hidden state itself.\n"
        f"- **LSTM**: {blocks['lstm']} blocks ({lstm:,} parameters). The separate cell state keeps a memory "
        "while the output gate decides how much of it to show.\n"
        f"- **Vanilla RNN**: {blocks['rnn']} block ({rnn:,} parameters) and no memory gate, so nothing protects "
        "a memory from being rewritten at every step; fine for short dependencies, and the gradients view "
        "shows how it fails on long ones.\n\n"
        f"**Measured here:** the {CELLS[res.cell]} reached a held-out loss of {res.trained.held_out_loss:.3g} "
        f"({share} of the best constant guess) in {res.history.seconds:.1f} s of training. Switch *Cell* to "
        f"{CELLS[other]} to measure it on the same seed and data: on small tasks like these both usually "
        "learn, so the GRU's smaller size is free; reach for the LSTM when a memory must be kept apart from "
        "what the cell shows."
    )
