"""Figures of the sentiment view: accuracy, confusion, hidden-state maps, a sentence read word by word,
and the hidden-state map as a training film (``film``) and while it trains (``live``)."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go

from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate, line_trace
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.reviews import LABELS
from rnnviz.core.style import OKABE_ITO, SERIES, UNIT_SCALE, base_layout, token_label
from rnnviz.core.timeline import Timeline
from rnnviz.views.sentiment.projection import Pca, TsneMap, fit_pca
from rnnviz.views.sentiment.reading import SentenceReading
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import SentimentConfig

SENTIMENT_COLORS = {0: OKABE_ITO["vermillion"], 1: OKABE_ITO["blue"]}
"""Negative and positive, everywhere on the page; they match the ends of PROB_SCALE."""
PROB_SCALE = "RdBu"
"""P(positive): red at 0, white at 0.5, blue at 1."""
MAX_LABELLED_STEPS = 25
"""A trajectory writes its tokens beside the points up to this length; longer ones only in hover."""


@lru_cache(maxsize=20_000)
def hover_text(text: str, width: int = 60, lines: int = 4) -> str:
    """User text for a Plotly hover box: escaped (Plotly renders some HTML), wrapped and shortened.

    Memoised: maps redraw the same few thousand sentences on every colour or perplexity change.
    """
    wrapped = textwrap.wrap(text, width)
    shown = wrapped[:lines]
    if len(wrapped) > lines:
        shown[-1] += " …"
    return "<br>".join(html.escape(line) for line in shown)


def pca_axes(pca: Pca) -> tuple[str, str]:
    """Axis titles of a PCA map, with the share of the variance each axis shows."""
    return tuple(f"PC {i + 1} ({share:.0%} of variance)" for i, share in enumerate(pca.explained))


def film_title(accuracy: float, sentences: int, when: str) -> str:
    """A snapshot's finding: how many of the recorded sentences it classifies right, and when."""
    return f"{accuracy:.0%} of {sentences:,} test sentences classified right at {when}"


CLOUD_MARKER = dict(size=6, opacity=0.75, line=dict(width=0))


def _at_step(step: int) -> str:
    return f"%{{text}}<br>P(positive) = %{{customdata:.2f}} at step {step}<extra></extra>"


def _cloud(points: np.ndarray, mask: np.ndarray, label: int, marker: dict, **more: Any) -> go.Scatter:
    """The points of one true label, in its colour; named after the label unless ``more`` names them."""
    more.setdefault("name", LABELS[label])
    color = SENTIMENT_COLORS[label]
    return go.Scatter(
        x=points[mask, 0], y=points[mask, 1], mode="markers", marker=dict(**marker, color=color), **more
    )


@by_result
def training_film(res: SentimentResult) -> go.Figure:
    """The result's film (about half a second to build: every frame's traces are validated)."""
    shown = res.film_index
    return film_figure(
        res.history.timeline, res.film_axes, res.test_labels[shown], [res.test_texts[i] for i in shown]
    )


def film_figure(timeline: Timeline, axes: Pca, labels: np.ndarray, texts: Sequence[str]) -> go.Figure:
    """The recorded test sentences' final states at every snapshot, on the last snapshot's PCA axes.

    Each frame replaces the points and P(positive) of the two clouds (one trace per true label);
    the sentence texts are sent once, with the figure. Axis ranges cover every frame, so the
    frame of reference stays still while the points move.
    """
    labels = np.asarray(labels)
    masks = [labels == k for k in (0, 1)]
    hover = np.array(
        [f"{hover_text(t)}<br><b>{LABELS[int(y)]}</b>" for t, y in zip(texts, labels, strict=True)]
    )
    titles = [
        film_title(frame["accuracy"], len(labels), timeline.label(i))
        for i, frame in enumerate(timeline.frames)
    ]
    last, step = timeline.frames[-1], timeline.steps[-1]
    fig = go.Figure()
    for k, mask in enumerate(masks):
        name = f"{LABELS[k]} ({int(mask.sum())})"
        more = dict(text=hover[mask], customdata=last["prob"][mask], hovertemplate=_at_step(step))
        fig.add_trace(_cloud(last["points"], mask, k, CLOUD_MARKER, name=name, **more))
    base_layout(fig, titles[-1], height=540, x=pca_axes(axes)[0], y=pca_axes(axes)[1])
    every = np.concatenate([frame["points"] for frame in timeline.frames])
    low, high = every.min(axis=0), every.max(axis=0)
    margin = 0.05 * (high - low) + 1e-6
    fig.update_xaxes(range=[low[0] - margin[0], high[0] + margin[0]])
    fig.update_yaxes(range=[low[1] - margin[1], high[1] + margin[1]])
    frames = [
        [
            go.Scatter(
                x=frame["points"][mask, 0],
                y=frame["points"][mask, 1],
                customdata=frame["prob"][mask],
                hovertemplate=_at_step(s),
            )
            for mask in masks
        ]
        for s, frame in zip(timeline.steps, timeline.frames, strict=True)
    ]
    return animate(fig, frames, [str(s) for s in timeline.steps], titles=titles)


