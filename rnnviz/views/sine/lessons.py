"""The sine view's prose and claims: the page's fixed captions, and every finding decided by this run's numbers.

Each function returns Markdown (or LaTeX) for the page, or a :class:`Claim` whose text the page shows: the
sentence for whichever way this run went. Comparisons of forecasters carry a Diebold-Mariano 95% interval on
the per-step squared errors of the same held-out future. No visitor text is interpolated here, so nothing
needs escaping; numbers are formatted to two significant digits.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from rnnviz.core.cells import CELLS
from rnnviz.core.claims import LEVEL, Claim, Z, claim, comparison, diebold_mariano
from rnnviz.core.config import to_query, training_part
from rnnviz.core.fmt import sentence_case, tex_number
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.datasets import REAL
from rnnviz.views.sine.datasets import load as load_real
from rnnviz.views.sine.result import SineResult
from rnnviz.views.sine.rolling import HYBRID, LEVELS, coverage, network_key
from rnnviz.views.sine.scoring import (
    CONTENDERS,
    HORIZONS,
    contenders,
    forecast_mse,
    mse_by_contender,
    one_step_mse,
    one_step_squared_errors,
    squared_errors_by_contender,
)
from rnnviz.views.sine.settings import SineConfig, natural_generation, resolved_generation
from rnnviz.views.sine.signals import BUILT_IN, recurrence
from rnnviz.views.sine.sources import MAX_HORIZON, OWN_FUTURE_SHARE
from rnnviz.views.sine.transform import POWERS

INTRO = (
    "A network reads a window of past values and predicts the next one. Fed its own predictions, it "
    "forecasts as far ahead as you like, and every error it makes becomes part of its next input. Its "
    "forecast is scored against three simple ones fitted on the same training span: repeat the last value, "
    "repeat the last season, and an autoregressive model; and against a hybrid: the autoregressive model plus "
    "a network that forecasts the errors it leaves."
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
BASELINE_TABLE = "Root mean squared error of each forecaster from one origin, the start of the held-out future, in the series' own units"
DIEBOLD_MARIANO = (
    "Every forecaster, trained once, forecasts the same number of steps from several origins spread over the "
    "held-out span, each given the history up to its origin as input (time-series cross-validation). Each "
    "verdict compares the two forecasts' mean squared errors origin by origin (network minus baseline): the "
    f"Diebold-Mariano {LEVEL:.0%} interval for the mean difference. Origins closer than a forecast's reach "
    "share target steps, so their errors correlate; the interval allows for that. An interval that spans zero "
    "is a tie."
)
AIC = (
    "How many past values it weighs was chosen by AIC, Akaike's information criterion: each candidate "
    "order is scored by how badly it fits the training span plus a penalty for every coefficient it adds, "
    "so a further past value is kept only if it improves the fit by more than it costs."
)
TREND_SPAN = 100
"""Steps at the start and at the end of the forecast whose errors are compared: is the error still growing?"""
GROWTH = 2.0
"""The last steps' error must be this many times the first steps' to count as growing (or 1/GROWTH to shrink)."""
SPIKE = 10.0
"""A gradient this many times the first step's norm counts as a spike: what clipping is there to catch."""
LEAK_SHARE = 0.5
"""Validation leaks when at least this share of its windows has a training window one step away."""
NETWORK = "the network"
OBJECTIVE_NAMES = {"one_step": "one step ahead", "rollout": "on free-running rollouts"}
COMPARISONS = {name: f"network_vs_{name}" for name in BASELINES}
"""The id of the network's comparison with each baseline."""


def _g(x: float) -> str:
    return f"{x:.2g}" if math.isfinite(x) else "not a number"


def _times(ratio: float) -> str:
    """A ratio as 'how many times': whole numbers from ten up, three significant digits below."""
    if math.isinf(ratio):
        return "infinitely many"
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.3g}"


def _short(baseline: str) -> str:
    """'seasonal naive' from 'seasonal naive (repeat the last season)'."""
    return BASELINES[baseline].split(" (")[0]


