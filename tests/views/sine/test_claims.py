"""The sine view's claims: each finding decided by this run's numbers, shown both ways, and issue 23's items."""

import dataclasses
import math

import numpy as np
import pytest

from rnnviz.core.claims import diebold_mariano
from rnnviz.core.fit import History
from rnnviz.views.sine import EXPERIMENT, lessons
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.result import Forecast, SineResult
from rnnviz.views.sine.rolling import coverage, network_key
from rnnviz.views.sine.settings import SineConfig
from tests.trained import trained

CFG = EXPERIMENT.smoke_config()


def smoke(**settings) -> SineConfig:
    return SineConfig(**{**EXPERIMENT.smoke, **settings})


def found(res: SineResult, cfg: SineConfig = CFG) -> dict:
    return lessons.by_id(lessons.claims(cfg, res))


def with_forecast(res: SineResult, free: np.ndarray, teacher: np.ndarray | None = None) -> SineResult:
    """The same run with the network's window-mode forecast replaced: a claim's other branch, on demand."""
    old = res.forecasts["window"]
    forecast = Forecast(free, old.teacher if teacher is None else teacher, old.hidden)
    return dataclasses.replace(res, forecasts={**res.forecasts, "window": forecast})


def wobble(res: SineResult, size: float, seed: int = 0) -> np.ndarray:
    """The truth plus Gaussian errors of standard deviation ``size``."""
    return res.future + size * np.random.default_rng(seed).standard_normal(len(res.future))


def test_the_headline_is_the_verdict_and_every_claim_agrees_with_its_evidence():
    claims = lessons.claims(CFG, trained(EXPERIMENT))
    assert claims[0].id == "network_vs_baselines"
    assert all(c.agrees_with_evidence() for c in claims)


def with_rolled(res: SineResult, network: np.ndarray | None = None, baselines: np.ndarray | None = None):
    """The same run with the rolling-origin forecasts of the network shown (and of every baseline) replaced."""
    rolled = res.rolling
    forecasts = dict(rolled.forecasts)
    if network is not None:
        forecasts[network_key(res.objective, "window")] = network
    if baselines is not None:
        forecasts |= {name: baselines for name in BASELINES}
    return dataclasses.replace(res, rolling=dataclasses.replace(rolled, forecasts=forecasts))


def rolled_wobble(res: SineResult, size: float, seed: int = 0) -> np.ndarray:
    """The rolling origins' truths plus Gaussian errors of standard deviation ``size``."""
    truth = res.rolling.truth
    return truth + size * np.random.default_rng(seed).standard_normal(truth.shape)


def test_each_comparison_is_diebold_mariano_over_the_rolling_origins():
    res = trained(EXPERIMENT)
    rolled = res.rolling
    assert len(rolled.starts) > 2 and rolled.starts.min() == res.n_train
    assert rolled.starts.max() + rolled.reach <= len(res.truth)
    network = ((rolled.forecasts[network_key("one_step", "window")] - rolled.truth) ** 2).mean(axis=1)
    for name in BASELINES:
        c = found(res)[lessons.COMPARISONS[name]]
        baseline = ((rolled.forecasts[name] - rolled.truth) ** 2).mean(axis=1)
        expected = diebold_mariano(network, baseline, horizon=rolled.overlap)
        assert (
            c.evidence["overlap"] == rolled.overlap == math.ceil(rolled.reach / np.diff(rolled.starts).min())
        )
        assert (c.evidence["low"], c.evidence["high"]) == pytest.approx((expected.low, expected.high))
    assert res.baseline_reach["seasonal_naive"] == res.season and res.baseline_reach["naive"] == 1


def test_rolling_baselines_read_the_history_up_to_each_origin():
    res = trained(EXPERIMENT)
    rolled = res.rolling
    for i, start in enumerate(rolled.starts):
        assert rolled.forecasts["naive"][i] == pytest.approx(np.full(rolled.reach, res.observed[start - 1]))
        season = res.observed[start - res.season : start]
        np.testing.assert_allclose(rolled.forecasts["seasonal_naive"][i], np.resize(season, rolled.reach))
    # From the training span's end, the AR model fitted once gives statsmodels' own forecast.
    first = rolled.forecasts["ar"][0]
    np.testing.assert_allclose(first, res.baselines["ar"][: rolled.reach], rtol=1e-5, atol=1e-5)


