import json
import os
import subprocess
import sys

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.core.store import STORE_ENV
from rnnviz.views import experiments

CMD = [sys.executable, "-m", "rnnviz"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """A separate program that trains for itself: it reads no result store."""
    env = {k: v for k, v in os.environ.items() if k != STORE_ENV}
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=300, env=env)


def trained_twice(capsys, *args: str) -> tuple[subprocess.CompletedProcess, str]:
    """The same command as a separate program and in this process, each training its own model (the
    ``fresh_cache`` fixture keeps this process from reading a stored result): what each prints."""
    program = run_cli(*args)
    assert main(list(args)) == 0
    return program, capsys.readouterr().out


def help_text(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_help_lists_every_experiment(capsys):
    text = help_text(capsys)
    for name in experiments():
        assert name in text


def test_experiment_help_lists_ranges_and_defaults(capsys):
    text = help_text(capsys, "unroll")
    assert "--hidden" in text and "1 to 64 units" in text and "default '8'" in text


@pytest.mark.program
def test_unroll_json_is_valid_bounded_and_byte_identical(capsys, fresh_cache):
    """Two processes, each training: the same settings give the same bytes, whatever process trains them."""
    args = ("unroll", "--cell", "lstm", "--hidden", "8", "--text", "the bank of the river", "--json")
    first, second = trained_twice(capsys, *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second
    data = json.loads(first.stdout)
    assert data["experiment"] == "unroll" and data["config"]["cell"] == "lstm"
    assert data["tokens"] == list("the bank of the river")
    hidden = np.array(data["hidden"])
    assert hidden.shape == (21, 8) and np.abs(hidden).max() <= 1
    assert set(data["gates"]) == {"i", "f", "g", "o"}
    for name, values in data["gates"].items():
        arr = np.array(values)
        assert arr.shape == (21, 8)
        assert arr.min() >= (-1 if name == "g" else 0) and arr.max() <= 1
    assert np.array(data["cell"]).shape == (21, 8)
    assert data["metrics"]["fused_gap"] < 1e-5
    assert data["metrics"]["final_loss"] < 0.5


@pytest.mark.parametrize(
    "flag", [["--hidden", "abc"], ["--cell", "banana"], ["--hidden", "nan"], ["--nope", "1"]]
)
def test_bad_flags_exit_2_with_a_message(flag, capsys):
    with pytest.raises(SystemExit) as err:
        main(["unroll", *flag])
    assert err.value.code == 2
    assert "error" in capsys.readouterr().err


def test_out_of_range_is_clamped_and_reported(capsys):
    assert main(["unroll", "--hidden", "500", "--train-steps", "0", "--json"]) == 0
    captured = capsys.readouterr()
    assert "above the maximum" in captured.err
    assert json.loads(captured.out)["config"]["hidden"] == 64


@pytest.mark.program
def test_compare_matches_parameters_and_is_byte_identical_run_to_run(capsys, fresh_cache):
    args = ("sine", "--hidden", "32", "--epochs", "5", "--compare", "cell=rnn,gru", "--match-params")
    first, second = trained_twice(capsys, *args, "--seeds", "2", "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second
    data = json.loads(first.stdout)
    variants = data["variants"]
    assert [v["settings"]["cell"] for v in variants] == ["rnn", "gru"]
    params = [v["params"] for v in variants]
    assert max(params) - min(params) <= 0.05 * params[0]
    for v in variants:
        m = v["metric"]
        assert m["name"] == "forecast_mse" and len(m["values"]) == 2
        assert m["low"] <= m["mean"] <= m["high"]
    assert data["verdict"]["id"] == "compare_best" and data["verdict"]["text"]


@pytest.mark.slow
def test_compare_a_number_over_seeds(capsys):
    args = [
        "attention",
        "--length",
        "12",
        "--steps",
        "30",
        "--compare",
        "hidden=16,48",
        "--seeds",
        "2",
        "--json",
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["settings"] for v in data["variants"]] == [{"hidden": 16}, {"hidden": 48}]
    assert all(len(v["metric"]["values"]) == 2 for v in data["variants"])


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--compare", "nope=1,2"], "is not a setting to compare here"),
        (["--compare", "cell=rnn"], "at least 2 different values"),
    ],
)
def test_unusable_comparisons_exit_2_with_a_message(flags, message, capsys):
    with pytest.raises(SystemExit) as err:
        main(["unroll", *flags])
    assert err.value.code == 2
    assert message in capsys.readouterr().err


def test_too_many_seeds_are_clamped_with_a_note(capsys):
    assert main(["unroll", "--train-steps", "20", "--seeds", "9"]) == 0
    out = capsys.readouterr()
    assert "outside 1 to 5; using 5" in out.err
    assert "5 seed(s)" in out.out
