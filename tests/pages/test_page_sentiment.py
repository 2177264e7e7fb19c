"""The sentiment page through AppTest: train on click, typed sentences of every kind, uploads, missing corpus."""

import os

import pytest

import rnnviz.core.reviews
from rnnviz.core.data import INSTALL_COMMAND
from rnnviz.core.runtime import RESULTS
from tests.apptest import open_page, texts
from tests.browser_support import (
    CHROMIUM,
    EXCEPTIONS_JS,
    FINISHED_JS,
    chromium,
    open_and_wait,
    streamlit_server,
)

SMALL = {"embed": "8", "hidden": "8", "epochs": "1"}
"""One epoch of a tiny network on the full corpus: a few seconds."""


def trained(query=None):
    at = open_page("sentiment", {**SMALL, **(query or {})})
    assert not at.exception, at.exception
    at.button(key="train.sentiment").click().run(timeout=180)
    assert not at.exception, at.exception
    return at


def upload(at, raw: bytes, name: str = "mine.csv"):
    at.file_uploader(key="sentiment.upload").set_value((name, raw, "text/csv"))
    return at.run(timeout=180)


@pytest.fixture
def page():
    return trained()


def test_opening_waits_for_a_click_and_cites_the_corpus():
    at = open_page("sentiment")
    assert not at.exception and not at.warning
    assert [b.label for b in at.button] == ["Train"]
    assert len(RESULTS) == 0
    assert any("Pang" in t for t in texts(at, "caption"))


def test_results_map_and_neighbours_then_display_changes_never_retrain(page):
    labels = [m.label for m in page.metric]
    assert labels[:2] == ["Test accuracy", "Bag-of-words baseline"]
    assert any("movies the network never" in t for t in texts(page, "caption"))
    titles = " ".join(str(c.proto.spec) for c in page.get("plotly_chart"))
    assert "t-SNE of" in titles and "perplexity 30" in titles
    assert r"P(\text{positive}) = \sigma" in page.latex[0].value
    assert len(page.dataframe) == 2  # word-order cases and neighbours

    before = len(RESULTS)
    page.selectbox(key="sentiment.colour").set_value("probability").run()
    page.selectbox(key="sentiment.projection").set_value("pca").run()
    page.select_slider(key="sentiment.perplexity").set_value(10).run()
    page.selectbox(key="sentiment.probe").set_value(3).run()
    page.pills(key="sentiment.example").set_value("not a masterpiece").run()
    assert not page.exception, page.exception
    assert len(RESULTS) == before  # display controls and examples never retrain
    assert page.text_input(key="sentiment.sentence").value == "not a masterpiece"
    assert "PCA of" in " ".join(str(c.proto.spec) for c in page.get("plotly_chart"))


TYPED = [
    ("", "Type a sentence"),
    ("good", None),
    ("zxqvw qwzxv", "None of these tokens"),
    ("🙂🧠 😀", "None of these tokens"),
    ("<script>alert(1)</script> not bad", "Unknown to the model"),
    ("word " * 5000, "first 200"),
]


def test_any_typed_sentence_gives_a_result_or_a_message(page):
    for text, expect in TYPED:
        page.text_input(key="sentiment.sentence").set_value(text).run()
        assert not page.exception, (text[:20], page.exception)
        infos = " ".join(texts(page, "info"))
        if expect:
            assert expect in infos, text[:20]
        else:
            assert page.latex, text[:20]
        for md in page.markdown:
            assert "<script" not in md.value


def test_a_good_upload_trains_on_it_and_a_bad_one_explains():
    at = open_page("sentiment", SMALL)
    rows = [f'"{"a lovely film" if i % 2 else "a dreadful film"} {i}",{i % 2}' for i in range(60)]
    upload(at, ("text,label\n" + "\n".join(rows)).encode())
    assert any("your file mine.csv, 60 sentences" in t for t in texts(at, "caption"))
    at.button(key="train.sentiment").click().run(timeout=180)
    assert not at.exception, at.exception
    assert any("split sentence by sentence" in t for t in texts(at, "caption"))

    upload(at, b"name,score\nx,1\n", "wrong.csv")
    assert not at.exception
    assert any("wrong.csv: No text column" in t for t in texts(at, "error"))
    assert any("default corpus instead" in t for t in texts(at, "info"))


def test_missing_corpus_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(rnnviz.core.reviews, "corpus_path", lambda: None)
    at = open_page("sentiment")
    assert not at.exception
    assert any(INSTALL_COMMAND in t for t in texts(at, "info"))
    assert not [b for b in at.button if b.label == "Train"]
    rows = [f'"{"fine" if i % 2 else "poor"} {i}",{i % 2}' for i in range(50)]
    upload(at, ("text,label\n" + "\n".join(rows)).encode())
    assert [b.label for b in at.button] == ["Train"]  # uploaded data still works


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (make browser)")
def test_trained_page_in_a_real_browser():
    """Click Train in Chromium: progress, then every chart and table, with no exception."""
    query = "&".join(f"{k}={v}" for k, v in SMALL.items())
    with streamlit_server() as (base, _), chromium() as browser:
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_and_wait(pg, f"{base}/sentiment?{query}", timeout_s=180)
        pg.locator('[data-testid="stMain"] button').filter(has_text="Train").click()
        pg.wait_for_selector('[data-testid="stMetric"]', timeout=180_000)
        pg.wait_for_function(FINISHED_JS, timeout=180_000, polling=100)
        assert pg.evaluate(EXCEPTIONS_JS) == []
        assert pg.locator(".js-plotly-plot").count() >= 6
        text = pg.inner_text('[data-testid="stMain"]')
        assert "Test accuracy" in text and "Nearest neighbours in hidden space" in text