LIVE_HEIGHT = 420


def live_map(history: History) -> go.Figure:
    """The latest snapshot's map while training, on its own PCA axes: the final axes are not known yet.

    A finished training's frames are already projected (train.align), so its last one is drawn as it is.
    """
    timeline = history.timeline
    frame, step = timeline.frames[-1], timeline.steps[-1]
    title = film_title(frame["accuracy"], len(frame["prob"]), timeline.label(-1))
    if "states" not in frame:
        return _projected_map(frame, step, title)
    pca = fit_pca(frame["states"], frame["label"])
    points = pca.project(frame["states"])
    fig = go.Figure()
    for k in (0, 1):
        hover = f"a {LABELS[k]} test sentence at step {step}<extra></extra>"
        fig.add_trace(_cloud(points, frame["label"] == k, k, CLOUD_MARKER, hovertemplate=hover))
    x, y = pca_axes(pca)
    base_layout(fig, title, height=LIVE_HEIGHT, x=x, y=y)
    return fig


def _projected_map(frame: dict[str, Any], step: int, title: str) -> go.Figure:
    """An aligned frame: its points on the last snapshot's axes; it keeps no labels, so P(positive) colours it."""
    points = frame["points"]
    fig = go.Figure(
        go.Scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            name="test sentence",
            marker=dict(
                **CLOUD_MARKER,
                color=frame["prob"],
                colorscale=PROB_SCALE,
                cmin=0,
                cmax=1,
                colorbar=dict(title="P(positive)", thickness=10, len=0.8),
            ),
            hovertemplate=f"P(positive) = %{{marker.color:.2f}} at step {step}<extra></extra>",
        )
    )
    axis = "PC {} (hidden state, on the last snapshot's axes)"
    base_layout(fig, title, height=LIVE_HEIGHT, x=axis.format(1), y=axis.format(2))
    return fig


def film(cfg: SentimentConfig, res: SentimentResult) -> go.Figure:
    """The hidden-state map through training; the trained model's PCA map when nothing was recorded."""
    if res.history.timeline.frames:
        return training_film(res)
    return pca_map(res, cfg.colour)


def live(cfg: SentimentConfig) -> LiveFigure:
    """While training: the map of the latest snapshot (the settings change nothing in it)."""
    return live_map


@by_result
def accuracy_curve(history: History, best_epoch: int, baseline: float) -> go.Figure:
    epochs = np.arange(1, len(history.val_accuracy) + 1)
    acc = np.asarray(history.val_accuracy)
    hover = "epoch %{x}<br>validation accuracy %{y:.1%}<extra></extra>"
    fig = go.Figure(
        line_trace(epochs, acc, "network, validation", SERIES["validation"], hover, mode="lines+markers")
    )
    fig.add_hline(
        y=baseline,
        line=dict(color=OKABE_ITO["grey"], dash="dash"),
        annotation_text=f"bag of words, test: {baseline:.1%}",
        annotation_position="bottom left",
    )
    if best_epoch:
        fig.add_scatter(
            x=[best_epoch],
            y=[acc[best_epoch - 1]],
            mode="markers",
            marker=dict(size=13, symbol="star", color=SERIES["truth"]),
            name="weights kept",
            hovertemplate="epoch %{x}: weights kept<extra></extra>",
        )
        title = f"Validation accuracy peaked at {acc[best_epoch - 1]:.1%} (epoch {best_epoch})"
    else:
        title = "No full epoch was validated"
    base_layout(fig, title, height=300, x="epoch", y="accuracy")
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(tickformat=".0%")
    return fig


@by_result
def confusion_figure(labels: np.ndarray, prob: np.ndarray) -> go.Figure:
    """Rows are the truth, columns the prediction; colour is the share of each true class."""
    predicted = (prob > 0.5).astype(int)
    counts = np.array([[np.sum((labels == t) & (predicted == p)) for p in (0, 1)] for t in (0, 1)])
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    names = [LABELS[0], LABELS[1]]
    text = [[f"{counts[t, p]}<br>{share[t, p]:.0%}" for p in (0, 1)] for t in (0, 1)]
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=names,
            y=names,
            text=text,
            texttemplate="%{text}",
            colorscale=UNIT_SCALE,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}<br>%{text}<extra></extra>",
        )
    )
    title = (
        f"{counts.trace():,} of {counts.sum():,} test sentences right<br>"
        f"<sup>{share[0, 0]:.0%} of negatives, {share[1, 1]:.0%} of positives</sup>"
    )
    base_layout(fig, title, height=320, x="predicted", y="true label")
    fig.update_yaxes(autorange="reversed")
    return fig


