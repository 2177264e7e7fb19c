"""Figures of the sine view: the signal and its split, the forecast, and how its error compounds."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnnviz.core.experiment import LiveFigure
from rnnviz.core.figures import animate, line_trace, state_heatmap
from rnnviz.core.fit import History
from rnnviz.core.memo import by_result
from rnnviz.core.style import OKABE_ITO, SERIES, base_layout
from rnnviz.core.timeline import Timeline
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.result import SineResult
from rnnviz.views.sine.rolling import HYBRID, LEVELS, coverage, network_key
from rnnviz.views.sine.scoring import CONTENDERS, contenders
from rnnviz.views.sine.settings import SineConfig, natural_generation

FREE = OKABE_ITO["vermillion"]
"""Free-running forecast: the network fed its own predictions."""
TEACHER = OKABE_ITO["sky"]
"""Teacher-forced, one step ahead: the network fed the true past."""
FUTURE_SHADE = "rgba(153, 153, 153, 0.12)"
INTERVAL_SHADE = {0.8: "rgba(213, 94, 0, 0.22)", 0.95: "rgba(213, 94, 0, 0.10)"}
"""Prediction-interval bands, keyed by level (rolling.LEVELS): the narrower one darker."""
OBJECTIVE_LABELS = {"rollout": "network trained on rollouts", "one_step": "network trained one step ahead"}
ERROR_SHADE = "rgba(213, 94, 0, 0.25)"


def cumulative_mse(prediction: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """MSE over the first k steps, for every k: the forecast error as a function of horizon."""
    squared = (prediction.astype(float) - truth) ** 2
    return np.cumsum(squared) / np.arange(1, len(squared) + 1)


def _fmt(x: float) -> str:
    return f"{x:.2g}" if np.isfinite(x) else "not a number"


def _value_hover(res: SineResult, what: str) -> str:
    return f"{res.data.time_hover}<br>value %{{y:.4g}}<extra>{what}</extra>"


def _step_hover(res: SineResult, what: str) -> str:
    """Hover of a forecast step: its number (customdata), its time and the value ``what`` names."""
    return f"step %{{customdata}} ({res.data.time_hover})<br>{what} %{{y:.4g}}<extra></extra>"


def value_title(res: SineResult) -> str:
    """The target's axis title: its column name and unit for real data, 'value' for a synthetic signal."""
    if res.data.unit:
        return f"{res.data.columns[0]} ({res.data.unit})"
    return "value" if res.data.columns[0] == "value" else res.data.columns[0]


@by_result
def signal_figure(res: SineResult) -> go.Figure:
    """The training span with validation targets marked, and the future the forecast must reach."""
    t = res.time
    n = res.n_train
    target_time = t[res.window + res.val_windows]
    fig = go.Figure()
    observed, future = _value_hover(res, "observed"), _value_hover(res, "future")
    fig.add_trace(
        line_trace(t[:n], res.observed[:n], "training signal", SERIES["train"], observed, width=1.5)
    )
    fig.add_scatter(
        x=target_time,
        y=res.observed[res.window + res.val_windows],
        mode="markers",
        name="validation targets",
        marker=dict(color=SERIES["validation"], size=5),
        hovertemplate=_value_hover(res, "held out"),
    )
    fig.add_trace(
        line_trace(t[n:], res.truth[n:], "future (to forecast)", SERIES["truth"], future, width=1, dash="dot")
    )
    fig.add_vrect(x0=t[n], x1=t[-1], fillcolor=FUTURE_SHADE, line_width=0)
    total = len(res.val_windows) + len(res.train_windows)
    if res.val_windows.size and res.val_windows.min() > res.train_windows.max():
        fig.add_vrect(x0=target_time.min(), x1=t[n - 1], fillcolor="rgba(230, 159, 0, 0.15)", line_width=0)
        how = "the last stretch"
    else:
        how = "at random"
    title = (
        f"{html.escape(res.source)}: trained on the first {n:,} {res.data.step}s, "
        f"{len(res.val_windows)} of {total} windows held out {how}"
    )
    return base_layout(fig, title, height=320, x=res.data.time_title, y=value_title(res))


