"""Experiment ``charlm``: a character language model trained live on a real text, against counting.

Training is truncated backpropagation through time over parallel streams of the first 90% of
the text. The last 10% is never trained on: it measures nats per character for the network and,
in the same run, for the best Kneser–Ney character n-gram. Snapshots record samples and every
unit on a fixed excerpt, so the page replays the training; the result keeps the trained model,
so writing (seed text, temperature) is display-only and never retrains.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import count_parameters
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
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, Progress, fit
from rnnviz.core.memo import by_result
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.views.charlm import analysis, ngram
from rnnviz.views.charlm import corpora as char_corpora
from rnnviz.views.charlm.export import export
from rnnviz.views.charlm.features import FEATURES, Unit, choose, rank
from rnnviz.views.charlm.figures import next_chars
from rnnviz.views.charlm.model import (
    CharModel,
    Chunk,
    Generation,
    Windows,
    detach,
    generate,
    nats_per_char,
    states,
    stream_chunks,
    stream_shape,
    top_next,
    windows,
)

HELD_OUT = 0.1
"""Share of the text, at its end, kept out of training to measure nats per character on unseen text."""
MIN_HELD_OUT_CHARS = 400
"""Below this, a held-out tail would be a line or two: the model is then measured on the training text."""
AVERAGE_DECAY = 0.98
"""The model kept is a running average of the trained weights (about the last 50 steps): averaging
cancels the noise of Adam's last steps that the decayed learning rate leaves, at no extra cost."""
WARM_UP_SHARE = 0.05
"""The learning rate climbs to its peak over this share of the steps: Adam's first moments are noisy."""
FINAL_LR_SHARE = 0.05
"""The cosine decay ends at this share of the peak: a high peak learns fast, the low end settles the
weights, which is what lets a 256-unit LSTM beat the n-gram on Hamlet within the budget."""
VAL_EVERY_WINDOW = 4
"""The validation curve drawn while training reads every 4th test window: a quarter of the cost."""
MAX_HIDDEN = 256
MAX_SEED_CHARS = 200
MAX_LENGTH = 1000
DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5)
NATS_PER_BIT = math.log(2)
PEAK_LR = 0.02
"""The default peak of the schedule: on Hamlet, peaks of 0.015 and 0.03 ended 0.03 nats/char worse."""
LR_CHOICES = (*LEARNING_RATES[1:3], PEAK_LR, LEARNING_RATES[3])
"""The usual steps around the default peak, which sits between two of them."""


@dataclass(frozen=True)
class CharLMConfig:
    corpus: str = param(
        char_corpora.DEFAULT_CORPUS,
        "Training text",
        "What the model learns to continue. Built-in texts need no network; the last "
        f"{HELD_OUT:.0%} of the text is kept for testing.",
        choices=char_corpora.CORPORA,
    )
    text: str = param(
        "",
        "Your own text",
        f"Used when the training text is 'Paste your own text': {char_corpora.MIN_CHARS} to "
        f"{char_corpora.MAX_CHARS:,} characters. Longer texts: upload a .txt file.",
        max_chars=char_corpora.MAX_CHARS,
        multiline=True,
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
        "-1: the unit (of any state and layer) that tracks the chosen feature best.",
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


@dataclass(frozen=True)
class CharLMResult:
    corpus: char_corpora.Corpus
    vocab: tuple[str, ...]
    model: CharModel
    history: History
    split: int
    """Characters trained on: text[:split]. The rest is the held-out test text."""
    held_out: bool
    """False when the text is too short to hold any out: it is then measured on the training text."""
    nats: float
    """The network's nats per character on the held-out text (or the training text)."""
    test: Windows
    """How that text was read: windows side by side, each after a warm-up (reproduce.py reads the same)."""
    baseline: ngram.Baseline | None
    """The best n-gram, trained on the same characters; None without held-out text."""
    excerpt_at: int
    excerpt: str
    final: Frame
    """The trained model's frame: what the film's last frame shows."""
    search: analysis.Search
    streams: int
    chunk_len: int
    params: int

    @property
    def prompt(self) -> str:
        return analysis.prompt_of(self.vocab, self.corpus.text)


def effective(cfg: CharLMConfig) -> CharLMConfig:
    """The Config with pasted text dropped unless it is used, so equal trainings share one cache entry."""
    return cfg if cfg.corpus == "custom" else dataclasses.replace(cfg, text="")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--text-file",
        metavar="PATH",
        type=_text_file_argument,
        default=None,
        help=f"train on a UTF-8 .txt file ({char_corpora.MIN_FILE_CHARS:,} characters or more; the first "
        f"{char_corpora.MAX_FILE_CHARS:,} are used) instead of --corpus",
    )