@by_result
def state_map(
    points: np.ndarray,
    labels: np.ndarray,
    prob: np.ndarray,
    texts: Sequence[str],
    *,
    colour: str,
    title: str,
    axes: tuple[str, str],
    trajectory: np.ndarray | None = None,
    tokens: Sequence[str] = (),
    height: int = 520,
) -> go.Figure:
    """Each test sentence's final hidden state as one point; optionally a typed sentence's path over it."""
    hover = np.array(
        [
            f"{hover_text(t)}<br><b>{LABELS[int(y)]}</b>, P(positive) = {p:.2f}"
            for t, y, p in zip(texts, labels, prob, strict=True)
        ]
    )
    fig = go.Figure()
    marker = dict(size=6, opacity=0.75, line=dict(width=0))
    if colour == "probability":
        fig.add_scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            name="test sentence",
            marker=dict(
                **marker,
                color=prob,
                colorscale=PROB_SCALE,
                cmin=0,
                cmax=1,
                colorbar=dict(title="P(positive)", thickness=10, len=0.8),
            ),
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    else:
        if colour == "correct":
            right = (prob > 0.5) == (labels == 1)
            groups = [
                ("correct", right, dict(color=OKABE_ITO["grey"], opacity=0.45)),
                ("wrong", ~right, dict(color=OKABE_ITO["black"], symbol="x")),
            ]
        else:
            groups = [(LABELS[k], labels == k, dict(color=SENTIMENT_COLORS[k])) for k in (0, 1)]
        for name, mask, style in groups:
            fig.add_scatter(
                x=points[mask, 0],
                y=points[mask, 1],
                mode="markers",
                name=f"{name} ({int(mask.sum())})",
                marker={**marker, **style},
                text=hover[mask],
                hovertemplate="%{text}<extra></extra>",
            )
    if trajectory is not None and len(trajectory):
        _add_trajectory(fig, trajectory, tokens)
    base_layout(fig, title, height=height, x=axes[0], y=axes[1])
    return fig


def _test_map(
    res: SentimentResult,
    points: np.ndarray,
    colour: str,
    title: str,
    axes: tuple[str, str],
    path: np.ndarray | None,
    reading: SentenceReading | None,
) -> go.Figure:
    """The mapped test sentences (``res.map_index``) at ``points``, with a typed sentence's path if any."""
    shown = res.map_index
    return state_map(
        points,
        res.test_labels[shown],
        res.test_prob[shown],
        [res.test_texts[i] for i in shown],
        colour=colour,
        title=title,
        axes=axes,
        trajectory=path,
        tokens=reading.tokens if reading is not None else (),
    )


def pca_map(res: SentimentResult, colour: str, reading: SentenceReading | None = None) -> go.Figure:
    """The PCA map of the test sentences' final states (their separation is measured in hidden space)."""
    title = f"PCA of {len(res.map_index):,} test sentences' final states"
    path = res.pca.project(reading.states) if reading is not None and reading.tokens else None
    return _test_map(res, res.pca_points, colour, title, pca_axes(res.pca), path, reading)


def tsne_figure(res: SentimentResult, tsne: TsneMap, colour: str, reading: SentenceReading) -> go.Figure:
    """The t-SNE map of the test sentences' final states, a typed sentence placed into it."""
    title = f"t-SNE of {len(res.map_index):,} test sentences' final states (perplexity {tsne.perplexity:g})"
    path = tsne.place(reading.states) if reading.tokens else None
    return _test_map(res, tsne.points, colour, title, ("t-SNE 1", "t-SNE 2"), path, reading)


def _add_trajectory(fig: go.Figure, path: np.ndarray, tokens: Sequence[str]) -> None:
    shown = [token_label(t) for t in tokens]
    labelled = len(path) <= MAX_LABELLED_STEPS
    fig.add_scatter(
        x=path[:, 0],
        y=path[:, 1],
        mode="lines+markers+text" if labelled else "lines+markers",
        name="your sentence",
        line=dict(color=SERIES["truth"], width=2),
        marker=dict(size=7, color=SERIES["truth"]),
        text=shown if labelled else None,
        textposition="top center",
        textfont=dict(size=12),
        customdata=[[t + 1, s] for t, s in enumerate(shown)],
        hovertemplate="your sentence, after '%{customdata[1]}' (t=%{customdata[0]})<extra></extra>",
    )
    fig.add_scatter(
        x=[path[-1, 0]],
        y=[path[-1, 1]],
        mode="markers",
        name="its final state",
        marker=dict(size=16, symbol="star", color=SERIES["truth"], line=dict(color="white", width=1)),
        hoverinfo="skip",
    )


