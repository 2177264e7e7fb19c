"""The memory page through AppTest: click to train, the table over lengths, odd links."""

import base64
import json

import numpy as np
import pytest

from rnnviz.core.config import specs
from rnnviz.core.figures import plain
from rnnviz.core.memory_model import memory_budget_s
from rnnviz.views.memory import EXPERIMENT
from rnnviz.views.memory.figures import recall_title
from rnnviz.views.memory.settings import EVAL_BATCH, MemoryConfig
from tests.apptest import open_page, texts
from tests.trained import trained


def press_train(at) -> None:
    """Press Train if the page asks for it: a result another test trained already is shown at once."""
    if any(b.key == "train.memory" for b in at.button):
        at.button(key="train.memory").click().run()


SMALL = {name: str(value) for name, value in EXPERIMENT.smoke.items()}
"""The smoke settings: length 10, three small cells, 50 steps each."""


def test_opens_fast_behind_a_train_button(fresh_cache):
    """Uncached (as on a server nobody warmed): the page waits for a click."""
    at = open_page("memory")
    assert not at.exception and not at.warning
    assert any(f"at most {memory_budget_s():g} s" in t for t in texts(at, "info"))
    assert at.button(key="train.memory")
    assert not at.dataframe, "nothing is trained until asked"


def test_training_fills_the_table_row_of_its_length_only(fresh_cache):
    """About the cache: only the length trained here has its row filled."""
    at = open_page("memory", SMALL)
    press_train(at)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["Length T"]) == [10, 30, 50, 100]
    row = table.set_index("Length T")
    assert "of chance" in row.loc[10, "GRU"]
    assert all(row.loc[length, "LSTM"] == "not trained yet" for length in (30, 50, 100))
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("Copy-first, T = 10") for t in titles)


def test_a_length_trained_before_appears_in_the_next_lengths_table():
    at = open_page("memory", SMALL)
    press_train(at)
    at.slider(key="memory.length").set_value(30).run()
    press_train(at)
    assert not at.exception
    row = at.dataframe[0].value.set_index("Length T")
    assert "of chance" in row.loc[10, "RNN"] and "of chance" in row.loc[30, "RNN"]


def test_truncation_window_is_explained_when_it_cuts():
    at = open_page("memory", {**SMALL, "window": "3"})
    press_train(at)
    assert not at.exception
    assert any("gradients flow back only 3 steps" in t for t in texts(at, "info"))


def values(y) -> np.ndarray:
    """A Plotly JSON array: a list, or a typed array (base64 bytes with a dtype)."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return np.asarray(y, dtype=float)


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart") if not (c.key or "").startswith("live_")]


def test_hostile_link_is_safe_through_training_and_drawing():
    at = open_page(
        "memory",
        {"task": "🙂", "length": "-1", "gate_bias": "nan", "window": "1e9", "lr": "inf", "steps": "x"},
    )
    assert not at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Task: '🙂' is not one of" in warnings
    assert "Sequence length T: -1 is below the minimum" in warnings
    assert at.slider(key="memory.window").value == 200
    assert "σ(5) = 0.993" in " ".join(str(m.value) for m in at.markdown)
    press_train(at)
    assert not at.exception, at.exception
    loss, film = chart_specs(at)
    assert loss["layout"]["title"]["text"].startswith("Copy-first, T = 2")
    assert len(film["frames"]) >= 10
    lstm = at.dataframe[0].value.set_index("Length T").loc[2, "LSTM"]
    assert any(f" · {v}" in lstm for v in ("solved", "partly", "failed", "borderline", "diverged"))


@pytest.mark.parametrize(
    "value", ["banana", "NaN", "-inf", "inf", "", "١٢٣", "<script>alert(1)</script>", "9" * 10_000]
)
def test_every_other_field_hostile_with_training(value):
    """Sizes stay small so training is quick; every other field gets the same junk, then Train is pressed."""
    fields = [s.name for s in specs(MemoryConfig) if s.name not in SMALL]
    at = open_page("memory", {**{name: value for name in fields}, **SMALL})
    assert not at.exception, at.exception
    press_train(at)
    assert not at.exception, at.exception
    assert len(chart_specs(at)) == 2
    assert not any("<script" in str(m.value) for m in at.markdown)


def test_sizes_that_clamp_low_train_and_draw():
    at = open_page(
        "memory", {"length": "-1e308", "hidden": "0", "steps": "-3", "window": "0", "seed": "1e400"}
    )
    press_train(at)
    assert not at.exception, at.exception
    assert any("gradients flow back only 1 steps" in t for t in texts(at, "info"))
    film = chart_specs(at)[1]
    assert [s["label"] for s in film["layout"]["sliders"][0]["steps"]][-1] == "50"


def test_the_answers_film_ends_on_the_trained_models_answers():
    at = open_page("memory", SMALL)
    press_train(at)
    res = trained(EXPERIMENT)
    film = chart_specs(at)[1]
    assert plain(film["layout"]["title"]["text"]) == recall_title(
        {c: r.held_out_loss for c, r in res.runs.items()}, res.chance_loss, 50
    )
    lstm = [values(frame["data"][1]["y"]) for frame in film["frames"]]  # the LSTM's panel
    np.testing.assert_allclose(lstm[-1], res.runs["lstm"].prediction, rtol=1e-6)
    assert not np.allclose(lstm[0], res.runs["lstm"].prediction)
    assert f"{EVAL_BATCH} held-out sequences" in " ".join(texts(at, "caption"))
    assert "with its 95% interval (bootstrap over the sequences)" in " ".join(texts(at, "caption"))
    found = " ".join(str(m.value) for m in at.markdown)
    assert "LSTM beats RNN" in found or "LSTM and RNN tie" in found, "each pair's verdict, with its interval"
    assert at.get("download_button")