@by_result
def forecast_figure(res: SineResult, generation: str, horizon: int) -> go.Figure:
    """Free-running forecast against the truth, the gap between them shaded."""
    steps = res.steps(horizon)
    t = res.time
    n = res.n_train
    free = res.forecasts[generation].free[:steps]
    truth = res.future[:steps]
    future_t = t[n : n + steps]
    context = slice(max(0, n - 4 * res.window), n)
    numbers = np.arange(1, steps + 1)
    observed = _value_hover(res, "observed")
    fig = go.Figure()
    fig.add_trace(
        line_trace(
            t[context], res.observed[context], "last training values", SERIES["train"], observed, width=1.5
        )
    )
    fig.add_trace(
        line_trace(
            future_t,
            truth,
            "truth",
            SERIES["truth"],
            _step_hover(res, "truth"),
            width=1.5,
            customdata=numbers,
        )
    )
    fig.add_trace(
        line_trace(
            future_t,
            free,
            "forecast (free running)",
            FREE,
            _step_hover(res, "forecast"),
            width=1.5,
            fill="tonexty",
            fillcolor=ERROR_SHADE,
            customdata=numbers,
        )
    )
    _add_intervals(fig, future_t, free, res.widths[generation][:, :steps])
    fig.add_vline(x=t[n], line=dict(color="grey", width=1, dash="dash"))
    mse = cumulative_mse(free, truth)[-1] if steps else float("nan")
    title = f"Fed its own predictions: MSE {_fmt(mse)} over {steps:,} {res.data.step}s"
    base_layout(fig, title, height=340, x=res.data.time_title, y=value_title(res))
    fig.update_layout(legend_traceorder="normal")
    return fig


def _add_intervals(
    fig: go.Figure,
    x: np.ndarray,
    centre: np.ndarray,
    widths: np.ndarray,
    *,
    col: int | None = None,
    who: str = "",
) -> None:
    """The prediction intervals as shaded bands around the forecast, widest first, over the steps they reach."""
    reach = widths.shape[1]
    place = dict(row=1, col=col) if col else {}
    for level, width in sorted(zip(LEVELS, widths, strict=True), reverse=True):
        if not np.isfinite(width).all():
            continue
        upper, lower = centre[:reach] + width, centre[:reach] - width
        fig.add_scatter(
            x=np.concatenate([x[:reach], x[:reach][::-1]]),
            y=np.concatenate([upper, lower[::-1]]),
            fill="toself",
            fillcolor=INTERVAL_SHADE[level],
            line=dict(width=0),
            name=f"{who}{level:.0%} prediction interval",
            hoverinfo="skip",
            **place,
        )


