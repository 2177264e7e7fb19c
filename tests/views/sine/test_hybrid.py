"""Issue 26: the hybrid contender (AR plus a network on its residuals), MASE, AR intervals from statsmodels,
Diebold-Mariano p-values, the fan chart and the JSON keys that report them."""

import json
import math

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.core.claims import Z
from rnnviz.views.sine import EXPERIMENT, baselines, lessons
from rnnviz.views.sine.export import report
from rnnviz.views.sine.figures import fan_figure
from rnnviz.views.sine.rolling import HYBRID, LEVELS, Rolling, mase_scale, normal_widths
from rnnviz.views.sine.settings import SineConfig
from tests.trained import trained


def smoke(**settings) -> SineConfig:
    return SineConfig(**{**EXPERIMENT.smoke, **settings})


def test_ar_residuals_are_what_its_one_step_prediction_misses():
    rng = np.random.default_rng(0)
    y = np.zeros(400)
    for t in range(1, len(y)):
        y[t] = 0.8 * y[t - 1] + rng.standard_normal()
    ar = baselines.autoregressive(y, 10, 1)
    residuals = baselines.ar_residuals(y, ar)
    assert (residuals[: ar.order] == 0).all()
    lags = ar.coefficients[-ar.order :][::-1]
    t = len(y) - 1
    expected = y[t] - ar.coefficients[0] - lags[::-1] @ y[t - ar.order : t][::-1]
    assert residuals[t] == pytest.approx(expected)
    assert np.std(residuals[ar.order :]) < 0.7 * np.std(y)  # the linear part is taken out


def test_ar_intervals_come_from_statsmodels_and_widen():
    y = np.sin(np.arange(300) / 3) + np.random.default_rng(1).normal(0, 0.3, 300)
    ar = baselines.autoregressive(y, 12, 1)
    assert (np.diff(ar.se) >= -1e-12).all() and ar.se[0] > 0
    widths = normal_widths(ar.se)
    assert widths.shape == (len(LEVELS), 12)
    assert widths[-1, 0] == pytest.approx(1.959964 * ar.se[0], rel=1e-5)


def test_mase_divides_the_absolute_error_by_the_seasonal_naive_in_sample_error():
    train = np.tile([0.0, 2.0, 4.0, 2.0], 10) + np.arange(40)  # seasonal-naive one-step error: always 4
    assert mase_scale(train, 4) == pytest.approx(4.0)
    truth = np.ones((3, 5))
    rolled = Rolling(np.arange(3), 5, truth, {"perfect": truth.copy(), "off": truth + 8.0})
    assert rolled.mase("perfect", 4.0) == 0.0 and rolled.mase("off", 4.0) == pytest.approx(2.0)


def test_p_value_follows_the_interval():
    assert lessons.p_value({"difference": 0.0, "low": -1.0, "high": 1.0}) == pytest.approx(1.0)
    edge = {"difference": Z, "low": 0.0, "high": 2 * Z}  # the interval just touches zero
    assert lessons.p_value(edge) == pytest.approx(0.05, rel=1e-6)
    assert lessons.p_value({"difference": 1.0, "low": 1.0, "high": 1.0}) == 0.0


@pytest.fixture(scope="module")
def sunspots():
    cfg = smoke(signal="sunspots")
    return cfg, trained(EXPERIMENT, cfg)


def test_the_hybrid_is_the_ar_forecast_plus_its_residual_network(sunspots):
    cfg, res = sunspots
    rolled = res.rolling
    correction = rolled.forecasts[HYBRID] - rolled.forecasts["ar"]
    assert correction.shape == rolled.truth.shape and np.abs(correction).max() > 0
    correction_full = res.hybrid - res.baselines["ar"]
    assert len(res.hybrid) == len(res.future) and np.abs(correction_full).max() > 0
    assert res.hybrid_history.steps > 0


