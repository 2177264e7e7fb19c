"""The Compare settings panel through AppTest: a link restores it, hostile links get messages, it trains."""

import pytest

from rnnviz.core import compare
from tests.apptest import open_page, query

QUICK = {"epochs": "20"}
"""The sine page with a short training: the page's own run and the comparison's are quick."""


def _panel(at):
    return next(e for e in at.expander if e.label == "Compare settings")


def _clean(at):
    assert not at.exception, at.exception
    for md in at.markdown:
        assert "<script" not in md.value


def test_a_link_restores_the_panel_and_training_it_gives_a_verdict():
    at = open_page("sine", {**QUICK, "compare": "cell:rnn,gru", "seeds": "2"})
    _clean(at)
    assert at.selectbox(key="sine.compare.setting").value == "cell"
    assert at.multiselect(key="sine.compare.values.cell").value == ["rnn", "gru"]
    assert at.number_input(key="sine.compare.seeds").value == 2
    assert query(at)["compare"] == "cell:rnn,gru" and query(at)["seeds"] == "2"
    at.button(key="sine.compare.train").click().run()
    _clean(at)
    texts = " ".join(md.value for md in at.markdown)
    assert "best on forecast MSE" in texts or "tie within seed noise" in texts
    specs = " ".join(str(c.proto.spec) for c in at.get("plotly_chart"))
    assert "dots are seeds" in specs and "Training loss (mean of 2 seeds" in specs
    assert "each variant's training, played in sync" in specs  # the films, one slider for both variants
    assert "Download this comparison (.zip)" in [b.proto.label for b in at.get("download_button")]
    assert query(at)["compare"] == "cell:rnn,gru"  # the settings' own URL writing keeps the comparison


def test_changing_the_panel_writes_the_link():
    at = open_page("sine", QUICK)
    _clean(at)
    assert "compare" not in query(at)
    at.number_input(key="sine.compare.seeds").set_value(3).run()
    assert query(at)["seeds"] == "3"
    at.selectbox(key="sine.compare.setting").set_value("layers").run()
    at.text_input(key="sine.compare.values.layers").set_value("1, 2").run()
    _clean(at)
    assert query(at)["compare"] == "layers:1,2" and query(at)["epochs"] == "20"


HOSTILE = [
    ({"compare": "banana"}, "is not SETTING:V1,V2"),
    ({"compare": "seed:1,2"}, "is not a setting to compare here"),
    ({"compare": "cell:"}, "needs at least 2 different values"),
    ({"compare": "cell:rnn,rnn"}, "needs at least 2 different values"),
    ({"compare": "cell:<script>alert(1)</script>,lstm"}, "is not one of"),
    ({"compare": "hidden:1e999,nan,-5"}, "is above the maximum"),
    ({"compare": "cell:rnn,lstm,gru,rnn,lstm"}, ""),
    ({"compare": "hidden:2,4,8,16,32,64"}, f"at most {compare.MAX_VARIANTS} values"),
    ({"compare": "hidden:2,4,8", "seeds": "5"}, f"trains at most {compare.MAX_RUNS}"),
    ({"seeds": "abc"}, "is not a number"),
    ({"seeds": "99"}, "outside 1 to 5"),
    ({"seeds": "2.5"}, "not a whole number"),
    ({"match": "weights"}, "is not understood"),
    ({"compare": "hidden:4,8", "match": "params"}, "the hidden size is what is compared"),
    ({"compare": ["cell:rnn,lstm", "x" * 5000]}, "is not SETTING:V1,V2"),
]


@pytest.mark.parametrize("link,message", HOSTILE)
def test_hostile_links_get_a_message_never_a_traceback(link, message):
    at = open_page("sine", {**QUICK, **link})
    _clean(at)
    shown = " ".join(w.value for w in at.warning)
    assert message in shown
    assert len(shown) < 2000  # a long value is shortened in its message
    assert len(at.get("plotly_chart")) >= 1  # the page itself still draws


def test_a_view_without_hidden_size_offers_no_matching():
    at = open_page("patterns", {"compare": "cell:rnn,gru", "match": "params", "training": "quarter"})
    _clean(at)
    assert "has no hidden size to adjust" in " ".join(w.value for w in at.warning)
    assert at.toggle(key="patterns.compare.match").disabled
    assert query(at)["compare"] == "cell:rnn,gru" and "match" not in query(at)


def test_a_display_setting_and_a_comparison_share_one_link():
    link = {"show_untrained": "true", "compare": "cell:lstm,gru", "train_steps": "60"}
    at = open_page("gates", link)
    _clean(at)
    assert not at.warning
    assert at.multiselect(key="gates.compare.values.cell").value == ["lstm", "gru"]
    assert query(at)["show_untrained"] == "true" and query(at)["compare"] == "cell:lstm,gru"
