"""The Python API (``rnnviz.run`` and its Result) says and computes what the command line does.

Runs use the patterns view's smoke settings (under a second of training).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import warnings
from importlib import metadata
from pathlib import Path

import plotly.io as pio
import pytest
from packaging.requirements import Requirement

import rnnviz
from rnnviz.api import FILM, SettingWarning, progress_bar
from rnnviz.cli import APP_URL, main, share_url
from rnnviz.core import config as cfgmod
from rnnviz.core.export import PAGE_FILE, SCRIPT_FILE
from rnnviz.core.fit import History, Progress
from rnnviz.core.runtime import RESULTS
from rnnviz.views import experiments, get
from tests.test_contract import smoke_flags

ROOT = Path(__file__).resolve().parents[1]
NAME = "patterns"
SMOKE = dict(get(NAME).smoke)
TIMINGS = re.compile(r"seconds|milliseconds")
"""Report keys that measure the machine, not the model: two trainings of one Config differ only there."""


def without_timings(obj):
    if isinstance(obj, dict):
        return {k: without_timings(v) for k, v in obj.items() if not TIMINGS.search(k)}
    if isinstance(obj, list):
        return [without_timings(v) for v in obj]
    return obj


def test_experiments_are_the_registry_with_titles():
    assert rnnviz.experiments() == {name: exp.title for name, exp in experiments().items()}


def test_settings_list_every_field_with_its_range_and_help():
    table = rnnviz.settings("unroll")
    assert table.config is get("unroll").config
    assert [r["name"] for r in table.rows()] == [s.name for s in cfgmod.specs(table.config)]
    hidden = next(r for r in table.rows() if r["name"] == "hidden")
    assert hidden["allowed"] == "1 to 64 units" and hidden["default"] == "8"
    assert "1 to 64 units" in repr(table) and "<table>" in table._repr_html_()


def test_report_equals_the_cli_json_of_a_separate_training(fresh_cache, capsys):
    assert main([NAME, *smoke_flags(get(NAME)), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    RESULTS.clear()
    steps = []
    res = rnnviz.run(NAME, on_progress=lambda p: steps.append(p.step), **SMOKE)
    assert steps, "the Python run trained again rather than reading the CLI's result"
    assert without_timings(res.report()) == without_timings(cli)
    assert res.metrics == res.report()["metrics"] and res.metric["value"] == cli["metric"]["value"]
    bar = capsys.readouterr().err
    assert f"{steps[-1]}/{steps[-1]}" in bar, "the progress bar did not reach the last step"


@pytest.mark.parametrize(
    ("name", "flags", "values"),
    [
        ("unroll", ["--cell", "bogus"], {"cell": "bogus"}),
        ("unroll", ["--hidden", "abc"], {"hidden": "abc"}),
        ("unroll", ["--hidden", "nan"], {"hidden": "nan"}),
        ("unroll", ["--nope", "1"], {"nope": 1}),
        ("charlm", ["--text-file", "/no/such/file.txt"], {"text_file": "/no/such/file.txt"}),
    ],
)
def test_bad_values_raise_what_the_cli_prints(name, flags, values, capsys):
    with pytest.raises(SystemExit):
        main([name, *flags])
    printed = capsys.readouterr().err.strip().splitlines()[-1].split(" error: ", 1)[1]
    with pytest.raises(ValueError) as err:
        rnnviz.run(name, **values)
    assert str(err.value).startswith(printed)


def test_a_bad_cell_names_the_allowed_cells():
    with pytest.raises(ValueError, match="'rnn', 'rnn_relu', 'lstm', 'gru'"):
        rnnviz.run("unroll", cell="bogus")


def test_an_unknown_experiment_lists_the_experiments():
    with pytest.raises(ValueError, match="'unroll', 'gradients'"):
        rnnviz.run("bogus")


def test_out_of_range_is_clamped_with_a_warning_at_the_callers_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = rnnviz.run(NAME, progress=False, **{**SMOKE, "seed": 10**6})
    assert res.config.seed == cfgmod.MAX_SEED
    (warning,) = [w for w in caught if issubclass(w.category, SettingWarning)]
    assert "above the maximum" in str(warning.message) and warning.filename == __file__


def test_figures_include_the_film_and_export_writes_the_download(tmp_path):
    res = rnnviz.run(NAME, progress=False, **SMOKE)
    figures = res.figures()
    assert set(get(NAME).export(res.config, res.raw).figures) | {FILM} == set(figures)
    assert len(figures[FILM].frames) > 1
    written = res.export(tmp_path / "out")
    assert (written / PAGE_FILE).is_file() and (written / SCRIPT_FILE).is_file()
    assert res.link(APP_URL) == share_url(get(NAME), res.config)
    assert res.link("https://example.org/rnnviz/").startswith("https://example.org/rnnviz/patterns?")


def test_a_result_shows_its_numbers_and_its_film_in_a_notebook(monkeypatch):
    res = rnnviz.run(NAME, progress=False, **SMOKE)
    monkeypatch.setattr(pio.renderers, "default", "plotly_mimetype")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    res._ipython_display_()
    summary, film = shown
    assert res.metric["label"] in summary["text/html"] and NAME in summary["text/plain"]
    assert film["application/vnd.plotly.v1+json"]["frames"]


def test_the_progress_bar_follows_steps_and_closes(capsys):
    with progress_bar("Test") as show:
        for step in (0, 5, 10):
            show(Progress(step=step, total=10, train_loss=1.0 / (step + 1), val_loss=None, history=History()))
    err = capsys.readouterr().err
    assert "Test" in err and "10/10" in err and "loss=0.09091" in err


def install_closure() -> set[str]:
    """The distributions `pip install .` brings: requirements-core.txt and everything they require."""
    lines = (ROOT / "requirements-core.txt").read_text().splitlines()
    wanted = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    found: set[str] = set()
    while wanted:
        req = wanted.pop()
        name = metadata.distribution(req.name).metadata["Name"].lower().replace("_", "-")
        if name in found:
            continue
        found.add(name)
        for line in metadata.requires(req.name) or []:
            dep = Requirement(line)
            if dep.marker is None or dep.marker.evaluate({"extra": ""}):
                wanted.append(dep)
    return found


@pytest.mark.program
def test_the_api_runs_with_only_what_pip_install_dot_installs():
    """Every installed module outside that closure (streamlit and what only it needs) is made unimportable."""
    keep = install_closure() | {"rnnviz", "pip", "setuptools"}
    blocked = sorted(
        module
        for module, dists in metadata.packages_distributions().items()
        if not {d.lower().replace("_", "-") for d in dists} & keep
    )
    assert "streamlit" in blocked
    script = textwrap.dedent(
        f"""
        import importlib.abc, sys
        BLOCKED = set({blocked!r})
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"{{name}} is not installed by pip install .")
        sys.meta_path.insert(0, Block())
        import rnnviz
        r = rnnviz.run({NAME!r}, progress=False, **{SMOKE!r})
        print(sorted(r.figures()), r.metrics)
        try:
            rnnviz.run("unroll", cell="bogus")
        except ValueError as err:
            print(err)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert FILM in out.stdout and "'accuracy'" in out.stdout and "choose from 'rnn'" in out.stdout
