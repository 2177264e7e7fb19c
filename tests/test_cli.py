import json
import subprocess
import sys

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.views import experiments

CMD = [sys.executable, "-m", "rnnviz"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=300)


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
def test_unroll_json_is_valid_bounded_and_byte_identical():
    """Two separate programs: the same settings give the same bytes, whatever process trains them."""
    args = ("unroll", "--cell", "lstm", "--hidden", "8", "--text", "the bank of the river", "--json")
    first, second = run_cli(*args), run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
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
