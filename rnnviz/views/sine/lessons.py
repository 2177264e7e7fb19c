"""The sine view's prose: the page's fixed captions, and lessons written with the trained model's own numbers.

Each function returns Markdown (or LaTeX) for the page. No visitor text is interpolated here,
so nothing needs escaping; numbers are formatted to two significant digits.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rnnviz.core.config import to_query, training_part
from rnnviz.core.fmt import tex_number
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.datasets import REAL
from rnnviz.views.sine.datasets import load as load_real
from rnnviz.views.sine.result import SineResult
from rnnviz.views.sine.scoring import CONTENDERS, contenders, forecast_mse, mse_by_contender, one_step_mse
from rnnviz.views.sine.settings import SineConfig, resolved_split
from rnnviz.views.sine.signals import BUILT_IN, recurrence
from rnnviz.views.sine.sources import MAX_HORIZON, OWN_FUTURE_SHARE

INTRO = (
    "A network reads a window of past values and predicts the next one. Fed its own predictions, it "
    "forecasts as far ahead as you like, and every error it makes becomes part of its next input. On real "
    "series it must beat the forecasts that need no training at all."
)
OWN_SERIES = (
    f"The last {OWN_FUTURE_SHARE:.0%} of the series is kept back as the future to forecast. "
    "An uploaded file is used rather than pasted numbers. Links carry pasted numbers but "
    "cannot carry an uploaded file: whoever opens your link sees the pasted numbers, or the sine."
)
UPLOAD_HELP = (
    "One value per row, or several columns with a header: pick the target and the extra inputs by name above."
)
FILM = (
    "Press Play, or drag the training step: the forecast of each snapshot against the truth. "
    "Replaying costs nothing: every snapshot was recorded while the network trained."
)
BASELINE_TABLE = "Root mean squared error of each forecaster, in the series' own units"


def _g(x: float) -> str:
    return f"{x:.2g}" if math.isfinite(x) else "not a number"


def update_rules(res: SineResult, generation: str, horizon: int) -> list[str]:
    """The two ways of predicting, as equations, with this run's window and errors."""
    steps = res.steps(horizon)
    last = res.window - 1
    past = rf"_{{t-{last}}}, \dots, " if last else ""
    return [
        rf"\text{{one step ahead: }} \hat x_{{t+1}} = f(x{past}x_t),"
        rf"\quad \text{{MSE}} = {tex_number(one_step_mse(res, generation, steps), 2)}",
        rf"\text{{free running: }} \hat x_{{t+1}} = f(\hat x{past}\hat x_t),"
        rf"\quad \text{{MSE}} = {tex_number(forecast_mse(res, generation, steps), 2)}",
    ]


