import codecs
import json
import math

import numpy as np
import pytest
import torch

from rnnviz.cli import main
from rnnviz.core.runtime import RESULTS
from rnnviz.views.sine import EXPERIMENT, lessons, signals
from rnnviz.views.sine.export import report
from rnnviz.views.sine.figures import (
    cumulative_mse,
    error_figure,
    forecast_figure,
    gradient_figure,
    hidden_figure,
    signal_figure,
    teacher_vs_free_figure,
)
from rnnviz.views.sine.forecasting import (
    Forecaster,
    Scaler,
    free_run,
    neighbour_share,
    split,
    teacher_forced,
    windows,
)
from rnnviz.views.sine.scoring import HORIZONS, forecast_errors
from rnnviz.views.sine.series import MAX_POINTS, MIN_POINTS, read_series
from rnnviz.views.sine.settings import SineConfig
from rnnviz.views.sine.train import run
from tests.trained import trained

SMOKE = EXPERIMENT.smoke
"""A few full-batch steps: enough to exercise everything, quick enough to run often."""


def smoke(**settings) -> SineConfig:
    """The smoke settings with some changed."""
    return SineConfig(**{**SMOKE, **settings})


def test_spring_simulation_matches_the_closed_form():
    t = np.arange(0, 175, 0.1)
    np.testing.assert_allclose(signals.spring(t), signals.spring_exact(t), atol=1e-8)
    coarse = np.arange(0, 175, 0.5)
    np.testing.assert_allclose(signals.spring(coarse), signals.spring_exact(coarse), atol=1e-5)


@pytest.mark.parametrize("name", ["sine", "two_sines", "square", "sawtooth"])
def test_periodic_signals_repeat_after_their_period(name):
    t = np.linspace(0.3, 20, 200)
    np.testing.assert_allclose(
        signals.built_in(name, t), signals.built_in(name, t + signals.period(name)), atol=1e-9
    )


def test_noise_level_is_relative_to_the_signal():
    rng = np.random.default_rng(0)
    clean = 5 * np.sin(np.arange(0, 200, 0.1))
    noisy = signals.add_noise(clean, 0.1, rng)
    assert np.std(noisy - clean) == pytest.approx(0.1 * np.std(clean), rel=0.05)
    assert np.array_equal(signals.add_noise(clean, 0.0, rng), clean)


def test_windows_and_targets_line_up():
    values = np.arange(10.0)
    inputs, targets = windows(values, 3)
    assert inputs.shape == (7, 3)
    assert np.array_equal(inputs[0], [0, 1, 2]) and targets[0] == 3
    assert np.array_equal(inputs[-1], [6, 7, 8]) and targets[-1] == 9


def test_splits_random_interleaves_time_holds_out_the_end():
    rng = np.random.default_rng(42)
    train, val = split(734, "random", rng)
    assert (len(train), len(val)) == (587, 147)
    assert not set(train) & set(val) and len(set(train) | set(val)) == 734
    assert neighbour_share(train, val) > 0.9
    train_t, val_t = split(734, "time", rng)
    assert train_t.max() < val_t.min() and len(val_t) == 147
    assert neighbour_share(train_t, val_t) == pytest.approx(1 / 147)


def test_scaler_round_trip_and_constant_series():
    values = np.array([2.0, 4.0, 3.0, 10.0])
    scaler = Scaler.fit(values)
    assert scaler.scale(values).min() == -1 and scaler.scale(values).max() == 1
    np.testing.assert_allclose(scaler.unscale(scaler.scale(values)), values)
    flat = Scaler.fit(np.full(5, 3.0))
    assert np.isfinite(flat.scale(np.full(5, 3.0))).all()


def test_settings_that_do_not_apply_are_reset():
    cfg = SineConfig(series="1 2 3", clip=False, max_norm=0.1)
    assert EXPERIMENT.prepare(cfg) == SineConfig(clip=False)
    own = SineConfig(signal="own", series="1 2 3", max_norm=0.1)
    assert EXPERIMENT.prepare(own) == own


def test_default_has_the_seeds_windows_and_split():
    res = trained(EXPERIMENT)
    assert len(res.train_windows) + len(res.val_windows) == 734
    assert (len(res.train_windows), len(res.val_windows)) == (587, 147)
    assert res.n_train == 750 and len(res.future) == 1000
    np.testing.assert_allclose(res.future[:5], np.sin(np.arange(750, 755) * 0.1), atol=1e-12)


