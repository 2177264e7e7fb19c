"""The sentiment task: the sentiment view's trained classifier, read as a gates result.

The gates view never imports the sentiment view: it names it as its upstream experiment
(``sentiment_upstream``), the core runtime trains or fetches that result, and ``train.run`` hands it to
``gates_from_sentiment``. Only the classifier, test sentences, test labels and history are read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rnnviz.core.cells import trace
from rnnviz.core.classifier import SentimentModel, pad
from rnnviz.core.experiment import Upstream
from rnnviz.views.gates.gating import gate_saturation, influential_units, parameter_table, saturated_per_item
from rnnviz.views.gates.inputs import MAX_TOKENS
from rnnviz.views.gates.lessons import shared_classifier_note
from rnnviz.views.gates.result import Corpus, GatesResult, HeldOut, Network, weights_of
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import HELD_OUT


def sentiment_upstream(cfg: GatesConfig) -> Upstream | None:
    """For the sentiment task, the sentiment view's classifier: its defaults with this page's cell and seed.

    One layer, one direction, so every gate belongs to one cell read left to right. Leaving
    the rest at the defaults lets both views share one trained model.
    """
    if cfg.task != "sentiment":
        return None
    return Upstream("sentiment", {"cell": cfg.cell, "seed": cfg.seed, "layers": 1, "bidirectional": False})


def _sentence_network(
    model: SentimentModel, ids: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor
) -> tuple[Network, np.ndarray]:
    """A sentiment model as a Network, and its last hidden state for each held-out sentence.

    Sentences are padded at the end; padding comes after every real word, so it never changes a
    real step, and only real steps count towards saturation.
    """
    with torch.no_grad():
        top = trace(model.rnn, model.embed(ids)).top
        real = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        last = top.h[torch.arange(len(lengths)), lengths - 1]
        logits = model.head(last)[:, 0]
        loss = float(nn.functional.binary_cross_entropy_with_logits(logits, labels))
        item_loss = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    network = Network(
        rnn=model.rnn,
        head=model.head,
        embedding=model.embed,
        weights=weights_of(model.rnn),
        saturation=gate_saturation({g: v[real].numpy() for g, v in top.gates.items()}),
        held_out_loss=loss,
        item_loss=item_loss.numpy().astype(np.float32),
        item_saturation=saturated_per_item({g: v.numpy() for g, v in top.gates.items()}, real.numpy()),
    )
    return network, last.numpy()


def constant_guess_loss(labels: np.ndarray, p: float) -> np.ndarray:
    """Each sentence's cross-entropy under the best constant guess, P(positive) = the positive share ``p``."""
    if not 0 < p < 1:
        return np.zeros(len(labels), dtype=np.float32)
    return (-(labels * np.log(p) + (1 - labels) * np.log(1 - p))).astype(np.float32)


def gates_from_sentiment(senti: Any, cfg: GatesConfig) -> GatesResult:
    """The sentiment view's trained classifier, with an untrained twin of the same shape.

    The twin is freshly initialised from the seed (the sentiment view keeps no copy of its
    initial weights), so the comparison is with an untrained network of the same architecture.
    Its training history, timeline included, is the sentiment view's own.
    """
    trained = senti.classifier.model
    rnn = trained.rnn
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed)
        twin = SentimentModel(trained.embed.num_embeddings, cfg.cell, rnn.input_size, rnn.hidden_size)
    twin.eval()
    count = min(HELD_OUT, len(senti.test_texts))
    encoded = [senti.classifier.tokenize(text, MAX_TOKENS).ids for text in senti.test_texts[:count]]
    kept = [i for i, ids in enumerate(encoded) if ids]
    ids, lengths = pad([encoded[i] for i in kept])
    labels = torch.tensor(senti.test_labels[kept], dtype=torch.float32)
    trained_net, last = _sentence_network(trained, ids, lengths, labels)
    untrained_net, _ = _sentence_network(twin, ids, lengths, labels)
    p = float(labels.mean())
    y = labels.numpy()
    return GatesResult(
        task="sentiment",
        cell=cfg.cell,
        input_size=rnn.input_size,
        hidden=rnn.hidden_size,
        trained=trained_net,
        untrained=untrained_net,
        history=senti.history,
        chance_loss=float(-(p * np.log(p) + (1 - p) * np.log(1 - p))) if 0 < p < 1 else 0.0,
        chance_item_loss=constant_guess_loss(y, p),
        loss_name="cross-entropy",
        ranked_units=influential_units(last, trained.head.weight[0].detach().numpy()),
        params=parameter_table(rnn.input_size, rnn.hidden_size),
        held_out=HeldOut(inputs=ids.numpy(), target=labels.numpy(), lengths=lengths.numpy()),
        corpus=Corpus(
            tokenize=senti.classifier.tokenize,
            sentences=tuple(senti.test_texts),
            labels=np.asarray(senti.test_labels),
        ),
        notes=(shared_classifier_note(cfg.cell, rnn.hidden_size, rnn.input_size),),
    )