def accumulation(res: SineResult, generation: str, horizon: int) -> str:
    steps = res.steps(horizon)
    fc = res.forecasts[generation]
    squared = (fc.free[:steps].astype(float) - res.future[:steps]) ** 2
    span = max(1, min(100, steps // 4))
    early, late = float(np.mean(squared[:span])), float(np.mean(squared[-span:]))
    if late > 2 * early:
        trend = (
            "and it keeps growing: a network whose sense of the rhythm is slightly off drifts further "
            "out of phase with every cycle"
        )
    elif late < early / 2:
        trend = (
            "then it shrinks: the network's own loop pulls the forecast back onto the cycle it learned, "
            "so early mistakes are partly forgotten"
        )
    else:
        trend = "and then it levels off: the forecast settles onto a cycle slightly off the truth"
    carry = (
        f" Carrying the hidden state also runs the network far beyond the {res.window} steps from a "
        "zero state it was trained on."
        if generation == "carry"
        else ""
    )
    return (
        "**Why errors accumulate.** One step ahead, every prediction starts from the true past, so "
        f"mistakes do not add up: MSE {_g(one_step_mse(res, generation, steps))} over {steps:,} steps. "
        "Free running, each prediction becomes the newest input of the next, so within "
        f"{res.window} steps its inputs are nothing but its own output. The error over the "
        f"first {span} steps is {_g(early)}, over the last {span} {_g(late)}, {trend}.{carry} "
        f"The validation error ({_g(res.val_mse)}) measured single steps only; try another Seed "
        "and compare your runs below to see how little it says about the long run."
    )


def split_leak(res: SineResult, cfg: SineConfig) -> str:
    future = one_step_mse(res, "window", res.steps(cfg.horizon))
    measured = (
        f"Here the validation MSE is {_g(res.val_mse)} (training {_g(res.train_mse)}); one step ahead "
        f"on the truly unseen future it is {_g(future)}."
    )
    if resolved_split(cfg, res.signal) == "random":
        return (
            "**Split by time, not shuffled.** Neighbouring windows overlap: shifted by one step, a "
            f"window shares {res.window - 1} of its {res.window} values. Drawn at random, "
            f"{res.neighbour_share:.0%} of the validation windows have a training window right next to "
            "them, so validation mostly re-tests what was trained on, and a model that memorised the "
            f"span would look as good as one that learned the signal. {measured} Choose *By time* "
            "to hold out the last stretch instead: the future is the only honest test."
        )
    return (
        "**Split by time, not shuffled.** The validation windows all come after the training "
        f"windows, as the future will ({res.neighbour_share:.0%} of them touch a training window, only "
        f"at the boundary). {measured} Choose *Random windows* to see the shuffled split of the tutorial's "
        "pipeline, "
        "where held-out windows sit between training windows and share all but one value with them."
    )


def scaler_leak(res: SineResult, cfg: SineConfig) -> str:
    (a, b), (c, d) = res.train_range, res.whole_range
    fitted = f"[{res.scaler.low[0]:.3g}, {res.scaler.high[0]:.3g}]"
    intro = (
        "**Fit the scaler on the training span only.** Values are mapped linearly to [-1, 1] using a "
        f"minimum and maximum. The training windows span [{a:.3g}, {b:.3g}]; the whole series, future "
        f"included, spans [{c:.3g}, {d:.3g}]. "
    )
    if res.learned != "values":
        intro += "This network learns changes, so the scaler is fitted on changes: the same leak, one step removed. "
    if cfg.scaler == "all":
        leak = (
            f"This run fitted the scaler on everything, {fitted}: the network was told the future's "
            "range before forecasting it, information no real forecast has."
        )
    else:
        leak = f"This run fitted it on the training windows, {fitted}, as a real forecast must."
    if np.isclose([a, b], [c, d], rtol=1e-3, atol=1e-9).all():
        effect = (
            " For this signal both fits agree, so the leak changes nothing; it matters for series "
            "that trend or whose swings grow, where the future leaves the training range."
        )
    else:
        effect = " Switch *Scaler fitted on* and compare the runs below."
    return intro + leak + effect


def clipping(res: SineResult, cfg: SineConfig) -> str:
    norms = np.asarray(res.history.grad_norm, dtype=float)
    largest = _g(float(norms.max(initial=0.0)))
    if not cfg.clip:
        return (
            "**What clipping changes.** Clipping is off: every Adam step used its full gradient, "
            f"the largest of norm {largest}. Turn it on to cap the norm; with a high learning rate or "
            "a long window, a rare huge gradient can otherwise throw the weights far off."
        )
    clipped = int(np.sum(norms > cfg.max_norm))
    return (
        "**What clipping changes.** When the gradient's global norm exceeds the max-norm "
        f"({cfg.max_norm:g}), it is scaled down to that length: same direction, shorter step. Here "
        f"{clipped} of {len(norms)} steps were clipped (largest norm {largest}). Adam already divides "
        "each step by a running size of past gradients, so clipping mostly matters for the first "
        "steps and for sudden spikes, which long windows and steep signals make more likely."
    )


def window_length(res: SineResult) -> str:
    seconds = f" ({res.window * res.dt:g} s)" if res.signal in BUILT_IN else ""
    base = f"**What window length changes.** Each prediction sees the last {res.window} values{seconds}. "
    cycle = res.period_steps()
    if cycle is None:
        season = (
            f"; a window of at least one season ({res.season} {res.data.step}s here) lets the network see "
            "where in the cycle it is"
            if res.season > 1
            else ""
        )
        return base + (
            "A real series follows no known equation, so no window is long enough in principle. Longer "
            f"windows see more of the past but give fewer training windows{season}."
        )
    share = res.window / cycle
    if res.signal in ("square", "sawtooth"):
        need = math.ceil(cycle / 2) if res.signal == "square" else math.ceil(cycle)
        verdict = (
            "enough" if res.window >= need else "not enough: flat stretches look alike, so it must guess"
        )
        jump = "flip" if res.signal == "square" else "drop"
        return base + (
            f"That is {share:.0%} of a period ({cycle:.0f} steps). To know when the next {jump} comes, "
            f"the window must reach back to the last one, {need} steps; {res.window} is {verdict}. "
            "No linear recurrence continues a wave that jumps."
        )
    coefficients = recurrence(res.signal, res.dt)
    needed = {
        "sine": "For a pure sine two values are enough in principle",
        "two_sines": "A sum of two sines needs four past values, one pair per frequency",
        "spring": "A damped oscillation needs two values, with its own coefficients: each swing is smaller",
    }[res.signal]
    return base + (
        f"That is {share:.0%} of a period ({cycle:.0f} steps). {needed}: ${recurrence_tex(coefficients)}$. "
        f"{'It fits' if res.window >= len(coefficients) else 'It does not fit'} in a window of {res.window}. "
        "Longer windows let the network average out noise and see slower patterns, at the price of longer "
        "back-propagation through time and fewer windows."
    )


def recurrence_tex(coefficients: tuple[float, ...]) -> str:
    """x_{t+1} = a_1 x_t + a_2 x_{t-1} + ..., each coefficient to four decimals with its sign."""
    terms = []
    for k, a in enumerate(coefficients):
        past = "x_t" if k == 0 else f"x_{{t-{k}}}"
        sign = "-" if a < 0 else ("+" if k else "")
        value = "" if math.isclose(abs(a), 1.0) else f"{abs(a):.4f}\\,"
        terms.append(f"{sign} {value}{past}".strip())
    return "x_{t+1} = " + " ".join(terms)


def verdict(res: SineResult, generation: str, steps: int) -> str:
    """Who forecast best over the horizon, in one plain sentence, including when the network loses."""
    errors = mse_by_contender(res, generation, steps)
    steps = res.steps(steps)
    ranked = sorted(errors, key=lambda n: errors[n] if math.isfinite(errors[n]) else math.inf)
    name = {k: v.split(" (")[0] for k, v in BASELINES.items()}
    beaten = [name[b] for b in BASELINES if errors["rnn"] < errors[b]]
    unit = f" {res.data.unit}" if res.data.unit else ""
    rmse = {k: math.sqrt(v) if math.isfinite(v) else math.nan for k, v in errors.items()}
    over = f"Over {steps:,} {res.data.step}s ahead"
    if ranked[0] == "rnn":
        return (
            f"{over}, the network wins: root mean squared error {_g(rmse['rnn'])}{unit}, against "
            f"{_g(rmse[ranked[1]])}{unit} for the best baseline, {name[ranked[1]]}."
        )
    best = name[ranked[0]]
    if beaten:
        return (
            f"{over}, the {best} forecast wins ({_g(rmse[ranked[0]])}{unit} root mean squared error); the "
            f"network ({_g(rmse['rnn'])}{unit}) beats only the {' and the '.join(beaten)} forecast."
        )
    return (
        f"{over}, the network loses to every baseline: {_g(rmse['rnn'])}{unit} root mean squared error, "
        f"against {_g(rmse[ranked[0]])}{unit} for the {best} forecast, which needs no training at all."
    )


def baseline_table(res: SineResult, generation: str, steps: int) -> pd.DataFrame:
    """Root mean squared error of each forecaster at step 1, over steps 1-10 and over the whole horizon,
    to four significant digits."""
    steps = res.steps(steps)
    unit = f" ({res.data.unit})" if res.data.unit else ""
    spans = {f"step 1{unit}": 1, f"steps 1-10{unit}": 10, f"all {steps:,} steps{unit}": steps}
    rows = []
    for name in contenders(res, generation, steps):
        row = {"forecaster": CONTENDERS[name]}
        for label, k in spans.items():
            row[label] = float(f"{math.sqrt(mse_by_contender(res, generation, min(k, steps))[name]):.4g}")
        rows.append(row)
    return pd.DataFrame(rows)


def data_note(res: SineResult) -> str:
    """What the network read, where the data come from, and how the season and baselines were set."""
    columns = res.data.columns
    read = f"'{columns[0]}'" + (
        f" plus {', '.join(repr(c) for c in columns[1:])} as extra inputs (it predicts those too, so it can run "
        "ahead alone)"
        if len(columns) > 1
        else " alone"
    )
    learned = {
        "values": "its values",
        "changes": "its changes from one step to the next",
        "season": f"its changes over one season ({res.lag} {res.data.step}s)",
    }[res.learned]
    origin = f"{res.source}."
    if res.signal in REAL:
        data = load_real(res.signal)
        target = res.data.columns[0]
        origin = (
            f"{data.title}: {data.source}. Forecasting '{target}', the {data.descriptions[target]}, in "
            f"{data.units[target]}, one value a {data.step}. {data.gaps}"
        ).strip()
    return (
        f"**Data.** {origin} The network read {read}, and learned {learned}. Season for the "
        f"seasonal-naive forecast: {res.season} {res.data.step}s, {res.season_how}. "
        f"The autoregressive baseline is {res.ar_model}, fitted on the training span only. The baselines read "
        "the target alone."
    )


def run_row(res: SineResult, cfg: SineConfig) -> dict[str, object]:
    """This run's key numbers for the page's table of runs, keyed by its training settings."""
    changed = {k: v for k, v in to_query(training_part(cfg)).items() if k not in ("v", "series")}
    settings = ", ".join(f"{k}={v}" for k, v in changed.items()) or "defaults"
    if res.signal == "own":
        settings += f" ({res.source})"
    steps = res.steps(MAX_HORIZON)
    errors = mse_by_contender(res, "window", steps)
    return {
        "settings (training)": settings,
        "validation MSE": res.val_mse,
        "one step ahead, future": one_step_mse(res, "window", steps),
        "forecast MSE, first 100 steps": forecast_mse(res, "window", 100),
        "forecast steps": steps,
        "forecast MSE, all steps": errors["rnn"],
        "best baseline MSE": min(v for k, v in errors.items() if k != "rnn"),
        "training s": round(res.history.seconds, 2),
    }
