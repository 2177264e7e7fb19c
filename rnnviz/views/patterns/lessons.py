"""The patterns view's prose: what the page says around its figures, with the recipe's numbers formatted in."""

from __future__ import annotations

from rnnviz.core import dates
from rnnviz.core.cells import CELLS
from rnnviz.views.patterns.date_recipe import DATE_RECIPE
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.tasks import STEP_TASKS
from rnnviz.views.patterns.train import CLIP, PROBE_SEQUENCES, planned_steps

INTRO = (
    "One recurrent cell, wired six ways. Which inputs it reads and which outputs are scored decide "
    "what it can learn. Each pattern trains live on a tiny task; then type your own input and watch the "
    "network answer."
)
DESCRIPTION = (
    "Many-to-one, one-to-many, aligned tagging, encoder-decoder, bidirectional and stacked "
    "networks, each trained on a tiny task and recorded as it learns."
)
FINDING = (
    "Which inputs a network reads and which outputs are scored (one or many, past only or past "
    "and future, one layer or several) decide what it can learn: six wirings, each trained "
    "live."
)
DATE_CLICK_TO_TRAIN = "Training the date converter takes about 5 s on an idle server, longer when it is busy."
CONSTANT_GUESS_HELP = (
    "Accuracy of always giving the commonest answer: the level that means the network learnt nothing."
)
FORWARD_ONLY_HELP = "The same cell and training, reading left to right only."
METRIC_HELP = (
    "Share of right answers on inputs the network did not train on (each pattern says how it counts); "
    "compare it with the constant guess, the level that means it learnt nothing."
)
PLAY_FILM = "Press ▶ Play, or drag the training-step slider, to watch the answer form through training."
RESTORE_FOR_FILM = "The training film plays on the example input: restore it to replay training."
BIDIRECTIONAL_POSITIONS = (
    "At position 1 the forward network has seen one digit, so it can only guess the largest; "
    "by the last position it has seen them all. The backward pass brings the rest of the "
    "sequence to every position."
)
PROBE = (
    "A linear read-out is fitted to each layer's hidden states to recover the digit read k steps "
    f"ago (on half of {PROBE_SEQUENCES} sequences, scored on the other half). Lower layers keep recent digits; "
    "the top layer keeps what the output needs."
)


def recipe(cfg: PatternsConfig) -> str:
    """The network and training in one line, for the page and --help readers."""
    steps = planned_steps(cfg)
    cell = CELLS[cfg.cell]
    if cfg.pattern == "seq2seq":
        r = DATE_RECIPE
        return (
            f"{cell} encoder and decoder, {r.hidden} units each, {r.embed}-dimensional character "
            f"embeddings; {steps} Adam steps of {r.batch} generated dates (years {dates.YEARS[0]}–"
            f"{dates.YEARS[1]}, {len(dates.FORMATS)} spellings), learning rate {r.lr:g}, clipping at {CLIP:g}."
        )
    task = STEP_TASKS[cfg.pattern]
    layers = f"{task.layers} stacked layers of " if task.layers > 1 else ""
    direction = "bidirectional " if task.bidirectional else ""
    data = (
        "all 100 numbers"
        if cfg.pattern == "one_to_many"
        else f"{task.batch} fresh random sequences of length {task.lengths[0]}–{task.lengths[1]}"
    )
    text = (
        f"{direction}{layers}{cell}, {task.hidden} units; {steps} Adam steps of {data}, "
        f"learning rate {task.lr:g}, clipping at {CLIP:g}."
    )
    return text[0].upper() + text[1:]
