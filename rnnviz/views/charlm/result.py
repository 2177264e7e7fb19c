"""What a character-model run returns: the trained model (so writing never retrains), its score against
the n-gram on held-out text, the training film and the unit search, trained and untrained."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.fit import History
from rnnviz.core.timeline import Frame
from rnnviz.views.charlm.corpora import Corpus
from rnnviz.views.charlm.features import Unit, choose
from rnnviz.views.charlm.model import CharModel, Windows, prompt_of
from rnnviz.views.charlm.ngram import Baseline
from rnnviz.views.charlm.settings import CharLMConfig
from rnnviz.views.charlm.unit_search import Search


@dataclass(frozen=True)
class CharLMResult:
    corpus: Corpus
    vocab: tuple[str, ...]
    model: CharModel
    history: History
    split: int
    """Characters trained on: text[:split]. The rest is the held-out test text."""
    held_out: bool
    """False when the text is too short to hold any out: it is then measured on the training text."""
    nats: float
    """The network's nats per character on the held-out text (or the training text)."""
    char_nats: np.ndarray
    """Its nats on each of those characters, in text order (float32): paired with the n-gram's."""
    test: Windows
    """How that text was read: windows side by side, each after a warm-up (reproduce.py reads the same)."""
    baseline: Baseline | None
    """The best n-gram, trained on the same characters; None without held-out text."""
    excerpt_at: int
    excerpt: str
    final: Frame
    """The trained model's frame: what the film's last frame shows."""
    search: Search
    untrained: Search
    """The same search on the untrained network (the initial weights of this seed): the control."""
    streams: int
    chunk_len: int
    params: int

    @property
    def notes(self) -> tuple[str, ...]:
        """What happened to the text on its way in (a fallback, a cut, removed characters)."""
        return self.corpus.notes

    @property
    def prompt(self) -> str:
        return prompt_of(self.vocab, self.corpus.text)

    def unit(self, cfg: CharLMConfig) -> Unit:
        """The unit the page colours by: the one asked for, clamped to the model, or the feature's best."""
        return choose(self.search.r[cfg.feature], state=cfg.state, layer=cfg.layer, unit=cfg.unit)
