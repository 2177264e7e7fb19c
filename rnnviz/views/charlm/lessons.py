"""What the character model's page says: its lead, its captions, and the claims it states (the verdict
against the n-gram, what training added to the units), each computed from the run's own numbers. Plain
text and markdown; the page escapes what comes from a reader's text."""

from __future__ import annotations

import dataclasses

import numpy as np

from rnnviz.core.budget import training_budget_s
from rnnviz.core.claims import Claim, claim, comparison, paired_bootstrap
from rnnviz.views.charlm.corpora import MAX_FILE_CHARS, MIN_FILE_CHARS
from rnnviz.views.charlm.features import CURRENT_CHARACTER, FEATURES, MIN_CHARS, rank
from rnnviz.views.charlm.model import bits
from rnnviz.views.charlm.ngram import DEV_SHARE
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import HELD_OUT, CharLMConfig
from rnnviz.views.charlm.train import (
    AVERAGE_DECAY,
    EXCERPT_CHARS,
    MIN_HELD_OUT_CHARS,
    PROGRESS_EVERY_WINDOW,
    SAMPLE_CHARS,
    SAMPLE_TEMPERATURE,
)
from rnnviz.views.charlm.writing import Guess

METRIC_NAME = "test_nats_per_char"
"""The headline metric's key, as reproduce.py prints it: nats per character on the test text."""

INTRO = (
    "A recurrent network reads a play one character at a time and learns to guess the next one. "
    f"The last {HELD_OUT:.0%} of the text is never trained on: there it is scored against a classical "
    "model, a Kneser–Ney n-gram that counts what followed each string of characters. Then it writes, and "
    "its units are searched for ones that track words, lines and speakers, beside the same network "
    "untrained."
)

METRIC_HELP = (
    "Mean cross-entropy per character of the test text, the held-out end of the text (the training text "
    "when it is too short to hold any out): lower is better. A model that knows nothing scores the log "
    "of its alphabet size; compare with the n-gram on the same characters."
)

UPLOAD_LABEL = "Your text (.txt, UTF-8)"
UPLOAD_HELP = (
    f"Plain UTF-8 text of at least {MIN_FILE_CHARS:,} characters; the first "
    f"{MAX_FILE_CHARS:,} are used. A link cannot carry a file: whoever opens it uploads it again."
)

PROGRESS_LOSS = f"test loss (every {PROGRESS_EVERY_WINDOW}th test window)"
"""The name of the curve drawn along the training: a test score, read on part of the test text."""
LOSS_CAPTION = (
    f"Training loss per step, and the loss on every {PROGRESS_EVERY_WINDOW}th window of the test text "
    "along the way (a test score, never used to choose anything), both in nats per character."
)
NGRAM_CAPTION = (
    "Each n-gram order counts the characters that followed the previous order − 1 characters. Longer "
    "contexts predict better until they are too rare to count: the dotted curve, measured on held-out "
    "training text, picks the order before the test text is seen."
)

LOOKING_AT = (
    "**Learning in stages.** Play the film and watch the samples for stages: noise, then the right letter "
    "frequencies, then short words, then speakers' names on their own lines. The test text is the end of the play, never "
    "trained on, so its score is what the network would do on new text of the same kind.",
    "**Against counting.** An n-gram model predicts from the last few characters alone, by counting. The "
    "network has no fixed window: its state can carry whatever helps, such as being inside a speaker's "
    "name or far into a line. The verdict above says whether the gap between them is larger than the "
    "noise of this test text.",
)
"""The first two of the three columns that end the page; the third is :func:`units_lesson`."""


def units_lesson(finding: str) -> str:
    """The third column: what training added to the units (the headline claim's text), and how to read it."""
    return (
        f"**Interpretable units.** {finding} The r values say how strongly; hover a coloured character to "
        "read the unit's value."
    )


def click_to_train() -> str:
    return (
        f"Training reads the text for up to {training_budget_s():g} s, showing what the network "
        "writes as it learns. Press Train to start."
    )


