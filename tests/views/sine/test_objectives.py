"""Training for the horizon (issue 26): the objectives, the network fielded for real data, stationarity,
rolling origins and prediction intervals."""

import numpy as np
import pytest
import torch

from rnnviz.views.sine import EXPERIMENT, stationarity, transform
from rnnviz.views.sine.export import learned_evidence
from rnnviz.views.sine.forecasting import ROLLOUT_GROWTH, Forecaster, free_run, free_run_many, rollout_length
from rnnviz.views.sine.lessons import data_note
from rnnviz.views.sine.rolling import (
    LEVELS,
    MAX_CALIBRATION_CELL_STEPS,
    MAX_CALIBRATION_ORIGINS,
    MAX_EVALUATION_CELL_STEPS,
    MAX_ORIGINS,
    MIN_CALIBRATION_ORIGINS,
    MIN_ORIGINS,
    calibration_origins,
    conformal_levels,
    coverage,
    evaluation_origins,
    interval_widths,
    local_scale,
    network_key,
    origins,
    overlap,
)
from rnnviz.views.sine.settings import FIELD_CELL, FIELD_HIDDEN, RECIPE_CELL, RECIPE_HIDDEN, SineConfig
from tests.trained import trained


def smoke(**settings) -> SineConfig:
    return SineConfig(**{**EXPERIMENT.smoke, **settings})


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_window_generation_from_several_origins_rereads_each_window_from_zeros(cell):
    """The windows stepped together as one batch give what reading each window afresh gives."""
    torch.manual_seed(0)
    size, steps = 7, 20
    model = Forecaster(cell, 6, 2, features=2, window=size)
    contexts = np.random.default_rng(0).standard_normal((3, size, 2)).astype(np.float32)
    together = free_run_many(model, contexts, steps, "window")
    for origin, context in enumerate(contexts):
        rows = list(context)
        with torch.no_grad():
            for _ in range(steps):
                window = torch.from_numpy(np.stack(rows[-size:])).unsqueeze(0)
                rows.append(model.predict_next(window)[0].numpy())
        np.testing.assert_allclose(together[origin], np.stack(rows[size:]), atol=1e-5)
        np.testing.assert_allclose(
            free_run(model, context, steps, "window").prediction, together[origin], atol=1e-6
        )


def test_calibration_keeps_every_origin_where_it_is_cheap_and_at_least_a_floor_where_not():
    assert calibration_origins(reach=63, window=15, layers=1) == MAX_CALIBRATION_ORIGINS  # the sine default
    assert calibration_origins(reach=52, window=52, layers=1) == MAX_CALIBRATION_ORIGINS  # co2
    longest = calibration_origins(reach=314, window=60, layers=1)  # the longest window, a season of 314
    assert MIN_CALIBRATION_ORIGINS < longest < MAX_CALIBRATION_ORIGINS
    assert longest * 314 * 60 <= MAX_CALIBRATION_CELL_STEPS < (longest + 1) * 314 * 60
    assert calibration_origins(reach=314, window=60, layers=3) == MIN_CALIBRATION_ORIGINS


def test_rolling_evaluation_keeps_every_origin_by_default_and_fewer_for_the_costliest_networks():
    assert evaluation_origins(reach=63, window=15, layers=1) == MAX_ORIGINS  # the sine default
    assert evaluation_origins(reach=52, window=52, layers=1) == MAX_ORIGINS  # co2
    assert evaluation_origins(reach=314, window=60, layers=1) == MAX_ORIGINS  # the longest window
    deepest = evaluation_origins(reach=314, window=60, layers=3)
    assert MIN_ORIGINS < deepest < MAX_ORIGINS
    assert deepest * 314 * 60 * 3 <= MAX_EVALUATION_CELL_STEPS < (deepest + 1) * 314 * 60 * 3
    assert evaluation_origins(reach=10_000, window=60, layers=3) == MIN_ORIGINS


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_a_rollout_feeds_its_own_predictions_back_as_free_running_does(cell):
    torch.manual_seed(0)
    model = Forecaster(cell, 6, 2, features=2, window=5)
    context = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    with torch.no_grad():
        one_step, ahead = model.rollout(torch.from_numpy(context).unsqueeze(0), 12)
        by_steps = model.read_out(model(torch.from_numpy(context[:-1]).unsqueeze(0))[0])
    carried = free_run(model, context, 12, "carry").prediction
    np.testing.assert_allclose(ahead[0].numpy(), carried, atol=1e-5)
    np.testing.assert_allclose(one_step[0].numpy(), by_steps[0].numpy(), atol=1e-6)


