"""The patterns page through AppTest: every pattern, hostile links, and typed input of every awkward kind."""

import json

import pytest

from rnnviz.core.runtime import RESULTS
from rnnviz.views.patterns.table import PATTERNS
from tests.apptest import open_page, query, texts

SMALL = [p for p in PATTERNS if p != "seq2seq"]


def _markdown(at) -> str:
    return " ".join(texts(at, "markdown"))


@pytest.mark.parametrize("pattern", SMALL)
def test_each_small_pattern_trains_and_draws_at_once(pattern):
    at = open_page("patterns", {"pattern": pattern})
    assert not at.exception, at.exception
    assert not at.warning and not at.error
    assert "**Answer:**" in _markdown(at)
    assert len(at.get("plotly_chart")) >= 3  # diagram, hidden states, loss curve


def test_date_converter_waits_for_the_train_button_then_answers():
    at = open_page("patterns", {"pattern": "seq2seq", "training": "quarter"})
    assert not at.exception
    assert any("Training the date converter takes" in t for t in texts(at, "info"))
    assert "**Answer:**" not in _markdown(at)
    at.button(key="train.patterns").click().run()
    assert not at.exception, at.exception
    assert "**Right answer:** 2023-01-15" in _markdown(at)
    frame = at.dataframe[0].value  # held-out examples
    assert list(frame.columns) == ["input", "right answer", "network", "exact match"] and len(frame) == 6


TYPED_DATES = [
    ("", "Type a date"),
    ("🙂🎉 ٣ ☃", "never seen"),
    ("<script>alert(1)</script>", "never seen"),
    ("may " * 15, "first 30 characters"),
    ("zzz 99, 0000", "not one of the spellings"),
    ("February 30, 2023", "does not exist"),
]


def test_typed_dates_of_every_kind_get_an_answer_or_a_clear_message(fresh_cache):
    at = open_page("patterns", {"pattern": "seq2seq", "training": "none"})
    at.button(key="train.patterns").click().run()
    trained = len(RESULTS)
    for typed, note in TYPED_DATES:
        at.text_input(key="patterns.date").set_value(typed).run()
        assert not at.exception, (typed, at.exception)
        assert any(note in t for t in texts(at, "info")), (typed, texts(at, "info"))
        assert "**Answer:**" in _markdown(at)
        assert "<script>" not in _markdown(at)
    assert len(RESULTS) == trained  # typing never retrains


def test_typed_bits_and_digits_are_cleaned_and_answered():
    at = open_page("patterns")
    at.text_input(key="patterns.bits").set_value("1 0 1 1 🙂 abc").run()
    assert not at.exception
    assert "**Read:** 1011" in _markdown(at)
    assert any("ignored" in t for t in texts(at, "info"))
    at.selectbox(key="patterns.pattern").set_value("aligned").run()
    at.text_input(key="patterns.digits").set_value("9" * 64).run()
    assert not at.exception
    assert any("generalise" in t for t in texts(at, "info"))
    assert query(at)["pattern"] == "aligned"


def test_spelling_slider_changes_the_answer_without_retraining(fresh_cache):
    at = open_page("patterns", {"pattern": "one_to_many"})
    trained = len(RESULTS)
    at.slider(key="patterns.number").set_value(17).run()
    assert not at.exception
    assert "**Right answer:** seventeen" in _markdown(at)
    assert len(RESULTS) == trained


def test_hostile_link_gets_warnings_and_safe_values():
    at = open_page(
        "patterns",
        {
            "pattern": "banana",
            "training": "🙂" * 30,
            "cell": "<b>x</b>",
            "seed": "-1e308",
            "number": "nan",
            "bits": "<img src=x onerror=alert(1)>",
            "digits": "",
            "date": "\x00\x1b[31m",
        },
    )
    assert not at.exception, at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Pattern: 'banana' is not one of" in warnings
    assert "Number: 'nan' is not a number" in warnings
    assert at.selectbox(key="patterns.pattern").value == "many_to_one"
    assert "<img" not in _markdown(at)


def test_default_input_replays_training_and_typed_input_does_not():
    at = open_page("patterns", {"pattern": "aligned"})
    films = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    films = [f for f in films if f.get("frames")]
    assert len(films) == 2  # the diagram and the hidden-state heatmap
    diagram = films[0]
    assert len(diagram["frames"]) >= 10 and "step 300, loss" in diagram["layout"]["title"]["text"]
    at.text_input(key="patterns.digits").set_value("9876").run()
    assert not at.exception
    assert not [c for c in at.get("plotly_chart") if json.loads(c.proto.spec).get("frames")]
    assert any("restore it to replay training" in t for t in texts(at, "caption"))