BLOCK_CHARS = 200
"""Characters per block of the bootstrap, about three lines of verse: a character's loss leans on its
neighbours' (a hard word is hard for several characters), so blocks of text are resampled, not characters."""
MIN_BLOCKS = 20
"""A short test text is cut into at least this many (shorter) blocks, so the interval has something to vary."""
LEARNED_MARGIN = 0.2
"""How much higher the trained network's best |r| must be than the untrained one's for a feature to be
credited to training: untrained networks of seeds 0 to 2 on Hamlet differ by up to 0.1 in their best |r|
per feature, so a rise of twice that is not the draw of the initial weights."""


def block_means(losses: np.ndarray) -> np.ndarray:
    """The mean loss of each block of consecutive test characters (blocks of nearly equal length)."""
    count = max(1, min(len(losses), max(MIN_BLOCKS, len(losses) // BLOCK_CHARS)))
    return np.array([block.mean() for block in np.array_split(np.asarray(losses, dtype=np.float64), count)])


def _never(_: object) -> bool:
    """The rule of a claim whose finding this run cannot show (no test text, a diverged network)."""
    return False


def beats_ngram(res: CharLMResult) -> Claim:
    """Network against n-gram on the test text: the mean difference of their per-character losses, with a
    95% interval from a paired bootstrap over blocks of the test text. A tie when it spans zero."""
    if res.baseline is None:
        return claim(
            "beats_ngram",
            _never,
            "",
            f"The text is too short to hold out a test part (under {MIN_HELD_OUT_CHARS} characters), so the "
            "network is measured on the text it trained on and no n-gram is fitted.",
        )
    b = res.baseline
    if not np.isfinite(res.char_nats).all():
        return claim(
            "beats_ngram",
            _never,
            "",
            "Training diverged, so the network predicts nothing; the n-gram is the only model left.",
            ngram_nats=b.nats,
            ngram_order=b.order,
        )
    network, ngram = block_means(res.char_nats), block_means(b.char_nats)
    found = comparison(
        "beats_ngram",
        "the network",
        f"the order-{b.order} n-gram",
        paired_bootstrap(network, ngram),
        better="lower",
        measure="nats per character of the test text",
        fmt="{:+.3f}",
        network_nats=res.nats,
        ngram_nats=b.nats,
        ngram_order=b.order,
        blocks=len(network),
        block_chars=len(res.char_nats) / len(network),
    )
    how = (
        f" The difference is the network's minus the n-gram's; the interval resamples {len(network)} "
        f"blocks of about {len(res.char_nats) // len(network)} consecutive test characters."
    )
    return dataclasses.replace(found, text=found.text + how)


def best_r(r: dict[str, np.ndarray]) -> float | None:
    """The largest |r| of any unit, or None when the feature never changes in the text read."""
    best = rank(r, 1)
    return abs(best[0].r) if best else None


def _quoted(feature: str) -> str:
    return f"“{FEATURES[feature]}”"


def _listed(parts: list[str], conjunction: str = "and") -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {conjunction} " + parts[-1]


def _learned(trained: float, untrained: float, margin: float) -> bool:
    return trained - untrained >= margin


def _correlated(res: CharLMResult) -> list[str]:
    """The features that some unit of both networks tracks (none when the text is too short to correlate)."""
    if len(res.corpus.text) < MIN_CHARS:
        return []
    return [
        f for f in FEATURES if best_r(res.search.r[f]) is not None and best_r(res.untrained.r[f]) is not None
    ]


def unit_claim(res: CharLMResult, feature: str, layers: int) -> Claim:
    """One feature's card: its best unit, and whether it tracks the feature by more than the untrained
    network's best unit does. A feature of the character just read is never credited to training."""

    def rule(e: dict[str, float]) -> bool:
        return (
            "trained" in e
            and e["current_character"] == 0
            and _learned(e["trained"], e["untrained"], e["margin"])
        )

    if feature not in _correlated(res):
        return claim(f"unit_{feature}", rule, "", "No unit tracks it: it never changes in the text searched.")
    best = rank(res.search.r[feature], 1)[0]
    untrained = best_r(res.untrained.r[feature])
    current = feature in CURRENT_CHARACTER
    found = f"{best.unit.name(layers)}, r = {best.r:+.2f}; the untrained network's best unit: |r| = {untrained:.2f}."
    if current:
        why = " It is a function of the character just read, so it is not credited to training."
    else:
        why = f" A rise of less than {LEARNED_MARGIN:g}: not credited to training."
    return claim(
        f"unit_{feature}",
        rule,
        found + f" Training added {abs(best.r) - untrained:.2f}.",
        found + why,
        trained=abs(best.r),
        untrained=untrained,
        margin=LEARNED_MARGIN,
        current_character=float(current),
    )


def _learned_features(e: dict[str, float]) -> list[str]:
    return [
        f
        for f in FEATURES
        if f not in CURRENT_CHARACTER
        and f"trained_{f}" in e
        and _learned(e[f"trained_{f}"], e[f"untrained_{f}"], e["margin"])
    ]


def _units_learned_rule(e: dict[str, float]) -> bool:
    return bool(_learned_features(e))


def _pairs(e: dict[str, float], features: list[str]) -> str:
    return _listed(
        [
            f"{_quoted(f)} (|r| {e[f'untrained_{f}']:.2f} untrained, {e[f'trained_{f}']:.2f} trained)"
            for f in features
        ]
    )


def _not_credited(e: dict[str, float], current: list[str], weak: list[str]) -> str:
    """Why the other features are not credited to training: the character just read, or too small a rise."""
    notes = ""
    if current:
        reached = _listed([f"{e[f'untrained_{f}']:.2f}" for f in current])
        notes += (
            f" Being {_listed([_quoted(f) for f in current], 'or')} depends on the character just read alone: "
            f"untrained, the best unit already reaches |r| {reached}, so it is not credited."
        )
    if weak:
        notes += f" Units for {_listed([_quoted(f) for f in weak])} rose less than {LEARNED_MARGIN:g} in |r|: not credited."
    return notes


def units_learned(res: CharLMResult) -> Claim:
    """The headline: which features some unit tracks clearly better after training than any unit of the
    same network untrained. Features of the character just read are reported, never credited."""
    features = _correlated(res)
    e: dict[str, float] = {"margin": LEARNED_MARGIN}
    for f in features:
        e[f"trained_{f}"] = best_r(res.search.r[f])
        e[f"untrained_{f}"] = best_r(res.untrained.r[f])
    if not features:
        return claim("units_learned", _units_learned_rule, "", too_few_to_correlate(res), **e)
    learned = _learned_features(e)
    current = [f for f in features if f in CURRENT_CHARACTER]
    weak = [f for f in features if f not in CURRENT_CHARACTER and f not in learned]
    return claim(
        "units_learned",
        _units_learned_rule,
        "Nobody told the network about the features of a play, yet training grew units that track "
        f"{_pairs(e, learned) if learned else ''}, beyond the same network untrained."
        + _not_credited(e, current, weak),
        "Training grew no unit that tracks a feature of the play by "
        f"{LEARNED_MARGIN:g} more in |r| than the same network untrained." + _not_credited(e, current, weak),
        **e,
    )


def claims(cfg: CharLMConfig, res: CharLMResult) -> list[Claim]:
    """Every finding the page states, headline first: what training added to the units, then the verdict
    against the n-gram, then each feature's card."""
    return [
        units_learned(res),
        beats_ngram(res),
        *(unit_claim(res, f, cfg.layers) for f in FEATURES),
    ]


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
        f"chosen on the last {DEV_SHARE:.0%} of the training text, trained on the same characters."
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
        f"{res.search.chars:,} characters from across the text. The dashed lines mark the best |r| of any unit "
        "of the same network untrained (this seed's initial weights): only a rise of "
        f"{LEARNED_MARGIN:g} or more above them is credited to training. Set *Unit colouring the text* to −1 "
        "to follow the best one, or pick any unit."
    )


def too_few_to_correlate(res: CharLMResult) -> str:
    return f"The text has {len(res.corpus.text)} characters: too few for a correlation to mean anything."


def too_short_to_correlate(res: CharLMResult) -> str:
    return f"{too_few_to_correlate(res)} Pick a longer text to look for feature units."


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