def test_same_config_same_numbers_other_seed_other_numbers():
    a, b = run(smoke(seed=3)), run(smoke(seed=3))
    c = run(smoke(seed=4))
    assert np.array_equal(a.forecasts["window"].free, b.forecasts["window"].free)
    assert a.history.loss == b.history.loss
    assert not np.allclose(a.forecasts["window"].free, c.forecasts["window"].free)


def test_free_running_and_teacher_forcing_agree_on_the_first_step_only():
    torch.manual_seed(0)
    model = Forecaster("gru", 5, 2)
    series = np.sin(np.arange(200) * 0.1).astype(np.float32)[:, None]
    context = series[85:100]
    for mode in ("window", "carry"):
        free = free_run(model, context, 30, mode)
        teacher = teacher_forced(model, series, 100, 30, 15, mode)
        assert free.prediction[0, 0] == pytest.approx(teacher.prediction[0, 0], abs=1e-6)
        assert free.hidden.shape == teacher.hidden.shape == (30, 5)
        assert not np.allclose(free.prediction[5:], teacher.prediction[5:], atol=1e-4)
    # Window mode re-reads each true window from a zero state: check one step by hand.
    with torch.no_grad():
        by_hand = model.predict_next(torch.from_numpy(series[110:125]).unsqueeze(0))
    teacher = teacher_forced(model, series, 100, 30, 15, "window")
    assert teacher.prediction[25, 0] == pytest.approx(float(by_hand[0, 0]), abs=1e-6)


def test_free_running_feeds_predictions_back():
    torch.manual_seed(1)
    model = Forecaster("rnn", 3, 1)
    context = np.linspace(-1, 1, 8).astype(np.float32)[:, None]
    run_ = free_run(model, context, 5, "window")
    window = np.concatenate([context, run_.prediction])[4:12]
    with torch.no_grad():
        again = model.predict_next(torch.from_numpy(window).unsqueeze(0))
    assert run_.prediction[4, 0] == pytest.approx(float(again[0, 0]), abs=1e-6)


@pytest.mark.slow
def test_longer_training_forecasts_better():
    short = trained(EXPERIMENT, SineConfig(epochs=5))
    longer = trained(EXPERIMENT, SineConfig(epochs=150, lr=0.03))
    assert longer.val_mse < short.val_mse / 10
    assert (
        forecast_errors(longer, "window", 100)["extrap_mse_100"]
        < forecast_errors(short, "window", 100)["extrap_mse_100"]
    )


def test_report_has_exactly_the_specified_metrics():
    res = trained(EXPERIMENT)
    out = report(EXPERIMENT.smoke_config(), res)
    common = {"train_seconds", "val_mse", "forecast_mse", "mse_full_horizon", "mse_rolling"}
    common |= {"mse_rolling_by_objective", "coverage", "mase", "coverage_95", "dm_pvalue"}
    assert set(out["metrics"]) == common | {f"extrap_mse_{k}" for k in HORIZONS}
    assert out["metrics"]["forecast_mse"] == out["metrics"]["mse_full_horizon"]["rnn"]
    assert len(out["prediction"]) == len(out["future"]) == 1000
    short = report(smoke(horizon=200), res)
    assert set(short["metrics"]) == common | {"extrap_mse_100"}
    assert len(short["prediction"]) == 200
    mse = np.mean((np.asarray(out["prediction"]) - out["future"]) ** 2)
    assert out["metrics"]["extrap_mse_1000"] == pytest.approx(mse)


@pytest.mark.slow
@pytest.mark.parametrize("name", signals.BUILT_IN)
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_every_signal_trains_and_forecasts(name, cell):
    res = trained(EXPERIMENT, smoke(signal=name, cell=cell, noise=0.1))
    assert res.signal == name and not res.notes
    for fc in res.forecasts.values():
        assert np.isfinite(fc.free).all() and np.isfinite(fc.teacher).all()


def test_noise_is_observed_but_forecasts_are_scored_on_the_clean_signal():
    res = trained(EXPERIMENT, smoke(noise=0.3))
    assert np.std(res.observed - res.truth) == pytest.approx(0.3 * np.std(res.truth), rel=0.1)
    np.testing.assert_allclose(res.future[:3], np.sin(np.arange(750, 753) * 0.1))


