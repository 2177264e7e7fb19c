"""The gates page through AppTest: defaults, typed and hostile input, display-only controls."""

import json
import re

from rnnviz.core.config import format_value, spec_of
from rnnviz.core.runtime import RESULTS, result_key
from rnnviz.views import get
from rnnviz.views.gates import EXPERIMENT
from rnnviz.views.gates.settings import GatesConfig
from tests.apptest import open_page, query, texts
from tests.views.gates.upstream import tiny_sentiment

FAST = {k: format_value(spec_of(GatesConfig, k), v) for k, v in EXPERIMENT.smoke.items()}
"""The smoke settings as a link says them: trained once per test session, shared with the view's tests."""
STEPS = EXPERIMENT.smoke["train_steps"]


def _latex(at) -> str:
    return " ".join(str(e.value) for e in at.latex)


def _show(at, part: str):
    """Pick a part of the inspection: the page builds and sends only the chosen one."""
    return at.button_group(key="gates.section").set_value(part).run()


def test_defaults_state_the_saturation_finding_with_numbers():
    at = open_page("gates")
    assert not at.exception, at.exception
    assert not at.warning
    markdown = " ".join(texts(at, "markdown"))
    found = re.search(r"On 256 held-out sequences, (\d+)% .* against (\d+)%", markdown)
    assert found, markdown[:500]
    assert int(found.group(1)) > int(found.group(2)) + 30
    table = at.dataframe[0].value
    totals = dict(zip(table["cell"], table["total"], strict=True))
    assert totals["GRU"] * 4 == totals["LSTM"] * 3
    assert r"\prod" not in _latex(at)  # the belt is in a part not shown yet
    assert r"\prod_{t=2}^{12} f_t" in _latex(_show(at, "Conveyor belt"))
    assert "f_{1}" in _latex(_show(at, "One step, with numbers"))


def test_typing_a_sequence_redraws_without_retraining(fresh_cache):
    at = open_page("gates", {**FAST, "task": "brackets"})
    assert len(RESULTS) == 1
    at.selectbox(key="gates.source").set_value("typed").run()
    at.text_input(key="gates.sequence").set_value("(x(y))()").run()
    assert not at.exception and len(RESULTS) == 1
    assert "( x ( y ) ) ( )" in " ".join(texts(at, "markdown"))
    assert query(at)["sequence"] == "(x(y))()"
    _show(at, "One step, with numbers")
    at.slider(key="gates.step").set_value(5).run()
    assert "f_{5}" in _latex(at) and len(RESULTS) == 1


def _charts(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_compare_toggle_draws_both_networks_without_retraining(fresh_cache):
    at = open_page("gates", FAST).run()  # the second run draws from the cache, without the live figures
    charts = len(at.get("plotly_chart"))
    at.toggle(key="gates.show_untrained").set_value(True).run()
    assert not at.exception and len(RESULTS) == 1
    assert len(at.get("plotly_chart")) == charts + 1  # the gate grid, untrained beside trained
    belt = len(_show(at, "Conveyor belt").get("plotly_chart"))
    assert not at.exception and len(RESULTS) == 1
    at.toggle(key="gates.show_untrained").set_value(False).run()
    assert len(at.get("plotly_chart")) == belt - 1


def test_worked_example_plays_the_training_film_and_typed_input_does_not():
    at = open_page("gates", FAST)
    films = [c for c in _charts(at) if c.get("frames")]
    assert len(films) == 1  # the gate grid; the saturation histogram plays in its own part
    grid = films[0]
    assert len(grid["frames"]) >= 10 and grid["layout"]["sliders"][0]["steps"][-1]["label"] == str(STEPS)
    assert grid["frames"][0]["data"][0]["z"] != grid["frames"][-1]["data"][0]["z"]
    assert f"step {STEPS}, loss" in grid["layout"]["title"]["text"]
    assert len([c for c in _charts(_show(at, "Saturation")) if c.get("frames")]) == 1
    _show(at, "Gates through time")
    at.selectbox(key="gates.source").set_value("typed").run()
    at.text_input(key="gates.sequence").set_value("1 2 3").run()
    assert not at.exception and not [c for c in _charts(at) if c.get("frames")]
    assert any("film plays on the worked example" in t for t in texts(at, "caption"))


def test_gru_page_names_pytorchs_convention():
    at = open_page("gates", {**FAST, "cell": "gru"})
    info = " ".join(texts(at, "info"))
    assert r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}" in info and "swapped" in info
    assert r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}" in _latex(_show(at, "Conveyor belt"))
    lstm = open_page("gates", FAST)
    assert "swapped" not in " ".join(texts(lstm, "info"))


