"""What ``rnnviz.run`` returns and how it reads its settings: the command line's rules, from Python.

A setting given by keyword is checked as its command-line flag is (``config.from_given``), so a script
or notebook gets the same ``ValueError`` the CLI prints and the same clamping notes, here as warnings.
A :class:`Result` holds the Config and the view's own result and offers what the app and the CLI
offer: metrics, claims, figures (the training film among them), the ``--json`` report, the export and
the page's link; in a notebook it shows its film and numbers when it is the last expression of a cell.
"""

from __future__ import annotations

import argparse
import copy
import html
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from rnnviz.core import config as cfgmod
from rnnviz.core import export as exportmod
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import Progress
from rnnviz.core.fmt import jsonable

FILM = "Training film"
"""The key of the view's film in :meth:`Result.figures`, beside the titles of the exported figures."""


class SettingWarning(UserWarning):
    """A setting was changed to one the experiment accepts: clamped into range, cleaned, or unused."""


def experiment(name: str) -> Experiment:
    """The registered experiment called ``name``; any other name is a ``ValueError`` listing them."""
    from rnnviz.views import experiments

    known = experiments()
    if name not in known:
        allowed = ", ".join(repr(n) for n in known)
        raise ValueError(f"argument EXPERIMENT: invalid choice: {name!r} (choose from {allowed})")
    return known[name]


class _Refusing(argparse.ArgumentParser):
    """A parser for an experiment's extra options that raises where the command line would exit."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def split_settings(exp: Experiment, values: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The Config for ``values`` (clamped and cleaned with a :class:`SettingWarning` for each change) and
    the extra inputs for ``run`` (a data file's path, read and checked as its command-line option).

    Unknown names raise ``ValueError`` as the command line does, followed by the names there are.
    """
    fields = {s.name for s in cfgmod.specs(exp.config)}
    cfg, notes = cfgmod.from_given(exp.config, {k: v for k, v in values.items() if k in fields})
    parser = _Refusing(prog=f"rnnviz.run({exp.name!r})", add_help=False)
    if exp.add_arguments is not None:
        exp.add_arguments(parser)
    argv = [
        part
        for k, v in values.items()
        if k not in fields and v is not None
        for part in (cfgmod.flag(k), str(v))
    ]
    extra, unknown = parser.parse_known_args(argv)
    if unknown:
        raise ValueError(
            f"unrecognized arguments: {' '.join(unknown)}; the settings of {exp.name} are "
            f"{', '.join(sorted(fields))} (rnnviz.settings({exp.name!r}) says what each does)"
        )
    for note in notes:
        warnings.warn(note, SettingWarning, stacklevel=3)
    return exp.prepare(cfg), vars(extra)


@contextmanager
def progress_bar(title: str) -> Iterator[ProgressFn]:
    """An ``on_progress`` that draws tqdm's bar: a widget in Jupyter and Colab, text elsewhere.

    The bar appears with the first step, so a result that comes from the cache shows none.
    """
    from tqdm.auto import tqdm

    bar = None

    def show(p: Progress) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=p.run_steps, desc=title, unit="step")
        bar.total = p.run_steps
        bar.set_postfix(loss=f"{p.train_loss:.4g}", refresh=False)
        bar.update(p.run_step - bar.n)

    try:
        yield show
    finally:
        if bar is not None:
            bar.close()


class Settings:
    """An experiment's settings: each one's default, its range or choices, and what it changes.

    ``config`` is the Config class (a frozen dataclass): ``rnnviz.run`` takes the same names as keywords.
    """

    def __init__(self, experiment: Experiment) -> None:
        self.experiment = experiment
        self.config = experiment.config

    def rows(self) -> list[dict[str, str]]:
        """One row per setting, as its command-line ``--help`` describes it."""
        return [
            {
                "name": s.name,
                "default": cfgmod.format_value(s, s.default),
                "allowed": s.describe(),
                "help": s.help,
            }
            for s in cfgmod.specs(self.config)
        ]

    def __repr__(self) -> str:
        rows = self.rows()
        width = max(len(r["name"]) for r in rows)
        lines = [f"{self.experiment.name}: {self.experiment.title}"]
        lines += [f"  {r['name']:<{width}}  {r['default']} ({r['allowed']}): {r['help']}" for r in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th style='text-align:left'>{k}</th>" for k in ("name", "default", "allowed", "help")
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>" for v in r.values())
            + "</tr>"
            for r in self.rows()
        )
        return f"<b>{html.escape(self.experiment.title)}</b><table><tr>{head}</tr>{body}</table>"


