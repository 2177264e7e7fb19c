"""The gates view's settings: what trains (task, network, training) and what only changes the display.

The sentiment task trains nothing here: it reads the sentiment view's classifier, so the network and
training settings apply to the synthetic tasks only, and the panel hides them for sentiment.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.cells import GATED_CELLS
from rnnviz.core.config import (
    LEARNING_RATES,
    cell_param,
    gate_bias_param,
    hidden_param,
    learning_rate_param,
    length_param,
    only_if,
    param,
    seed_param,
    steps_param,
    time_step_param,
    view_param,
)
from rnnviz.views.gates.inputs import MAX_TOKENS, MAX_UNITS, SOURCES
from rnnviz.views.gates.tasks import BATCH, TASK_LABELS, TASKS


def trains_here(cfg: GatesConfig) -> bool:
    """Whether this view trains the network itself (copy, brackets) rather than reading the sentiment view's."""
    return cfg.task != "sentiment"


@dataclass(frozen=True)
class GatesConfig:
    task: str = param("copy", "Task", " ".join(t.help for t in TASKS.values()), choices=TASK_LABELS)
    cell: str = cell_param("lstm", choices=GATED_CELLS, help="The gated recurrent cell.")
    hidden: int = only_if(
        trains_here, hidden_param(8, max=32, help="Units in the hidden state (and the LSTM's cell state).")
    )
    length: int = only_if(
        trains_here,
        length_param(
            12,
            label="Training length",
            help="Steps per training sequence: the longer, the further back the network must remember.",
            min=4,
            max=40,
        ),
    )
    gate_bias: float = only_if(
        trains_here,
        gate_bias_param(
            1.0,
            help="Initial bias of the LSTM's forget gate and the GRU's update gate, so the untrained network "
            "leans toward keeping its state; 1 is the usual choice, 0 is close to PyTorch's default.",
        ),
    )
    train_steps: int = only_if(
        trains_here,
        steps_param(
            400,
            help=f"Adam steps on minibatches of {BATCH} sequences; 0 leaves the network untrained.",
            max=2000,
            step=50,
        ),
    )
    lr: float = only_if(trains_here, learning_rate_param(0.03, choices=LEARNING_RATES[1:]))
    seed: int = seed_param(0, help="Seeds the weights and the training data.")
    source: str = view_param(
        "example",
        "Inspected sequence",
        "The sequence whose gates are drawn: the worked example (replayed through training), a "
        "random draw from the task, or your own.",
        choices=SOURCES,
    )
    sequence: str = view_param(
        "",
        "Your sequence",
        "Memory task: numbers separated by spaces; the first is the flagged one to recall. "
        "Counting task: brackets ( and ), with letters or digits as filler. Sentiment task: any sentence.",
        max_chars=400,
        applies=lambda cfg: cfg.source == "typed",
    )
    draw: int = view_param(
        1,
        "Draw number",
        "Which random sequence of the task to inspect.",
        min=1,
        max=1000,
        applies=lambda cfg: cfg.source == "random",
    )
    show_untrained: bool = view_param(
        False,
        "Show untrained",
        "Draw the same network before training beside the trained one, on the same input.",
    )
    units: str = view_param(
        "",
        "Units to plot",
        f"Up to {MAX_UNITS} unit numbers separated by spaces, e.g. 0 3 5. Empty picks the units the "
        "answer depends on most.",
        max_chars=40,
    )
    step: int = time_step_param(
        help="The step whose gate equations are written out with numbers.", max=MAX_TOKENS
    )