def _listed(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _forecasts(names: Sequence[str]) -> str:
    """'the naive forecast', 'the naive and the autoregressive forecasts'."""
    listed = _listed([f"the {_short(n)}" for n in names])
    return f"{listed} forecast" + ("s" if len(names) > 1 else "")


def p_value(evidence: Mapping[str, float]) -> float:
    """The two-sided Diebold-Mariano p-value of a comparison's difference, from its 95% interval: the chance of
    a mean difference at least this far from zero if the two forecasters were equally good."""
    se = (evidence["high"] - evidence["low"]) / (2 * Z)
    difference = evidence["difference"]
    if not (math.isfinite(se) and math.isfinite(difference)):
        return math.nan
    if se <= 0:
        return 1.0 if difference == 0 else 0.0
    return math.erfc(abs(difference) / se / math.sqrt(2))


def _p(evidence: Mapping[str, float]) -> str:
    """'p = 0.012' for the page."""
    p = evidence["p_value"]
    return f"p = {p:.2g}" if math.isfinite(p) else "p not a number"


def _with_p(found: Claim) -> Claim:
    """The comparison with its Diebold-Mariano p-value in the evidence and beside its interval, which ends
    the sentence."""
    p = p_value(found.evidence)
    evidence = {**found.evidence, "p_value": p}
    text = sentence_case(found.text).removesuffix(").") + f"; Diebold-Mariano {_p(evidence)})."
    return dataclasses.replace(found, text=text, evidence=evidence)


def claims(cfg: SineConfig, res: SineResult) -> list[Claim]:
    """Every finding the page states, for the forecast the display settings choose; the headline first."""
    steps = res.steps(cfg.horizon)
    generation = resolved_generation(cfg)
    versus = baseline_comparisons(res, generation)
    return [
        verdict(res, versus),
        *versus.values(),
        hybrid_vs_ar(res),
        objectives(res),
        intervals_cover(res, generation),
        errors_compound(res, generation, steps),
        error_trend(res, generation, steps),
        validation_understates(res, generation, steps),
        split_leak(res, cfg),
        scaler_leak(res, cfg),
        clipping(res, cfg),
        window_length(res),
    ]


def by_id(found: Iterable[Claim]) -> dict[str, Claim]:
    """The claims keyed by id, for a page that shows each in its place."""
    return {c.id: c for c in found}


def _rolled(res: SineResult) -> str:
    """'11 years ahead from 24 origins': what each rolling comparison averages over."""
    rolled = res.rolling
    return f"{rolled.reach:,} {res.data.step}s ahead from {len(rolled.starts)} forecast origins"


def baseline_comparisons(res: SineResult, generation: str) -> dict[str, Claim]:
    """The network against each baseline from the same rolling origins over the held-out future: Diebold-Mariano
    on each origin's mean squared error, allowing for origins whose forecasts share target steps."""
    rolled = res.rolling
    network = rolled.per_origin(network_key(res.objective, generation))
    measure = f"mean squared error {_rolled(res)}"
    out = {}
    for name in BASELINES:
        baseline = rolled.per_origin(name)
        found = comparison(
            COMPARISONS[name],
            NETWORK,
            f"the {_short(name)} forecast",
            diebold_mariano(network, baseline, horizon=rolled.overlap),
            better="lower",
            measure=measure,
            network_mse=float(network.mean()),
            baseline_mse=float(baseline.mean()),
            origins=float(len(network)),
            reach=float(rolled.reach),
            overlap=float(rolled.overlap),
        )
        out[name] = _with_p(found)
    return out


def hybrid_vs_ar(res: SineResult) -> Claim:
    """The hybrid (AR plus a network forecasting the AR's residuals) against the AR alone, from the same rolling
    origins: whether the network found structure the linear model left in its errors."""
    rolled = res.rolling
    hybrid, ar = rolled.per_origin(HYBRID), rolled.per_origin("ar")
    found = comparison(
        "hybrid_beats_ar",
        "the hybrid (AR plus a network on its residuals)",
        "the autoregressive forecast alone",
        diebold_mariano(hybrid, ar, horizon=rolled.overlap),
        better="lower",
        measure=f"mean squared error {_rolled(res)}",
        hybrid_mse=float(hybrid.mean()),
        ar_mse=float(ar.mean()),
        hybrid_mase=rolled.mase(HYBRID, res.mase_scale),
        ar_mase=rolled.mase("ar", res.mase_scale),
    )
    found = _with_p(found)
    return dataclasses.replace(
        found,
        text=f"**The hybrid.** {found.text} Its network, the same cell trained the same way, learned the AR "
        "model's one-step errors on the training span and forecasts them; its forecast is added to the AR's "
        "(the classic ARIMA plus neural network hybrid).",
    )


def extra_inputs_help(with_inputs: SineResult, alone: SineResult) -> Claim:
    """The network reading its extra input columns against the same network reading the target alone, from the
    same rolling origins (same series and settings otherwise): does reading them help it forecast?"""
    extra = _listed([f"'{c}'" for c in with_inputs.data.columns[1:]]) or "no extra column"
    key = network_key(with_inputs.objective, natural_generation(with_inputs.objective))
    reading = with_inputs.rolling.per_origin(key)
    target = alone.rolling.per_origin(network_key(alone.objective, natural_generation(alone.objective)))
    found = comparison(
        "extra_inputs_help",
        f"the network reading {extra} beside '{with_inputs.data.columns[0]}'",
        "the same network reading the target alone",
        diebold_mariano(reading, target, horizon=with_inputs.rolling.overlap),
        better="lower",
        measure=f"mean squared error {_rolled(with_inputs)}",
        with_inputs_mse=float(reading.mean()),
        alone_mse=float(target.mean()),
        with_inputs_mase=with_inputs.rolling.mase(key, with_inputs.mase_scale),
        alone_mase=alone.rolling.mase(
            network_key(alone.objective, natural_generation(alone.objective)), alone.mase_scale
        ),
    )
    return _with_p(dataclasses.replace(found, text=f"**Extra inputs.** {found.text}"))


def _verdict_rule(e: Mapping[str, float]) -> bool:
    return all(e[f"{name}_high"] < 0 for name in BASELINES)


def verdict(res: SineResult, versus: Mapping[str, Claim]) -> Claim:
    """Who forecast best from the rolling origins, in one plain sentence decided by the comparisons' intervals:
    the network wins only where it beats a baseline beyond the noise, and the sentence says when it loses or ties."""
    first = versus[next(iter(BASELINES))].evidence
    evidence = {"origins": first["origins"], "reach": first["reach"], "network_mse": first["network_mse"]}
    for name, found in versus.items():
        e = found.evidence
        evidence |= {
            f"{name}_mse": e["baseline_mse"],
            f"{name}_low": e["low"],
            f"{name}_high": e["high"],
            f"{name}_p": e["p_value"],
        }
    tests = "Diebold-Mariano p-values: " + ", ".join(
        f"{_short(name)} {_g(evidence[f'{name}_p'])}" for name in BASELINES
    )
    unit = f" {res.data.unit}" if res.data.unit else ""
    rmse = {name: _g(math.sqrt(evidence[f"{name}_mse"])) + unit for name in ("network", *BASELINES)}
    best = min(BASELINES, key=lambda n: evidence[f"{n}_mse"])
    over = f"Forecasting {_rolled(res)} over the held-out span"
    wins = (
        f"{over}, the network beats every baseline beyond this run's noise: root mean squared error "
        f"{rmse['network']}, against {rmse[best]} for the best of them, the {_short(best)} forecast ({tests})."
    )
    lost = [n for n in BASELINES if evidence[f"{n}_low"] > 0]
    beaten = [n for n in BASELINES if evidence[f"{n}_high"] < 0]
    tied = [n for n in BASELINES if n not in lost and n not in beaten]
    parts = []
    if len(lost) == len(BASELINES):
        parts.append("loses to every baseline")
    elif lost:
        parts.append(f"loses to {_forecasts(lost)}")
    if tied:
        parts.append(f"ties with {_forecasts(tied)}")
    if beaten:
        parts.append(f"beats {_forecasts(beaten)}")
    otherwise = (
        f"{over}, the network ({rmse['network']} root mean squared error) {_listed(parts)}; the best "
        f"baseline, the {_short(best)} forecast, errs {rmse[best]} ({tests}). A tie is a difference within "
        "this run's noise."
    )
    return claim("network_vs_baselines", _verdict_rule, wins, otherwise, **evidence)


def objectives(res: SineResult) -> Claim:
    """Both training objectives, each forecasting the way it trained, from the same rolling origins: whether
    training on its own fed-back predictions (no exposure bias) beats training one step ahead."""
    rolled = res.rolling
    errors = {
        objective: rolled.per_origin(network_key(objective, natural_generation(objective)))
        for objective in (res.objective, res.other.objective)
    }
    found = comparison(
        "rollouts_beat_one_step",
        "the network trained on free-running rollouts",
        "the network trained one step ahead",
        diebold_mariano(errors["rollout"], errors["one_step"], horizon=rolled.overlap),
        better="lower",
        measure=f"mean squared error {_rolled(res)}",
        rollout_mse=float(errors["rollout"].mean()),
        one_step_mse=float(errors["one_step"].mean()),
        rollout_steps=float(res.rollout),
    )
    shown = OBJECTIVE_NAMES[res.objective]
    return dataclasses.replace(
        found,
        text=(
            f"**Training objective.** {sentence_case(found.text)} Mean squared error: rollouts "
            f"{_g(found.evidence['rollout_mse'])}, one step ahead {_g(found.evidence['one_step_mse'])}. Trained "
            f"one step ahead, a network never sees its own mistakes as inputs (exposure bias); rollouts of up to "
            f"{res.rollout} steps train it on them. The page shows the network trained {shown}; the other was "
            "trained on the same data with the rest of the budget."
        ),
    )


COVERAGE_SHORTFALL = 0.05
"""A 95% interval counts as calibrated when it holds at least LEVEL minus this share of the held-out values."""


def _covers_enough(e: Mapping[str, float]) -> bool:
    return e["coverage_95"] >= LEVEL - COVERAGE_SHORTFALL


def intervals_cover(res: SineResult, generation: str) -> Claim:
    """How often the network's prediction intervals held the truth from the rolling origins: calibrated on
    forecasts from the last part of the training span, checked on the held-out span."""
    rolled = res.rolling
    shares = coverage(
        rolled.forecasts[network_key(res.objective, generation)],
        rolled.truth,
        res.widths[generation],
        res.interval_scale,
    )
    ar = coverage(rolled.forecasts["ar"], rolled.truth, res.ar_widths)
    low, high = (f"{level:.0%}" for level in LEVELS)
    measured = (
        f"From {len(rolled.starts)} origins over the held-out span, {rolled.reach} {res.data.step}s ahead, the "
        f"network's {high} interval held {shares[-1]:.0%} of the true values and its {low} interval "
        f"{shares[0]:.0%}; the autoregressive model's, from statsmodels, {ar[-1]:.0%} and {ar[0]:.0%}."
    )
    how = (
        " Each of the network's intervals is the forecast plus or minus the conformal quantile of the errors the "
        "same network made that many steps ahead from every origin in the last part of the training span, which "
        "it did not train on when the split is by time, each error measured in units of the series' local swing "
        f"(its mean absolute change over the {res.window} {res.data.step}s before that origin) and the band "
        "scaled by the swing before the origin it is drawn from: it widens where the series moves more. The "
        "autoregressive model's assume normal errors and carry their spread through its own fed-back forecasts."
    )
    ar_short = (
        ""
        if ar[-1] >= LEVEL - COVERAGE_SHORTFALL
        else " The autoregressive model's are too narrow: the errors it made in sample understate those it makes "
        "ahead."
    )
    return claim(
        "intervals_cover",
        _covers_enough,
        f"**Prediction intervals.** {measured} The network's are close to their levels: the spread measured "
        f"before the forecast held afterwards.{ar_short}{how}",
        f"**Prediction intervals.** {measured} The network's are too narrow: the held-out span was harder than "
        f"the stretch its errors were measured on, so treat its band as a lower bound on the uncertainty."
        f"{ar_short}{how}",
        coverage_80=float(shares[0]),
        coverage_95=float(shares[-1]),
        ar_coverage_80=float(ar[0]),
        ar_coverage_95=float(ar[-1]),
        origins=float(len(rolled.starts)),
        reach=float(rolled.reach),
    )


def _compounds(e: Mapping[str, float]) -> bool:
    return e["low"] > 0


def errors_compound(res: SineResult, generation: str, steps: int) -> Claim:
    """Free running against one step ahead on the same future steps: errors compound only when feeding
    predictions back makes the forecast worse beyond the noise (Diebold-Mariano over the window's overlap)."""
    free = squared_errors_by_contender(res, generation, steps)["rnn"]
    one = one_step_squared_errors(res, generation, steps)
    interval = diebold_mariano(free, one, horizon=res.window)
    free_mse, one_mse = float(free.mean()), float(one.mean())
    ratio = _times(free_mse / one_mse if one_mse > 0 else math.inf)
    n = f"{len(free):,}"
    span = (
        f"difference {_g(interval.estimate)}, {LEVEL:.0%} interval {_g(interval.low)} to {_g(interval.high)}"
    )
    if interval.spans_zero:
        otherwise = (
            f"Free running and one step ahead tie over {n} steps: mean squared error {_g(free_mse)} against "
            f"{_g(one_mse)}, a difference within this run's noise ({span}). Feeding its predictions back "
            "cost the network nothing measurable here."
        )
    else:
        otherwise = (
            f"Errors do not compound here: over {n} steps free running errs less than one step ahead, mean "
            f"squared error {_g(free_mse)} against {_g(one_mse)} ({span}). Its own predictions served it "
            "better as inputs than the observed past."
        )
    return claim(
        "errors_compound",
        _compounds,
        f"Errors compound: over {n} steps, free running's mean squared error is {ratio} times the one-step "
        f"error, {_g(free_mse)} against {_g(one_mse)} ({span}).",
        otherwise,
        free_mse=free_mse,
        one_step_mse=one_mse,
        steps=len(free),
        horizon=res.window,
        **interval.json(),
    )


def _grows(e: Mapping[str, float]) -> bool:
    return e["late"] > GROWTH * e["early"]


def error_trend(res: SineResult, generation: str, steps: int) -> Claim:
    """How the free-running error evolves along the forecast: the first steps' against the last steps'."""
    steps = res.steps(steps)
    squared = squared_errors_by_contender(res, generation, steps)["rnn"]
    span = max(1, min(TREND_SPAN, steps // 4))
    early, late = float(np.mean(squared[:span])), float(np.mean(squared[-span:]))
    carry = (
        f" Carrying the hidden state also runs the network far beyond the {res.window} steps from a "
        "zero state it was trained on."
        if generation == "carry"
        else ""
    )
    lead = (
        "**How the error builds up.** One step ahead, every prediction starts from the true past, so "
        f"mistakes do not add up: MSE {_g(one_step_mse(res, generation, steps))} over {steps:,} steps. "
        "Free running, each prediction becomes the newest input of the next, so within "
        f"{res.window} steps its inputs are nothing but its own output. The error over the "
        f"first {span} steps is {_g(early)}, over the last {span} {_g(late)}"
    )
    if late < early / GROWTH:
        settles = (
            "so it shrinks: the network's own loop pulls the forecast back towards the cycle it learned, "
            "and early mistakes are partly forgotten"
        )
    else:
        settles = "so it levels off: the forecast settles onto a cycle slightly off the truth"
    return claim(
        "error_grows",
        _grows,
        f"{lead}: it keeps growing, as a forecast slightly off the rhythm drifts further out of phase with "
        f"every cycle.{carry}",
        f"{lead}, {settles}.{carry}",
        early=early,
        late=late,
        span=span,
        steps=steps,
    )


def _understates(e: Mapping[str, float]) -> bool:
    return e["free_mse"] > e["validation_mse"]


def validation_understates(res: SineResult, generation: str, steps: int) -> Claim:
    """The validation error (single steps) against the free-running error over the horizon."""
    steps = res.steps(steps)
    free = float(squared_errors_by_contender(res, generation, steps)["rnn"].mean())
    ratio = free / res.val_mse if res.val_mse > 0 else math.inf
    return claim(
        "validation_understates",
        _understates,
        f"The validation error ({_g(res.val_mse)}) measured single steps only: free running over {steps:,} "
        f"steps errs {_times(ratio)} times as much ({_g(free)}). Try another Seed and compare your runs below.",
        f"The validation error ({_g(res.val_mse)}) measured single steps only; here free running over "
        f"{steps:,} steps errs no more ({_g(free)}), so for once it did not flatter the network.",
        validation_mse=res.val_mse,
        free_mse=free,
        steps=steps,
    )


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


def _leaks(e: Mapping[str, float]) -> bool:
    return e["neighbour_share"] >= LEAK_SHARE


SHUFFLING_IS_NOT_THE_LEAK = (
    "Shuffling is not the leak: training draws its windows in a fresh random order every epoch, and that "
    "is harmless, because each window keeps its values in time order and the network reads them in order. "
    "What leaks is which windows are held out."
)


def split_leak(res: SineResult, cfg: SineConfig) -> Claim:
    """Whether the held-out windows sit next to training windows (validation re-tests what was trained on)."""
    future = one_step_mse(res, "window", res.steps(cfg.horizon))
    share = f"{res.neighbour_share:.0%}"
    measured = (
        f"Here the validation MSE is {_g(res.val_mse)} (training {_g(res.train_mse)}); one step ahead "
        f"on the truly unseen future it is {_g(future)}."
    )
    lead = f"**Hold out the last stretch, not random windows.** {SHUFFLING_IS_NOT_THE_LEAK} "
    return claim(
        "validation_leaks",
        _leaks,
        f"{lead}Neighbouring windows overlap: shifted by one step, a window shares {res.window - 1} of its "
        f"{res.window} values. Here {share} of the validation windows have a training window right next to "
        "them, so validation mostly re-tests what was trained on, and a model that memorised the span would "
        f"look as good as one that learned the signal. {measured} Choose *By time* to hold out the last "
        "stretch instead: the future is the only honest test.",
        f"{lead}Only {share} of the validation windows have a training window right next to them, so "
        f"validation tests windows the network has not seen. {measured} Choose *Random windows* to see the "
        "leak: held-out windows drawn from the whole span sit between training windows and share all but "
        "one value with them.",
        neighbour_share=res.neighbour_share,
        validation_mse=res.val_mse,
        training_mse=res.train_mse,
        future_one_step_mse=future,
    )


def _future_leaves_range(e: Mapping[str, float]) -> bool:
    trained = [e["train_low"], e["train_high"]]
    return not np.isclose(trained, [e["whole_low"], e["whole_high"]], rtol=1e-3, atol=1e-9).all()


def scaler_leak(res: SineResult, cfg: SineConfig) -> Claim:
    """Whether fitting the scaler on the future changes anything: only if the future leaves the training range."""
    (a, b), (c, d) = res.train_range, res.whole_range
    fitted = f"[{res.scaler.low[0]:.3g}, {res.scaler.high[0]:.3g}]"
    intro = (
        "**Fit the scaler on the training span only.** Values are mapped linearly to [-1, 1] using a "
        f"minimum and maximum. The training windows span [{a:.3g}, {b:.3g}]; the whole series, future "
        f"included, spans [{c:.3g}, {d:.3g}]. "
    )
    if res.transform.power is not None:
        intro += f"This network learns {POWERS[res.transform.power]}, so the scaler's range is in those. "
    if res.learned != "values":
        intro += "This network learns changes, so the scaler is fitted on changes: the same leak, one step removed. "
    if cfg.scaler == "all":
        intro += (
            f"This run fitted the scaler on everything, {fitted}: the network was told the future's "
            "range before forecasting it, information no real forecast has."
        )
    else:
        intro += f"This run fitted it on the training windows, {fitted}, as a real forecast must."
    return claim(
        "future_leaves_training_range",
        _future_leaves_range,
        f"{intro} The future leaves the training range, so the two fits differ: switch *Scaler fitted on* "
        "and compare the runs below.",
        f"{intro} For this signal both fits agree, so the leak changes nothing; it matters for series "
        "that trend or whose swings grow, where the future leaves the training range.",
        train_low=a,
        train_high=b,
        whole_low=c,
        whole_high=d,
    )


def _no_spike(e: Mapping[str, float]) -> bool:
    return e["largest_later"] <= SPIKE * e["first"]


def clipping(res: SineResult, cfg: SineConfig) -> Claim:
    """What this run's gradients did: whether any spiked, and how often clipping cut them.

    "RNNs always explode, so clipping is not optional" is a rule of thumb; the run shows whether it held here.
    """
    norms = np.nan_to_num(np.asarray(res.history.grad_norm, dtype=float), nan=np.inf)
    first = float(norms[0]) if len(norms) else 0.0
    later = float(norms[1:].max(initial=0.0))
    clipped = int(np.sum(norms > cfg.max_norm)) if cfg.clip else 0
    if cfg.clip:
        lead = (
            "**What clipping changes.** When the gradient's global norm exceeds the max-norm "
            f"({cfg.max_norm:g}), it is scaled down to that length: same direction, shorter step. Here "
            f"{clipped} of {len(norms)} steps were clipped."
        )
        cut = "clipping cut it to the max-norm"
    else:
        lead = "**What clipping changes.** Clipping is off: every Adam step used its full gradient."
        cut = "with clipping off, that step used it in full; turn clipping on to cap such a step"
    return claim(
        "no_gradient_spike",
        _no_spike,
        f"{lead} No gradient spiked: after the first step the largest norm was {_g(later)}, against "
        f"{_g(first)} at the start (a spike would be {SPIKE:g} times that). Recurrent networks do not "
        "always explode: clipping is insurance against a rare spike, which long windows, steep signals "
        "and high learning rates make likelier, and Adam already divides each step by a running size of "
        "past gradients.",
        f"{lead} A gradient spiked: after the first step one reached norm {_g(later)}, "
        f"{_times(later / first if first > 0 else math.inf)} times the first step's {_g(first)}; "
        f"{cut}.",
        first=first,
        largest_later=later,
        clipped=clipped,
        steps=len(norms),
    )


def _covers(e: Mapping[str, float]) -> bool:
    return e["window"] >= e["needed"]


def _jump_recurrence(signal: str, cycle: float) -> tuple[int, str]:
    """The shortest linear recurrence that continues a square or sawtooth wave, and why shorter ones fail.

    Sampled with a whole number P of steps per period, the sawtooth's every Fourier coefficient is
    non-zero, so nothing shorter than x_{t+1} = x_{t+1-P} holds; the square wave's even harmonics vanish
    (each half-cycle is the last one upside down), so for even P half a period, x_{t+1} = -x_{t+1-P/2}, is enough.
    """
    whole = (
        ""
        if math.isclose(cycle, round(cycle))
        else f" Here a period is {cycle:.4g} steps, not a whole number, so the sampled wave only nearly repeats."
    )
    if signal == "square":
        return math.ceil(cycle / 2), (
            "A linear recurrence can continue a square wave, but only one that reaches back at least half a "
            "period: when a period is an even whole number P of steps, $x_{t+1} = -x_{t+1-P/2}$ (each "
            "half-cycle is the last one upside down), and the seasonal-naive rule $x_{t+1} = x_{t+1-P}$ "
            "holds for any whole P. A shorter recurrence sees only a flat stretch and cannot place the next "
            f"flip.{whole}"
        )
    return math.ceil(cycle), (
        "A linear recurrence can continue a sawtooth, but only one that reaches back a whole period: when a "
        "period is a whole number P of steps, $x_{t+1} = x_{t+1-P}$, the seasonal-naive rule; a much "
        f"shorter one cannot tell where on the ramp it is.{whole}"
    )


def window_length(res: SineResult) -> Claim:
    """Whether the window reaches back as far as the signal's pattern needs: its recurrence, its jumps, its season."""
    seconds = f" ({res.window * res.dt:g} s)" if res.signal in BUILT_IN else ""
    base = f"**What window length changes.** Each prediction sees the last {res.window} values{seconds}. "
    cycle = res.period_steps()
    if cycle is None:
        needed = max(1, res.season)
        lead = base + "A real series follows no known equation, so no window is long enough in principle. "
        tail = " Longer windows see more of the past but give fewer training windows."
        season = f"one season ({res.season} {res.data.step}s)"
        holds = f"A window of {season} lets the network see where in the cycle it is; {res.window} covers it."
        otherwise = (
            f"A window of at least {season} would let the network see where in the cycle it is; {res.window} "
            "does not reach that far."
            if res.season > 1
            else "No season was found, so there is no cycle for the window to cover."
        )
        text, other = lead + holds + tail, lead + otherwise + tail
    elif res.signal in ("square", "sawtooth"):
        needed, why = _jump_recurrence(res.signal, cycle)
        jump = "flip" if res.signal == "square" else "drop"
        lead = (
            f"{base}That is {res.window / cycle:.0%} of a period ({cycle:.4g} steps). {why} To know when the "
            f"next {jump} comes, the window must reach back to the last one, {needed} steps; {res.window} is "
        )
        text, other = lead + "enough.", lead + "not enough: flat stretches look alike, so it must guess."
    else:
        coefficients = recurrence(res.signal, res.dt)
        needed = len(coefficients)
        what = {
            "sine": "For a pure sine two values are enough in principle",
            "two_sines": "A sum of two sines needs four past values, one pair per frequency",
            "spring": "A damped oscillation needs two values, with its own coefficients: each swing is smaller",
        }[res.signal]
        lead = (
            f"{base}That is {res.window / cycle:.0%} of a period ({cycle:.0f} steps). {what}: "
            f"${recurrence_tex(coefficients)}$. "
        )
        tail = (
            f" in a window of {res.window}. Longer windows let the network average out noise and see slower "
            "patterns, at the price of longer back-propagation through time and fewer windows."
        )
        text, other = f"{lead}It fits{tail}", f"{lead}It does not fit{tail}"
    return claim("window_covers_pattern", _covers, text, other, window=res.window, needed=needed)


def recurrence_tex(coefficients: tuple[float, ...]) -> str:
    """x_{t+1} = a_1 x_t + a_2 x_{t-1} + ..., each coefficient to four decimals with its sign."""
    terms = []
    for k, a in enumerate(coefficients):
        past = "x_t" if k == 0 else f"x_{{t-{k}}}"
        sign = "-" if a < 0 else ("+" if k else "")
        value = "" if math.isclose(abs(a), 1.0) else f"{abs(a):.4f}\\,"
        terms.append(f"{sign} {value}{past}".strip())
    return "x_{t+1} = " + " ".join(terms)


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
    power = res.transform.power
    its = "its" if power is None else f"its {POWERS[power]}'"
    learned = {
        "values": "its values" if power is None else f"its {POWERS[power]}",
        "changes": f"{its} changes from one step to the next",
        "season": f"{its} changes over one season ({res.lag} {res.data.step}s)",
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
        f"**Data.** {origin} The network read {read}.{_scale(res)} It learned {learned}{_why_learned(res)}. "
        f"Season for the seasonal-naive forecast: {res.season} {res.data.step}s, {res.season_how}. "
        f"The autoregressive baseline is {res.ar_model}: a weighted sum of past values, its weights fitted "
        f"by least squares on the training span only. {AIC} The baselines read the target alone."
    )


def _scale(res: SineResult) -> str:
    """The target's scale and the evidence for it, for real data (synthetic signals are learned as they are)."""
    return "" if res.stationarity is None else f" Its scale for the target: {res.transform.described()}."


def _why_learned(res: SineResult) -> str:
    """Why values or changes: the stationarity tests for real data."""
    if res.stationarity is None:
        return ""
    subject = "the series is" if res.transform.power is None else f"its {POWERS[res.transform.power]} are"
    return f": {subject} {res.stationarity.described()}"


def network_note(res: SineResult) -> str:
    """The network fielded and how it trained, with why: the choices 'auto' made for this series."""
    cell = CELLS[res.cell]
    rollout = (
        f"free-running rollouts growing to {res.rollout} steps, each scored on its own fed-back predictions"
        if res.objective == "rollout"
        else "one step ahead from the true past (teacher forcing)"
    )
    return (
        f"**Network.** A {cell} of {res.hidden} units reading {res.window} past values, trained on {rollout}; "
        f"{res.history.steps:,} Adam steps in {res.history.seconds:.1f} s{_kept(res)}. Auto settings field the common "
        "recipe's network for a synthetic signal, and for real data a gated network trained on rollouts, as a "
        "forecaster would. "
        f"For comparison, the same network trained {OBJECTIVE_NAMES[res.other.objective]}: "
        f"{res.other.history.steps:,} steps in {res.other.history.seconds:.1f} s. The hybrid's network, the same "
        f"cell trained the same way on the autoregressive model's residuals: {res.hybrid_history.steps:,} steps "
        f"in {res.hybrid_history.seconds:.1f} s."
    )


def _kept(res: SineResult) -> str:
    """Early stopping, when the split is by time: which step's weights were kept, and why."""
    history = res.history
    by_time = len(res.val_windows) and res.val_windows.min() > res.train_windows.max(initial=-1)
    if not by_time or not history.val_loss:
        return ""
    best = history.val_steps[int(np.argmin(history.val_loss))]
    return (
        f"; it kept the weights of step {best:,}, those that did best on the held-out last part of the "
        "training span (early stopping: later steps fit the training windows more closely but forecast worse)"
    )


def run_row(res: SineResult, cfg: SineConfig) -> dict[str, object]:
    """This run's key numbers for the page's table of runs, keyed by its training settings."""
    changed = {k: v for k, v in to_query(training_part(cfg)).items() if k not in ("v", "series")}
    settings = ", ".join(f"{k}={v}" for k, v in changed.items()) or "defaults"
    if res.signal == "own":
        settings += f" ({res.source})"
    steps = res.steps(MAX_HORIZON)
    generation = natural_generation(res.objective)
    errors = mse_by_contender(res, generation, steps)
    rolled = res.rolling
    return {
        "settings (training)": settings,
        "validation MSE": res.val_mse,
        "one step ahead, future": one_step_mse(res, generation, steps),
        f"forecast MSE, first {HORIZONS[0]} steps": forecast_mse(res, generation, HORIZONS[0]),
        "forecast steps": steps,
        "forecast MSE, all steps": errors["rnn"],
        "best baseline MSE": min(v for k, v in errors.items() if k != "rnn"),
        "rolling-origin MSE": float(rolled.per_origin(network_key(res.objective, generation)).mean()),
        "best baseline, rolling": min(float(rolled.per_origin(name).mean()) for name in BASELINES),
        "training s": round(res.history.seconds, 2),
    }
