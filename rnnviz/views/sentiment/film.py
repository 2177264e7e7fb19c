"""The hidden-state map through training: a fixed sample of test sentences recorded at every snapshot.

The fit loop calls the capture at each checkpoint of the timeline. Afterwards every frame is
projected on the principal axes of the last frame, so between frames a point moves only because
its hidden state moved: the axes never turn or flip, and the film shows the two clouds forming
instead of the picture spinning. Hidden unit i is the same unit all through training, so one
basis for every frame is a fair comparison.
"""

from __future__ import annotations

import numpy as np
import torch

from rnnviz.core.classifier import SentimentModel, accuracy, pad
from rnnviz.core.timeline import Capture, Frame, Timeline
from rnnviz.views.sentiment.projection import Pca, fit_pca

FILM_SENTENCES = 500
"""Test sentences recorded at each snapshot: enough for two clouds to show, few enough that reading
them costs a few percent of the training time."""


def film_sample(n_test: int) -> np.ndarray:
    """Evenly spaced test rows: the same for a given split, and no draw from the run's random stream."""
    count = min(n_test, FILM_SENTENCES)
    return np.unique(np.linspace(0, n_test - 1, count).round().astype(np.int64))


def state_capture(model: SentimentModel, ids: list[list[int]], labels: np.ndarray) -> Capture:
    """What the map needs at a snapshot: each sentence's final state, P(positive) and the accuracy.

    The labels travel in every frame (one byte per sentence) so that a live figure drawn from the
    latest frame alone can colour the clouds.
    """
    batch, lengths = pad(ids)
    label = np.asarray(labels, dtype=np.int8)

    def capture() -> Frame:
        states = torch.nan_to_num(model.encode(batch, lengths))  # a diverged model's states: at the origin
        prob = torch.sigmoid(model.head(states).squeeze(-1)).numpy()
        return {"accuracy": accuracy(prob, label), "states": states.numpy(), "prob": prob, "label": label}

    return capture


def align(timeline: Timeline) -> tuple[Timeline, Pca | None]:
    """The timeline with each frame's states replaced by their projection on the last frame's PCA axes.

    Frames keep the accuracy, the 2-D points and P(positive) per sentence: what the film draws and
    --json reports, a fraction of the raw states' size. An empty timeline (nothing captured) stays empty.
    """
    if not timeline.frames:
        return timeline, None
    last = timeline.frames[-1]
    pca = fit_pca(last["states"], last["label"])
    frames = [
        {
            "accuracy": frame["accuracy"],
            "points": pca.project(frame["states"]).astype(np.float32),
            "prob": frame["prob"],
        }
        for frame in timeline.frames
    ]
    return Timeline(list(timeline.steps), list(timeline.loss), frames), pca