@by_result
def fan_figure(res: SineResult, generation: str) -> go.Figure:
    """Fan charts from the first origin of the held-out span: the network's forecast and the AR model's, each
    with its 80% and 95% prediction intervals, beside the truth; the title gives the intervals' coverage over
    every rolling origin."""
    rolled = res.rolling
    network = network_key(res.objective, generation)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=("network", "autoregressive (AR)"))
    if not len(rolled.starts):
        return base_layout(fig, "No forecast origin fits in the held-out span", height=360)
    start = int(rolled.starts[0])
    x = res.time[start : start + rolled.reach]
    context = slice(max(0, start - 2 * rolled.reach), start)
    shares = {}
    for col, (key, widths, scale, label) in enumerate(
        (
            (network, res.widths[generation], res.interval_scale, "network"),
            ("ar", res.ar_widths, None, "AR"),
        ),
        start=1,
    ):
        shares[label] = coverage(rolled.forecasts[key], rolled.truth, widths, scale)[-1]
        _add_intervals(fig, x, rolled.forecasts[key][0].astype(float), widths, col=col, who=f"{label}: ")
        fig.add_trace(
            line_trace(
                res.time[context],
                res.observed[context],
                "last observed values",
                SERIES["train"],
                _value_hover(res, "observed"),
                width=1.5,
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            line_trace(
                x,
                rolled.truth[0],
                "truth",
                SERIES["truth"],
                _value_hover(res, "truth"),
                width=1.5,
                dash="dot",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            line_trace(
                x,
                rolled.forecasts[key][0],
                f"{label} forecast",
                CONTENDER_COLORS["rnn" if col == 1 else "ar"],
                _value_hover(res, f"{label} forecast"),
                width=2,
            ),
            row=1,
            col=col,
        )
    title = (
        f"Fan charts: over {len(rolled.starts)} origins the 95% interval held {shares['network']:.0%} of the "
        f"truths for the network, {shares['AR']:.0%} for AR"
    )
    base_layout(fig, title, height=380, y=value_title(res))
    fig.update_xaxes(title_text=res.data.time_title)
    return fig


@by_result
def objectives_figure(res: SineResult) -> go.Figure:
    """Root mean squared error by steps ahead, over the rolling origins: the network trained each way beside
    the baselines. Which objective wins is a claim of the lessons (rollouts_beat_one_step)."""
    rolled = res.rolling
    k = np.arange(1, rolled.reach + 1)
    lines = {
        network_key(objective, natural_generation(objective)): (OBJECTIVE_LABELS[objective], colour, 3, None)
        for objective, colour in (("rollout", FREE), ("one_step", TEACHER))
    }
    lines[HYBRID] = (CONTENDERS[HYBRID], CONTENDER_COLORS[HYBRID], 3, "dash")
    lines |= {name: (CONTENDERS[name], CONTENDER_COLORS[name], 2, "dot") for name in BASELINES}
    fig = go.Figure()
    for key, (name, colour, width, dash) in lines.items():
        fig.add_scatter(
            x=k,
            y=np.sqrt(rolled.squared(key).mean(axis=0)),
            mode="lines+markers",
            name=name,
            line=dict(color=colour, width=width, dash=dash),
            hovertemplate=f"%{{x}} {res.data.step}s ahead<br>RMSE %{{y:.4g}}<extra>{name}</extra>",
        )
    unit = f" ({res.data.unit})" if res.data.unit else ""
    title = f"Error by steps ahead, mean over {len(rolled.starts)} forecast origins in the held-out span"
    return base_layout(fig, title, height=380, x=f"{res.data.step}s ahead", y=f"RMSE{unit}")


@by_result
def error_figure(res: SineResult, generation: str, horizon: int) -> go.Figure:
    """MSE over the first k steps against k, free running and one step ahead: whether free running's grows
    is a claim of the lessons (errors_compound), not of this figure."""
    steps = res.steps(horizon)
    fc = res.forecasts[generation]
    truth = res.future[:steps]
    free = cumulative_mse(fc.free[:steps], truth)
    teacher = cumulative_mse(fc.teacher[:steps], truth)
    k = np.arange(1, steps + 1)
    fig = go.Figure()
    fig.add_scatter(
        x=k,
        y=(fc.free[:steps].astype(float) - truth) ** 2,
        mode="lines",
        name="free running, step k",
        line=dict(color=FREE, width=0.8),
        opacity=0.35,
        hovertemplate="step %{x}<br>squared error %{y:.2g}<extra></extra>",
    )
    for values, name, color in (
        (free, "free running, MSE of steps 1..k", FREE),
        (teacher, "one step ahead, MSE of steps 1..k", TEACHER),
    ):
        fig.add_scatter(
            x=k,
            y=values,
            mode="lines",
            name=name,
            line=dict(color=color, width=2.5),
            hovertemplate="first %{x} steps<br>MSE %{y:.2g}<extra></extra>",
        )
    title = f"Mean squared error of the first k steps: free running against one step ahead, {steps:,} steps"
    base_layout(fig, title, height=340, x="steps ahead k", y="mean squared error (log scale)")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


@by_result
def teacher_vs_free_figure(res: SineResult, generation: str, horizon: int, span: int = 100) -> go.Figure:
    """The first and the last ``span`` steps, each predicted one step ahead and free running."""
    steps = res.steps(horizon)
    span = min(span, steps)
    fc = res.forecasts[generation]
    truth = res.future
    t = res.time[res.n_train :]
    parts = [(0, span), (steps - span, steps)] if steps > span else [(0, steps)]
    fig = make_subplots(
        rows=1,
        cols=len(parts),
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    scores = []
    for col, (a, b) in enumerate(parts, start=1):
        steps_hover = np.arange(a + 1, b + 1)
        for values, name, color, dash in (
            (truth[a:b], "truth", SERIES["truth"], "solid"),
            (fc.teacher[a:b], "one step ahead (teacher forced)", TEACHER, "solid"),
            (fc.free[a:b], "free running", FREE, "dash"),
        ):
            fig.add_scatter(
                x=t[a:b],
                y=values,
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=col == 1,
                line=dict(color=color, width=2, dash=dash),
                customdata=steps_hover,
                hovertemplate=f"step %{{customdata}} ({res.data.time_hover})<br>%{{y:.4g}}<extra>{name}</extra>",
                row=1,
                col=col,
            )
        scores.append(
            (
                cumulative_mse(fc.teacher[a:b], truth[a:b])[-1],
                cumulative_mse(fc.free[a:b], truth[a:b])[-1],
            )
        )
    teacher_mse, free_mse = scores[-1]
    title = (
        f"Steps {parts[-1][0] + 1} to {parts[-1][1]}: one step ahead MSE {_fmt(teacher_mse)}, "
        f"free running {_fmt(free_mse)}"
    )
    base_layout(fig, title, height=320)
    fig.update_yaxes(title_text=value_title(res), row=1, col=1)
    for col, (a, b) in enumerate(parts, start=1):
        fig.update_xaxes(title_text=f"{res.data.time_title}, steps {a + 1} to {b}", row=1, col=col)
    return fig


@by_result
def hidden_figure(res: SineResult, generation: str, horizon: int) -> go.Figure:
    """Units by forecast step: the state each prediction was read from."""
    steps = res.steps(horizon)
    fc = res.forecasts[generation]
    inputs = np.concatenate([res.observed[res.n_train - 1 : res.n_train], fc.free[: steps - 1]])
    how = "each window re-read from zero" if generation == "window" else "carried from step to step"
    fig = state_heatmap(
        fc.hidden[:steps],
        [f"{v:.3g}" for v in inputs],
        title=f"Hidden state behind each forecast ({how}); token = newest input",
        name="h",
    )
    fig.update_xaxes(tickmode="auto", title_text="forecast step")  # the inputs are in the hover text
    return fig


@by_result
def gradient_figure(history: History, max_norm: float | None) -> go.Figure:
    """Gradient norm of every step before clipping, against the max-norm."""
    steps = np.arange(1, len(history.grad_norm) + 1)
    norms = np.asarray(history.grad_norm, dtype=float)
    hover = "step %{x}<br>norm %{y:.3g}<extra></extra>"
    fig = go.Figure(
        line_trace(steps, norms, "gradient norm before clipping", SERIES["train"], hover, width=1.5)
    )
    if max_norm is not None:
        clipped = int(np.sum(norms > max_norm))
        fig.add_hline(
            y=max_norm,
            line=dict(color=FREE, dash="dash"),
            annotation_text=f"max-norm {max_norm:g}",
            annotation_position="top left",
        )
        title = (
            f"Clipping rescaled {clipped} of {len(norms)} steps (largest norm {_fmt(norms.max(initial=0))})"
        )
    else:
        title = f"No clipping: every step used its full gradient (largest norm {_fmt(norms.max(initial=0))})"
    base_layout(fig, title, height=300, x="training step", y="global gradient norm (log scale)")
    fig.update_yaxes(type="log", exponentformat="power")
    return fig


DASHES = {"rnn": None, HYBRID: "dash"}
"""Line style of the contenders that are not baselines (those are dotted): colour is never alone."""
CONTENDER_COLORS = {
    "rnn": FREE,
    "hybrid": OKABE_ITO["blue"],
    "naive": OKABE_ITO["grey"],
    "seasonal_naive": OKABE_ITO["green"],
    "ar": OKABE_ITO["purple"],
}


@by_result
def baseline_figure(res: SineResult, generation: str, steps: int) -> go.Figure:
    """Root mean squared error over the first k steps, network and baselines on the same future; who wins is
    a claim of the lessons (network_vs_baselines), decided with an interval, not by this figure's ranking."""
    truth = res.future[: res.steps(steps)]
    k = np.arange(1, len(truth) + 1)
    fig = go.Figure()
    for name, values in contenders(res, generation, len(truth)).items():
        rmse = np.sqrt(cumulative_mse(values, truth))
        fig.add_scatter(
            x=k,
            y=rmse,
            mode="lines",
            name=CONTENDERS[name],
            line=dict(
                color=CONTENDER_COLORS[name],
                width=2 if name in BASELINES else 3,
                dash=DASHES.get(name, "dot"),
            ),
            hovertemplate=f"first %{{x}} {res.data.step}s<br>RMSE %{{y:.4g}}<extra>{CONTENDERS[name]}</extra>",
        )
    title = f"Root mean squared error of the first k {res.data.step}s, every forecaster on the same future"
    unit = f" ({res.data.unit})" if res.data.unit else ""
    return base_layout(fig, title, height=400, x=f"{res.data.step}s ahead k", y=f"RMSE of steps 1..k{unit}")


def _film_traces(frame: dict, x: np.ndarray, hover: str) -> list[go.Scatter]:
    return [
        go.Scatter(
            x=x,
            y=frame["truth"],
            mode="lines",
            name="truth",
            line=dict(color=SERIES["truth"], width=1.5),
            hovertemplate=f"{hover}<br>truth %{{y:.4g}}<extra></extra>",
        ),
        go.Scatter(
            x=x,
            y=frame["forecast"],
            mode="lines",
            name="forecast (free running)",
            line=dict(color=FREE, width=2),
            hovertemplate=f"{hover}<br>forecast %{{y:.4g}}<extra></extra>",
        ),
    ]


def _film_title(timeline: Timeline, i: int) -> str:
    return f"The first {len(timeline.frames[i]['forecast'])} steps fed back, MSE {_fmt(timeline.frames[i]['mse'])}: {timeline.label(i)}"


def live(cfg: SineConfig) -> LiveFigure:
    """The live figure of a training: the same whatever the settings."""
    return live_forecast


def live_forecast(history: History) -> go.Figure:
    """While training: the latest snapshot's free-running forecast against the truth (x in steps ahead)."""
    frame = history.timeline.frames[-1]
    steps = np.arange(1, len(frame["forecast"]) + 1)
    fig = go.Figure(_film_traces(frame, steps, "step %{x}"))
    return base_layout(
        fig, _film_title(history.timeline, len(history.timeline) - 1), height=300, x="steps ahead", y="value"
    )


def film(cfg: SineConfig, res: SineResult) -> go.Figure:
    """The free-running forecast at every training snapshot, played in the browser: watch it lock on."""
    return _film(res)


@by_result
def _film(res: SineResult) -> go.Figure:
    timeline = res.history.timeline
    x = res.time[res.n_train : res.n_train + len(timeline.frames[-1]["forecast"])]
    hover = res.data.time_hover
    fig = go.Figure(_film_traces(timeline.frames[-1], x, hover))
    base_layout(
        fig, _film_title(timeline, len(timeline) - 1), height=380, x=res.data.time_title, y=value_title(res)
    )
    fig.update_yaxes(range=_film_range(timeline))
    return animate(
        fig,
        [_film_traces(f, x, hover) for f in timeline.frames],
        [str(s) for s in timeline.steps],
        titles=[_film_title(timeline, i) for i in range(len(timeline))],
    )


def _film_range(timeline: Timeline) -> list[float]:
    """A y range that holds the truth and the last forecasts, so the axis does not jump between frames;
    a wild early forecast may leave it."""
    truth = np.asarray(timeline.frames[-1]["truth"], dtype=float)
    late = np.concatenate(
        [np.asarray(f["forecast"], dtype=float) for f in timeline.frames[len(timeline) // 2 :]]
    )
    values = np.concatenate([truth, late[np.isfinite(late)]])
    low, high = float(values.min()), float(values.max())
    pad = 0.15 * (high - low or 1.0)
    return [low - pad, high + pad]
