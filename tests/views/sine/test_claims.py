"""The sine view's claims: each finding decided by this run's numbers, shown both ways, and issue 23's items."""

import dataclasses

import numpy as np
import pytest

from rnnviz.core.claims import diebold_mariano
from rnnviz.core.fit import History
from rnnviz.views.sine import EXPERIMENT, lessons
from rnnviz.views.sine.baselines import BASELINES
from rnnviz.views.sine.result import Forecast, SineResult
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


def test_each_comparison_is_diebold_mariano_on_the_same_future_steps():
    res = trained(EXPERIMENT)
    steps = res.steps(CFG.horizon)
    network = (res.forecasts["window"].free[:steps].astype(float) - res.future[:steps]) ** 2
    for name in BASELINES:
        c = found(res)[lessons.COMPARISONS[name]]
        baseline = (res.baselines[name][:steps] - res.future[:steps]) ** 2
        reach = max(res.window, res.baseline_reach[name])
        expected = diebold_mariano(network, baseline, horizon=reach)
        assert c.evidence["horizon"] == reach
        assert (c.evidence["low"], c.evidence["high"]) == pytest.approx((expected.low, expected.high))
    assert res.baseline_reach["seasonal_naive"] == res.season and res.baseline_reach["naive"] == 1


def test_the_verdict_says_when_the_network_loses_ties_or_wins():
    res = trained(EXPERIMENT)
    perfect = dataclasses.replace(res, baselines={k: res.future.copy() for k in res.baselines})
    lost = found(with_forecast(perfect, wobble(res, 0.3)))
    assert "loses to every baseline" in lost["network_vs_baselines"].text
    assert not lost["network_vs_baselines"].holds
    for name in BASELINES:
        assert lost[lessons.COMPARISONS[name]].text.endswith(")."), name
        assert "beats the network" in lost[lessons.COMPARISONS[name]].text

    won = found(with_forecast(res, res.future.copy()))
    assert won["network_vs_baselines"].holds and "beats every baseline" in won["network_vs_baselines"].text

    same = with_forecast(res, wobble(res, 0.3))
    tied = found(dataclasses.replace(same, baselines={k: same.forecasts["window"].free for k in BASELINES}))
    assert "ties with the naive, the seasonal naive and the autoregressive forecasts" in (
        tied["network_vs_baselines"].text
    )
    assert all("tie" in tied[lessons.COMPARISONS[name]].text for name in BASELINES)


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
