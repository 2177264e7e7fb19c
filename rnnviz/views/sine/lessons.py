"""The sine view's lessons, written with the trained model's own numbers.

Each function returns Markdown (or LaTeX) for the page. No visitor text is interpolated here,
so nothing needs escaping; numbers are formatted to two significant digits.
"""

from __future__ import annotations

import math

import numpy as np

from rnnviz.core.fmt import tex_number
from rnnviz.views.sine import signals
from rnnviz.views.sine.experiment import SineConfig, SineResult, forecast_mse, one_step_mse


def _g(x: float) -> str:
    return f"{x:.2g}" if math.isfinite(x) else "not a number"


def update_rules(res: SineResult, generation: str, horizon: int) -> list[str]:
    """The two ways of predicting, as equations, with this run's window and errors."""
    steps = min(horizon, len(res.future))
    last = res.window - 1
    past = rf"_{{t-{last}}}, \dots, " if last else ""
    return [
        rf"\text{{one step ahead: }} \hat x_{{t+1}} = f(x{past}x_t),"
        rf"\quad \text{{MSE}} = {tex_number(one_step_mse(res, generation, steps), 2)}",
        rf"\text{{free running: }} \hat x_{{t+1}} = f(\hat x{past}\hat x_t),"
        rf"\quad \text{{MSE}} = {tex_number(forecast_mse(res, generation, steps), 2)}",
    ]


def accumulation(res: SineResult, generation: str, horizon: int) -> str:
    steps = min(horizon, len(res.future))
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
        f"The validation error ({_g(res.val_mse)}) measured single steps only; change the seed and "
        "compare your runs below to see how little it says about the long run."
    )


def split_leak(res: SineResult, cfg: SineConfig) -> str:
    future = one_step_mse(res, "window", min(cfg.horizon, len(res.future)))
    measured = (
        f"Here the validation MSE is {_g(res.val_mse)} (training {_g(res.train_mse)}); one step ahead "
        f"on the truly unseen future it is {_g(future)}."
    )
    if cfg.split == "random":
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
        f"at the boundary). {measured} Choose *Random windows* to see the shuffled split the seed used, "
        "where held-out windows sit between training windows and share all but one value with them."
    )


def scaler_leak(res: SineResult, cfg: SineConfig) -> str:
    (a, b), (c, d) = res.train_range, res.whole_range
    fitted = f"[{res.scaler.low:.3g}, {res.scaler.high:.3g}]"
    intro = (
        "**Fit the scaler on the training span only.** Values are mapped linearly to [-1, 1] using a "
        f"minimum and maximum. The training windows span [{a:.3g}, {b:.3g}]; the whole series, future "
        f"included, spans [{c:.3g}, {d:.3g}]. "
    )
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
    seconds = res.window * res.dt
    base = (
        f"**What window length changes.** Each prediction sees the last {res.window} values ({seconds:g} s). "
    )
    cycle = res.period_steps()
    if cycle is None:
        return base + "Longer windows see more of the past but give fewer training windows."
    share = res.window / cycle
    if res.signal in ("square", "sawtooth"):
        need = math.ceil(cycle / 2) if res.signal == "square" else math.ceil(cycle)
        verdict = (
            "enough" if res.window >= need else "not enough: flat stretches look alike, so it must guess"
        )
        jump = "flip" if res.signal == "square" else "drop"
        return base + (
            f"That is {share:.0%} of a period ({cycle:.0f} steps). To know when the next {jump} comes, "
            f"the window must reach back to the last one, {need} steps; {res.window} is {verdict}."
        )
    coefficient = 2 * math.cos(res.dt * 2 * math.pi / signals.period(res.signal))
    return base + (
        f"That is {share:.0%} of a period ({cycle:.0f} steps). For a pure sine two values are enough "
        f"in principle: $x_{{t+1}} = {coefficient:.4f}\\,x_t - x_{{t-1}}$. Longer windows let the network "
        "average out noise and see slower patterns, at the price of longer back-propagation "
        "through time and fewer windows."
    )
