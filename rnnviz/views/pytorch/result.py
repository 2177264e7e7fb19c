"""What a run of the PyTorch view returns: the three padding readers and what they scored, the two
character models on Hamlet, and the truncated-backpropagation demonstrations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.core.fit import History
from rnnviz.views.pytorch.carried import CharRun, Truncation
from rnnviz.views.pytorch.padding import Readers, Sentences, Where, commoner_label_correct


@dataclass(frozen=True, eq=False)
class PytorchResult:
    data: Sentences
    readers: Readers
    history: History
    """The three readers' joint training: loss is their mean; the timeline holds their accuracies."""
    losses: dict[str, list[float]]
    capture_seconds: float
    test_correct: dict[str, np.ndarray]
    """Reader -> whether it classified each test sentence right (bool, in ``data.test`` order)."""
    epoch_seconds: dict[str, float]
    padding_read: float
    """Mean padding tokens after a test sentence's end in its batch."""
    where: tuple[Where, ...]
    chars: tuple[CharRun, CharRun]
    """Stateful, then stateless."""
    truncations: tuple[Truncation, ...]

    @property
    def stateful(self) -> CharRun:
        return self.chars[0]

    @property
    def stateless(self) -> CharRun:
        return self.chars[1]

    @property
    def test_accuracy(self) -> dict[str, float]:
        return {name: float(right.mean()) for name, right in self.test_correct.items()}

    @property
    def chance_correct(self) -> np.ndarray:
        """Whether always answering the commoner label is right on each test sentence."""
        return commoner_label_correct(self.data)

    @property
    def chance(self) -> float:
        """The test accuracy of always answering the commoner label: the floor every reader must beat."""
        return float(self.chance_correct.mean())

    @property
    def gap(self) -> float:
        """Packing's test accuracy minus output[:, -1]'s: what reading the padding costs."""
        return self.test_accuracy["packed"] - self.test_accuracy["last_padded"]

    @property
    def notes(self) -> tuple[str, ...]:
        """Nothing to add: the page explains every number where it shows it."""
        return ()
