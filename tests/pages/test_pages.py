"""Every page through AppTest: defaults, edited and malformed links. No exception, visible warnings."""

import pytest

from rnnviz.views import views
from tests.apptest import open_page, query, texts

PAGES = ["home"] + [v.slug for v in views()]

HOSTILE = {
    "hidden": "-3",
    "cell": "banana",
    "text": "",
    "seed": "nan",
    "lr": "inf",
    "layers": "1e308",
    "step": "<script>alert(1)</script>",
    "tokenizer": "🙂" * 50,
    "v": "999",
    "lock": "cell,,nonsense",
}


@pytest.mark.parametrize("slug", PAGES)
def test_page_opens_with_defaults(slug):
    at = open_page(slug)
    assert not at.exception, at.exception
    assert not at.warning


@pytest.mark.parametrize("slug", PAGES)
def test_page_survives_hostile_query_parameters(slug, small_budget):
    at = open_page(slug, HOSTILE)
    assert not at.exception, at.exception


def test_unroll_warns_about_each_bad_parameter_and_uses_safe_values():
    at = open_page("unroll", {"hidden": "-3", "cell": "banana", "text": ""})
    warnings = " ".join(texts(at, "warning"))
    assert "Hidden size: -3 is below the minimum" in warnings
    assert "Cell: 'banana' is not one of" in warnings
    assert "at least two tokens" in " ".join(texts(at, "info"))
    assert at.selectbox(key="unroll.cell").value == "rnn"
    assert at.slider(key="unroll.hidden").value == 1


def test_unroll_link_restores_widgets_and_edits_update_the_link():
    at = open_page("unroll", {"cell": "gru", "hidden": "5", "text": "hello world", "step": "3"})
    assert not at.warning
    assert at.selectbox(key="unroll.cell").value == "gru"
    assert at.slider(key="unroll.hidden").value == 5
    assert at.text_input(key="unroll.text").value == "hello world"
    assert at.slider(key="unroll.step").value == 3
    assert query(at)["cell"] == "gru"
    at.slider(key="unroll.hidden").set_value(12).run()
    assert not at.exception
    assert query(at)["hidden"] == "12"
    at.selectbox(key="unroll.cell").set_value("rnn").run()
    assert "cell" not in query(at)  # defaults are not written


def test_unroll_lock_hides_and_fixes_a_control():
    at = open_page("unroll", {"cell": "lstm", "lock": "cell"})
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "unroll.cell"]
    assert any("Fixed by this link" in t for t in texts(at, "info"))
    assert any("c_{" in str(e.value) for e in at.latex)


def test_scrubbing_time_does_not_retrain(fresh_cache):
    from rnnviz.core.runtime import RESULTS

    at = open_page("unroll")
    assert len(RESULTS) == 1
    at.slider(key="unroll.step").set_value(7).run()
    assert not at.exception and len(RESULTS) == 1
    assert any("h_{7}" in str(e.value) for e in at.latex)


def test_share_link_carries_the_settings_and_the_lock():
    at = open_page("unroll", {"cell": "lstm", "hidden": "5", "lock": "cell"})
    link = next(c.value for c in at.code if "hidden=5" in c.value)
    assert "cell=lstm" in link and "lock=cell" in link and "v=1" in link


def test_a_result_the_budget_cut_short_is_kept_for_its_visitor_alone(fresh_cache, monkeypatch):
    """Not cached for the next visitor (it is load's accident), yet a display control does not retrain it."""
    from pages import ui
    from rnnviz.core.budget import BUDGET_ENV
    from rnnviz.core.runtime import RESULTS

    trainings = []

    def counted(*args, **kwargs):
        trainings.append(args[0].name)
        return real(*args, **kwargs)

    real = ui.result
    monkeypatch.setattr(ui, "result", counted)
    monkeypatch.setenv(BUDGET_ENV, "0.05")
    at = open_page("unroll", {"layers": "2", "hidden": "64", "train_steps": "1000"})
    assert not at.exception and trainings == ["unroll"] and len(RESULTS) == 0
    assert any("compute budget ran out" in t for t in texts(at, "warning"))
    at.slider(key="unroll.layer").set_value(2).run()
    assert not at.exception and trainings == ["unroll"]
