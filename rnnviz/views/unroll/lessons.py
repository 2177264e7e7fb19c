"""What the unroll page says: its lead, the captions written from the run, and the explanation below."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rnnviz.core.cells import CELLS, GATE_NAMES
from rnnviz.views.unroll.result import UnrollResult

INTRO = (
    "A recurrent network reads a sequence one token at a time. At each step one small cell, with the "
    "same weights every time, mixes the new input into the hidden state: the network's working memory."
)

METRIC_HELP = (
    "How badly the model guesses each next token of its own sequence after training: cross-entropy in "
    "nats for text, mean squared error for numbers. Lower is better; the downloaded reproduce.py "
    "recomputes it from the weights."
)

FUSED_HELP = (
    "Largest difference between torch's fused module and the instrumented cell drawn here: "
    "the pictures show the trained model's own numbers."
)

WORKING_MEMORY = (
    "**Working memory.** The hidden state is everything the network keeps about the past. "
    "In *the bank of the river*, the state at *bank* cannot yet know which bank is meant; "
    "by *river* it can. Scrub through time and watch units switch as context arrives; play the "
    "training film and watch them organise as the network learns the sequence."
)

INITIAL_STATE = (
    "**Initial state.** h₀ is the memory before the first token. Zeros is the usual choice; a random "
    "h₀ shows how long its trace lingers; a learned h₀ lets training pick the best starting memory."
)


def loss_label(res: UnrollResult) -> str:
    return "Loss after training" if res.trained else "Loss (untrained)"


def step_sentence(res: UnrollResult, t: int, quote: Callable[[str], str]) -> str:
    """What the cell reads at step ``t`` (0-based) and, once trained, what it then predicts.

    ``quote`` shows a token literally (typed text must never render as markup).
    """
    said = f"**Step t = {t + 1}**, reading token {quote(res.tokens[t])}"
    if res.trained:
        said += f"; the model then predicts {quote(res.predictions[t])}"
    return said


def units_caption(units: Sequence[int], hidden: int) -> str | None:
    """Which units the equations write out, when there are too many to show all."""
    if len(units) >= hidden:
        return None
    return f"Showing units {', '.join(map(str, units))} of {hidden}: the most active at this step."


def gates_caption(means: Mapping[str, float], t: int) -> str | None:
    if not means:
        return None
    shown = ", ".join(f"{GATE_NAMES[g]} {v:.2f}" for g, v in means.items())
    return f"Mean gate values at t = {t + 1}: {shown}."


def film_caption(res: UnrollResult) -> str:
    if res.trained:
        return (
            "Press ▶ Play, or drag the training-step slider under a figure: the hidden states and the "
            "guesses as they were at each snapshot of training. It all plays in your browser; nothing retrains."
        )
    return "Untrained: set Training steps above 0 to watch the states and guesses change as it learns."


def parameter_sharing(cell: str) -> str:
    return (
        "**Parameter sharing.** The diagram repeats one cell, and the weight heatmaps are its only "
        f"weights: {CELLS[cell]} uses the same W_xh and W_hh at every step. That is why it reads "
        "sequences of any length, and why gradients multiply by the same W_hh again and again."
    )