def test_time_split_holds_out_the_end_and_scaler_leak_sees_the_future():
    trend = " ".join(f"{0.05 * i + math.sin(i / 3):.4f}" for i in range(300))
    honest = trained(EXPERIMENT, smoke(signal="own", series=trend, split="time", learn="values"))
    leaky = trained(EXPERIMENT, smoke(signal="own", series=trend, split="time", learn="values", scaler="all"))
    assert honest.val_windows.min() > honest.train_windows.max()
    assert honest.scaler.high == pytest.approx(honest.train_range[1])
    assert leaky.scaler.high == pytest.approx(leaky.whole_range[1]) and leaky.scaler.high > honest.scaler.high
    leak = lessons.scaler_leak(honest, SineConfig(split="time"))
    assert leak.holds and "switch *Scaler fitted on*" in leak.text


def test_pasted_series_is_learned_and_its_tail_is_the_future():
    values = np.sin(np.arange(200) * 0.2) * 3 + 10
    res = trained(EXPERIMENT, smoke(signal="own", series=", ".join(f"{v:.5f}" for v in values)))
    assert res.signal == "own" and res.n_train == 160 and len(res.future) == 40
    np.testing.assert_allclose(res.future, values[160:], atol=1e-5)
    out = report(smoke(signal="own"), res)
    assert "extrap_mse_100" not in out["metrics"]  # a 40-step future is too short for 100 steps
    assert len(out["prediction"]) == 40


def test_upload_wins_over_paste_and_is_ignored_for_built_in_signals():
    upload = read_series(("v\n" + "\n".join(str(i % 7) for i in range(100))).encode(), "mine.csv")
    res = trained(EXPERIMENT, smoke(signal="own", series="1 2 3"), upload=upload)
    assert res.source == "mine.csv" and res.truth.max() == 6
    sine = trained(EXPERIMENT, upload=upload)
    assert sine.signal == "sine" and "not used" in sine.notes[0]


@pytest.mark.parametrize(
    ("series", "window", "reason"),
    [
        ("", 15, "Paste numbers"),
        ("1 2 3", 15, "Only 3 numbers"),
        ("name\nalice\nbob\n" * 10, 15, "No numbers found"),
        (" ".join(str(i) for i in range(40)), 30, "Shorten the window"),
    ],
)
def test_unusable_own_series_falls_back_to_the_sine_with_a_reason(series, window, reason):
    res = trained(EXPERIMENT, smoke(signal="own", series=series, window=window))
    assert res.signal == "sine"
    assert any(reason in n for n in res.notes), res.notes


def test_lessons_quote_this_runs_numbers():
    cfg = EXPERIMENT.smoke_config()
    res = trained(EXPERIMENT)
    assert f"{res.neighbour_share:.0%}" in lessons.split_leak(res, cfg).text
    assert "both fits agree" in lessons.scaler_leak(res, cfg).text
    assert "1.9900" in lessons.window_length(res).text  # 2 cos(0.1)
    clipped = sum(n > 1.0 for n in res.history.grad_norm)
    assert f"{clipped} of {res.history.steps} steps" in lessons.clipping(res, cfg).text
    rules = " ".join(lessons.update_rules(res, "window", 1000))
    assert r"f(\hat x_{t-14}, \dots, \hat x_t)" in rules
    square = lessons.window_length(trained(EXPERIMENT, smoke(signal="square")))
    assert "not enough" in square.text and not square.holds
    wide = lessons.window_length(trained(EXPERIMENT, smoke(signal="square", window=40)))
    assert "32 steps; 40 is enough" in wide.text and wide.holds


def test_figures_state_their_numbers():
    res = trained(EXPERIMENT)
    mse = forecast_errors(res, "window", 1000)["extrap_mse_1000"]
    assert f"MSE {mse:.2g} over 1,000 steps" in forecast_figure(res, "window", 1000).layout.title.text
    err = error_figure(res, "carry", 300)
    assert err.layout.yaxis.type == "log" and len(err.data[1].y) == 300
    panels = teacher_vs_free_figure(res, "window", 1000).layout
    assert "steps 1 to 100" in panels.xaxis.title.text and "steps 901 to 1000" in panels.xaxis2.title.text
    assert hidden_figure(res, "window", 50).data[0].z.shape == (4, 50)
    assert "147 of 734 windows held out" in signal_figure(res).layout.title.text
    assert gradient_figure(res.history, 1.0).layout.yaxis.type == "log"


