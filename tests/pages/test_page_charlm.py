"""The character model page through AppTest: links, pasted text of every awkward kind, display-only reruns."""

import pytest

from rnnviz.core.runtime import RESULTS
from rnnviz.views.charlm import corpora as char_corpora
from tests.apptest import open_page, query, texts

FAST = {"hidden": "16", "train_steps": "50", "seq_len": "16"}


def coloured(at) -> str:
    return str(at.html[0].proto.body)


def test_page_trains_writes_and_lists_units():
    at = open_page("charlm", FAST)
    assert not at.exception and not at.warning
    assert "step    0 │" in at.code[0].value and "step   50 │" in at.code[0].value
    assert coloured(at).count(" title=") == 301  # the first character, then 300 written
    assert any("Units that track simple features" in t for t in texts(at, "markdown"))
    assert len(at.dataframe[0].value) == 4  # one row per feature


HOSTILE_VIEW = {
    "unit": "999",
    "position": "-4",
    "layer": "3",
    "temperature": "nan",
    "length": "1e9",
    "sampling_seed": "🙂",
    "feature": "banana",
    "greedy": "maybe",
    "prompt": "<img src=x onerror=alert(1)>",
}


def test_hostile_display_settings_are_clamped_with_warnings():
    at = open_page("charlm", FAST | HOSTILE_VIEW)
    assert not at.exception
    warnings = " ".join(texts(at, "warning"))
    assert "Unit colouring the text: 999 is above the maximum" in warnings
    assert "Feature: 'banana' is not one of" in warnings
    assert at.slider(key="charlm.unit").value == 15  # capped at the trained model's hidden size
    assert at.slider(key="charlm.position").value == 1
    assert "'<' '=' '>' never occur in the training text" in " ".join(texts(at, "info"))
    assert "<img" not in coloured(at)


PASTED = {
    "empty": "",
    "huge": "all work and no play makes a dull model " * 2600,
    "emoji": "I 🙂 love 🚀 rockets and 🍕 pizza, 👨‍👩‍👧 family! " * 8,
    "rtl": "مرحبا بالعالم، هذا نص تجريبي. שלום עולם! " * 8,
    "control": "tab\there\x00null\x07bell\x1b[31mred\u202eflip " * 8,
    "markup": '<script>alert("x")</script><b>bold</b> <img src=x onerror=alert(1)> & ' * 8,
}


@pytest.mark.parametrize("kind", PASTED)
def test_pasted_text_from_a_link(kind):
    at = open_page("charlm", FAST | {"corpus": "custom", "text": PASTED[kind], "prompt": "<s"})
    assert not at.exception
    html = coloured(at)
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    notes = " ".join(texts(at, "info") + texts(at, "warning"))
    if kind == "empty":
        assert "needs at least" in notes
    if kind == "huge":
        assert f"cut to {char_corpora.MAX_CHARS} characters" in notes
    if kind == "control":
        assert "control characters were removed" in notes
    if kind == "markup":
        assert "&lt;</span><span" in html  # the seed '<s' is shown, escaped, character by character


def test_pasted_text_in_the_text_area_retrains_on_it():
    at = open_page("charlm", FAST | {"corpus": "custom"})
    assert "needs at least" in " ".join(texts(at, "info"))
    at.text_area(key="charlm.text").set_value("abc abd abe abf " * 40).run()
    assert not at.exception and not at.info
    samples = "".join(line.split("│ ", 1)[1] for line in at.code[0].value.splitlines())
    assert set(samples) <= set("abcdef ↵")
    assert query(at)["corpus"] == "custom"


def test_writing_settings_never_retrain():
    at = open_page("charlm", FAST)
    assert len(RESULTS) == 1
    before = coloured(at)
    at.slider(key="charlm.temperature").set_value(1.9).run()
    at.slider(key="charlm.position").set_value(20).run()
    at.text_input(key="charlm.prompt").set_value("Beautiful").run()
    assert not at.exception and len(RESULTS) == 1
    assert coloured(at) != before
    assert query(at)["temperature"] == "1.9" and query(at)["position"] == "20"
    at.text_area(key="charlm.text").set_value("not used unless pasted text is chosen").run()
    assert len(RESULTS) == 1


def test_the_hello_preset_learns_and_declines_to_correlate_four_characters():
    at = open_page(
        "charlm",
        {
            "corpus": "hello",
            "hidden": "16",
            "train_steps": "150",
            "lr": "0.03",
            "prompt": "h",
            "greedy": "true",
            "length": "10",
        },
    )
    assert not at.exception and not at.warning
    assert coloured(at).count(" title=") == 11  # the seed and ten written characters
    assert "too few for a correlation" in " ".join(texts(at, "info"))
    assert not at.dataframe


def test_a_diverged_model_is_reported_not_crashed():
    at = open_page(
        "charlm",
        {
            "cell": "rnn_relu",
            "clip": "0",
            "lr": "0.03",
            "hidden": "256",
            "layers": "3",
            "seq_len": "200",
            "train_steps": "100",
            "position": "200",
        },
    )
    assert not at.exception
    assert "Training diverged" in " ".join(texts(at, "error"))
    assert "cannot write" in " ".join(texts(at, "info"))