def test_the_report_carries_every_key_of_item_7(sunspots):
    cfg, res = sunspots
    out = report(cfg, res)
    metrics = out["metrics"]
    assert set(metrics["mase"]) == {"rnn", HYBRID, "naive", "seasonal_naive", "ar"}
    assert set(metrics["mse_full_horizon"]) == {"rnn", HYBRID, "naive", "seasonal_naive", "ar"}
    assert set(metrics["coverage_95"]) == {"rnn", "ar"}
    assert set(metrics["dm_pvalue"]) == {"naive", "seasonal_naive", "ar"}
    assert metrics["train_seconds"] >= 0 and {"future", "train_tail", "season"} <= set(out)
    found = lessons.by_id(lessons.claims(cfg, res))
    for name, p in metrics["dm_pvalue"].items():
        assert p == found[lessons.COMPARISONS[name]].evidence["p_value"]
        assert f"p = {p:.2g}" in found[lessons.COMPARISONS[name]].text
    assert metrics["coverage_95"]["ar"] == found["intervals_cover"].evidence["ar_coverage_95"]
    truth = np.asarray(out["future"])
    assert metrics["mse_full_horizon"][HYBRID] == pytest.approx(np.mean((res.hybrid - truth) ** 2))
    for name in ("naive", "ar"):
        assert (
            f"{name if name == 'naive' else 'autoregressive'} {lessons._g(found['network_vs_baselines'].evidence[f'{name}_p'])}"
            in found["network_vs_baselines"].text
        )


def test_the_hybrid_verdict_is_decided_by_its_interval(sunspots):
    cfg, res = sunspots
    found = lessons.hybrid_vs_ar(res)
    e = found.evidence
    assert found.holds == (e["high"] < 0) and found.rule(e) == found.holds
    assert "Diebold-Mariano p = " in found.text and math.isfinite(e["hybrid_mase"])


def test_the_fan_chart_draws_both_forecasters_intervals_and_states_their_coverage(sunspots):
    cfg, res = sunspots
    fig = fan_figure(res, "carry")
    names = {t.name for t in fig.data}
    for who in ("network", "AR"):
        for level in LEVELS:
            assert (
                f"{who}: {level:.0%} prediction interval" in names
                or not np.isfinite(res.widths["carry"]).all()
            )
    assert "95% interval held" in fig.layout.title.text
    assert fig.layout.yaxis.title.text and fig.layout.xaxis.title.text


def test_extra_inputs_are_judged_against_the_target_alone_with_a_p_value():
    with_inputs = trained(EXPERIMENT, smoke(signal="macro"))
    alone = trained(EXPERIMENT, smoke(signal="macro", inputs="none"))
    assert with_inputs.data.columns[1:] and alone.data.columns == with_inputs.data.columns[:1]
    found = lessons.extra_inputs_help(with_inputs, alone)
    e = found.evidence
    assert found.holds == (e["high"] < 0) and "Diebold-Mariano p = " in found.text
    assert all(f"'{c}'" in found.text for c in with_inputs.data.columns[1:])
    same = lessons.extra_inputs_help(with_inputs, with_inputs)
    assert same.evidence["difference"] == 0 and not same.holds and "tie" in same.text


@pytest.mark.slow
def test_a_csv_series_never_tuned_on_gets_the_same_treatment_and_the_network_beats_naive(tmp_path, capsys):
    """Issue 26: El Niño's monthly sea surface temperature, a file the defaults were never tuned on."""
    from statsmodels.datasets import elnino

    values = elnino.load_pandas().data.drop(columns="YEAR").to_numpy(dtype=float).ravel()
    path = tmp_path / "elnino.csv"
    path.write_text("sst\n" + "\n".join(f"{v:.2f}" for v in values))
    assert main(["sine", "--signal", "own", "--csv", str(path), "--seed", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    mase = out["metrics"]["mase"]
    assert out["objective"] == "rollout" and out["season"] == 12
    assert mase["rnn"] < mase["naive"] and mase["rnn"] < mase["seasonal_naive"]


def test_split_by_time_keeps_the_weights_that_did_best_on_the_held_out_part(sunspots):
    cfg, res = sunspots
    best = res.history.val_steps[int(np.argmin(res.history.val_loss))]
    assert f"kept the weights of step {best:,}" in lessons.network_note(res)
    shuffled = trained(EXPERIMENT, smoke(signal="sunspots", split="random"))
    assert "kept the weights" not in lessons.network_note(shuffled)
