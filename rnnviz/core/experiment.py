"""The view contract: what every experiment offers, so pages, the CLI, tests and comparisons treat all alike.

Each view package assembles one ``EXPERIMENT``; ``rnnviz.views`` discovers them. Every hook is required
except ``upstream``, ``add_arguments`` and ``params``: a view that lacks one fails when it is defined, not when a
page or a test first reaches for it. An experiment that builds on another one's trained model (the gates
view reads the sentiment classifier) names it in ``upstream`` instead of importing it, so views stay
independent and share one cached result.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

import plotly.graph_objects as go

from rnnviz.core import config as cfgmod
from rnnviz.core import export as exportmod
from rnnviz.core.claims import Claim
from rnnviz.core.export import Export
from rnnviz.core.fit import History, Progress
from rnnviz.core.memo import by_result

ProgressFn = Callable[[Progress], None]
LiveFigure = Callable[[History], go.Figure]
"""History (with the timeline so far) -> the view's main figure, drawn from the latest snapshot."""


class Trained(Protocol):
    """What the core reads from every result: the training record and the notes for the reader."""

    @property
    def history(self) -> History: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


C = TypeVar("C")
R = TypeVar("R", bound=Trained)


@dataclass(frozen=True)
class Upstream:
    """Another experiment's result that a run reads: its name and the settings to run it with."""

    experiment: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class Metric(Generic[C, R]):
    """The view's headline number: what a comparison ranks variants by and reproduce.py recomputes."""

    name: str
    """Its key in the report's ``metrics``."""
    label: str
    unit: str
    better: Literal["higher", "lower"]
    read: Callable[[C, R], float]
    """(cfg, result) -> the value: display settings may choose what is read (a forecast's horizon)."""
    help: str
    """How to read it: what a good value is and what it is measured on."""

    def json(self, cfg: C, res: R) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "better": self.better,
            "value": self.read(cfg, res),
        }


@by_result
def _claims_of(res: Any, claims: Callable[[Any, Any], Sequence[Claim]], cfg: Any) -> tuple[Claim, ...]:
    return tuple(claims(cfg, res))


@dataclass(frozen=True)
class Experiment(Generic[C, R]):
    name: str
    title: str
    description: str
    config: type[C]
    run: Callable[..., R]
    """run(cfg, on_progress=None, **extra) -> result. Deterministic for a given cfg."""
    report: Callable[[C, R], dict[str, Any]]
    """report(cfg, result) -> {"metrics": {...}, ...}: the view's own JSON keys (see :meth:`full_report`)."""
    export: Callable[[C, R], Export]
    """export(cfg, result) -> the figures, data, weights and reproduce.py offered for download."""
    film: Callable[[C, R], go.Figure]
    """film(cfg, result) -> the view's main figure as a training film (core.figures.animate)."""
    live: Callable[[C], LiveFigure | None]
    """live(cfg) -> how to draw the main figure from the snapshots so far, or None when it has none."""
    smoke: Mapping[str, Any]
    """Settings that train in about a second: what the contract test runs every view with."""
    metric: Metric[C, R]
    claims: Callable[[C, R], Sequence[Claim]]
    """claims(cfg, result) -> every finding the page states, computed from this run (lessons.py)."""
    upstream: Callable[[C], Upstream | None] | None = None
    """cfg -> the experiment whose result run() receives as ``upstream=``, or None when it needs none."""
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None
    """Extra command-line options beyond the Config (e.g. a data file); passed to run as keywords."""
    budget_share: float = 1.0
    """The share of the training budget (core.fit.training_budget_s) a run may take: the memory view's three
    cells trained side by side share 1.5 budgets."""
    params: Callable[[C], int | None] | None = None
    """cfg -> the trainable-parameter count of what run() trains (built on the meta device, never trained),
    or None where these settings train nothing here: lets a comparison match variants' sizes
    (core.compare). Left out where the view has no hidden size."""

    def prepare(self, cfg: C) -> C:
        """Settings that do not apply reset to their defaults: they never key the cache."""
        return cfgmod.without_inapplicable(cfg)

    def smoke_config(self) -> C:
        return self.config(**self.smoke)

    def findings(self, cfg: C, res: R) -> tuple[Claim, ...]:
        """The run's claims, computed once per cached result for every reader (intervals cost resampling);
        the first is the view's headline finding."""
        return _claims_of(res, self.claims, cfg)

    def findings_by_id(self, cfg: C, res: R) -> dict[str, Claim]:
        """:meth:`findings` by claim id, for a page that places each finding beside its figure."""
        return {c.id: c for c in self.findings(cfg, res)}

    def full_report(self, cfg: C, res: R) -> dict[str, Any]:
        """The view's report plus the keys every report has: the headline metric, claims, timeline, notes,
        and ``stop``, why training ended (``done``, ``budget``, ``diverged``).

        A view may give a leaner ``timeline`` of its own (one unit's values instead of every state).
        """
        out = self.report(cfg, res)
        out["metric"] = self.metric.json(cfg, res)
        out["claims"] = [c.json() for c in self.findings(cfg, res)]
        out.setdefault("timeline", res.history.timeline.json())
        out["notes"] = list(res.notes)
        out["stop"] = res.history.stop
        return out

    def bundle(self, cfg: C, res: R, link: str) -> dict[str, bytes]:
        """What Download and ``--export`` write: the page, data, weights, reproduce.py and settings."""
        return exportmod.bundle(
            self.title, cfgmod.as_dict(cfg), self.full_report(cfg, res), self.export(cfg, res), link
        )
