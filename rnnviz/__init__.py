"""rnnviz: train small recurrent networks and look inside them, from Python, Jupyter and Colab too.

The same experiments, settings, numbers and figures as the app and the command line::

    import rnnviz
    rnnviz.experiments()                          # {"unroll": "Unrolled hidden states", ...}
    rnnviz.settings("unroll")                     # each setting: default, range or choices, help
    r = rnnviz.run("unroll", cell="lstm", hidden=8)
    r.metrics                                     # the numbers, as --json has them
    r.figures()["Training film"]                  # every Plotly figure by title, the film among them
    r.report(); r.export("out/unroll"); r.link("http://localhost:8501")

In a notebook, ``r`` alone as the last line of a cell shows its numbers and its training film.
This package never imports streamlit: ``pip install .`` is enough for all of the above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rnnviz.api imports torch and plotly: every ``import rnnviz.x`` runs this file
    from rnnviz.api import Result, Settings
    from rnnviz.core.experiment import ProgressFn


def experiments() -> dict[str, str]:
    """Every experiment's name (what :func:`run` takes) and title (its page in the app)."""
    from rnnviz.views import experiments as registry

    return {name: exp.title for name, exp in registry().items()}


def settings(name: str) -> Settings:
    """The settings of experiment ``name``: each one's default, range or choices, unit and help.

    Shown as a table in a notebook; ``.config`` is the Config class, ``.rows()`` the table as data.
    """
    from rnnviz.api import Settings, experiment

    return Settings(experiment(name))


def run(name: str, *, on_progress: ProgressFn | None = None, progress: bool = True, **values: Any) -> Result:
    """Train experiment ``name`` with these settings, or fetch the result from this process's cache.

    ``values`` are the settings by name, as ``rnnviz.settings(name)`` lists them (the command line's
    flags with ``_`` for ``-``, e.g. ``train_steps=300``), plus a view's file options by the same rule
    (``text_file="my.txt"`` for charlm, ``data="reviews.csv"`` for sentiment). Unset settings keep
    their defaults; the seed is a setting, so the same settings train the same model.

    Errors and fixes are the command line's: an unknown name, a value that is not a number or not one
    of the choices raises ``ValueError`` with the message ``rnnviz NAME ...`` prints; a number out of
    range is clamped and text is cleaned, each with a ``rnnviz.api.SettingWarning``.

    While it trains, a progress bar shows the step and the loss (tqdm: a widget in Jupyter and Colab
    when ipywidgets is installed, text elsewhere); ``progress=False`` hides it. ``on_progress`` is also
    called with each ``rnnviz.core.fit.Progress`` (step, total, train_loss, history).

    The returned ``Result`` has ``.config`` (the Config it ran with), ``.metrics``, ``.metric`` (the
    headline number), ``.claims`` (the findings the page states, computed from this run), ``.notes``,
    ``.figures()`` (Plotly figures by title, with the ``"Training film"``), ``.report()`` (the dict
    ``--json`` prints), ``.export(path)`` (the page's Download as files), ``.link(base_url)`` (the
    page's shareable link) and ``.raw`` (the view's own result: model, states, history). As the last
    expression of a notebook cell it shows its numbers and its film.
    """
    from rnnviz.api import Result, experiment, progress_bar, split_settings
    from rnnviz.core.runtime import result
    from rnnviz.views import get

    exp = experiment(name)
    cfg, extra = split_settings(exp, values)
    with progress_bar(exp.title) as bar:

        def report(p: Any) -> None:
            if progress:
                bar(p)
            if on_progress is not None:
                on_progress(p)

        raw = result(exp, cfg, get, on_progress=report, **extra)
    return Result(exp, cfg, raw)