@by_result
def position_maps(
    points: np.ndarray,
    step: np.ndarray,
    labels: np.ndarray,
    tokens: Sequence[str],
    axes: tuple[str, str],
    titles: tuple[str, str],
) -> tuple[go.Figure, go.Figure]:
    """The state after every word of a sample of sentences, coloured by position and by label.

    ``titles`` are the findings each map shows: whether the states fan out, whether the classes drift apart.
    """
    hover = np.array(
        [
            f"after '{token_label(t[:30])}' (t={s})<br>sentence is {LABELS[int(y)]}"
            for t, s, y in zip(tokens, step, labels, strict=True)
        ]
    )
    marker = dict(size=5, opacity=0.7, line=dict(width=0))
    cap = int(np.percentile(step, 95)) if len(step) else 1
    by_step = go.Figure(
        go.Scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            marker=dict(
                **marker,
                color=np.minimum(step, cap),
                colorscale=UNIT_SCALE,
                colorbar=dict(title="position t", thickness=10, len=0.8),
            ),
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    layout = dict(height=420, x=axes[0], y=axes[1])
    base_layout(by_step, titles[0], **layout)
    by_label = go.Figure()
    for k in (0, 1):
        mask = labels == k
        by_label.add_trace(
            _cloud(points, mask, k, marker, text=hover[mask], hovertemplate="%{text}<extra></extra>")
        )
    base_layout(by_label, titles[1], **layout)
    return by_step, by_label


def position_figures(res: SentimentResult, titles: tuple[str, str]) -> tuple[go.Figure, go.Figure]:
    """The states at every position of the sampled sentences, on the map's PCA axes, under their findings."""
    pos = res.positions
    return position_maps(pos.points, pos.step, pos.label, pos.token, pca_axes(res.pca), titles)


@by_result
def reading_figure(
    tokens: Sequence[str],
    prob: np.ndarray,
    baseline_prob: np.ndarray,
    known: np.ndarray,
) -> go.Figure:
    """P(positive) after each token, for the network and for the bag-of-words baseline."""
    steps = np.arange(1, len(tokens) + 1)
    shown = [token_label(t) for t in tokens]
    status = ["" if k else " (unknown: read as &lt;unk&gt;)" for k in known]
    custom = [[s, u] for s, u in zip(shown, status, strict=True)]
    fig = go.Figure()
    fig.add_hline(y=0.5, line=dict(color=OKABE_ITO["grey"], width=1, dash="dot"))
    fig.add_scatter(
        x=steps,
        y=baseline_prob,
        mode="lines+markers",
        name="bag of words",
        line=dict(color=OKABE_ITO["grey"], dash="dash", shape="hv"),
        marker=dict(size=6),
        customdata=custom,
        hovertemplate="after '%{customdata[0]}' (t=%{x})<br>bag of words: P(positive) %{y:.2f}<extra></extra>",
    )
    fig.add_scatter(
        x=steps,
        y=prob,
        mode="lines+markers",
        name="network",
        line=dict(color=SERIES["truth"], width=2.5),
        marker=dict(
            size=9,
            color=prob,
            colorscale=PROB_SCALE,
            cmin=0,
            cmax=1,
            symbol=["circle" if k else "circle-open" for k in known],
            line=dict(color=SERIES["truth"], width=1),
        ),
        customdata=custom,
        hovertemplate="after '%{customdata[0]}'%{customdata[1]} (t=%{x})<br>"
        "network: P(positive) %{y:.2f}<extra></extra>",
    )
    verdict = lambda p: f"{p:.0%} positive"
    title = f"After the last token the network says {verdict(prob[-1])}; bag of words says {verdict(baseline_prob[-1])}"
    base_layout(fig, title, height=340, x="token read", y="P(positive)")
    fig.update_xaxes(
        tickmode="array",
        tickvals=list(steps),
        ticktext=shown if len(steps) <= 40 else None,
        tickangle=0 if len(steps) <= 12 else -45,
    )
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%")
    return fig


def readout_latex(wh: float, b: float, prob: float) -> str:
    """The read-out written out with this sentence's numbers: P(positive) = sigma(w.h + b)."""
    sign = "+" if b >= 0 else "-"
    return (
        rf"P(\text{{positive}}) = \sigma\left(w^\top h_T + b\right) = \sigma({wh:.3f} {sign} {abs(b):.3f})"
        rf" = {prob:.3f}"
    )
