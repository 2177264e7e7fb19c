"""The character model page through AppTest: Train first, links, pasted and uploaded text, display-only reruns."""

import dataclasses

import pytest

from rnnviz.core import config as cfgmod
from rnnviz.core.runtime import RESULTS
from rnnviz.views.charlm import EXPERIMENT
from rnnviz.views.charlm import corpora as char_corpora
from tests.apptest import open_page, query, texts
from tests.trained import trained as trained_result

SMOKE = cfgmod.to_query(EXPERIMENT.smoke_config())
"""The smoke settings as a link: the page reads the result the other tests trained."""
HIDDEN = EXPERIMENT.smoke["hidden"]


def trained(params: dict, upload: tuple[str, bytes] | None = None):
    at = open_page("charlm", params)
    if upload is not None:
        at.file_uploader(key="charlm.upload").set_value((upload[0], upload[1], "text/plain")).run()
    if any(b.key == "train.charlm" for b in at.button):  # not trained yet by an earlier test
        at.button(key="train.charlm").click().run()
    return at


def coloured(at) -> str:
    """The HTML of the written text (the last st.html in the main area; the sidebar holds the page script)."""
    return str(at.main.html[-1].proto.body)


HOSTILE_VIEW = {
    "unit": "999",
    "position": "-4",
    "layer": "3",
    "state": "c",
    "temperature": "nan",
    "length": "1e9",
    "sampling_seed": "🙂",
    "feature": "banana",
    "greedy": "maybe",
    "prompt": "<img src=x onerror=alert(1)>",
}


def test_hostile_display_settings_are_clamped_with_warnings():
    at = trained(SMOKE | HOSTILE_VIEW)
    assert not at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Unit colouring the text: 999 is above the maximum" in warnings
    assert "Feature: 'banana' is not one of" in warnings
    assert at.slider(key="charlm.unit").value == HIDDEN - 1  # capped at the trained model's hidden size
    assert at.slider(key="charlm.position").value == 1
    assert "never occur in the training text" in " ".join(texts(at, "info"))
    assert "<img" not in coloured(at) and f"c[{HIDDEN - 1}]" in coloured(at)


PASTED = {
    "empty": "",
    "huge": "all work and no play makes a dull model " * 2600,
    "emoji": "I 🙂 love 🚀 rockets and 🍕 pizza, 👨‍👩‍👧 family! " * 12,
    "rtl": "مرحبا بالعالم، هذا نص تجريبي. שלום עולם! " * 12,
    "control": "tab\there\x00null\x07bell\x1b[31mred\u202eflip " * 12,
    "markup": '<script>alert("x")</script><b>bold</b> <img src=x onerror=alert(1)> & ' * 8,
}


@pytest.mark.parametrize("kind", PASTED)
def test_pasted_text_from_a_link(kind):
    at = trained(SMOKE | {"corpus": "custom", "text": PASTED[kind], "prompt": "<s"})
    assert not at.exception
    everything = "".join(str(h.proto.body) for h in at.main.html)  # the sidebar holds the page script
    assert "<script" not in everything and "<b>" not in everything and "<img" not in everything
    notes = " ".join(texts(at, "info") + texts(at, "warning"))
    if kind == "empty":
        assert "needs at least" in notes
    if kind == "huge":
        assert f"cut to {char_corpora.MAX_CHARS} characters" in notes
    if kind == "control":
        assert "control characters were removed" in notes


UPLOADS = {
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4, "binary file"),
    "latin-1": ("Café crème brûlée. ".encode("latin-1") * 200, "not UTF-8"),
    "short": (b"Alas, poor Yorick!", "needs at least"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("kind", UPLOADS)
def test_hostile_uploads_are_refused_with_a_reason_before_anything_trains(kind):
    raw, reason = UPLOADS[kind]
    at = open_page("charlm", SMOKE | {"corpus": "file"})
    before = len(RESULTS)
    at.file_uploader(key="charlm.upload").set_value(("bad.txt", raw, "text/plain")).run()
    assert not at.exception
    errors = " ".join(texts(at, "error"))
    assert "bad.txt" in errors and reason.split()[-1] in errors
    assert at.button(key="train.charlm") and len(RESULTS) == before  # nothing trained on the file


def test_an_uploaded_text_is_trained_on():
    text = "The rain in Spain stays mainly in the plain.\nWhere? In Spain!\n" * 60
    at = trained(SMOKE | {"corpus": "file"}, upload=("spain.txt", text.encode()))
    assert not at.exception and not at.error
    assert at.metric[0].value == f"{len(text):,}"
    assert set(coloured(at).split("title=")[0]) <= set(coloured(at))  # page drew the written text
    assert "upload it again" not in " ".join(texts(at, "info"))


def test_display_settings_never_retrain():
    at = trained(SMOKE)
    results = len(RESULTS)
    before = coloured(at)
    at.slider(key="charlm.temperature").set_value(1.9).run()
    at.slider(key="charlm.position").set_value(20).run()
    at.text_input(key="charlm.prompt").set_value("Ada").run()
    at.selectbox(key="charlm.feature").set_value("line").run()
    assert not at.exception and len(RESULTS) == results
    assert coloured(at) != before
    assert query(at)["temperature"] == "1.9" and query(at)["feature"] == "line"


def test_the_hello_preset_has_no_test_text_and_declines_to_correlate():
    at = trained({"corpus": "hello", "hidden": "16", "train_steps": "150", "lr": "0.03", "length": "10"})
    assert not at.exception and not at.warning
    assert "too short to hold out a test part" in " ".join(texts(at, "markdown"))
    assert "too few for a correlation" in " ".join(texts(at, "info"))


def test_a_diverged_model_is_reported_not_crashed():
    at = trained(
        {
            "corpus": "dialogue",
            "cell": "rnn_relu",
            "clip": "0",
            "lr": "0.03",
            "hidden": "256",
            "layers": "3",
            "seq_len": "200",
            "train_steps": "100",
            "position": "200",
        }
    )
    assert not at.exception
    assert "Training diverged" in " ".join(texts(at, "error"))


def test_the_page_waits_for_train_then_compares_with_the_ngram(fresh_cache):
    at = open_page("charlm", SMOKE | {"corpus": "dialogue"})
    assert not at.exception and at.button(key="train.charlm") and not at.metric
    at.button(key="train.charlm").click().run()
    assert not at.exception and not at.warning
    labels = [m.label for m in at.metric]
    assert any(label.startswith("N-gram (order") for label in labels) and any(
        label.startswith("Network on the held-out") for label in labels
    )
    cfg = dataclasses.replace(EXPERIMENT.smoke_config(), corpus="dialogue")
    said = {c.id: c.text for c in EXPERIMENT.claims(cfg, trained_result(EXPERIMENT, cfg))}
    markdown = texts(at, "markdown")
    assert f"**{said['beats_ngram']}**" in markdown and "95% interval" in said["beats_ngram"]
    assert coloured(at).count(" title=") == 301  # the new line it starts from, then 300 written
    assert "next: " in coloured(at)
    assert len(at.main.html) == 1 + 4  # the written text, and an excerpt for each feature but speakers' names
    assert f"**a line of speaker names in capitals**: {said['unit_speaker']}" in markdown
    assert "never changes" in said["unit_speaker"]
    assert any(said["units_learned"] in t for t in markdown)  # the last column: what training added
