"""The lab notebook runs top to bottom in a fresh kernel, on smoke-sized settings.

Its parameters cell is followed by one that sets the memory view's smoke sizes, as papermill would;
everything else runs as a student would run it (the install cell skips itself: rnnviz is installed).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnnviz.api import FILM
from rnnviz.core.export import SCRIPT_FILE
from rnnviz.views import get

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "rnn_lab.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


def smoke_sized(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    smoke = get("memory").smoke
    (at,) = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    sizes = f"LENGTH, HIDDEN, STEPS = {smoke['length']}, {smoke['hidden']}, {smoke['steps']}"
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(sizes))
    return nb


@pytest.mark.program
def test_the_lab_notebook_runs_in_a_fresh_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    nb = smoke_sized(nbformat.read(NOTEBOOK, as_version=4))
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = [o.data[PLOTLY] for o in outputs if PLOTLY in o.get("data", {})]
    films = [f for f in figures if f.get("frames")]
    assert len(films) >= 2, "the memory result's film and the gradients film should both be shown"
    assert any({t.get("name") for t in f["data"]} >= {"rnn", "lstm"} for f in figures), (
        "no RNN/LSTM comparison"
    )
    text = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert FILM in text and SCRIPT_FILE in text
    assert (tmp_path / "rnn_lab_gradients" / SCRIPT_FILE).is_file()
