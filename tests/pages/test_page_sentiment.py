"""The sentiment page through AppTest: train on click, typed sentences of every kind, uploads, missing corpus."""

import base64
import json

import numpy as np
import pytest

import rnnviz.core.reviews
from rnnviz.core.config import format_value, spec_of, specs
from rnnviz.core.data import INSTALL_COMMAND
from rnnviz.core.runtime import RESULTS
from rnnviz.views.sentiment import EXPERIMENT
from rnnviz.views.sentiment.settings import SentimentConfig
from tests.apptest import open_page, texts

SMOKE = {
    name: format_value(spec_of(SentimentConfig, name), value)
    for name, value in EXPERIMENT.smoke.items()
    if spec_of(SentimentConfig, name).role == "train"
}
"""The smoke settings' training part as a link: the model the other tests share; the page keeps its
own display defaults (the t-SNE map)."""
SMALL = {"embedding": "8", "hidden": "8", "epochs": "1"}
"""One epoch of a tiny network on the full corpus: a few seconds, whatever the other fields say."""


def trained(query=None, sizes=SMALL):
    """The page with these settings, its Train button pressed unless the result is cached already."""
    at = open_page("sentiment", {**sizes, **(query or {})})
    assert not at.exception, at.exception
    if any(b.key == "train.sentiment" for b in at.button):
        at.button(key="train.sentiment").click().run(timeout=180)
    assert not at.exception, at.exception
    return at


def upload(at, raw: bytes, name: str = "mine.csv"):
    at.file_uploader(key="sentiment.upload").set_value((name, raw, "text/csv"))
    return at.run(timeout=180)


@pytest.fixture
def page():
    return trained(sizes=SMOKE)


def test_opening_waits_for_a_click_and_cites_the_corpus(fresh_cache):
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
    assert len(page.dataframe) == 1  # word-order cases; the neighbours are a part of their own
    markdown = " ".join(texts(page, "markdown"))
    assert "the same network trained and tested on shuffled words" in markdown  # the word-order control
    assert "95% interval" in markdown and "hidden space (measured there" in markdown  # under the map

    before = len(RESULTS)
    page.selectbox(key="sentiment.colour").set_value("probability").run()
    page.selectbox(key="sentiment.projection").set_value("pca").run()
    page.select_slider(key="sentiment.perplexity").set_value(10).run()
    page.pills(key="sentiment.example").set_value("not a masterpiece").run()
    assert "PCA of" in " ".join(str(c.proto.spec) for c in page.get("plotly_chart"))
    page.button_group(key="sentiment.section").set_value("States at every position").run()
    titles = " ".join(str(c.proto.spec) for c in page.get("plotly_chart"))
    assert "fan out as words arrive" in titles and "PCA of" not in titles  # only the chosen part is built
    page.button_group(key="sentiment.section").set_value("Nearest neighbours").run()
    page.selectbox(key="sentiment.probe").set_value(3).run()
    assert len(page.dataframe) == 2  # word-order cases and neighbours
    assert not page.exception, page.exception
    assert len(RESULTS) == before  # display controls and examples never retrain
    assert page.text_input(key="sentiment.sentence").value == "not a masterpiece"


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
    at = open_page("sentiment", SMOKE)
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


def chart_specs(at) -> list[dict]:
    """Every chart drawn after training (the live figures drawn while it trained left out)."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart") if not (c.key or "").startswith("live_")]


def values(array) -> np.ndarray:
    """A Plotly array from a chart's JSON: a plain list, or numpy's bytes in base64 ('bdata')."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def film_of(at) -> dict:
    (film,) = [spec for spec in chart_specs(at) if spec.get("frames")]
    return film


def test_the_film_plays_from_the_untrained_network_to_the_last_step(page):
    film = film_of(page)
    steps = [s["label"] for s in film["layout"]["sliders"][0]["steps"]]
    assert steps[0] == "0" and len(steps) == len(film["frames"]) >= 10
    loss_steps = values(chart_specs(page)[0]["data"][0]["x"])
    assert int(steps[-1]) == loss_steps[-1] == len(loss_steps)  # the last frame is the last step trained
    first = values(film["frames"][0]["data"][0]["x"])
    last = values(film["frames"][-1]["data"][0]["x"])
    assert len(first) == len(last) > 0 and not np.allclose(first, last)
    assert film["layout"]["title"]["text"] == film["frames"][-1]["layout"]["title"]["text"]
    assert "test sentences classified right at step " + steps[-1] in film["layout"]["title"]["text"]
    assert any("Press Play" in t for t in texts(page, "caption"))


HOSTILE = ["NaN", "<script>alert(1)</script>", "9" * 10_000]
"""Number, markup and size attacks; tests/pages/test_fuzz.py tries every hostile value without training."""


@pytest.mark.parametrize("value", HOSTILE)
def test_every_other_field_hostile_with_training(value):
    """Sizes stay small so training is quick; every other field gets the same junk, then Train is pressed."""
    fields = [s.name for s in specs(SentimentConfig) if s.name not in SMALL]
    at = trained({name: value for name in fields})
    assert len(film_of(at)["frames"]) >= 10
    assert len(at.latex) == (1 if at.text_input(key="sentiment.sentence").value.strip() else 0)
    for md in at.markdown:
        assert "<script" not in md.value
    assert not any("<script" in t for t in texts(at, "caption"))


def test_sizes_that_clamp_low_train_and_draw():
    at = trained(
        {
            "embedding": "-1e308",
            "hidden": "0",
            "layers": "-2",
            "epochs": "-3",
            "min_freq": "0",
            "dropout": "-1",
        }
    )
    warnings = " ".join(texts(at, "warning"))
    assert "below the minimum" in warnings
    assert at.slider(key="sentiment.hidden").value == 4 and at.slider(key="sentiment.epochs").value == 1
    assert at.slider(key="sentiment.embedding").value == 8  # a field named 'embed' would be Streamlit's
    film = film_of(at)
    assert not np.allclose(
        values(film["frames"][0]["data"][1]["y"]), values(film["frames"][-1]["data"][1]["y"])
    )
    assert len(at.dataframe) == 1
    for part in ("States at every position", "Nearest neighbours"):  # the clamped sizes reach every part
        at.button_group(key="sentiment.section").set_value(part).run()
        assert not at.exception, at.exception
    assert len(at.dataframe) == 2
