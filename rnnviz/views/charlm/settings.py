"""The character model's settings: the text, the network, its training, and what the page shows of it.

Training settings key the cache; display settings (feature, unit, seed text, temperature...) only
redraw, because the result keeps the trained model. Pasted text applies only when the training text
is 'Paste your own text', so it never keys the cache otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.core.config import (
    LEARNING_RATES,
    cell_param,
    embedding_param,
    hidden_param,
    layers_param,
    learning_rate_param,
    param,
    seed_param,
    steps_param,
    view_param,
)
from rnnviz.views.charlm.corpora import CORPORA, DEFAULT_CORPUS, MAX_CHARS, MIN_CHARS, PASTED
from rnnviz.views.charlm.features import FEATURES

HELD_OUT = 0.1
"""Share of the text, at its end, kept out of training to measure nats per character on unseen text."""
WARM_UP_SHARE = 0.05
"""The learning rate climbs to its peak over this share of the steps: Adam's first moments are noisy."""
FINAL_LR_SHARE = 0.05
"""The cosine decay ends at this share of the peak: a high peak learns fast, the low end settles the
weights, which is what lets a 256-unit LSTM beat the n-gram on Hamlet within the budget."""
MAX_HIDDEN = 256
MAX_SEED_CHARS = 200
MAX_LENGTH = 1000
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
PEAK_LR = 0.02
"""The default peak of the schedule: on Hamlet, peaks of 0.015 and 0.03 ended 0.03 nats/char worse."""
LR_CHOICES = (*LEARNING_RATES[1:3], PEAK_LR, LEARNING_RATES[3])
"""The usual steps around the default peak, which sits between two of them."""


@dataclass(frozen=True)
class CharLMConfig:
    corpus: str = param(
        DEFAULT_CORPUS,
        "Training text",
        "What the model learns to continue. Built-in texts need no network; the last "
        f"{HELD_OUT:.0%} of the text is kept for testing.",
        choices=CORPORA,
    )
    text: str = param(
        "",
        "Your own text",
        f"The text to learn when the training text is '{CORPORA[PASTED]}' ({PASTED}): {MIN_CHARS} to "
        f"{MAX_CHARS:,} characters. Longer texts: upload a .txt file.",
        max_chars=MAX_CHARS,
        multiline=True,
        applies=lambda cfg: cfg.corpus == PASTED,
    )
    cell: str = cell_param("lstm")
    embedding: int = embedding_param(
        32,
        help="Each character becomes a learned vector of this many numbers before the recurrent layer.",
        min=2,
        max=64,
        unit="numbers",
    )
    hidden: int = hidden_param(256, min=4, max=MAX_HIDDEN, help="Units in each layer's hidden state.")
    layers: int = layers_param(1)
    dropout: float = param(
        0.0,
        "Dropout",
        "Share of units zeroed at random between layers and before the output, in training only. "
        "Helps long trainings on short texts; slows learning within a short budget.",
        choices=DROPOUTS,
    )
    seq_len: int = param(
        64,
        "Sequence length",
        "Characters per chunk: how far back the error flows (truncated backpropagation through time).",
        min=4,
        max=200,
        unit="characters",
    )
    carry: bool = param(
        True,
        "Carry the state between chunks",
        "On: each chunk starts from the previous chunk's final state, detached, so memory outlives "
        "the chunk. Off: every chunk starts from zeros.",
    )
    train_steps: int = steps_param(
        650,
        help=f"Adam steps, one chunk of every stream each. The learning rate warms up over the first "
        f"{WARM_UP_SHARE:.0%} of them, then decays along a cosine to {FINAL_LR_SHARE:.0%} of its peak.",
        max=3000,
        step=50,
    )
    lr: float = learning_rate_param(
        PEAK_LR, choices=LR_CHOICES, help="Adam's step size at the peak of the schedule."
    )
    clip: float = param(
        1.0,
        "Gradient clipping",
        "Largest gradient norm applied per step; 0 turns clipping off.",
        choices=(0.0, 0.25, 1.0, 5.0),
    )
    seed: int = seed_param(0, help="Seeds the weights, the order of the chunks and the samples.")
    feature: str = view_param(
        "word",
        "Feature",
        "A property of each character of a play; the search ranks every unit by how well it tracks it.",
        choices=FEATURES,
    )
    state: str = view_param(
        "h",
        "State",
        "Which units to colour by: the hidden state h, or (LSTM) the cell state c.",
        choices={"h": "hidden state h", "c": "cell state c (LSTM)"},
    )
    layer: int = view_param(1, "Layer", "Which layer's units to colour by.", min=1, max=3)
    unit: int = view_param(
        -1,
        "Unit colouring the text",
        "Which unit colours the text; -1 follows the one (of any state and layer) that tracks the chosen "
        "feature best.",
        min=-1,
        max=MAX_HIDDEN - 1,
    )
    prompt: str = view_param(
        "",
        "Seed text",
        "The model reads this, then continues it. Empty: a new line.",
        max_chars=MAX_SEED_CHARS,
    )
    length: int = view_param(
        300,
        "Characters to write",
        "How many characters the model generates after the seed text.",
        min=10,
        max=MAX_LENGTH,
        step=10,
    )
    temperature: float = view_param(
        0.8,
        "Temperature",
        "Divides the scores before the softmax: low is safe and repetitive, high is varied and error-prone.",
        min=0.1,
        max=2.0,
        step=0.05,
    )
    greedy: bool = view_param(
        False,
        "Greedy (always the likeliest character)",
        "Ignores the temperature and takes the top character every time.",
    )
    sampling_seed: int = view_param(
        0,
        "Sampling seed",
        "Fixes the random draws, so the same settings always write the same text.",
        min=0,
        max=99,
    )
    position: int = view_param(
        1,
        "Position",
        "The character after which the next-character probabilities are shown.",
        min=1,
        max=MAX_SEED_CHARS + MAX_LENGTH,
    )


SMOKE = dict(corpus="recurrence", hidden=24, train_steps=60, seq_len=32)
"""A short built-in text, a small LSTM and few steps: about a second, and still learns enough to write."""