def test_the_verdict_says_when_the_network_loses_ties_or_wins():
    res = trained(EXPERIMENT)
    perfect = with_rolled(res, baselines=res.rolling.truth.copy())
    lost = found(with_rolled(perfect, network=rolled_wobble(res, 0.3)))
    assert "loses to every baseline" in lost["network_vs_baselines"].text
    assert not lost["network_vs_baselines"].holds
    for name in BASELINES:
        assert lost[lessons.COMPARISONS[name]].text.endswith(")."), name
        assert "beats the network" in lost[lessons.COMPARISONS[name]].text

    won = found(with_rolled(res, network=res.rolling.truth.copy()))
    assert won["network_vs_baselines"].holds and "beats every baseline" in won["network_vs_baselines"].text

    noisy = rolled_wobble(res, 0.3)
    tied = found(with_rolled(res, network=noisy, baselines=noisy))
    assert "ties with the naive, the seasonal naive and the autoregressive forecasts" in (
        tied["network_vs_baselines"].text
    )
    assert all("tie" in tied[lessons.COMPARISONS[name]].text for name in BASELINES)


def test_the_objectives_are_compared_each_forecasting_the_way_it_trained():
    res = trained(EXPERIMENT)
    assert (res.objective, res.other.objective) == ("one_step", "rollout")
    assert res.other.history.steps == CFG.epochs and set(res.other.free) == {"window", "carry"}
    rolled = res.rolling
    one_step = rolled.per_origin(network_key("one_step", "window"))
    rollout = rolled.per_origin(network_key("rollout", "carry"))
    c = found(res)["rollouts_beat_one_step"]
    expected = diebold_mariano(rollout, one_step, horizon=rolled.overlap)
    assert (c.evidence["low"], c.evidence["high"]) == pytest.approx((expected.low, expected.high))
    better = dataclasses.replace(
        rolled, forecasts={**rolled.forecasts, network_key("rollout", "carry"): rolled.truth.copy()}
    )
    wins = found(dataclasses.replace(res, rolling=better))["rollouts_beat_one_step"]
    assert wins.holds and "trained on free-running rollouts beats" in wins.text
    assert wins.text.startswith("**Training objective.**")


def test_interval_coverage_is_counted_and_judged():
    res = trained(EXPERIMENT)
    c = found(res)["intervals_cover"]
    rolled = res.rolling
    shares = coverage(
        rolled.forecasts[network_key("one_step", "window")],
        rolled.truth,
        res.widths["window"],
        res.interval_scale,
    )
    assert (c.evidence["coverage_80"], c.evidence["coverage_95"]) == pytest.approx(tuple(shares))
    exact = found(with_rolled(res, network=rolled.truth.copy()))["intervals_cover"]
    assert exact.holds and exact.evidence["coverage_95"] == 1.0 and "The network's are close" in exact.text
    far = found(with_rolled(res, network=rolled.truth + 1e6))["intervals_cover"]
    assert not far.holds and far.evidence["coverage_95"] == 0.0 and "The network's are too narrow" in far.text
    ar_far = found(with_rolled(res, baselines=rolled.truth + 1e6))["intervals_cover"]
    assert ar_far.evidence["ar_coverage_95"] == 0.0 and "autoregressive model's are too narrow" in ar_far.text
    ar_exact = found(with_rolled(res, baselines=rolled.truth.copy()))["intervals_cover"]
    assert "autoregressive model's are too narrow" not in ar_exact.text


def test_errors_compound_only_when_free_running_is_worse_than_one_step():
    """Issue 23, item 12: the sentence was printed even when free running was no worse."""
    res = trained(EXPERIMENT)
    worse = found(with_forecast(res, wobble(res, 0.5), teacher=wobble(res, 0.05, seed=1)))["errors_compound"]
    assert worse.holds and worse.text.startswith("Errors compound")
    better = found(with_forecast(res, wobble(res, 0.05), teacher=wobble(res, 0.5, seed=1)))["errors_compound"]
    assert not better.holds and "do not compound" in better.text and "tie" not in better.text
    level = found(with_forecast(res, wobble(res, 0.3), teacher=wobble(res, 0.3, seed=1)))["errors_compound"]
    assert not level.holds and "Errors compound" not in level.text and "tie" in level.text


