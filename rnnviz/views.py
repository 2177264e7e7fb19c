"""The app's views: one entry per page, used by navigation and the home page's cards."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    slug: str
    """URL path and the page file's name in pages/."""
    title: str
    icon: str
    finding: str
    """One line a reader takes away; shown on the home page card."""


VIEWS: tuple[View, ...] = (
    View(
        "unroll",
        "Unrolled hidden states",
        ":material/view_week:",
        "A recurrent network is one small cell applied at every step, with the same weights, "
        "carrying a hidden state forward as working memory.",
    ),
    View(
        "gradients",
        "Vanishing & exploding gradients",
        ":material/trending_down:",
        "The loss reaches back through time as a product of Jacobians with the same W_hh in each, so "
        "the gradient shrinks or explodes geometrically; clipping caps explosions, gates fix vanishing.",
    ),
    View(
        "memory",
        "Long-range memory",
        ":material/psychology:",
        "Asked to recall a value 100 steps back, a vanilla RNN stays at chance while an LSTM and a GRU "
        "with a forget-gate bias near 5 solve it in a few hundred steps.",
    ),
    View(
        "gates",
        "LSTM & GRU gates",
        ":material/tune:",
        "Gates are learned switches: training drives them to fully open or shut, and a forget gate held "
        "near 1 carries memory, and gradient, across many steps.",
    ),
    View(
        "patterns",
        "Sequence patterns",
        ":material/account_tree:",
        "Which inputs a network reads and which outputs are scored (one or many, past only or past and "
        "future, one layer or several) decide what it can learn: six wirings, each trained live.",
    ),
    View(
        "sine",
        "Sine extrapolation",
        ":material/ssid_chart:",
        "Fed its own predictions, a network trained one step ahead forecasts a signal far into the "
        "future, but every error becomes its next input: a tiny one-step error says little about step 1,000.",
    ),
    View(
        "charlm",
        "Character language model",
        ":material/edit_note:",
        "Trained only to guess the next character, a network learns words and lines, writes new text at "
        "a chosen temperature, and grows units that switch on inside words.",
    ),
    View(
        "sentiment",
        "Sentiment hidden states",
        ":material/reviews:",
        "Trained on real review sentences, a network sorts them into a positive and a negative cloud of "
        "hidden states, and read word by word it changes its mind at a 'but'.",
    ),
)
"""In reading order: the recurrence itself, why training it is hard, gates that fix it, then uses."""
