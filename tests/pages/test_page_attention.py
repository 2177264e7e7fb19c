"""The attention page through AppTest: behind a Train button, trained with tiny settings, typed input
and hostile links that reach the drawing code."""

import json

from rnnviz.core.figures import plain
from rnnviz.views.attention import EXPERIMENT
from rnnviz.views.attention.answers import SWEEP_LENGTHS
from rnnviz.views.attention.lessons import attention_vs_plain, bottleneck, where_attention_looks
from tests.apptest import open_page, texts
from tests.trained import trained

SMALL = {name: str(value) for name, value in EXPERIMENT.smoke.items()}
"""The smoke settings, as a link gives them: strings of 6 digits."""


def _trained_page(query: dict[str, str]):
    """The page for ``query`` after training: the Train button is pressed unless another test trained these
    settings already (results are shared across the session)."""
    at = open_page("attention", query)
    if any(b.key == "train.attention" for b in at.button):
        at.button(key="train.attention").click().run()
    return at


def _titles(at) -> list[str]:
    """Each chart's title in plain words (a long one is drawn in lines)."""
    return [plain(json.loads(c.proto.spec)["layout"]["title"]["text"]) for c in at.get("plotly_chart")]


def test_opens_fast_behind_a_train_button(fresh_cache):
    """Uncached (as on a server nobody warmed): the page waits for a click."""
    at = open_page("attention")
    assert not at.exception and not at.warning
    assert at.button(key="train.attention")
    assert not at.get("plotly_chart"), "nothing is trained until asked"
    assert any(r"c_t = \sum_i" in str(e.value) for e in at.latex)


def test_training_draws_every_figure_and_the_sweep_row_of_its_length():
    at = _trained_page(SMALL)
    assert not at.exception, at.exception
    titles = _titles(at)
    assert any(t.startswith("Tokens right on held-out examples:") for t in titles)
    res = trained(EXPERIMENT)
    assert any(t.startswith(where_attention_looks(res).text) for t in titles)
    assert any("steps in a row, attention one step" in t for t in titles)
    sweep = at.dataframe[0].value
    assert list(sweep["String length (digits)"]) == sorted({*SWEEP_LENGTHS, 6})
    row = sweep.set_index("String length (digits)")
    assert row.loc[6, "With attention: digits right"] != "not trained yet"
    assert row.loc[40, "With attention: digits right"] == "not trained yet"
    cost = at.dataframe[1].value
    assert list(cost["attention matrix (bytes)"]) == [4 * t * t for t in cost["T (tokens)"]]
    markdown = " ".join(str(m.value) for m in at.markdown)
    assert attention_vs_plain(res).text in markdown and bottleneck(res).text in markdown
    assert "output step t writes the digit read at input step t" in markdown


def test_typed_input_is_answered_and_bad_input_explained():
    at = _trained_page(SMALL)
    at.text_input(key="attention.text").set_value("12x3456789").run()
    assert not at.exception, at.exception
    notes = " ".join(texts(at, "info"))
    assert "Only the digits 0-9" in notes and "only the first 6 are read" in notes
    markdown = " ".join(str(m.value) for m in at.markdown)
    assert "Right answer:" in markdown and "123456" in markdown
    assert any(t.startswith("Your digits:") for t in _titles(at))
    at.text_input(key="attention.text").set_value("").run()
    assert "Type something above" in " ".join(texts(at, "info"))


def test_dates_task_shows_the_month_finding():
    at = open_page("attention", {"task": "dates", "hidden": "12", "steps": "20", "text": "March 3, 2001"})
    at.button(key="train.attention").click().run()
    assert not at.exception, at.exception
    titles = _titles(at)
    assert any(t.startswith("To write the month's digits") for t in titles)
    assert any(t.startswith("Your date:") for t in titles)
    assert not at.dataframe[0].value.columns.str.contains("String length").any(), "no length sweep for dates"


def test_hostile_link_is_safe_after_training():
    at = open_page(
        "attention",
        {
            "task": "🙂",
            "length": "-1",
            "score": "<script>",
            "hidden": "1e9",
            "steps": "nan",
            "lr": "inf",
            "seed": "-5",
            "text": "<img src=x onerror=alert(1)>" + "9" * 100,
        },
    )
    assert not at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Task: '🙂' is not one of" in warnings and "String length: -1 is below the minimum" in warnings
    at.slider(key="attention.hidden").set_value(8).run()
    at.slider(key="attention.steps").set_value(0).run()
    at.button(key="train.attention").click().run()
    assert not at.exception, at.exception
    assert any("Only the digits 0-9" in t for t in texts(at, "info"))
    for md in at.markdown:
        assert "<img" not in md.value
