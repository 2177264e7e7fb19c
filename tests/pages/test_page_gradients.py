"""The gradients page through AppTest: numbers match the experiment, odd links and slider extremes are safe."""

import json

import pytest

from rnnviz.core.fmt import percent, sci
from rnnviz.core.runtime import RESULTS
from rnnviz.views.gradients import EXPERIMENT
from rnnviz.views.gradients.result import share_of_chance
from rnnviz.views.gradients.settings import GradientsConfig
from tests.apptest import open_page, query, texts
from tests.trained import trained


def press_train(at) -> None:
    """Press Train if the page asks for it: a result another test trained already is shown at once."""
    if any(b.key == "train.gradients" for b in at.button):
        at.button(key="train.gradients").click().run()


def metric(at, label_start: str) -> str:
    return next(str(m.value) for m in at.metric if m.label.startswith(label_start))


def figures(at) -> list:
    """The page's own charts, without the live loss curve and live main figure drawn while training."""
    return [c for c in at.get("plotly_chart") if not (c.key or "").startswith("live_")]


def chart_titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in figures(at)]


SECTIONS = ("How far back", "A product of Jacobians", "Clipping", "BPTT by hand")


def show(at, part: str):
    """Pick a part of the page: only the chosen part is built and sent."""
    return at.button_group(key="gradients.section").set_value(part).run()


def all_figures(at) -> list:
    """Every part's charts, picking each part in turn, as a reader would; ends back on the first."""
    found = []
    for part in SECTIONS:
        show(at, part)
        assert not at.exception, (part, at.exception)
        found += figures(at)
    show(at, SECTIONS[0])
    return found


def test_defaults_render_directly_with_the_experiments_numbers():
    at = open_page("gradients")
    assert not at.exception and not at.warning
    assert not at.button, "the untrained curve needs no Train button"
    res = trained(EXPERIMENT, GradientsConfig())
    chosen = res.curves["rnn"]
    assert metric(at, "Left at step 1") == f"{sci(1 / chosen.decay.decay_ratio)}×"
    assert metric(at, "Below 1e-6") == f"{chosen.decay.vanish_distance} steps"
    assert chart_titles(at)[0].startswith("Vanilla RNN (tanh): 99 steps back")
    assert len(figures(at)) == 1, "the other parts are built only when picked"
    show(at, "Clipping")
    assert metric(at, "Without clipping, diverged at") == f"step {res.clip_free.diverged_at}"
    assert metric(at, "Clipped at 1, diverged at") == "never"
    assert f"training diverged at step {res.clip_free.diverged_at}" in chart_titles(at)[0]
    show(at, "BPTT by hand")
    assert metric(at, "Largest |by hand") == f"{max(res.by_hand.max_difference.values()):.1e}"


def test_view_toggles_and_product_sliders_never_retrain(fresh_cache):
    at = open_page("gradients")
    assert len(RESULTS) == 1
    at.toggle(key="gradients.overlay").set_value(False).run()
    at.toggle(key="gradients.show_bound").set_value(False).run()
    assert chart_titles(at)[0].startswith("Vanilla RNN (tanh)") and "LSTM" not in chart_titles(at)[0]
    show(at, "A product of Jacobians")
    at.slider(key="gradients.product_scale").set_value(0.05).run()
    at.slider(key="gradients.product_steps").set_value(500).run()
    assert not at.exception and len(RESULTS) == 1
    assert query(at)["overlay"] == "false"
    latex = " ".join(str(e.value) for e in at.latex)
    assert r"0.05^{500} = 3.05 \times 10^{-651}" in latex, "shown through logarithms, not underflowed to 0"


HOSTILE = {
    "cell": "banana",
    "length": "1e308",
    "hidden": "-4",
    "scale": "nan",
    "gate_bias": "inf",
    "init": "<b>x</b>",
    "clip_lr": "-inf",
    "max_norm": "0",
    "train_steps": "banana",
    "overlay": "maybe",
    "product_scale": "99",
    "product_steps": "-1",
    "seed": "1e400",
}


def test_hostile_link_warns_and_uses_safe_values():
    at = open_page("gradients", {**HOSTILE, "length": "40"})
    assert not at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Cell: 'banana' is not one of" in warnings
    assert "Hidden size: -4 is below the minimum" in warnings
    assert "W_hh scale: 'nan' is not a number" in warnings
    assert at.selectbox(key="gradients.cell").value == "rnn"
    assert at.slider(key="gradients.hidden").value == 2
    assert show(at, "A product of Jacobians").slider(key="gradients.product_scale").value == 2.0
    assert not at.button, "a bad train_steps falls back to 0: untrained, no Train button"


