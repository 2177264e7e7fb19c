"""Real series, several input columns, baselines, the training film, export and the lessons' recurrences."""

import json
import math

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.core.config import specs
from rnnviz.views.sine import EXPERIMENT, baselines, datasets, lessons, signals
from rnnviz.views.sine.export import report
from rnnviz.views.sine.figures import baseline_figure, film, live
from rnnviz.views.sine.forecasting import GENERATION, LEARN, SPLITS, changes, to_values
from rnnviz.views.sine.scoring import mse_by_contender
from rnnviz.views.sine.series import parse_upload
from rnnviz.views.sine.settings import BATCHES, SineConfig
from rnnviz.views.sine.train import CAPTURE_STEPS
from tests.export_support import run_reproduce
from tests.trained import trained


def smoke(**settings) -> SineConfig:
    """The smoke settings with some changed."""
    return SineConfig(**{**EXPERIMENT.smoke, **settings})


@pytest.mark.parametrize("name", ["sine", "two_sines", "spring"])
@pytest.mark.parametrize("dt", [0.1, 0.37])
def test_each_signal_obeys_its_own_recurrence(name, dt):
    coefficients = signals.recurrence(name, dt)
    x = signals.built_in(name, np.arange(400) * dt)
    k = len(coefficients)
    predicted = sum(a * x[k - 1 - i : len(x) - 1 - i] for i, a in enumerate(coefficients))
    np.testing.assert_allclose(predicted, x[k:], atol=1e-7)
    assert k == (4 if name == "two_sines" else 2)


def test_the_window_lesson_gives_each_signal_its_recurrence_or_none():
    two = trained(EXPERIMENT, smoke(signal="two_sines"))
    a, b = 2 * math.cos(0.1), 2 * math.cos(0.3)
    text = lessons.window_length(two).text
    assert "four past values" in text and f"{a + b:.4f}" in text and f"{2 + a * b:.4f}" in text
    spring = lessons.window_length(trained(EXPERIMENT, smoke(signal="spring"))).text
    decay = math.exp(-signals.DAMPING / 2 * 0.1)
    assert f"{decay**2:.4f}" in spring and "1.9900" not in spring
    real = lessons.window_length(trained(EXPERIMENT, smoke(signal="sunspots"))).text
    assert "x_{t+1}" not in real and "no known equation" in real


def test_the_reference_pipeline_is_described_never_named():
    """Issue 23, item 10: a reader never learned which tutorial; labels and prose describe the recipe instead."""
    shown = [s.help for s in specs(SineConfig)]
    shown += [str(label) for s in specs(SineConfig) if s.labels for label in s.labels.values()]
    shown += [*SPLITS.values(), *GENERATION.values(), *LEARN.values(), *BATCHES.values()]
    res = trained(EXPERIMENT)
    for split in ("random", "time"):
        shown += [c.text for c in lessons.claims(smoke(split=split), res)]
    shown += [lessons.INTRO, lessons.data_note(res), EXPERIMENT.description]
    assert not [t for t in shown if "tutorial" in t.lower()]
    assert not [t for t in shown if "the seed" in t.lower() or "seed's" in t.lower()]


@pytest.mark.parametrize("name", list(datasets.REAL))
def test_real_data_sets_load_offline_with_units_and_no_gaps(name):
    data = datasets.load(name)
    assert data.target in data.columns and data.units[data.target]
    lengths = {len(v) for v in data.columns.values()} | {len(data.time)}
    assert len(lengths) == 1 and all(np.isfinite(v).all() for v in data.columns.values())
    if name == "co2":
        assert "interpolation" in data.gaps and data.units["co2"] == "ppm"


def test_seasonal_naive_repeats_the_last_season_and_the_season_is_detected():
    history = np.array([1.0, 2, 3, 10, 20, 30])
    np.testing.assert_array_equal(baselines.seasonal_naive(history, 7, 3), [10, 20, 30, 10, 20, 30, 10])
    np.testing.assert_array_equal(baselines.naive(history, 2), [30, 30])
    t = np.arange(600)
    weekly = 0.05 * t + np.sin(2 * np.pi * t / 17)
    assert baselines.detect_season(weekly, 1).length == 17
    noise = np.random.default_rng(0).standard_normal(300)
    found = baselines.detect_season(noise, 4)
    assert found.length == 4 and not found.in_data


def test_the_ar_baseline_recovers_an_ar_process():
    rng = np.random.default_rng(1)
    y = np.zeros(2000)
    for t in range(2, len(y)):
        y[t] = 0.6 * y[t - 1] - 0.3 * y[t - 2] + rng.standard_normal()
    assert baselines.select_order(y, 10)[0] == 2
    fit = baselines.autoregressive(y, 3, 1)
    assert fit.described.startswith("AR(2) with a constant") and fit.order == 2
    assert fit.values[0] == pytest.approx(0.6 * y[-1] - 0.3 * y[-2], abs=0.1)


def test_changes_add_back_up_to_the_values():
    values = np.array([[1.0], [4.0], [2.0], [7.0], [3.0]])
    steps = changes(values, 2)
    np.testing.assert_array_equal(steps[2:, 0], [1, 3, 1])
    np.testing.assert_array_equal(to_values(steps[2:, 0], values[:2, 0], 2, chained=True), values[2:, 0])
    np.testing.assert_array_equal(to_values(steps[2:, 0], values[:3, 0], 2, chained=False), values[2:, 0])


