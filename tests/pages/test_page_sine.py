"""The sine page through AppTest: defaults, hostile links, slider extremes, pasted and uploaded series."""

import math

import pytest

from rnnviz.core.runtime import RESULTS
from rnnviz.views.sine import EXPERIMENT
from rnnviz.views.sine.lessons import COMPARISONS, by_id
from rnnviz.views.sine.settings import SineConfig
from rnnviz.views.sine.train import CAPTURE_STEPS
from tests.apptest import open_page, query, texts
from tests.trained import trained

QUICK = {"epochs": "5"}
SERIES = "\n".join(f"{20 + 5 * math.sin(i / 4):.4f}" for i in range(200))


def _assert_clean(at):
    assert not at.exception, at.exception
    for md in at.markdown:
        assert "<script" not in md.value and "onerror" not in md.value or not md.proto.allow_html


def _titles(at) -> str:
    return " ".join(str(chart.proto.spec) for chart in at.get("plotly_chart"))


def _default_findings():
    """The claims of the default run (the page's, from the shared cache): what the page must show."""
    cfg = EXPERIMENT.prepare(SineConfig())
    return by_id(EXPERIMENT.findings(cfg, trained(EXPERIMENT, cfg)))


def test_defaults_show_the_forecast_lessons_and_runs():
    at = open_page("sine")
    _assert_clean(at)
    assert not at.warning
    labels = [m.label for m in at.metric]
    assert "Validation MSE" in labels and "Forecast MSE, 1,000 steps" in labels
    markdown = [md.value for md in at.markdown]
    text = " ".join(markdown)
    for lesson in ("Hold out the last stretch", "scaler", "clipping", "window length"):
        assert lesson in text
    titles = _titles(at)
    assert "Fed its own predictions: MSE" in titles and "every forecaster on the same future" in titles
    assert f"The first {CAPTURE_STEPS} steps fed back" in titles and '"frames"' in titles  # the training film
    baselines, runs = at.dataframe
    assert list(baselines.value["forecaster"])[0] == "network (free running)" and len(baselines.value) == 5
    assert "hybrid (AR plus a network on its residuals)" in list(baselines.value["forecaster"])
    assert len(runs.value) == 1
    found = _default_findings()
    assert (
        found["network_vs_baselines"].text in markdown and "forecast origins over the held-out span" in text
    )
    for name in (*COMPARISONS.values(), "hybrid_beats_ar", "rollouts_beat_one_step", "intervals_cover"):
        assert found[name].text in text
    assert "**Network.**" in text and "forecast origins in the held-out span" in titles
    assert "95% prediction interval" in titles
    assert "Fan charts: over" in titles and "AR: 95% prediction interval" in titles
    for lesson in (
        "validation_leaks",
        "future_leaves_training_range",
        "no_gradient_spike",
        "window_covers_pattern",
    ):
        assert found[lesson].text in markdown
    assert any("Diebold-Mariano" in c.value for c in at.caption)
    # The other part of the forecast is built only when picked.
    assert "How the error builds up" not in text and "Hidden state behind each forecast" not in titles


def test_the_free_running_part_is_built_when_picked():
    at = open_page("sine")
    at = at.button_group(key="sine.section").set_value("Why free running is harder").run()
    _assert_clean(at)
    markdown = [md.value for md in at.markdown]
    found = _default_findings()
    compound = found["errors_compound"]
    assert compound.text in markdown and "How the error builds up" in " ".join(markdown)
    # Issue 23, item 12: on defaults "errors compound" only when free running is worse than one step ahead.
    assert ("Errors compound" in compound.text) == (compound.evidence["low"] > 0)
    assert compound.evidence["low"] <= 0 or compound.evidence["free_mse"] > compound.evidence["one_step_mse"]
    titles = _titles(at)
    assert "Hidden state behind each forecast" in titles and "every forecaster" not in titles
    (runs,) = at.dataframe
    assert len(runs.value) == 1


def test_hostile_link_warns_and_uses_safe_values():
    at = open_page(
        "sine",
        {
            **QUICK,
            "signal": "banana",
            "window": "-5",
            "dt": "nan",
            "lr": "inf",
            "batch": "0",
            "horizon": "<script>alert(1)</script>",
            "generation": "🙂" * 30,
            "series": "<img src=x onerror=alert(1)>",
            "hidden": "1e308",
            "season": "-3",
            "learn": "everything",
            "target": "<b>x</b>",
            "inputs": "'; DROP TABLE",
        },
    )
    _assert_clean(at)
    warnings = " ".join(texts(at, "warning"))
    for expected in (
        "Signal: 'banana'",
        "Window: -5 is below",
        "Time step dt",
        "Batch size",
        "Generation",
        "Season length",
        "Network learns",
    ):
        assert expected in warnings
    assert at.selectbox(key="sine.signal").value == "sine"
    assert at.slider(key="sine.window").value == 0
    assert at.slider(key="sine.hidden").value == 64