def _text_file_argument(path: str) -> char_corpora.TextFile:
    try:
        return char_corpora.read_text_file(path)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


@by_result
def write(res: CharLMResult, cfg: CharLMConfig, length: int | None = None) -> Generation:
    """The model's continuation of the Config's seed text, at its temperature and sampling seed."""
    return generate(
        res.model,
        res.vocab,
        cfg.prompt,
        cfg.length if length is None else length,
        temperature=cfg.temperature,
        greedy=cfg.greedy,
        sampling_seed=cfg.sampling_seed,
        fallback=res.prompt,
    )


@dataclass(frozen=True)
class Reading:
    """What the model did on a written text: one unit's value after each character, and its top guesses."""

    values: np.ndarray
    next_chars: tuple[str, ...]
    """Per character, the five likeliest next characters with their probabilities, as hover text."""


@by_result
def reading(res: CharLMResult, gen: Generation, unit: Unit) -> Reading:
    """Read the written text again with the step-by-step cell, which also gives the LSTM's cell state c."""
    ids = np.array([[res.vocab.index(ch) for ch in gen.text]])
    values = states(res.model, ids)[unit.state if unit.state in res.final else "h"]
    top_ids, top_p = top_next(gen.logits)
    hovers = tuple(
        next_chars("".join(res.vocab[i] for i in row), p) for row, p in zip(top_ids, top_p, strict=True)
    )
    return Reading(values[unit.layer, 0, :, unit.index], hovers)


def chosen_unit(res: CharLMResult, cfg: CharLMConfig) -> Unit:
    """The unit the page colours by: the one asked for, clamped to the model, or the feature's best."""
    return choose(res.search.r[cfg.feature], state=cfg.state, layer=cfg.layer, unit=cfg.unit)


def lr_factor(step: int, total: int) -> float:
    """The share of the peak learning rate for the steps after ``step`` of ``total`` (fit runs step 1 at
    the peak): a linear warm-up, then a cosine decay to FINAL_LR_SHARE, so a high peak learns fast early
    and the weights still settle at the end."""
    warm = max(1, round(WARM_UP_SHARE * total))
    if step < warm:
        return (step + 1) / warm
    done = min(1.0, (step - warm) / max(1, total - warm))
    return FINAL_LR_SHARE + (1 - FINAL_LR_SHARE) * 0.5 * (1 + math.cos(math.pi * done))


