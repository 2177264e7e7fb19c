"""The PyTorch page through AppTest: shapes and corrections without training, hostile links, Train pressed."""

from rnnviz.core import config as cfgmod
from rnnviz.core.runtime import RESULTS
from rnnviz.views.pytorch import EXPERIMENT
from rnnviz.views.pytorch.readers import READER_SHORT
from tests.apptest import open_page, query, texts

SMOKE = cfgmod.to_query(EXPERIMENT.smoke_config())


def _assert_clean(at):
    assert not at.exception, at.exception
    for md in at.markdown:
        assert "<script" not in md.value or not md.proto.allow_html


def _titles(at) -> str:
    return " ".join(str(chart.proto.spec) for chart in at.get("plotly_chart"))


def _train(at):
    at.button(key="train.pytorch").click().run()
    _assert_clean(at)
    return at


def test_defaults_show_shapes_and_corrections_and_wait_for_train(fresh_cache):
    at = open_page("pytorch")
    _assert_clean(at)
    assert not at.warning
    assert "moves the batch axis of input and output only" in _titles(at)
    errors = " ".join(texts(at, "error"))
    assert "Expected hidden[0] size (4, 3, 4), got [3, 4, 4]" in errors  # torch's own words, caught
    assert "an LSTM given h0 alone" in errors
    code = " ".join(c.value for c in at.code)
    assert "nn.LSTM(input_size=5, hidden_size=4, num_layers=2" in code and "torch.zeros(4, 3, 4)" in code
    notes = " ".join(texts(at, "info"))
    for claim in ("tanh′ peaks at 1,", "does nothing for vanishing", "does not detach", "GRU conventions"):
        assert claim in notes
    assert "scaler fitted on all the data" in notes
    assert not at.metric and len(RESULTS) == 0  # nothing trains before the button


def test_a_batch_first_h0_that_fits_by_accident_is_flagged():
    at = open_page("pytorch", {"batch": "2", "layers": "1", "bidirectional": "true", "cell": "gru"})
    _assert_clean(at)
    warnings = " ".join(texts(at, "warning"))
    assert "torch raised **nothing**" in warnings and "another one's state" in warnings


def test_hostile_link_is_clamped_trains_and_display_controls_do_not_retrain(fresh_cache):
    at = open_page(
        "pytorch",
        {
            "batch": "-3",
            "length": "1e308",
            "cell": "<script>alert(1)</script>",
            "layers": "nan",
            "batch_first": "maybe",
            "reader_cell": "banana",
            "sentences": "-1e9",  # clamped to the minimum: with the others, the smoke settings
            "epochs": "-inf",
            "char_steps": "0",
        },
    )
    _assert_clean(at)
    warnings = " ".join(texts(at, "warning"))
    for expected in (
        "Batch size: -3 is below",
        "Length: 1e+308 is above",
        "Readers' cell: 'banana'",
        "Training sentences: -1e+09 is below",
    ):
        assert expected in warnings
    assert at.slider(key="pytorch.batch").value == 1 and at.slider(key="pytorch.length").value == 12
    _train(at)
    labels = [m.label for m in at.metric]
    assert all(f"Test accuracy, {short}" in labels for short in READER_SHORT.values())
    assert "Validation accuracy" in _titles(at) and "Time per chunk" in _titles(at)
    assert len(RESULTS) == 1
    at.slider(key="pytorch.hidden").set_value(7).run()
    _assert_clean(at)
    assert len(RESULTS) == 1 and query(at)["hidden"] == "7"
    assert "torch.zeros(4, 1, 7)" in " ".join(c.value for c in at.code)


def test_bidirectional_readers_show_where_the_backward_summary_is(fresh_cache):
    at = _train(open_page("pytorch", {**SMOKE, "reader_bidirectional": "true"}))
    titles = _titles(at)
    assert "backward output[:, 0, H:], packed" in titles  # the bar at zero: the true summary
    text = " ".join(md.value for md in at.markdown)
    assert "the backward direction starts in the padding" in text
    assert any("fails at chunk 2" in e for e in texts(at, "error"))