@pytest.mark.parametrize(
    "params",
    [
        {"length": "2", "hidden": "2", "scale": "0.1"},
        {"length": "500", "scale": "0.1", "init": "identity"},
        {
            "length": "300",
            "cell": "rnn_linear",
            "init": "identity",
            "scale": "2",
            "max_norm": "10",
            "clip_lr": "3",
        },
        {"length": "200", "cell": "rnn_relu", "init": "orthogonal", "scale": "2"},
        {"length": "150", "cell": "lstm", "gate_bias": "5", "hidden": "128"},
    ],
)
def test_slider_extremes_render_without_exception(params):
    at = open_page("gradients", params)
    assert not at.exception, at.exception
    assert not at.warning
    assert len(all_figures(at)) == 3


def test_exploding_linear_cell_is_reported_not_crashed():
    at = open_page("gradients", {"length": "400", "cell": "rnn_linear", "init": "identity", "scale": "2"})
    assert not at.exception
    assert metric(at, "Left at step 1") == "overflows"
    assert "explodes past float64" in chart_titles(at)[0]


def test_nan_training_is_shown_as_a_finding():
    """A linear cell with W_hh = 2I overflows float32 at length 130: its training diverges at step 1."""
    params = {
        "cell": "rnn_linear",
        "init": "identity",
        "scale": "2",
        "length": "130",
        "hidden": "4",
        "train_steps": "50",
    }
    at = open_page("gradients", params)
    assert not at.exception
    press_train(at)
    assert not at.exception, at.exception
    notes = " ".join(texts(at, "info"))
    assert "Vanilla RNN (linear): training diverged" not in notes, "said once, by the page's warning"
    assert "Training diverged at step 1" in " ".join(texts(at, "error")), "the chosen cell's training"
    captions = texts(at, "caption")
    assert any(
        "as a share of chance: Vanilla RNN (linear) not finite (diverged at step 1)" in t for t in captions
    )
    assert len(all_figures(at)) == 3


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in figures(at)]


TRAINED = {name: str(value) for name, value in EXPERIMENT.smoke.items()}
"""The smoke settings: every cell trained for a few steps on short sequences."""


def test_training_draws_the_curves_as_a_film_with_the_shares_of_chance():
    at = open_page("gradients", TRAINED)
    press_train(at)
    assert not at.exception, at.exception
    res = trained(EXPERIMENT)
    decay = chart_specs(at)[0]
    assert len(decay["frames"]) == len(res.curves["rnn"].history.timeline) >= 10
    assert decay["layout"]["title"]["text"].startswith("Step 50: Vanilla RNN (tanh): 11 steps back")
    assert decay["frames"][0]["layout"]["title"]["text"].startswith("Step 0: ")
    assert [s["label"] for s in decay["layout"]["sliders"][0]["steps"]][-1] == "50"
    shares = share_of_chance(res)
    caption = next(t for t in texts(at, "caption") if "final loss (mean of the last 5% of steps)" in t)
    assert f"LSTM {percent(shares['lstm'])}" in caption and f"GRU {percent(shares['gru'])}" in caption
    assert at.get("download_button"), "a trained view offers its download"


HOSTILE_TRAINED = {
    "cell": "<script>alert(1)</script>",
    "length": "-1e308",
    "hidden": "1e-9",
    "init": "🙂" * 30,
    "scale": "1e999",
    "gate_bias": "-inf",
    "train_steps": "49.6",
    "clip_lr": "nan",
    "max_norm": "1e308",
    "overlay": "<b>",
    "show_bound": "",
    "product_scale": "-0",
    "product_steps": "9" * 400,
    "seed": "-1",
}


def test_hostile_link_with_training_reaches_the_film_safely():
    at = open_page("gradients", HOSTILE_TRAINED)
    warnings = " ".join(texts(at, "warning"))
    assert "Training steps on copy-first: 49.6 is not a whole number; using 50." in warnings
    assert "Sequence length T: -1e+308 is below the minimum; using 2." in warnings
    press_train(at)
    assert not at.exception, at.exception
    specs = chart_specs(at)
    assert len(specs) == 1 and len(specs[0]["frames"]) >= 10
    assert len(all_figures(at)) == 3
    assert specs[0]["layout"]["title"]["text"].startswith("Step 50: Vanilla RNN (tanh): 1 steps back")
    assert at.slider(key="gradients.scale").value == 2.0
    assert show(at, "A product of Jacobians").slider(key="gradients.product_steps").value == 500
