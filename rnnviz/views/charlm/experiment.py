"""Experiment ``charlm``: a character language model trained live, then made to write.

Training is truncated backpropagation through time over parallel streams of the text, with
samples written at checkpoints so the reader watches it learn. The result keeps the trained
model, so generating (seed, length, temperature) is display-only and never retrains.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import CELLS, count_parameters
from rnnviz.core.config import LEARNING_RATES, learning_rate_param, param, seed_param
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import History, Progress, fit
from rnnviz.core.runtime import TRAINING_BUDGET_S
from rnnviz.core.seeding import seed_everything
from rnnviz.views.charlm import corpora as char_corpora
from rnnviz.views.charlm.features import FEATURES, correlations, strongest
from rnnviz.views.charlm.model import (
    CharModel,
    Chunk,
    Generation,
    cross_entropy,
    detach,
    generate,
    read,
    stream_chunks,
    stream_shape,
)

HELD_OUT = 0.1
"""Share of the text, at its end, kept out of training to measure perplexity on unseen text."""
WARM_UP_CHARS = 200
"""Training text read before the held-out tail, so the model meets it with context, not a blank state."""
MIN_HELD_OUT_CHARS = 400
"""Below this, a held-out tail would be a line or two: perplexity is then measured on the training text."""
CHECKPOINTS = 5
CHECKPOINT_CHARS = 70
CHECKPOINT_TEMPERATURE = 0.8
MAX_LAYERS = 3
MAX_HIDDEN = 256
MAX_SEED_CHARS = 200
MAX_LENGTH = 1000


@dataclass(frozen=True)
class CharLMConfig:
    corpus: str = param(
        char_corpora.DEFAULT_CORPUS,
        label="Training text",
        help="What the model learns to continue. Built-in texts need no network.",
        choices=char_corpora.CORPORA,
    )
    text: str = param(
        "",
        label="Your own text",
        help=f"Used when the training text is 'Paste your own text': {char_corpora.MIN_CHARS} to "
        f"{char_corpora.MAX_CHARS:,} characters.",
        max_chars=char_corpora.MAX_CHARS,
        multiline=True,
    )
    cell: str = param("lstm", label="Cell", help="The recurrent cell type.", choices=CELLS)
    embedding: int = param(
        16,
        label="Embedding size",
        help="Each character becomes a learned vector of this many numbers before the recurrent layer.",
        min=2,
        max=64,
        unit="numbers",
    )
    hidden: int = param(
        128,
        label="Hidden size",
        help="Units in each layer's hidden state.",
        min=4,
        max=MAX_HIDDEN,
        unit="units",
    )
    layers: int = param(1, label="Layers", help="Stacked recurrent layers.", min=1, max=MAX_LAYERS)
    seq_len: int = param(
        64,
        label="Sequence length",
        help="Characters per chunk: how far back the error flows (truncated backpropagation through time).",
        min=4,
        max=200,
        unit="characters",
    )
    carry: bool = param(
        True,
        label="Carry the state between chunks",
        help="On: each chunk starts from the previous chunk's final state, detached, so memory outlives "
        "the chunk. Off: every chunk starts from zeros.",
    )
    train_steps: int = param(
        200,
        label="Training steps",
        help="Adam steps, one chunk of every stream each.",
        min=0,
        max=3000,
        step=50,
        unit="steps",
    )
    lr: float = learning_rate_param(0.01, choices=LEARNING_RATES[:4])
    clip: float = param(
        1.0,
        label="Gradient clipping",
        help="Largest gradient norm applied per step; 0 turns clipping off.",
        choices=(0.0, 0.25, 1.0, 5.0),
    )
    seed: int = seed_param(0, help="Seeds the weights and the order of the chunks.")
    prompt: str = param(
        "",
        label="Seed text",
        help="The model reads this, then continues it. Empty: the training text's first character.",
        max_chars=MAX_SEED_CHARS,
        role="view",
    )
    length: int = param(
        300,
        label="Characters to write",
        help="How many characters the model generates after the seed text.",
        min=10,
        max=MAX_LENGTH,
        step=10,
        role="view",
    )
    temperature: float = param(
        0.8,
        label="Temperature",
        help="Divides the scores before the softmax: low is safe and repetitive, high is varied and "
        "error-prone.",
        min=0.1,
        max=2.0,
        step=0.05,
        role="view",
    )
    greedy: bool = param(
        False,
        label="Greedy (always the likeliest character)",
        help="Ignores the temperature and takes the top character every time.",
        role="view",
    )
    sampling_seed: int = param(
        0,
        label="Sampling seed",
        help="Fixes the random draws, so the same settings always write the same text.",
        min=0,
        max=99,
        role="view",
    )
    layer: int = param(
        1, label="Layer", help="Which layer's units to inspect.", min=1, max=MAX_LAYERS, role="view"
    )
    feature: str = param(
        "word",
        label="Feature",
        help="A simple property of each character; the panel lists units that track it.",
        choices=FEATURES,
        role="view",
    )
    unit: int = param(
        -1,
        label="Unit colouring the text",
        help="-1: the unit that tracks the chosen feature best.",
        min=-1,
        max=MAX_HIDDEN - 1,
        role="view",
    )
    position: int = param(
        1,
        label="Position",
        help="The character after which the next-character probabilities are shown.",
        min=1,
        max=MAX_SEED_CHARS + MAX_LENGTH,
        role="view",
    )


@dataclass(frozen=True)
class Checkpoint:
    step: int
    sample: str


@dataclass(frozen=True)
class CharLMResult:
    corpus: char_corpora.Corpus
    vocab: tuple[str, ...]
    model: CharModel
    history: History
    checkpoints: tuple[Checkpoint, ...]
    perplexity: float
    """exp(cross-entropy per character) on the held-out tail, or on the training text when too short."""
    perplexity_on: str
    """'held-out text' or 'training text' (when the text is too short to hold any out)."""
    train_perplexity: float
    correlations: dict[str, np.ndarray]
    """Feature name -> Pearson r of every unit with it over the training text, (layers, hidden)."""
    streams: int
    chunk_len: int
    params: int

    @property
    def first_char(self) -> str:
        return self.corpus.text[0]


def effective(cfg: CharLMConfig) -> CharLMConfig:
    """The Config with pasted text dropped unless it is used, so equal trainings share one cache entry."""
    return cfg if cfg.corpus == "custom" else dataclasses.replace(cfg, text="")


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
        fallback=res.first_char,
    )


def run(cfg: CharLMConfig, on_progress: ProgressFn | None = None) -> CharLMResult:
    corpus = char_corpora.load(cfg.corpus, cfg.text)
    vocab = tuple(sorted(set(corpus.text)))
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = np.array([index[ch] for ch in corpus.text], dtype=np.int64)
    held_out = len(ids) >= MIN_HELD_OUT_CHARS
    split = int(len(ids) * (1 - HELD_OUT)) if held_out else len(ids)

    rng = seed_everything(cfg.seed)
    model = CharModel(cfg.cell, len(vocab), cfg.embedding, cfg.hidden, cfg.layers)
    streams, chunk_len = stream_shape(split - 1, cfg.seq_len)
    state = None

    def loss_fn(chunk: Chunk) -> torch.Tensor:
        nonlocal state
        if chunk.fresh or not cfg.carry:
            state = None
        logits, state, _ = model(chunk.x, state)
        return nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), chunk.y.reshape(-1))

    checkpoints: list[Checkpoint] = []
    due = {round(cfg.train_steps * k / CHECKPOINTS) for k in range(1, CHECKPOINTS + 1)}
    steps_done = 0

    def sample_now(step: int) -> None:
        text = generate(
            model,
            vocab,
            "",
            CHECKPOINT_CHARS,
            temperature=CHECKPOINT_TEMPERATURE,
            sampling_seed=cfg.seed,
            fallback=corpus.text[0],
        ).text
        checkpoints.append(Checkpoint(step, text))

    def after_step() -> None:
        nonlocal state, steps_done
        state = detach(state)
        steps_done += 1
        if steps_done in due:
            sample_now(steps_done)

    def report(p: Progress) -> None:
        on_progress(dataclasses.replace(p, note=checkpoint_text(checkpoints)))

    def held_out_loss() -> float:
        start = max(0, split - WARM_UP_CHARS)
        logits, _ = read(model, ids[start:-1])
        return cross_entropy(logits[split - 1 - start :], ids[split:])

    sample_now(0)
    history = fit(
        model,
        loss_fn,
        stream_chunks(ids[:split], cfg.seq_len, rng),
        total_steps=cfg.train_steps,
        lr=cfg.lr,
        clip=cfg.clip or None,
        val_fn=held_out_loss if held_out else None,
        val_every=max(1, cfg.train_steps // 10),
        on_progress=report if on_progress is not None else None,
        budget_s=TRAINING_BUDGET_S,
        after_step=after_step,
    )
    if checkpoints[-1].step != steps_done:  # stopped early: show where it got to
        sample_now(steps_done)

    logits, states = read(model, ids[:-1])
    train_loss = cross_entropy(logits[: split - 1], ids[1:split])
    test_loss = held_out_loss() if held_out else train_loss
    return CharLMResult(
        corpus=corpus,
        vocab=vocab,
        model=model,
        history=history,
        checkpoints=tuple(checkpoints),
        perplexity=perplexity(test_loss),
        perplexity_on="held-out text" if held_out else "training text",
        train_perplexity=perplexity(train_loss),
        correlations=correlations(states, corpus.text[:-1]),
        streams=streams,
        chunk_len=chunk_len,
        params=count_parameters(model),
    )


def perplexity(loss: float) -> float:
    """The number of equally likely characters that would be as surprising as this loss (in nats)."""
    if not math.isfinite(loss):
        return float("nan")
    return math.exp(loss) if loss < 700 else math.inf


def checkpoint_text(checkpoints: list[Checkpoint] | tuple[Checkpoint, ...]) -> str:
    """One line per checkpoint, newlines shown as ↵ so every sample stays on its line."""
    return "\n".join(f"step {c.step:>4} │ {c.sample.replace(chr(10), '↵')}" for c in checkpoints)


def report(cfg: CharLMConfig, res: CharLMResult) -> dict:
    layer = min(cfg.layer, cfg.layers) - 1
    return {
        "metrics": {
            "final_loss": res.history.final_loss() if res.history.steps else None,
            "train_seconds": res.history.seconds,
            "sample": write(res, cfg).text,
            "perplexity": res.perplexity,
        },
        "perplexity_on": res.perplexity_on,
        "train_perplexity": res.train_perplexity,
        "checkpoints": [{"step": c.step, "sample": c.sample} for c in res.checkpoints],
        "units": {
            name: [{"unit": u, "r": r} for u, r in strongest(r_all[layer], 3)]
            for name, r_all in res.correlations.items()
        },
        "notes": list(res.corpus.notes),
    }


EXPERIMENT = Experiment(
    name="charlm",
    title="Character language model",
    config=CharLMConfig,
    run=run,
    report=report,
    description="Train a character-level language model with truncated backpropagation through time, "
    "then generate text at a chosen temperature.",
    normalise=effective,
)
