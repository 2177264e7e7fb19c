"""The snapshot timeline: what a view draws, recorded at a few checkpoints while its model trains.

The fit loop calls a view's ``capture`` function at each checkpoint of :func:`snapshot_steps`;
the frames it returns are small arrays (the view's own figures' data, on a fixed held-out input),
so a whole training can be replayed in the browser without the server training or drawing again.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

SNAPSHOTS = 24
"""Checkpoints per training, the untrained model and the last step included."""

Frame = dict[str, Any]
"""One checkpoint's captured values: arrays and numbers, keyed by what they are."""

Capture = Callable[[], Frame]
"""Called with the model in eval mode and gradients off; returns the view's frame."""

_enabled = threading.local()


@contextmanager
def capturing(enabled: bool) -> Iterator[None]:
    """Switch capture off (or on) in this thread: bench/timeline.py times training without it."""
    before = capture_enabled()
    _enabled.value = enabled
    try:
        yield
    finally:
        _enabled.value = before


def capture_enabled() -> bool:
    return getattr(_enabled, "value", True)


def snapshot_steps(total: int, count: int = SNAPSHOTS) -> tuple[int, ...]:
    """Step 0, the last step and quadratically spaced steps between: dense early, where most changes.

    Quadratic rather than geometric spacing: geometric puts nearly every checkpoint in the first
    few percent of a long training and leaves one frame for the rest.
    """
    if total <= 0:
        return (0,)
    count = min(count, total + 1)
    steps = {round(total * (i / (count - 1)) ** 2) for i in range(count)}
    gap = 1
    while len(steps) < count:
        if gap not in steps:
            steps.add(gap)
        gap += 1
    return tuple(sorted(steps))


@dataclass
class Timeline:
    """Frames recorded during one training, with the step and the training loss at each."""

    steps: list[int] = field(default_factory=list)
    loss: list[float | None] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)

    def add(self, step: int, loss: float | None, frame: Frame) -> None:
        self.steps.append(step)
        self.loss.append(loss)
        self.frames.append(frame)

    def __len__(self) -> int:
        return len(self.steps)

    def label(self, i: int) -> str:
        """'step 120, loss 0.034': what a caption or a slider says about frame ``i``."""
        loss = self.loss[i]
        shown = f", loss {loss:.3g}" if loss is not None and math.isfinite(loss) else ""
        return f"step {self.steps[i]}{shown}"

    def json(self) -> list[dict[str, Any]]:
        """For --json: one object per frame, ``step`` first, steps strictly increasing."""
        return [
            {"step": s, "loss": loss, **frame}
            for s, loss, frame in zip(self.steps, self.loss, self.frames, strict=True)
        ]
