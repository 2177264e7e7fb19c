"""The memory page through AppTest: click to train, the table over lengths, odd links."""

import json

from rnnviz.views.memory.experiment import MEMORY_BUDGET_S
from tests.apptest import open_page, texts

SMALL = {"length": "10", "hidden": "4", "steps": "50"}


def test_opens_fast_behind_a_train_button():
    at = open_page("memory")
    assert not at.exception and not at.warning
    assert any(f"at most {MEMORY_BUDGET_S:g} s" in t for t in texts(at, "info"))
    assert at.button(key="train.memory")
    assert not at.dataframe, "nothing is trained until asked"


def test_training_fills_the_table_row_of_its_length_only():
    at = open_page("memory", SMALL)
    at.button(key="train.memory").click().run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["Length T"]) == [10, 30, 50, 100]
    row = table.set_index("Length T")
    assert "of chance" in row.loc[10, "GRU"]
    assert all(row.loc[length, "LSTM"] == "not trained yet" for length in (30, 50, 100))
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any(t.startswith("Copy-first, T = 10, final loss vs chance: RNN ") for t in titles)


def test_a_length_trained_before_appears_in_the_next_lengths_table():
    at = open_page("memory", SMALL)
    at.button(key="train.memory").click().run()
    at.slider(key="memory.length").set_value(30).run()
    at.button(key="train.memory").click().run()
    assert not at.exception
    row = at.dataframe[0].value.set_index("Length T")
    assert "of chance" in row.loc[10, "RNN"] and "of chance" in row.loc[30, "RNN"]


def test_truncation_window_is_explained_when_it_cuts():
    at = open_page("memory", {**SMALL, "window": "3"})
    at.button(key="train.memory").click().run()
    assert not at.exception
    assert any("gradients flow back only 3 steps" in t for t in texts(at, "info"))


def test_hostile_link_is_safe():
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