def test_the_error_trend_and_the_validation_sentence_follow_the_numbers():
    res = trained(EXPERIMENT)
    ramp = res.future + np.linspace(0, 1, len(res.future))
    grows = found(with_forecast(res, ramp))
    assert grows["error_grows"].holds and "keeps growing" in grows["error_grows"].text
    shrinks = found(with_forecast(res, res.future + np.linspace(1, 0, len(res.future))))
    assert not shrinks["error_grows"].holds and "shrinks" in shrinks["error_grows"].text
    far = found(with_forecast(res, res.future + 10 * np.sqrt(res.val_mse)))["validation_understates"]
    assert far.holds and "errs 100 times as much" in far.text
    exact = found(with_forecast(res, res.future.copy()))["validation_understates"]
    assert not exact.holds and "errs no more" in exact.text


def test_the_split_lesson_never_blames_shuffling_within_training():
    """Issue 23, item 16: shuffling minibatches keeps each window in order; the leak is which windows are held out."""
    random_split = lessons.split_leak(trained(EXPERIMENT), CFG)
    by_time = lessons.split_leak(trained(EXPERIMENT, smoke(split="time")), smoke(split="time"))
    assert random_split.holds and not by_time.holds
    for lesson in (random_split, by_time):
        assert lessons.SHUFFLING_IS_NOT_THE_LEAK in lesson.text
        assert "Split by time, not shuffled" not in lesson.text


def test_the_clipping_lesson_says_what_the_gradients_did():
    """Issue 23, item 16: not 'RNNs always explode' but whether this run's gradients spiked."""
    res = trained(EXPERIMENT)
    calm = lessons.clipping(res, CFG)
    assert calm.holds and "No gradient spiked" in calm.text and "do not always explode" in calm.text
    spiky = dataclasses.replace(res, history=History(grad_norm=[1.0, 0.5, 40.0]))
    spiked = lessons.clipping(spiky, CFG)
    assert not spiked.holds and "spiked" in spiked.text and "clipping cut it" in spiked.text
    unclipped = lessons.clipping(spiky, smoke(clip=False))
    assert "Clipping is off" in unclipped.text and "used it in full" in unclipped.text


def test_the_window_lesson_says_a_long_enough_recurrence_continues_a_jump():
    """Issue 23, item 5: 'no linear recurrence continues a wave that jumps' was false."""
    for signal in ("square", "sawtooth"):
        text = lessons.window_length(trained(EXPERIMENT, smoke(signal=signal))).text
        assert "No linear recurrence" not in text and "x_{t+1-P}" in text and "seasonal-naive" in text
    assert "-x_{t+1-P/2}" in lessons.window_length(trained(EXPERIMENT, smoke(signal="square"))).text


@pytest.mark.parametrize("period", [8, 20])
def test_jumping_waves_obey_the_recurrences_the_lesson_states(period):
    t = np.arange(10 * period)
    square = np.where(t % period < period // 2, 1.0, -1.0)
    sawtooth = 2 * (t % period) / period - 1
    np.testing.assert_array_equal(square[period // 2 :], -square[: -(period // 2)])
    np.testing.assert_array_equal(sawtooth[period:], sawtooth[:-period])
    # Shorter than the lesson says, no linear recurrence fits: least squares leaves a residual.
    for wave, order in ((square, period // 2 - 1), (sawtooth, period - 2)):
        past = np.column_stack([wave[order - 1 - k : len(wave) - 1 - k] for k in range(order)])
        _, residual, *_ = np.linalg.lstsq(past, wave[order:], rcond=None)
        assert residual[0] > 1e-6


def test_the_ar_baseline_is_called_fitted_and_aic_is_explained():
    """Issue 23, item 6: the AR baseline is fitted by least squares, its order chosen by AIC."""
    res = trained(EXPERIMENT)
    texts = [lessons.INTRO, *(c.text for c in lessons.claims(CFG, res))]
    assert not [t for t in texts if "no training" in t]
    note = lessons.data_note(res)
    assert "least squares on the training span" in note and "Akaike's information criterion" in note
