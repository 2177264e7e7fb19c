"""The six sequence patterns in one table: what each is called, which input it reads, its wiring in
symbols, what it is for, and how its accuracy is measured."""

from __future__ import annotations

from dataclasses import dataclass

from rnnviz.views.patterns.date_recipe import DATE_RECIPE, RULE
from rnnviz.views.patterns.tasks import ECHO_DELAY, STEP_TASKS


@dataclass(frozen=True)
class Pattern:
    label: str
    field: str
    """The Config field holding the reader's input for this pattern."""
    wiring: tuple[str, ...]
    """The wiring in LaTeX: f is the chosen cell, and the loss says which outputs count."""
    about: str
    """What the pattern is and what it is used for, in markdown."""
    accuracy_help: str
    rule: str
    """The task in one sentence."""


PATTERN_TABLE: dict[str, Pattern] = {
    "many_to_one": Pattern(
        "Many-to-one: parity",
        "bits",
        (
            r"h_t = f(x_t,\ h_{t-1}),\quad t = 1, \dots, T",
            r"\hat y = \operatorname{softmax}(W_y h_T + b_y),\qquad "
            r"\mathcal{L} = -\log \hat y_{\,y}\quad\text{(the last step only)}",
        ),
        "**Many-to-one** reads a whole sequence and answers once, at the end: sentiment of a review, the "
        "label of a signal. Every step's read-out exists, but only the last is scored, so training shapes "
        "the hidden state into a summary that is ready when the sequence ends.",
        "Share of fresh random bit strings whose parity is right.",
        STEP_TASKS["many_to_one"].rule,
    ),
    "one_to_many": Pattern(
        "One-to-many: spell a number",
        "number",
        (
            r"h_1 = f(x,\ h_0),\qquad h_t = f(\mathbf{0},\ h_{t-1})\quad (t > 1)",
            r"\hat y_t = \operatorname{softmax}(W_y h_t + b_y),\qquad "
            r"\mathcal{L} = -\sum_{t \le T_{\mathrm{end}}} \log \hat y_{t,\,y_t}",
        ),
        "**One-to-many** reads one input and writes a sequence: a caption from an image, music from a "
        "style. Here the input enters at step 1 only; after that the network runs on its hidden state "
        "alone, which must therefore carry a plan of the whole word.",
        "Share of the 100 numbers spelled exactly, end mark included.",
        STEP_TASKS["one_to_many"].rule,
    ),
    "aligned": Pattern(
        "Many-to-many, aligned: running maximum",
        "digits",
        (
            r"h_t = f(x_t,\ h_{t-1})",
            r"\hat y_t = \operatorname{softmax}(W_y h_t + b_y),\qquad "
            r"\mathcal{L} = -\sum_{t=1}^{T} \log \hat y_{t,\,y_t}",
        ),
        "**Many-to-many, aligned** writes one output per input, as it reads: tagging words, marking events "
        "in a signal. Each output may use only what has been read so far, which is enough for a running "
        "maximum.",
        "Share of right tags on fresh random sequences.",
        STEP_TASKS["aligned"].rule,
    ),
    "seq2seq": Pattern(
        "Encoder-decoder: date converter",
        "date",
        (
            r"h_t = f_{\mathrm{enc}}(x_t,\ h_{t-1}),\qquad c = h_T",
            r"s_0 = c,\qquad s_k = f_{\mathrm{dec}}\big([\,e(y_{k-1});\ c\,],\ s_{k-1}\big),\qquad "
            r"\hat y_k = \operatorname{softmax}(W_y s_k + b_y)",
            r"\text{training: } y_{k-1} = \text{the true character;}\quad "
            r"\text{answering: } y_{k-1} = \arg\max \hat y_{k-1}",
        ),
        "**Encoder-decoder** reads a whole sequence, squeezes it into one vector (the encoder's last hidden "
        "state, the *context*), then writes a sequence of a different length from it: translation, or here "
        "converting a written date to ISO format. Training feeds the decoder the true previous character "
        "(teacher forcing); answering feeds it its own (greedy decoding).",
        f"Exact match on {DATE_RECIPE.held_out:,} held-out dates, never seen in training.",
        RULE,
    ),
    "bidirectional": Pattern(
        "Bidirectional: largest digit overall",
        "digits",
        (
            r"\overrightarrow{h}_t = f(x_t,\ \overrightarrow{h}_{t-1}),\qquad "
            r"\overleftarrow{h}_t = g(x_t,\ \overleftarrow{h}_{t+1})",
            r"\hat y_t = \operatorname{softmax}\big(W_y\,[\,\overrightarrow{h}_t;\ \overleftarrow{h}_t\,] + b_y\big)",
        ),
        "**Bidirectional** runs two networks over the sequence, one left to right and one right to left, "
        "and reads both at every step. Each output can then use the past *and* the future: needed here, "
        "since the largest digit may come last.",
        "Share of right tags on fresh random sequences.",
        STEP_TASKS["bidirectional"].rule,
    ),
    "stacked": Pattern(
        "Stacked layers: echo with a delay",
        "digits",
        (
            r"h^{(1)}_t = f_1(x_t,\ h^{(1)}_{t-1}),\qquad h^{(\ell)}_t = f_\ell(h^{(\ell-1)}_t,\ h^{(\ell)}_{t-1})",
            rf"\hat y_t = \operatorname{{softmax}}(W_y h^{{(L)}}_t + b_y),\quad \text{{scored for }} t > {ECHO_DELAY}",
        ),
        "**Stacked layers** feed each layer's hidden states to the next layer as its inputs. Deeper layers "
        "can build on what lower ones computed; the probe below shows how the work of remembering is shared "
        "between them.",
        "Share of right echoes on fresh random sequences.",
        STEP_TASKS["stacked"].rule,
    ),
}

PATTERNS = {name: p.label for name, p in PATTERN_TABLE.items()}
"""Pattern names and labels, as the Pattern control offers them."""
