"""The command line of the character model: --json timeline contract, --text-file validation, --export."""

import json
import math

import pandas as pd
import pytest

from rnnviz.cli import main
from rnnviz.views.charlm import EXPERIMENT
from tests.export_support import run_reproduce

SMOKE = EXPERIMENT.smoke_config()
FLAGS = [
    "--hidden",
    str(SMOKE.hidden),
    "--train-steps",
    str(SMOKE.train_steps),
    "--seq-len",
    str(SMOKE.seq_len),
]
"""The smoke settings as flags, without the corpus: they share the result the other tests trained."""
CORPUS = ["--corpus", SMOKE.corpus]


def _json(capsys, *args: str) -> dict:
    assert main(["charlm", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_metrics_and_a_timeline_from_step_0_to_the_last(capsys):
    data = _json(capsys, *CORPUS, *FLAGS)
    m = data["metrics"]
    assert {
        "test_nats_per_char",
        "ngram_test_nats_per_char",
        "ngram_order",
        "corpus_chars",
        "train_seconds",
    } <= set(m)
    assert m["corpus_chars"] > 400 and 1 <= m["ngram_order"] <= 8
    timeline = data["timeline"]
    steps = [e["step"] for e in timeline]
    assert steps[0] == 0 and steps[-1] == SMOKE.train_steps and len(steps) >= 10
    assert all(a < b for a, b in zip(steps, steps[1:], strict=False))
    assert timeline[0]["sample"] != timeline[-1]["sample"]
    assert (
        len({len(e["unit_values"]) for e in timeline}) == 1
        and timeline[0]["unit_values"] != timeline[-1]["unit_values"]
    )
    assert data["verdict"] == next(c["text"] for c in data["claims"] if c["id"] == "beats_ngram")
    assert "95% interval" in data["verdict"]


def test_untrained_json_has_one_frame(capsys):
    data = _json(capsys, *CORPUS, *FLAGS, "--train-steps", "0")
    assert [e["step"] for e in data["timeline"]] == [0]


def test_a_text_file_is_trained_on(tmp_path, capsys):
    path = tmp_path / "fox.txt"
    text = "The quick brown fox jumps over the lazy dog.\n" * 60
    path.write_text(text, encoding="utf-8")
    data = _json(capsys, *FLAGS, "--text-file", str(path))
    assert data["metrics"]["corpus_chars"] == len(text)
    assert set(data["metrics"]["sample"]) <= set(text)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary" * 400, "binary"),
        ("Ça, c'est très français. ".encode("cp1252") * 100, "not UTF-8"),
        (b"Too short.", "at least"),
    ],
)
def test_hostile_text_files_exit_2_with_the_reason(tmp_path, capsys, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as stop:
        main(["charlm", *FLAGS, "--text-file", str(path)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "bad.txt" in err and reason in err and "Traceback" not in err


def test_a_stacked_gru_export_reproduces_the_held_out_nats_with_plain_torch(tmp_path, capsys):
    """The contract test checks the smoke LSTM's export; this one the script's other cell and stacked layers."""
    data = _json(capsys, *CORPUS, *FLAGS, "--cell", "gru", "--layers", "2", "--export", str(tmp_path))
    script = (tmp_path / "reproduce.py").read_text()
    assert "rnnviz" not in script and "load_file" in script
    last = run_reproduce(tmp_path)
    assert last["metric"] == "test_nats_per_char"
    assert math.isclose(last["value"], data["metrics"]["test_nats_per_char"], rel_tol=1e-5)
    samples = pd.read_csv(tmp_path / "data" / "samples_through_training.csv")
    assert list(samples.columns) == [
        "step (t)",
        "training loss (nats/char)",
        "sample (text, from a new line)",
    ]
    assert samples["step (t)"].tolist() == [e["step"] for e in data["timeline"]]
    ngram = pd.read_csv(tmp_path / "data" / "ngram_by_order.csv")
    assert ngram["test text (nats/char)"][data["metrics"]["ngram_order"] - 1] == pytest.approx(
        data["metrics"]["ngram_test_nats_per_char"], rel=1e-6
    )
    page = (tmp_path / "index.html").read_text()
    assert page.count("Plotly.newPlot") >= 3 and "https://cdn" not in page.split("<body>")[1][:2000]