def test_rollouts_grow_to_the_longest_over_the_first_part_of_training():
    lengths = [rollout_length(step, 100, 20) for step in range(1, 101)]
    assert lengths[0] == 1 and lengths == sorted(lengths)
    assert lengths[int(ROLLOUT_GROWTH * 100) - 1] == 20 and max(lengths) == 20


def test_real_data_trains_on_rollouts_with_a_gated_network_and_synthetic_signals_one_step():
    real = trained(EXPERIMENT, smoke(signal="sunspots", hidden=0, cell="auto"))
    assert (real.objective, real.other.objective) == ("rollout", "one_step")
    assert (real.cell, real.hidden) == (FIELD_CELL, FIELD_HIDDEN)
    assert real.weights["rnn.weight_hh_l0"].shape == (3 * FIELD_HIDDEN, FIELD_HIDDEN)
    assert real.window >= real.season and real.rollout >= real.season
    synthetic = trained(EXPERIMENT, smoke(hidden=0, cell="auto"))
    assert (synthetic.objective, synthetic.cell, synthetic.hidden) == ("one_step", RECIPE_CELL, RECIPE_HIDDEN)
    assert synthetic.window == 15 and synthetic.stationarity is None
    chosen = trained(EXPERIMENT, smoke(signal="sunspots", objective="one_step", window=7))
    assert (chosen.objective, chosen.other.objective, chosen.window) == ("one_step", "rollout", 7)


@pytest.mark.parametrize(
    ("signal", "power", "learned"),
    [("sunspots", 0.5, "season"), ("macro", None, "values"), ("co2", 0.0, "season")],
)
def test_scale_then_values_or_changes_are_chosen_by_tests(signal, power, learned):
    """Sunspots swing further in tall cycles, so they are learned as square roots; GDP growth goes negative.
    On the chosen scale the stationarity tests pick values or changes: GDP growth is stationary, the square
    roots of the sunspots are not (ADF p 0.066)."""
    res = trained(EXPERIMENT, smoke(signal=signal))
    assert (res.transform.power, res.learned) == (power, learned)
    assert res.stationarity.stationary == (learned == "values")
    assert "stationarity tests" in data_note(res) and "scale for the target" in data_note(res)
    evidence = learned_evidence(res)  # what the JSON report carries for the data note
    assert (evidence["power"], evidence["target"]) == (power, learned)
    if res.transform.untested:
        assert evidence["scale_test"]["untested_because"] in data_note(res)
    else:
        assert f"p = {evidence['scale_test']['p_value']:.2g}" in data_note(res)
    assert f"p = {evidence['stationarity']['adf_p']:.2g}" in data_note(res)
    if power == 0.5:
        assert transform.POWERS[power] in data_note(res) and "Guerrero" in data_note(res)
        as_is = trained(EXPERIMENT, smoke(signal=signal, transform="none"))
        assert as_is.transform.power is None and "ask for no transform" in data_note(as_is)