def test_gru_on_brackets_shows_its_own_gates_and_belt():
    at = open_page("gates", {**FAST, "cell": "gru", "task": "brackets"})
    assert not at.exception and not at.warning
    assert r"\prod_{t=2}^{11} z_t" in _latex(_show(at, "Conveyor belt"))
    latex = _latex(_show(at, "One step, with numbers"))
    assert "z_{1}" in latex and "n_{1}" in latex
    assert "right depth" in " ".join(texts(at, "markdown"))


def test_hostile_typed_input_gives_messages_and_safe_values():
    at = open_page(
        "gates",
        {
            **FAST,
            "source": "typed",
            "sequence": "1e400 🙂 <b>x</b> nan " * 40,
            "units": "99 -1 🙂",
            "step": "1e308",
            "draw": "-5",
            "show_untrained": "maybe",
        },
    )
    assert not at.exception, at.exception
    infos, warnings = " ".join(texts(at, "info")), " ".join(texts(at, "warning"))
    assert "not finite numbers" in infos and "showing the example" in infos
    assert "Units:" in warnings and "Show untrained:" in warnings
    assert "<b>" not in " ".join(texts(at, "markdown"))


def test_huge_and_out_of_range_typed_copy_values_are_clipped():
    at = open_page("gates", {**FAST, "source": "typed", "sequence": " ".join(["9e9"] + ["0.5"] * 200)})
    assert not at.exception
    infos = " ".join(texts(at, "info"))
    assert "clipped" in infos
    assert "(60 steps)" in " ".join(texts(at, "markdown"))


def test_markup_in_brackets_sequence_is_never_rendered():
    at = open_page("gates", {**FAST, "task": "brackets", "source": "typed", "sequence": "(<img src=x>)**b**"})
    assert not at.exception
    assert "Dropped" in " ".join(texts(at, "info"))
    assert not any("<img" in m for m in texts(at, "markdown"))


def test_sentiment_task_waits_for_a_click_before_training(fresh_cache):
    at = open_page("gates", {"task": "sentiment"})
    assert not at.exception
    assert [b.label for b in at.button] == ["Train"]
    assert len(RESULTS) == 0


def test_sentiment_task_draws_the_shared_classifier_without_training_it_again(fresh_cache):
    """With the sentiment view's model already cached (as after a visit there), the page reads it."""
    cfg = GatesConfig(task="sentiment", cell="gru")
    upstream = EXPERIMENT.upstream(cfg)
    sentiment = get(upstream.experiment)
    RESULTS.put(result_key(sentiment, sentiment.config(**upstream.settings)), tiny_sentiment("gru"))
    at = open_page(
        "gates", {"task": "sentiment", "cell": "gru", "source": "typed", "sequence": "a good film"}
    )
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Train"]  # reading it is quick, but the page asks first
    at.button(key="train.gates").click().run()
    assert not at.exception, at.exception
    assert len(RESULTS) == 2  # the shared classifier, and this view's reading of it
    markdown = " ".join(texts(at, "markdown"))
    assert "held-out sentences" in markdown and "P(positive)" in markdown
    assert "a good film" in markdown
    assert "sentiment view's GRU classifier" in " ".join(texts(at, "info"))
    assert r"\prod_{t=2}^{3} z_t" in _latex(_show(at, "Conveyor belt"))
