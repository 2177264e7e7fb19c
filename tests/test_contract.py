"""One contract for every view, checked with each view's own smoke settings.

Every view trains, reports its headline metric and a timeline, exports a reproduce.py that recomputes
that metric from the weights alone, draws its film and live figure, and answers on the command line
(in this process, so the smoke result is trained once; tests/test_cli.py runs the command as a program).
A new view is covered the moment it is registered.
"""

from __future__ import annotations

import json
import math
import random
import re

import plotly.graph_objects as go
import pytest

from rnnviz.cli import main
from rnnviz.core import config as cfgmod
from rnnviz.core import export
from rnnviz.views import experiments
from tests.export_support import run_reproduce
from tests.trained import trained

NAMES = sorted(experiments())


@pytest.fixture(params=NAMES)
def exp(request):
    return experiments()[request.param]


def smoke_flags(exp) -> list[str]:
    flags = []
    for name, value in exp.smoke.items():
        spec = cfgmod.spec_of(exp.config, name)
        flag = "--" + name.replace("_", "-")
        if spec.kind is bool:
            flags.append(flag if value else "--no-" + name.replace("_", "-"))
        else:
            flags += [flag, cfgmod.format_value(spec, value)]
    return flags


def test_smoke_settings_are_valid_and_not_the_defaults(exp):
    cfg = exp.smoke_config()
    assert cfgmod.validate(cfg) == (cfg, [])
    assert exp.prepare(cfg) == cfg, "smoke settings should not set what does not apply"
    assert cfgmod.training_part(cfg) != cfgmod.training_part(exp.config()), "smoke must train less"


def test_report_has_the_metric_the_timeline_and_notes(exp):
    cfg = exp.smoke_config()
    res = trained(exp)
    report = exp.full_report(cfg, res)
    metric = report["metric"]
    assert metric["name"] == exp.metric.name and metric["better"] in ("higher", "lower")
    assert metric["label"] and exp.metric.help
    assert math.isfinite(metric["value"])
    assert report["metrics"][exp.metric.name] == pytest.approx(metric["value"])
    steps = [entry["step"] for entry in report["timeline"]]
    assert steps[0] == 0 and steps[-1] > 0
    assert all(a < b for a, b in zip(steps, steps[1:], strict=False))
    assert report["notes"] == list(res.notes)


def test_export_reproduces_the_metric_from_the_weights(exp, tmp_path):
    cfg = exp.smoke_config()
    res = trained(exp)
    export.write(exp.bundle(cfg, res, "http://localhost/x"), tmp_path)
    printed = run_reproduce(tmp_path)
    assert printed["metric"] == exp.metric.name
    assert printed["value"] == pytest.approx(exp.metric.read(cfg, res), rel=1e-4, abs=1e-6)


def test_film_and_live_figure(exp):
    cfg = exp.smoke_config()
    res = trained(exp)
    film = exp.film(cfg, res)
    assert isinstance(film, go.Figure) and len(film.frames) >= 2
    live = exp.live(cfg)
    if live is not None:
        assert isinstance(live(res.history), go.Figure)


def test_cli_json_reports_the_same_metric(exp, capsys):
    assert main([exp.name, *smoke_flags(exp), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["experiment"] == exp.name and data["config"] == cfgmod.as_dict(exp.smoke_config())
    assert data["metric"]["value"] == pytest.approx(exp.metric.read(exp.smoke_config(), trained(exp)))


def test_cli_help_lists_every_setting(exp, capsys):
    with pytest.raises(SystemExit) as done:
        main([exp.name, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for spec in cfgmod.specs(exp.config):
        assert "--" + spec.name.replace("_", "-") in text


def test_settings_that_do_not_apply_are_reset(exp):
    """A setting that does not apply never keys the cache: two Configs that differ only there share a result."""
    for spec in cfgmod.specs(exp.config):
        if spec.applies is None:
            continue
        cfg = exp.config()
        if spec.applies_to(cfg):
            continue
        other = spec.choices[-1] if spec.choices else spec.max if spec.kind in (int, float) else "x"
        changed = exp.config(**{spec.name: other})
        assert exp.prepare(changed) == exp.prepare(cfg), spec.name


def test_every_claim_is_decided_by_its_own_evidence(exp):
    cfg = exp.smoke_config()
    res = trained(exp)
    claims = exp.claims(cfg, res)
    assert claims, "every view states at least its headline finding as a claim"
    assert len({c.id for c in claims}) == len(claims)
    for c in claims:
        assert c.text and isinstance(c.holds, bool)
        assert all(isinstance(v, float) for v in c.evidence.values()), c.id
        assert c.agrees_with_evidence(), c.id
        if "low" in c.evidence:
            assert c.evidence["low"] <= c.evidence["difference"] <= c.evidence["high"], c.id
            says_tie = re.search(r"\btie\b", c.text) is not None
            assert says_tie == (c.evidence["low"] <= 0 <= c.evidence["high"]), c.id
    assert [c.json() for c in claims] == exp.full_report(cfg, res)["claims"]


SWEEP = 2
"""Random variants of each view's smoke settings checked by the sweep (fixed draws: the same every run)."""


def sweep_configs(exp, draws: int = SWEEP) -> list:
    """The smoke settings with a random seed and a random choice for every training setting that offers
    choices: claims must agree with their evidence whichever way a run goes, not only on the smoke run."""
    rng = random.Random(f"claims sweep {exp.name}")
    out = []
    for _ in range(draws):
        values = dict(exp.smoke)
        for spec in cfgmod.specs(exp.config):
            if spec.role == "train" and spec.choices is not None and spec.kind is str:
                values[spec.name] = rng.choice(spec.choices)
        if any(s.name == "seed" for s in cfgmod.specs(exp.config)):
            values["seed"] = rng.randrange(cfgmod.MAX_SEED + 1)
        out.append(exp.prepare(exp.config(**values)))
    return out


@pytest.mark.slow
def test_claims_agree_with_their_evidence_on_random_settings(exp):
    for cfg in sweep_configs(exp):
        res = trained(exp, cfg)
        for c in exp.claims(cfg, res):
            assert c.agrees_with_evidence(), (cfg, c.id)
            assert all(isinstance(v, float) for v in c.evidence.values()), (cfg, c.id)