@pytest.mark.parametrize(
    "extreme",
    [
        {
            "window": "1",
            "hidden": "1",
            "dt": "0.5",
            "batch": "16",
            "lr": "0.001",
            "max_norm": "0.01",
            "noise": "0.5",
        },
        {
            "window": "60",
            "hidden": "64",
            "layers": "3",
            "dt": "0.02",
            "cell": "lstm",
            "lr": "0.1",
            "clip": "false",
            "horizon": "1000",
            "generation": "carry",
            "signal": "square",
        },
    ],
)
def test_slider_extremes(extreme):
    at = open_page("sine", {**QUICK, "epochs": "2", **extreme})
    _assert_clean(at)
    assert not at.warning or all("diverged" in w for w in texts(at, "warning"))


def test_display_controls_do_not_retrain(fresh_cache):
    at = open_page("sine", QUICK)
    assert len(RESULTS) == 1
    at.selectbox(key="sine.generation").set_value("carry").run()
    at.slider(key="sine.horizon").set_value(300).run()
    at.button_group(key="sine.section").set_value("Why free running is harder").run()
    _assert_clean(at)
    assert len(RESULTS) == 1
    assert query(at)["generation"] == "carry" and query(at)["horizon"] == "300"
    assert "hidden state also runs the network far beyond" in " ".join(md.value for md in at.markdown)
    assert [m.label for m in at.metric][2] == "Forecast MSE, 300 steps"


def test_pasted_series_is_used_and_travels_in_the_link():
    at = open_page("sine", {**QUICK, "signal": "own"})
    _assert_clean(at)
    assert any("Paste numbers or upload" in t for t in texts(at, "info"))
    at.text_area(key="sine.series").set_value(SERIES).run()
    _assert_clean(at)
    assert not at.info and "series" in query(at)
    assert "pasted numbers: trained on" in _titles(at)
    assert any("cannot carry an uploaded file" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01\x02binary\xff\xfe" * 50, "binary file"),
        (b"name\nalice\nbob\ncarol\n" * 10, "No numbers found"),
        (b"x\n1\n2\n3\n", "Only 3 numbers"),
        (b"a,b\n1,2\n3\n4,5,6\n" + b"7,8\n" * 5, "Only 6 rows of numbers"),
        (b"date,city\n" + b"2020-01-01,Paris\n" * 30, "No column of numbers"),
    ],
)
def test_bad_uploads_explain_and_fall_back_to_the_sine(content, message):
    at = open_page("sine", {**QUICK, "signal": "own"})
    at.file_uploader(key="sine.upload").set_value(("data.csv", content, "text/csv")).run()
    _assert_clean(at)
    assert message in " ".join(texts(at, "error"))
    assert "Paste numbers or upload" in " ".join(texts(at, "info"))
    assert "Sine: trained on" in _titles(at)


def test_an_upload_with_several_columns_gaps_and_dates_is_read():
    rows = "".join(
        f"2020-{i % 12 + 1:02d}-01,{10 + math.sin(i / 3):.3f},{'' if i % 10 == 5 else i},4\n"
        for i in range(120)
    )
    at = open_page("sine", {**QUICK, "signal": "own", "target": "temp", "inputs": "sales, flat, nope"})
    content = ("month,temp,sales,flat\n" + rows).encode()
    at.file_uploader(key="sine.upload").set_value(("shop.csv", content, "text/csv")).run()
    _assert_clean(at)
    notes = " ".join(texts(at, "info"))
    for expected in (
        "'month'",
        "'sales': filled 12",
        "Constant, so not read: 'flat'",
        "No column called 'nope'",
    ):
        assert expected in notes
    assert "plus 'sales' as extra inputs" in " ".join(md.value for md in at.markdown)
    assert "shop.csv: trained on" in _titles(at)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"signal": "co2"}, ["Keeling", "co2 (ppm)"]),  # the default co2 model other tests train too
        ({"signal": "macro", "epochs": "20"}, ["'infl', 'unemp'", "% a year"]),
    ],
)
def test_real_series_name_their_source_units_and_columns(query, expected):
    at = open_page("sine", query)
    _assert_clean(at)
    shown = " ".join(md.value for md in at.markdown) + _titles(at) + " ".join(texts(at, "caption"))
    for text in expected:
        assert text in shown
    baselines = at.dataframe[0].value
    assert any("(ppm)" in c or "(% a year)" in c for c in baselines.columns)


def test_good_upload_wins_over_paste_and_a_million_rows_are_capped():
    at = open_page("sine", {**QUICK, "signal": "own", "series": "1 2 3"})
    upload = ("level\n" + "\n".join(str(i % 63) for i in range(10**6))).encode()
    assert len(upload) < 5 * 2**20
    at.file_uploader(key="sine.upload").set_value(("big.csv", upload, "text/csv")).run()
    _assert_clean(at)
    notes = " ".join(texts(at, "info"))
    assert "Read the column 'level'" in notes and "only the last 5,000 are used" in notes
    assert "big.csv: trained on" in _titles(at)
    assert "series" in query(at)  # the pasted text is still in the link; the file never is