def run(
    cfg: CharLMConfig,
    on_progress: ProgressFn | None = None,
    text_file: char_corpora.TextFile | None = None,
) -> CharLMResult:
    corpus = char_corpora.load(cfg.corpus, cfg.text, text_file)
    vocab = tuple(sorted(set(corpus.text)))
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = np.array([index[ch] for ch in corpus.text], dtype=np.int64)
    held_out = len(ids) >= MIN_HELD_OUT_CHARS
    split = int(len(ids) * (1 - HELD_OUT)) if held_out else len(ids)
    test_from = split if held_out else 1
    # A short text is read in one pass from its start: windows after it would start without context.
    test = windows(ids, test_from, len(ids), analysis.EVAL_WINDOWS if held_out else 1, analysis.WARM_CHARS)
    excerpt_at = analysis.excerpt_start(corpus.text, test_from, len(ids))
    excerpt_len = min(analysis.EXCERPT_CHARS, len(ids) - 1 - excerpt_at)
    prompt = analysis.prompt_of(vocab, corpus.text)
    progress_test = Windows(test.inputs[::VAL_EVERY_WINDOW], test.targets[::VAL_EVERY_WINDOW], test.warm)

    rng = seed_everything(cfg.seed)
    model = CharModel(cfg.cell, len(vocab), cfg.embedding, cfg.hidden, cfg.layers, cfg.dropout)
    average = copy.deepcopy(model).eval()
    streams, chunk_len = stream_shape(split - 1, cfg.seq_len)
    state = None

    def loss_fn(chunk: Chunk) -> torch.Tensor:
        nonlocal state
        if chunk.fresh or not cfg.carry:
            state = None
        logits, state, _ = model(chunk.x, state)
        return nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), chunk.y.reshape(-1))

    def after_step() -> None:
        nonlocal state
        state = detach(state)
        with torch.no_grad():
            for kept, trained in zip(average.parameters(), model.parameters(), strict=True):
                kept.lerp_(trained, 1 - AVERAGE_DECAY)

    def capture() -> Frame:
        return analysis.frame(average, vocab, ids, excerpt_at, excerpt_len, prompt, cfg.seed)

    def report(p: Progress) -> None:
        frames = p.history.timeline.frames
        note = f"Written at step {p.history.timeline.steps[-1]}:\n{frames[-1]['sample']}" if frames else ""
        on_progress(dataclasses.replace(p, note=note))

    history = fit(
        model,
        loss_fn,
        stream_chunks(ids[:split], cfg.seq_len, rng),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        clip=cfg.clip or None,
        val_fn=lambda: nats_per_char(average, progress_test),
        val_every=max(1, cfg.train_steps // 10),
        on_progress=report if on_progress is not None else None,
        budget_s=TRAINING_BUDGET_S,
        after_step=after_step,
        capture=capture,
        lr_schedule=lambda step: lr_factor(step, cfg.train_steps),
    )
    if history.stop == "diverged":
        average = model  # the average of a diverged run hides the divergence the page reports
    return CharLMResult(
        corpus=corpus,
        vocab=vocab,
        model=average,
        history=history,
        split=split,
        held_out=held_out,
        nats=nats_per_char(average, test),
        test=test,
        baseline=ngram.baseline(ids, split, len(vocab)) if held_out else None,
        excerpt_at=excerpt_at,
        excerpt=corpus.text[excerpt_at : excerpt_at + excerpt_len],
        final=capture() if history.timeline.frames == [] else history.timeline.frames[-1],
        search=analysis.search(average, ids, corpus.text),
        streams=streams,
        chunk_len=chunk_len,
        params=count_parameters(model),
    )


def bits(nats: float) -> float:
    return nats / NATS_PER_BIT


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


def report(cfg: CharLMConfig, res: CharLMResult) -> dict:
    unit = chosen_unit(res, cfg)
    base = res.baseline
    return {
        "metrics": {
            "val_nats_per_char": res.nats,
            "val_bits_per_char": bits(res.nats),
            "ngram_val_nats_per_char": base.nats if base else None,
            "ngram_val_bits_per_char": bits(base.nats) if base else None,
            "ngram_order": base.order if base else None,
            "corpus_chars": len(res.corpus.text),
            "train_seconds": res.history.seconds,
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "sample": write(res, cfg).text,
        },
        "evaluated_on": "held-out text" if res.held_out else "training text",
        "verdict": verdict(res),
        "ngram_nats_by_order": {
            "held_out_training_text": list(base.dev_nats) if base else None,
            "test": list(base.test_nats) if base else None,
        },
        "units": {
            name: [
                {"state": x.unit.state, "layer": x.unit.layer + 1, "unit": x.unit.index, "r": x.r}
                for x in rank(res.search.r[name], 3)
            ]
            for name in FEATURES
        },
        "timeline": [
            {
                "step": entry["step"],
                "loss": entry["loss"],
                "sample": entry["sample"],
                "unit": [unit.state, unit.layer + 1, unit.index],
                "unit_values": entry[unit.state][unit.layer, :, unit.index],
            }
            for entry in res.history.timeline.json()
        ],
        "notes": list(res.corpus.notes),
    }


EXPERIMENT = Experiment(
    name="charlm",
    title="Character language model",
    config=CharLMConfig,
    run=run,
    report=report,
    description="Train a character-level language model on Hamlet (or your text) with truncated "
    "backpropagation through time, compare it with the best Kneser–Ney n-gram on held-out text, "
    "then generate text at a chosen temperature.",
    add_arguments=add_arguments,
    normalise=effective,
    export=export,
)
