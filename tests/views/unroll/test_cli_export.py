"""The unroll view's command line: the --json timeline contract and --export with reproduce.py."""

import json

import numpy as np
import pandas as pd
import pytest
from safetensors.torch import load_file

from rnnviz.cli import main
from tests.export_support import run_reproduce


def _json(capsys, *args: str) -> dict:
    assert main(["unroll", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_default_json_timeline_runs_from_step_0_to_the_final_result(capsys):
    data = _json(capsys)
    timeline = data["timeline"]
    steps = [e["step"] for e in timeline]
    assert steps[0] == 0 and steps[-1] == data["metrics"]["train_steps"] == 150
    assert len(steps) >= 10 and all(a < b for a, b in zip(steps, steps[1:], strict=False))
    tokens = len(data["tokens"])
    for entry in timeline:
        assert np.array(entry["hidden"]).shape == (tokens, 8)
        assert len(entry["predictions"]) == tokens
    assert timeline[-1]["hidden"] == data["hidden"]
    assert timeline[-1]["predictions"] == data["predictions"]
    assert timeline[0]["hidden"] != data["hidden"]


def test_json_timeline_of_a_stacked_model_keeps_the_top_layer_layout(capsys):
    data = _json(capsys, "--layers", "2", "--hidden", "3", "--cell", "gru", "--train-steps", "12")
    last = data["timeline"][-1]
    assert np.array(last["hidden"]).shape == np.array(data["hidden"]).shape == (len(data["tokens"]), 3)
    assert np.array(last["hidden_lower_layers"]).shape == (1, len(data["tokens"]), 3)
    assert last["hidden"] == data["hidden"]


def test_untrained_json_has_one_frame(capsys):
    data = _json(capsys, "--train-steps", "0")
    assert [e["step"] for e in data["timeline"]] == [0]
    assert data["timeline"][0]["hidden"] == data["hidden"]


@pytest.mark.parametrize(
    "flags",
    [
        ["--cell", "lstm", "--layers", "2", "--hidden", "5", "--train-steps", "30", "--h0", "learned"],
        ["--tokenizer", "number", "--text", "1 2 3 2 1 0 1", "--cell", "rnn_relu", "--train-steps", "20"],
    ],
)
def test_export_reproduces_the_loss_after_training(tmp_path, capsys, flags):
    assert main(["unroll", *flags, "--export", str(tmp_path), "--json"]) == 0
    metric = json.loads(capsys.readouterr().out)["metrics"]["loss_after_training"]
    printed = run_reproduce(tmp_path)
    assert printed["metric"] == "loss_after_training"
    assert printed["value"] == pytest.approx(metric, rel=1e-5)
    script = (tmp_path / "reproduce.py").read_text()
    assert "rnnviz" not in script.replace('rnnviz "Unrolled', "") and "pickle" not in script
    assert "head.weight" in load_file(tmp_path / "model.safetensors")


def test_export_tables_name_their_units(tmp_path, capsys):
    assert main(["unroll", "--hidden", "3", "--train-steps", "20", "--export", str(tmp_path)]) == 0
    capsys.readouterr()
    hidden = pd.read_csv(tmp_path / "data" / "hidden_states.csv")
    assert list(hidden.columns[:4]) == ["layer", "step (t)", "token", "h_0 (activation, -1..1)"]
    assert len(hidden) == len("the bank of the river")
    film = pd.read_csv(tmp_path / "data" / "hidden_states_through_training.csv")
    assert film["training step"].iloc[0] == 0 and film["training step"].iloc[-1] == 20
    guesses = pd.read_csv(tmp_path / "data" / "predictions.csv", keep_default_na=False)
    assert guesses["token read"].iloc[1] == "h" and guesses["actual next token"].iloc[0] == "h"
    html = (tmp_path / "index.html").read_text()
    assert "Hidden state of layer 1 through training" in html and '<script src="http' not in html