def test_cumulative_mse_is_the_running_mean_of_squared_errors():
    np.testing.assert_allclose(cumulative_mse(np.array([1.0, 3.0, 0.0]), np.zeros(3)), [1, 5, 10 / 3])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"PK\x03\x04" + bytes(200), "binary"),
        (b"x\n1\n2\n3\n", "Only 3 numbers"),
        (b"city\nParis\nLyon\nNice\n" * 10, "No numbers found"),
        (b"a" * (6 * 2**20), "limit is 5 MB"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data, expected):
    series = read_series(data, "f.csv")
    assert not series.ok
    assert any(expected in n for n in series.notes), series.notes


def test_csv_with_header_dates_and_malformed_rows():
    rows = "".join(f"1949-{i % 12 + 1:02d},{100 + i}\n" for i in range(40))
    series = read_series(f"month,passengers\n{rows}oops\n1,2,3\n".encode(), "air.csv")
    assert series.ok and len(series.values) == 40 and series.values[0] == 100
    assert any("'passengers'" in n for n in series.notes)
    assert any("2 malformed row" in n for n in series.notes)


@pytest.mark.parametrize(
    "encoded",
    [
        ("Température\n" + "\n".join(str(i) for i in range(30))).encode("cp1252"),
        codecs.BOM_UTF8 + ("Température\n" + "\n".join(str(i) for i in range(30))).encode(),
        ("Température\n" + "\n".join(str(i) for i in range(30))).encode("utf-16"),
    ],
)
def test_other_encodings_are_read(encoded):
    series = read_series(encoded, "t.csv")
    assert series.ok and len(series.values) == 30


def test_semicolons_decimal_commas_and_junk_values():
    text = "t;v\n" + "\n".join(f"{i};{i / 4:.2f}".replace(".", ",") for i in range(30)) + "\n30;n/a\n31;inf"
    series = read_series(text.encode(), "eu.csv")
    assert series.ok and series.values[2] == 0.5 and len(series.values) == 32
    assert list(series.columns) == ["t", "v"] and series.values[-1] == 7.25  # the last known value, held
    assert any("'v': filled 2 missing" in n for n in series.notes)
    pasted = read_series("1 2 x " + " ".join(str(i) for i in range(30)))
    assert len(pasted.values) == 32 and any("Dropped 1" in n for n in pasted.notes)


def test_a_million_rows_keep_the_most_recent_values():
    data = "\n".join(str(i % 1000) for i in range(10**6)).encode()
    series = read_series(data, "big.csv")
    assert series.ok and len(series.values) == MAX_POINTS
    assert series.values[-1] == 999 and any("1,000,000 values" in n for n in series.notes)


def test_pasted_text_in_any_layout_and_digest_equality():
    flat = read_series("1, 2; 3 4\n" * (MIN_POINTS // 4 + 1))
    assert flat.ok and flat.values[:4].tolist() == [1, 2, 3, 4]
    assert read_series(b"1\n" * 30, "a.csv") == read_series(b"1\n" * 30, "a.csv")
    assert read_series(b"1\n" * 30, "a.csv") != read_series(b"2\n" * 30, "a.csv")


def test_cli_json_is_deterministic_and_reads_a_csv(tmp_path, capsys, fresh_cache):
    path = tmp_path / "series.csv"
    path.write_text("value\n" + "\n".join(f"{math.sin(i / 5):.5f}" for i in range(150)))
    args = ["sine", "--signal", "own", "--csv", str(path), "--epochs", "3", "--json"]
    outputs = []
    for _ in range(2):
        RESULTS.clear()  # trained again, not read from the cache
        assert main(args) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    a, b = outputs
    assert a["metrics"].pop("train_seconds") >= 0 and b["metrics"].pop("train_seconds") >= 0
    assert a == b and len(a["prediction"]) == 30 and a["notes"] == ["Read the column 'value'."]
    with pytest.raises(SystemExit) as err:
        main(["sine", "--csv", str(tmp_path / "nope.csv")])
    assert err.value.code == 2 and "cannot read" in capsys.readouterr().err
