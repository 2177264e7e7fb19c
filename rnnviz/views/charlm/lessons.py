"""What the character model's page says: its lead, the verdict against the n-gram, and every sentence that
formats the run's numbers. Plain text and markdown; the page escapes what comes from a reader's text."""

from __future__ import annotations

import math

from rnnviz.core.fit import training_budget_s
from rnnviz.views.charlm.corpora import MAX_FILE_CHARS, MIN_FILE_CHARS
from rnnviz.views.charlm.model import bits
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import HELD_OUT
from rnnviz.views.charlm.train import (
    AVERAGE_DECAY,
    EXCERPT_CHARS,
    MIN_HELD_OUT_CHARS,
    SAMPLE_CHARS,
    SAMPLE_TEMPERATURE,
)
from rnnviz.views.charlm.writing import Guess

INTRO = (
    "A recurrent network reads a play one character at a time and learns to guess the next one. "
    f"The last {HELD_OUT:.0%} of the text is never trained on: there it is scored against the best "
    "classical model, a Kneser–Ney n-gram that counts what followed each string of characters. "
    "Then it writes, and its units turn out to track words, lines and speakers."
)

METRIC_HELP = (
    "Mean cross-entropy per character of the held-out end of the text (the training text when it is too "
    "short to hold any out): lower is better. A model that knows nothing scores the log of its alphabet "
    "size; compare with the best n-gram on the same characters."
)

UPLOAD_LABEL = "Your text (.txt, UTF-8)"
UPLOAD_HELP = (
    f"Plain UTF-8 text of at least {MIN_FILE_CHARS:,} characters; the first "
    f"{MAX_FILE_CHARS:,} are used. A link cannot carry a file: whoever opens it uploads it again."
)

LOSS_CAPTION = (
    "Training loss per step, and the validation loss (a quarter of the test text) along the way, both in "
    "nats per character."
)
NGRAM_CAPTION = (
    "Each n-gram order counts the characters that followed the previous order − 1 characters. Longer "
    "contexts predict better until they are too rare to count: the dotted curve, measured on held-out "
    "training text, picks the order before the test text is seen."
)

LOOKING_AT = (
    "**Learning in stages.** Play the film: the samples go from noise, to the right letter frequencies, to "
    "short words, to speakers' names on their own lines. The test text is the end of the play, never "
    "trained on, so its score is what the network would do on new text of the same kind.",
    "**Against counting.** An n-gram model predicts from the last few characters alone, by counting. The "
    "network has no fixed window: its state carries whatever helps, such as being inside a speaker's name "
    "or far into a line. Within a short training budget, beating good counting is hard, and the numbers "
    "above say honestly by how much it wins or loses.",
    "**Interpretable units.** Nobody told the network about words or speakers, yet some units switch on "
    "inside words, count along a line or light up on a line of capitals, because that helps predict the "
    "next character. The r values say how strongly; hover a coloured character to read the unit's value.",
)
"""The three columns that end the page."""


def click_to_train() -> str:
    return (
        f"Training reads the text for up to {training_budget_s():g} s, showing what the network "
        "writes as it learns. Press Train to start."
    )


def verdict(res: CharLMResult) -> str:
    """One sentence: which of the network and the n-gram predicts the held-out text better, and by how much."""
    if res.baseline is None:
        return (
            f"The text is too short to hold out a test part (under {MIN_HELD_OUT_CHARS} characters), so the "
            "network is measured on the text it trained on and no n-gram is fitted."
        )
    net, base = res.nats, res.baseline.nats
    if not math.isfinite(net):
        return "Training diverged, so the network predicts nothing; the n-gram is the only model left."
    gap = abs(base - net) / max(base, net)  # fewer nats than the loser's, as a share of the loser's
    ngram_name = f"n-gram (order {res.baseline.order})"
    winner, loser = (
        ("The network", f"the {ngram_name}") if net < base else (f"The {ngram_name}", "the network")
    )
    return (
        f"{winner} wins on the held-out text: {min(net, base):.3f} against {max(net, base):.3f} nats per "
        f"character for {loser}, {gap:.1%} fewer."
    )


def evaluated_on(res: CharLMResult) -> str:
    return "held-out text" if res.held_out else "training text"


def text_help(res: CharLMResult) -> str:
    return f"{len(res.vocab)} different characters: the model's alphabet. Trained on the first {res.split:,}."


def network_label(res: CharLMResult) -> str:
    return f"Network on the {evaluated_on(res)} (nats/char)"


def network_help(res: CharLMResult) -> str:
    return (
        f"Mean cross-entropy per character: {bits(res.nats):.3f} bits. The model kept is the running average "
        f"of its weights (decay {AVERAGE_DECAY:g} per step)."
    )


def ngram_delta(res: CharLMResult) -> str:
    """How many nats per character fewer the network needs than the n-gram (negative: it needs more)."""
    return f"{res.baseline.nats - res.nats:+.3f} for the network"


def ngram_help(res: CharLMResult) -> str:
    b = res.baseline
    return (
        f"Interpolated modified Kneser–Ney of order {b.order} ({bits(b.nats):.3f} bits/char), the order "
        "chosen on the last tenth of the training text, trained on the same characters."
    )


def training_help(res: CharLMResult) -> str:
    return f"{res.history.steps} steps, each one {res.chunk_len}-character chunk of {res.streams} parallel streams."


def film_caption(unit: str) -> str:
    return (
        f"Top: {SAMPLE_CHARS} characters written at temperature {SAMPLE_TEMPERATURE:g} from a new line, with "
        f"the same random draws at every step. Bottom: {EXCERPT_CHARS} characters of the held-out text, "
        f"each coloured by {unit} after reading it (red positive, blue negative); hover a character for its "
        "value and, at the last step, the five likeliest next ones. Press Play or drag the slider: it "
        "replays the training in your browser."
    )


def search_caption(res: CharLMResult) -> str:
    return (
        f"Every unit is ranked by Pearson r between its value after each character and the feature, over "
        f"{res.search.chars:,} characters from across the text. Set *Unit colouring the text* to −1 to follow "
        "the best one, or pick any unit."
    )


def too_short_to_correlate(res: CharLMResult) -> str:
    return (
        f"The text has {len(res.corpus.text)} characters: too few for a correlation to mean anything. "
        "Pick a longer text to look for feature units."
    )


def written_header(written: int, greedy: bool, temperature: float, unit: str) -> str:
    how = "greedily (always the top character)" if greedy else f"at temperature {temperature:g}"
    return f"**{written} characters written {how}**, each coloured by {unit} (chosen above)."


def softmax_equation(guess: Guess, temperature: float) -> str:
    """LaTeX of the softmax at temperature T, with the top character's numbers filled in."""
    return (
        rf"p_i = \frac{{e^{{z_i/T}}}}{{\sum_j e^{{z_j/T}}}}:\quad "
        rf"p_{{\text{{top}}}} = \frac{{e^{{{guess.score:.2f}/{temperature:g}}}}}"
        rf"{{\sum_j e^{{z_j/{temperature:g}}}}} = {guess.probs[guess.top]:.3f}"
    )


def softmax_caption(top_char: str, guess: Guess) -> str:
    """``top_char`` arrives escaped for markdown: it comes from the reader's text."""
    return (
        f"The top character here is “{top_char}”, with score z = {guess.score:.2f}. Dividing every score by "
        "T < 1 widens the gaps, so the top character wins more often; T > 1 narrows them, so rarer "
        "characters get written."
    )
