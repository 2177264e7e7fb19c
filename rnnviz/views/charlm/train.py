"""Training a character language model live on a real text, and the film frame it records at each snapshot.

Training is truncated backpropagation through time over parallel streams of the first 90% of
the text. The last 10% is never trained on: it measures nats per character for the network and,
in the same run, for the Kneser–Ney character n-gram of the order that predicts held-out training
text best. Both models' losses on each test character are kept, so the page can put an interval on
their difference. Snapshots record samples and every unit on a fixed excerpt, so the page replays
the training; the result keeps the trained model, so writing (seed text, temperature) is
display-only and never retrains. The untrained network (the same seed's initial weights) is searched
for feature units too: the control for what training added.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import count_parameters
from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import ProgressFn
from rnnviz.core.fit import Progress, fit
from rnnviz.core.seeding import seed_everything
from rnnviz.core.timeline import Frame
from rnnviz.views.charlm.corpora import TextFile, load
from rnnviz.views.charlm.model import (
    EVAL_WINDOWS,
    WARM_CHARS,
    CharModel,
    Chunk,
    Windows,
    char_nats,
    detach,
    generate,
    nats_per_char,
    prompt_of,
    states,
    stream_chunks,
    stream_shape,
    top_next,
    windows,
)
from rnnviz.views.charlm.ngram import baseline
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import FINAL_LR_SHARE, HELD_OUT, WARM_UP_SHARE, CharLMConfig
from rnnviz.views.charlm.unit_search import search

MIN_HELD_OUT_CHARS = 400
"""Below this, a held-out tail would be a line or two: the model is then measured on the training text."""
AVERAGE_DECAY = 0.98
"""The model kept is a running average of the trained weights (about the last 50 steps): averaging
cancels the noise of Adam's last steps that the decayed learning rate leaves, at no extra cost."""
PROGRESS_EVERY_WINDOW = 4
"""The test-text curve drawn while training reads every 4th test window: a quarter of the cost."""
EXCERPT_CHARS = 200
"""Characters of held-out text coloured in the film: a few lines of a play."""
SAMPLE_CHARS = 100
"""Characters written at each snapshot."""
SAMPLE_TEMPERATURE = 0.8


def excerpt_start(text: str, start: int, end: int) -> int:
    """The first line start at or after ``start`` that leaves room for the excerpt (else ``start``)."""
    at = text.find("\n", start, max(start, end - EXCERPT_CHARS)) + 1
    return at if at > 0 else start


@torch.no_grad()
def frame(
    model: CharModel, vocab: Sequence[str], ids: np.ndarray, at: int, length: int, prompt: str, seed: int
) -> Frame:
    """One snapshot: the sample, the excerpt with h (and c) of every layer after each character, and the top 5.

    The frame carries its own text, so a live figure can be drawn from it alone. States are
    float16: a frame of a 256-unit LSTM is about 0.2 MB.
    """
    win = windows(ids, at + 1, at + 1 + length, 1, WARM_CHARS)
    logits, _, _ = model(torch.from_numpy(win.inputs))
    top_ids, top_p = top_next(logits[0, win.warm :].numpy())
    sample = generate(
        model, vocab, prompt, SAMPLE_CHARS, temperature=SAMPLE_TEMPERATURE, sampling_seed=seed
    ).text[len(prompt) :]
    out: Frame = {
        "sample": sample,
        "excerpt": "".join(vocab[i] for i in ids[at : at + length]),
        "top_chars": ["".join(vocab[i] for i in row) for row in top_ids],
        "top_p": top_p.astype(np.float16),
    }
    for kind, values in states(model, win.inputs).items():
        out[kind] = values[:, 0, win.warm :].astype(np.float16)
    return out


def lr_factor(step: int, total: int) -> float:
    """The share of the peak learning rate for the steps after ``step`` of ``total`` (fit runs step 1 at
    the peak): a linear warm-up, then a cosine decay to FINAL_LR_SHARE, so a high peak learns fast early
    and the weights still settle at the end."""
    warm = max(1, round(WARM_UP_SHARE * total))
    if step < warm:
        return (step + 1) / warm
    done = min(1.0, (step - warm) / max(1, total - warm))
    return FINAL_LR_SHARE + (1 - FINAL_LR_SHARE) * 0.5 * (1 + math.cos(math.pi * done))


def params(cfg: CharLMConfig) -> int:
    """Trainable parameters of the model run() trains for ``cfg`` on its named corpus (not an upload)."""
    vocab = set(load(cfg.corpus, cfg.text).text)
    return parameter_count(
        lambda: CharModel(cfg.cell, len(vocab), cfg.embedding, cfg.hidden, cfg.layers, cfg.dropout)
    )


def run(
    cfg: CharLMConfig,
    on_progress: ProgressFn | None = None,
    text_file: TextFile | None = None,
) -> CharLMResult:
    corpus = load(cfg.corpus, cfg.text, text_file)
    vocab = tuple(sorted(set(corpus.text)))
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = np.array([index[ch] for ch in corpus.text], dtype=np.int64)
    held_out = len(ids) >= MIN_HELD_OUT_CHARS
    split = int(len(ids) * (1 - HELD_OUT)) if held_out else len(ids)
    test_from = split if held_out else 1
    # A short text is read in one pass from its start: windows after it would start without context.
    test = windows(ids, test_from, len(ids), EVAL_WINDOWS if held_out else 1, WARM_CHARS)
    excerpt_at = excerpt_start(corpus.text, test_from, len(ids))
    excerpt_len = min(EXCERPT_CHARS, len(ids) - 1 - excerpt_at)
    prompt = prompt_of(vocab, corpus.text)
    progress_test = Windows(
        test.inputs[::PROGRESS_EVERY_WINDOW], test.targets[::PROGRESS_EVERY_WINDOW], test.warm
    )

    rng = seed_everything(cfg.seed)
    model = CharModel(cfg.cell, len(vocab), cfg.embedding, cfg.hidden, cfg.layers, cfg.dropout)
    untrained = copy.deepcopy(model).eval()
    average = copy.deepcopy(model).eval()
    streams, chunk_len = stream_shape(split - 1, cfg.seq_len)
    state = None
    averaged, trained = list(average.parameters()), list(model.parameters())

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
            torch._foreach_lerp_(averaged, trained, 1 - AVERAGE_DECAY)

    def capture() -> Frame:
        return frame(average, vocab, ids, excerpt_at, excerpt_len, prompt, cfg.seed)

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
        after_step=after_step,
        capture=capture,
        lr_schedule=lambda step: lr_factor(step, cfg.train_steps),
        fused_optimizer=True,
    )
    if history.stop == "diverged":
        average = model  # the average of a diverged run hides the divergence the page reports
    scored = char_nats(average, test)
    return CharLMResult(
        corpus=corpus,
        vocab=vocab,
        model=average,
        history=history,
        split=split,
        held_out=held_out,
        nats=float(scored.mean()),
        char_nats=scored.astype(np.float32),
        test=test,
        baseline=baseline(ids, split, len(vocab)) if held_out else None,
        excerpt_at=excerpt_at,
        excerpt=corpus.text[excerpt_at : excerpt_at + excerpt_len],
        final=capture() if history.timeline.frames == [] else history.timeline.frames[-1],
        search=search(average, ids, corpus.text),
        untrained=search(untrained, ids, corpus.text),
        streams=streams,
        chunk_len=chunk_len,
        params=count_parameters(model),
    )