def test_a_transform_is_chosen_only_when_the_swing_grows_with_the_level():
    rng = np.random.default_rng(0)
    level = np.repeat(rng.uniform(5, 100, 40), 12)
    grows = level * (1 + 0.3 * rng.standard_normal(len(level))) ** 2
    chosen = transform.choose(grows, 12)
    assert chosen.power is not None and chosen.p_value < transform.SIGNIFICANCE and chosen.slope > 0
    np.testing.assert_allclose(chosen.inverse(chosen.forward(grows)), grows, rtol=1e-9)
    steady = level + rng.standard_normal(len(level))
    assert transform.choose(steady, 12).power is None and transform.choose(steady, 12).p_value > 0.05
    assert transform.choose(steady - 50, 12).untested
    assert transform.choose(np.tile(np.arange(63.0), 20), 63).untested
    assert transform.choose(steady[:30], 12).untested


def test_stationarity_separates_a_random_walk_from_noise():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(500)
    assert stationarity.check(noise).stationary
    assert not stationarity.check(np.cumsum(noise)).stationary
    assert not stationarity.check(np.ones(5)).stationary


def test_origins_are_spread_and_their_overlap_counted():
    starts = origins(100, 200, 10)
    assert starts[0] == 100 and starts[-1] == 190 and len(starts) <= MAX_ORIGINS
    assert overlap(starts, 10) == int(np.ceil(10 / np.diff(starts).min()))
    assert len(origins(100, 105, 10)) == 0


def test_intervals_hold_the_calibration_quantiles_and_widen_beyond():
    errors = np.tile(np.arange(1, 101, dtype=float)[:, None], (1, 4))
    widths = interval_widths(errors, 9)
    # split conformal: the ceil(101 x level)-th smallest of the 100 errors (81st and 96th), no interpolation
    np.testing.assert_array_equal(widths[:, 0], [81.0, 96.0])
    np.testing.assert_array_equal(conformal_levels(100), [0.81, 0.96])
    rising = interval_widths(np.array([[3.0, 1.0, 2.0]]), 3)
    np.testing.assert_array_equal(rising[0], [3.0, 3.0, 3.0])  # never narrower further ahead
    assert (np.diff(widths[:, 3:], axis=1) > 0).all()
    assert coverage(np.zeros((1, 9)), np.zeros((1, 9)), widths).tolist() == [1.0, 1.0]
    assert np.isinf(interval_widths(np.zeros((0, 0)), 3)).all()


def test_intervals_follow_the_local_swing_before_each_origin():
    # quiet (changes of 1) then loud (changes of 3): the swing before an origin is the mean absolute change
    series = np.concatenate([np.cumsum(np.tile([1.0, -1.0], 10)), np.cumsum(np.tile([3.0, -3.0], 10))])
    scales = local_scale(series, np.array([10, 40]), 6)
    np.testing.assert_allclose(scales, [1.0, 3.0])
    assert local_scale(np.zeros(30), np.array([10, 20]), 6).tolist() == [1.0, 1.0]  # flat: never a zero band
    widths = np.array([[1.0, 1.0], [2.0, 2.0]])
    misses = np.array([[1.5, 1.5], [1.5, 1.5]])
    assert coverage(misses, np.zeros((2, 2)), widths).tolist() == [0.0, 1.0]
    assert coverage(misses, np.zeros((2, 2)), widths, np.array([1.0, 2.0])).tolist() == [0.5, 1.0]


def test_the_run_keeps_both_objectives_forecasts_from_every_origin():
    res = trained(EXPERIMENT, smoke(signal="macro"))
    rolled = res.rolling
    for objective in ("rollout", "one_step"):
        for mode in ("window", "carry"):
            assert rolled.forecasts[network_key(objective, mode)].shape == rolled.truth.shape
    assert set(res.widths) == {"window", "carry"} and res.widths["carry"].shape == (len(LEVELS), rolled.reach)
    assert np.isfinite(res.widths["carry"]).all()
    # the bands follow the swing before each origin: the first origin's are the ones drawn from the future's start
    assert res.interval_scale.shape == rolled.starts.shape and res.interval_scale[0] == pytest.approx(1.0)
    assert (res.interval_scale > 0).all()