@pytest.mark.slow
def test_co2_json_lets_anyone_recompute_the_baselines_and_the_network_beats_naive(capsys):
    assert main(["sine", "--signal", "co2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    errors = out["metrics"]["mse_full_horizon"]
    assert set(errors) == {"rnn", "hybrid", "naive", "seasonal_naive", "ar"}
    future, tail, season = np.array(out["future"]), np.array(out["train_tail"]), out["season"]
    assert season == 52 and len(tail) >= season and len(future) == round(0.2 * 2284)
    naive = np.mean((tail[-1] - future) ** 2)
    seasonal = np.mean((np.resize(tail[-season:], len(future)) - future) ** 2)
    assert errors["naive"] == pytest.approx(naive, rel=1e-5)
    assert errors["seasonal_naive"] == pytest.approx(seasonal, rel=1e-5)
    assert errors["rnn"] < errors["naive"]
    timeline = out["timeline"]
    steps = [entry["step"] for entry in timeline]
    assert len(timeline) >= 10 and steps[0] == 0 and all(np.diff(steps) > 0)
    assert steps[-1] == 300 and all(len(entry["forecast"]) == CAPTURE_STEPS for entry in timeline)
    assert timeline[0]["forecast"] != timeline[-1]["forecast"]


def test_macro_reads_several_columns_and_names_unknown_ones():
    res = trained(EXPERIMENT, smoke(signal="macro"))
    assert res.data.columns == ("gdp_growth", "infl", "unemp") and res.data.unit == "% a year"
    assert "plus 'infl', 'unemp'" in lessons.data_note(res)
    other = trained(EXPERIMENT, smoke(signal="macro", target="UNEMP", inputs="tbilrate, banana"))
    assert other.data.columns == ("unemp", "tbilrate")
    assert any("'banana'" in n for n in other.notes)
    alone = trained(EXPERIMENT, smoke(signal="macro", inputs="none"))
    assert alone.data.columns == ("gdp_growth",)


def test_uploads_with_dates_gaps_text_and_constant_columns_are_handled():
    rows = [
        f"2001-01-{i % 28 + 1:02d},{20 + math.sin(i / 3):.3f},{'' if i % 9 == 4 else i},7,city{i}"
        for i in range(80)
    ]
    data = ("date,temp,sales,flat,name\n" + "\n".join(rows)).encode()
    series = parse_upload(data, "shop.csv")
    assert list(series.columns) == ["temp", "sales", "flat"]
    notes = " ".join(series.notes)
    assert "'date', 'name'" in notes and "'sales': filled 9" in notes and "'flat'" in notes
    res = trained(EXPERIMENT, smoke(signal="own", inputs="sales, flat"), upload=series)
    assert res.data.columns == ("sales", "temp") or res.data.columns[0] == "sales"
    assert "flat" not in res.data.columns and any("Constant, so not read: 'flat'" in n for n in res.notes)
    for bad, message in ((b"a,b\nx,y\n" * 30, "No column of numbers"), (b"", "empty")):
        with pytest.raises(ValueError, match=message):
            parse_upload(bad, "bad.csv")


def test_the_baseline_table_and_figure_cover_every_forecaster():
    res = trained(EXPERIMENT, smoke(signal="sunspots"))
    errors = mse_by_contender(res, "window", 1000)
    table = lessons.baseline_table(res, "window", 1000)
    assert list(table.columns) == [
        "forecaster",
        "step 1 (sunspot number)",
        "steps 1-10 (sunspot number)",
        f"all {len(res.future)} steps (sunspot number)",
    ]
    assert table.iloc[0, 3] == pytest.approx(math.sqrt(errors["rnn"]), rel=1e-3)
    figure = baseline_figure(res, "window", 1000)
    assert len(figure.data) == 5 and "errs least" not in figure.layout.title.text  # the verdict is a claim


def test_the_film_plays_the_forecast_of_every_snapshot():
    cfg = SineConfig(epochs=30)
    res = trained(EXPERIMENT, cfg)
    fig = film(cfg, res)
    assert len(fig.frames) == len(res.history.timeline) >= 10
    first, last = fig.frames[0].data[1].y, fig.frames[-1].data[1].y
    assert not np.allclose(first, last)
    np.testing.assert_allclose(fig.data[1].y, res.forecasts["window"].free[:CAPTURE_STEPS], atol=1e-5)
    assert "step 30" in fig.frames[-1].layout.title.text
    drawn = live(cfg)(res.history)
    np.testing.assert_allclose(drawn.data[1].y, last)


def test_export_reproduces_the_reported_forecast_error(tmp_path, capsys):
    for args in (
        ["--signal", "macro", "--epochs", "20"],
        ["--signal", "sunspots", "--epochs", "20"],
        ["--epochs", "20", "--generation", "carry", "--horizon", "300"],
    ):
        folder = tmp_path / args[1]
        assert main(["sine", *args, "--export", str(folder), "--json"]) == 0
        metrics = json.loads(capsys.readouterr().out)["metrics"]
        last = run_reproduce(folder)
        assert last["metric"] == "forecast_mse"
        assert last["value"] == pytest.approx(metrics["forecast_mse"], rel=1e-5)
        table = (folder / "data" / "forecasts.csv").read_text().splitlines()[0]
        assert "truth (" in table and "naive (repeat the last value) (" in table
        assert "rnnviz" not in (folder / "reproduce.py").read_text().split('"""', 2)[2]


def test_settings_that_do_not_apply_to_a_real_series_are_reset():
    cfg = SineConfig(signal="co2", dt=0.3, target="x", inputs="y")
    assert EXPERIMENT.prepare(cfg) == SineConfig(signal="co2")
    macro = SineConfig(signal="macro", dt=0.3, target="unemp")
    assert EXPERIMENT.prepare(macro) == SineConfig(signal="macro", target="unemp")
    out = report(EXPERIMENT.smoke_config(), trained(EXPERIMENT))
    assert out["season"] == 63 and out["columns"] == ["value"]