class Result:
    """One run of an experiment: its settings, its numbers and its pictures.

    ``config`` is the Config it ran with (after clamping); ``raw`` is the view's own result (the trained
    model, its states and training history). Figures are built once per Result and shared between
    calls, as the app shares them between visitors: change a copy (``go.Figure(fig)``) to keep them.
    """

    def __init__(self, experiment: Experiment, config: Any, raw: Any) -> None:
        self.experiment = experiment
        self.config = config
        self.raw = raw

    @cached_property
    def _report(self) -> dict[str, Any]:
        exp, cfg = self.experiment, self.config
        return jsonable(
            {"experiment": exp.name, "config": cfgmod.as_dict(cfg), **exp.full_report(cfg, self.raw)}
        )

    @cached_property
    def _export(self) -> exportmod.Export:
        return self.experiment.export(self.config, self.raw)

    @cached_property
    def _film(self) -> go.Figure:
        return self.experiment.film(self.config, self.raw)

    def report(self) -> dict[str, Any]:
        """What ``rnnviz NAME --json`` prints for these settings, as a dict: experiment, config, metrics,
        metric (the headline), claims, timeline (snapshots while training), notes and the view's own keys."""
        return copy.deepcopy(self._report)

    @property
    def metrics(self) -> dict[str, Any]:
        """The report's numbers by name (NaN and infinity as None, as in the JSON)."""
        return copy.deepcopy(self._report["metrics"])

    @property
    def metric(self) -> dict[str, Any]:
        """The headline number: name, label, unit, which way is better, and its value."""
        return dict(self._report["metric"])

    @property
    def claims(self) -> list[dict[str, Any]]:
        """Each finding the page states, computed from this run: id, text, holds, evidence."""
        return copy.deepcopy(self._report["claims"])

    @property
    def notes(self) -> list[str]:
        """What a reader should know about this run (e.g. a training stopped by its time budget)."""
        return list(self._report["notes"])

    def figures(self) -> dict[str, go.Figure]:
        """The view's Plotly figures by title, as its page and its export draw them, and its training film
        under ``"Training film"`` (slider and Play button, frames recorded while it learned)."""
        return {**self._export.figures, FILM: self._film}

    def export(self, path: str | Path) -> Path:
        """Write what the page's Download offers (and ``--export DIR`` writes) into the folder ``path``:
        index.html (opens offline), data/*.csv, model.safetensors, settings.json and reproduce.py."""
        from rnnviz.cli import share_url

        exp = self.experiment
        return exportmod.write(exp.bundle(self.config, self.raw, share_url(exp, self.config)), path)

    def link(self, base_url: str) -> str:
        """The page's shareable link for these settings, e.g. ``link("https://my-rnnviz.example")``."""
        return cfgmod.page_url(base_url, self.experiment.name, self.config)

    def __repr__(self) -> str:
        m = self._report["metric"]
        return f"<rnnviz {self.experiment.name}: {m['name']} = {m['value']} ({m['unit']}, {m['better']} is better)>"

    def _repr_html_(self) -> str:
        """The run in a few lines: title, headline number, the other scalar metrics, claims and notes."""
        exp, m = self.experiment, self._report["metric"]
        numbers = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in exportmod.key_numbers(self._report["metrics"]).items()
        )
        lines = [c["text"] for c in self._report["claims"]] + self._report["notes"]
        prose = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return (
            f"<div><b>{html.escape(exp.title)}</b>: {html.escape(m['label'])} "
            f"<b>{html.escape(str(m['value']))}</b> ({html.escape(m['unit'])}, {m['better']} is better)"
            f"<table>{numbers}</table>" + (f"<ul>{prose}</ul>" if prose else "") + "</div>"
        )

    def _ipython_display_(self) -> None:
        """In Jupyter and Colab: the numbers, then the film, paused until its Play button is pressed."""
        from IPython.display import display

        display({"text/html": self._repr_html_(), "text/plain": repr(self)}, raw=True)
        film = self._film._repr_mimebundle_()  # Plotly's notebook renderers only: never a browser window
        if film:
            display(film, raw=True)
