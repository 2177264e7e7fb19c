"""The unroll page through AppTest: the training film, hostile links, odd numbers and the untrained model."""

import json

from tests.apptest import open_page, texts


def _assert_clean(at):
    assert not at.exception, at.exception


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _film(at, title: str) -> dict:
    """The figure whose title starts with ``title``."""
    found = [f for f in _figures(at) if f["layout"]["title"]["text"].startswith(title)]
    assert len(found) == 1, [f["layout"]["title"]["text"] for f in _figures(at)]
    return found[0]


def test_defaults_play_the_training_film_of_states_and_guesses():
    at = open_page("unroll")
    _assert_clean(at)
    assert not at.warning
    labels = [m.label for m in at.metric]
    assert "Loss after training" in labels
    hidden = _film(at, "Hidden states h at step 150")
    guesses = _film(at, "Next-token guesses")
    for fig in (hidden, guesses):
        assert len(fig["frames"]) >= 10
        assert fig["layout"]["sliders"][0]["steps"][0]["label"] == "0"
        assert fig["frames"][0]["data"][0] != fig["frames"][-1]["data"][0]
    assert "step 0" in hidden["frames"][0]["layout"]["title"]["text"]
    assert any("Download this view" in b.label for b in at.get("download_button"))


def test_numbers_that_are_not_finite_are_skipped_with_a_note():
    at = open_page("unroll", {"tokenizer": "number", "text": "nan inf 1e309", "train_steps": "20"})
    _assert_clean(at)
    info = " ".join(texts(at, "info"))
    assert "Ignored 3 item(s)" in info and "at least two tokens" in info
    guesses = _film(at, "Guesses (dots) against the next values")
    assert len(guesses["frames"]) >= 10
    assert all(v is not None for v in guesses["data"][1]["y"])


def test_numbers_with_huge_but_finite_values_train_without_a_traceback():
    at = open_page("unroll", {"tokenizer": "number", "text": "1e300 -1e300 1e-300 0 5", "train_steps": "30"})
    _assert_clean(at)
    assert at.metric  # the page drew its results; divergence, if any, is a message, not an error
    assert not [e for e in at.error if "Traceback" in str(e.value)]


def test_a_time_step_beyond_the_sequence_is_clamped_to_its_last_token():
    at = open_page("unroll", {"text": "abcd", "step": "500", "layer": "3", "train_steps": "10"})
    _assert_clean(at)
    assert any("Time step t: 500 is above the maximum" in w for w in texts(at, "warning"))
    assert at.slider(key="unroll.step").value == 4
    assert any("h_{4}" in str(e.value) for e in at.latex)
    assert not [s for s in at.slider if s.key == "unroll.layer"]  # one layer: nothing to choose


def test_zero_training_steps_show_the_untrained_model_as_a_still_frame():
    at = open_page("unroll", {"train_steps": "0", "cell": "gru"})
    _assert_clean(at)
    assert "Loss (untrained)" in [m.label for m in at.metric]
    hidden = _film(at, "Hidden states h at step 0")
    assert not hidden.get("frames") and not hidden["layout"].get("sliders")
    assert any("Untrained" in c for c in texts(at, "caption"))


def test_hostile_text_reaches_every_figure_escaped():
    text = "<img src=x onerror=alert(1)> $\\frac{1}{0}$ `x` {}_^~"
    at = open_page("unroll", {"text": text, "tokenizer": "word", "layers": "2", "layer": "2", "step": "3"})
    _assert_clean(at)
    assert at.slider(key="unroll.layer").value == 2
    specs = " ".join(str(chart.proto.spec) for chart in at.get("plotly_chart"))
    assert "<img" not in specs and "&lt;img" in specs
    assert any(r"x_{3} = h^{(1)}_{3}" in str(e.value) for e in at.latex)  # layer 2 reads layer 1's state
    assert _film(at, "Hidden states h, layer 2 at step")
