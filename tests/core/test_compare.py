"""Comparisons: requests read from outside text, parameter matching, intervals and verdicts, and every view
compared on its smoke settings (two variants, two seeds) through the ordinary runtime."""

from __future__ import annotations

import dataclasses
import html
import itertools
import json
import math
import re

import plotly.graph_objects as go
import pytest
import torch

from rnnviz.cli import main
from rnnviz.core import compare
from rnnviz.core import config as cfgmod
from rnnviz.core.claims import Claim
from rnnviz.core.compare_figures import (
    COMPARISON_FILE,
    bundle,
    films,
    loss_bands,
    metric_points,
    small_multiples,
)
from rnnviz.core.export import PAGE_FILE
from rnnviz.core.figures import animate
from rnnviz.core.runtime import RESULTS, result_key
from rnnviz.views import experiments, get
from tests.trained import trained

EXPERIMENTS = experiments()


def _two_values(exp, cfg) -> str:
    """A cheap second variant of the smoke settings: one more hidden unit, else the next cell, else the
    next choice of the first setting with choices."""
    specs = {s.name: s for s in compare.comparable(exp, cfg)}
    if "hidden" in specs:
        return f"hidden:{cfg.hidden},{cfg.hidden + 1}"
    spec = next((s for n, s in specs.items() if "cell" in n), None) or next(
        s for s in specs.values() if s.choices is not None
    )
    now = getattr(cfg, spec.name)
    other = next(c for c in spec.choices if c != now)
    return f"{spec.name}:{now},{other}"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_view_compares_two_variants_over_two_seeds(name):
    exp = get(name)
    cfg = exp.prepare(exp.smoke_config())
    request, notes = compare.parse_request(exp, cfg, _two_values(exp, cfg), "2")
    assert not notes and len(request.values) == 2 and request.seeds == 2
    plan = compare.plan(exp, cfg, request)
    assert len(plan.runs) == 4
    assert len({result_key(exp, c) for _, _, c in plan.runs}) == 4  # four different trainings
    assert plan.variants[0].configs[0] == cfg  # the page's own run is the first variant's first seed
    trained(exp, cfg)
    before = len(RESULTS)
    states: list[tuple[int, int, str]] = []
    done = compare.run_plan(plan, get, on_status=lambda v, s, state, value: states.append((v, s, state)))
    assert len(RESULTS) <= before + 3  # the page's run came from the cache
    assert [st for *_, st in states].count("done") == 4 and states[:4] == [
        (v, s, "queued") for v, s, _ in plan.runs
    ]
    out = done.json()
    assert len(out["variants"]) == 2 and out["better"] == exp.metric.better
    for variant, expected in zip(out["variants"], plan.variants, strict=True):
        m = variant["metric"]
        assert m["name"] == exp.metric.name and len(m["values"]) == 2
        assert variant["params"] == expected.params
        assert (variant["params"] is None) == (exp.params is None) or name == "gates"
        finite = [v for v in m["values"] if v is not None]
        if len(finite) == 2:
            assert min(finite) - 1e-6 <= m["mean"] <= max(finite) + 1e-6
            assert m["low"] <= m["mean"] <= m["high"]
    assert done.verdict.agrees_with_evidence()
    again = compare.summarise(
        plan, {(v, s): r for (v, s, _), r in zip(plan.runs, _results(done), strict=True)}
    )
    assert again.json() == out  # read back from the same results: the same numbers, the same verdict
    assert metric_points(done).data and loss_bands(done).data
    film = films(done)
    assert len(film.frames) > 1 and len(film.layout.sliders) == 1
    assert all(len(f.layout.annotations) == 2 for f in film.frames)  # both panels' captions, every frame


def _results(done: compare.Comparison) -> list:
    return [r for o in done.outcomes for r in o.results]


@pytest.mark.parametrize("name", ["unroll", "charlm", "sentiment"])
def test_the_params_hook_counts_what_run_trains(name):
    exp = get(name)
    cfg = exp.prepare(exp.smoke_config())
    assert exp.params(cfg) == trained(exp, cfg).params


def test_counting_parameters_draws_no_weights():
    state = torch.get_rng_state()
    n = compare.parameter_count(lambda: torch.nn.LSTM(3, 5))
    assert n == 4 * (5 * 3 + 5 * 5 + 2 * 5)
    assert torch.equal(state, torch.get_rng_state())


CELL_VIEWS = sorted(
    n
    for n, e in EXPERIMENTS.items()
    if e.params is not None and "cell" in {s.name for s in compare.comparable(e, e.config())}
)


@pytest.mark.parametrize("name", CELL_VIEWS)
def test_matched_cells_are_within_five_percent_of_the_first(name):
    exp = get(name)
    cfg = exp.prepare(exp.config(hidden=32) if name != "charlm" else exp.smoke_config())
    spec = next(s for s in compare.comparable(exp, cfg) if s.name == "cell")
    cells = [c for c in ("rnn", "lstm", "gru") if c in spec.choices]
    request, notes = compare.parse_request(exp, cfg, "cell:" + ",".join(cells), None, "params")
    assert request.match_params and not notes
    plan = compare.plan(exp, cfg, request)
    first = plan.variants[0].params
    far = [v for v in plan.variants if abs(v.params - first) > compare.PARAMS_TOLERANCE * first]
    assert len(plan.notes) == len(far)  # the range of hidden sizes could not reach: said, once per variant
    for v in plan.variants:
        assert set(v.settings) == {"cell", "hidden"}
    if name == "sine":  # the command line's example: an RNN of 32 units against gated cells of its size
        assert not far


def test_matching_picks_the_nearest_count_in_the_range():
    exp = get("unroll")
    cfg = exp.config(hidden=20)
    request, _ = compare.parse_request(exp, cfg, "cell:rnn,lstm", None, "params")
    lstm = compare.plan(exp, cfg, request).variants[1]
    target = exp.params(cfg)
    errors = {h: abs(exp.params(exp.config(cell="lstm", hidden=h)) - target) for h in range(1, 65)}
    assert errors[lstm.settings["hidden"]] == min(errors.values())


def test_matching_says_when_the_hidden_range_cannot_reach():
    exp = get("sine")
    cfg = exp.config(hidden=64)  # an RNN at the top of the range: an LSTM cannot be as small with any size
    request, _ = compare.parse_request(exp, cfg, "cell:lstm,rnn", None, "params")
    plan = compare.plan(exp, cfg, request)
    assert plan.variants[1].settings["hidden"] == 64
    assert "more than 5% apart" in plan.notes[0]


@pytest.mark.parametrize(
    "text,seeds,match,note",
    [
        ("banana", None, None, "is not SETTING:V1,V2"),
        ("=rnn,lstm", None, None, "is not SETTING:V1,V2"),
        ("seed:1,2", None, None, "is not a setting to compare here"),
        ("text:a,b", None, None, "is not a setting to compare here"),
        ("cell:rnn", None, None, "at least 2 different values"),
        ("cell:rnn,RNN", None, None, "at least 2 different values"),
        ("cell:rnn,banana,lstm", None, None, "is not one of"),
        ("hidden:inf,nan", None, None, "above the maximum"),
        ("hidden:1,2,3,4,5", None, None, "at most 4 values"),
        ("hidden:1,2,3", "5", None, "trains at most 12"),
        (None, "0", None, "outside 1 to 5"),
        (None, "1e9", None, "outside 1 to 5"),
        (None, "nan", None, "not a whole number"),
        (None, None, "maybe", "is not understood"),
        ("hidden:4,8", None, "params", "the hidden size is what is compared"),
    ],
)
def test_unusable_requests_are_said_and_made_safe(text, seeds, match, note):
    exp = get("unroll")
    request, notes = compare.parse_request(exp, exp.config(), text, seeds, match)
    assert any(note in n for n in notes), notes
    assert 1 <= request.seeds <= compare.MAX_SEEDS
    assert max(1, len(request.values)) * request.seeds <= compare.MAX_RUNS
    assert request.setting is None or compare.MIN_VARIANTS <= len(request.values) <= compare.MAX_VARIANTS


def test_a_request_reads_back_from_its_own_link():
    exp = get("sine")
    cfg = exp.config()
    request, notes = compare.parse_request(exp, cfg, "cell=rnn,lstm,gru", "3", "params")
    assert not notes
    link = request.link(exp)
    assert link == {"compare": "cell:rnn,lstm,gru", "match": "params", "seeds": "3"}
    assert compare.parse_request(exp, cfg, link["compare"], link["seeds"], link["match"]) == (request, [])
    lr, _ = compare.parse_request(exp, cfg, "lr:0.01,0.003")
    assert compare.parse_request(exp, cfg, lr.link(exp)["compare"])[0] == lr


def test_no_setting_may_take_a_comparison_key():
    for key in (compare.LINK_COMPARE, compare.LINK_MATCH, compare.LINK_SEEDS):
        assert key in cfgmod.RESERVED_KEYS
        assert all(key not in {s.name for s in cfgmod.specs(e.config)} for e in experiments().values())


def test_seeds_follow_the_page_seed_and_wrap():
    cfg = get("sine").config(seed=9998)
    assert compare.seeds_of(cfg, 3) == (9998, 9999, 0)


def test_t_interval_over_seeds():
    s = compare.Spread.of([1.0, 2.0, 3.0])
    half = compare.T_975[1] * 1.0 / math.sqrt(3)
    assert s.mean == 2.0 and s.low == pytest.approx(2 - half) and s.high == pytest.approx(2 + half)
    one = compare.Spread.of([0.5])
    assert one.mean == 0.5 and not one.has_interval
    assert compare.Spread.of([float("nan"), 1.0, 3.0]).mean == 2.0  # a diverged seed is left out of the mean


def _fake(exp, spreads: dict[str, list[float]]) -> tuple[compare.Outcome, ...]:
    cfg = exp.config()
    return tuple(
        compare.Outcome(compare.Variant({"cell": c}, (cfg,) * len(v), None), (), compare.Spread.of(v))
        for c, v in spreads.items()
    )


@pytest.mark.parametrize("better", ["lower", "higher"])
def test_the_verdict_names_a_winner_only_beyond_seed_noise(better):
    exp = get("sine")
    exp = dataclasses.replace(exp, metric=dataclasses.replace(exp.metric, better=better))
    apart = _fake(exp, {"rnn": [1.0, 1.1, 1.05], "lstm": [5.0, 5.1, 5.05]})
    verdict = compare.verdict(exp, apart)
    winner = "Vanilla" if better == "lower" else "LSTM"
    assert isinstance(verdict, Claim) and verdict.holds and verdict.agrees_with_evidence()
    assert verdict.text.startswith(f"Cell {winner}") and "do not overlap" in verdict.text
    close = compare.verdict(exp, _fake(exp, {"rnn": [1.0, 3.0], "lstm": [1.5, 2.5]}))
    assert not close.holds and "tie within seed noise" in close.text and close.agrees_with_evidence()
    single = compare.verdict(exp, _fake(exp, {"rnn": [1.0], "lstm": [9.0]}))
    assert not single.holds and "no interval" in single.text


def test_a_seeds_only_comparison_reports_the_spread():
    exp = get("sine")
    verdict = compare.verdict(exp, _fake(exp, {"rnn": [1.0, 2.0]}))
    assert verdict.id == "compare_spread" and "95% interval" in verdict.text


def _unroll(cells: str, seeds: str | None = None) -> compare.Comparison:
    exp = get("unroll")
    cfg = exp.prepare(exp.smoke_config())
    request, notes = compare.parse_request(exp, cfg, cells, seeds)
    assert not notes
    return compare.compare(exp, cfg, request, get)


def _step(text: str) -> str:
    return re.findall(r"step (\d+)", text)[-1]


def test_the_films_play_every_variant_from_one_slider():
    done = _unroll("cell:rnn,lstm,gru")
    fig = films(done)
    one = get("unroll").film(done.plan.variants[0].configs[0], done.outcomes[0].results[0])
    assert len(fig.data) == 3 * len(one.data) and len(fig.frames) == len(one.frames)
    assert len(fig.layout.updatemenus) == 1 and len(fig.layout.sliders) == 1  # one Play, one slider
    assert [list(f.traces) for f in fig.frames] == [[0, 1, 2]] * len(fig.frames)
    names = [a.text.split("<br>")[0] for a in fig.layout.annotations[:3]]
    assert names == ["<b>Cell Vanilla RNN (tanh)</b>", "<b>Cell LSTM</b>", "<b>Cell GRU</b>"]
    assert fig.layout.title.text == fig.frames[-1].layout.title.text  # it opens on the trained models
    for frame, step in zip(fig.frames, fig.layout.sliders[0].steps, strict=True):
        assert _step(frame.layout.title.text) == step.label  # the title says the slider's step...
        assert [_step(a.text) for a in frame.layout.annotations] == [step.label] * 3  # ...and every panel
    domains = sorted(
        (fig.layout[f"xaxis{i or ''}"].domain, fig.layout[f"yaxis{i or ''}"].domain) for i in (0, 2, 3)
    )
    for (x, y), (x2, y2) in itertools.combinations(domains, 2):
        assert x[1] <= x2[0] or y[1] <= y2[0] or y2[1] <= y[0], "two panels overlap"
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3"] and [t.yaxis for t in fig.data] == [
        "y",
        "y2",
        "y3",
    ]
    assert not one.data[0].xaxis  # the film itself was left as drawn (it is shared, memoised)
    assert films(done) is fig


def test_a_film_of_subplots_keeps_its_axes_and_colour_axes_apart_per_panel():
    exp = get("gates")
    cfg = exp.prepare(exp.smoke_config())
    request, _ = compare.parse_request(exp, cfg, "cell:lstm,gru")
    done = compare.compare(exp, cfg, request, get)
    fig = films(done)
    axes = [(t.xaxis, t.yaxis) for t in fig.data]
    assert len(set(axes)) == len(axes)  # every heatmap on its own axes, none shared across panels
    colour_axes = {t.coloraxis for t in fig.data}
    assert len(colour_axes) == 4  # each panel's gate and value scales
    for t in fig.data:
        assert fig.layout[t.xaxis.replace("x", "xaxis")].anchor == t.yaxis


def test_films_of_different_lengths_play_as_shares_of_training():
    def film(n: int, dy: float) -> go.Figure:
        fig = go.Figure(go.Scatter(x=[0, 1], y=[0, n]))
        frames = [[go.Scatter(y=[0, i * dy])] for i in range(n)]
        return animate(
            fig, frames, [str(10 * i) for i in range(n)], titles=[f"at step {10 * i}" for i in range(n)]
        )

    fig = small_multiples([film(5, 1.0), film(3, 2.0)], ["five", "three"], "Two films")
    assert len(fig.frames) == 5
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0%", "25%", "50%", "75%", "100%"]
    assert fig.frames[-1].layout.title.text == "Two films (100% of training)"
    assert [f.data[1].y[1] for f in fig.frames] == [0, 2, 2, 4, 4]  # the short film's frames, rounded
    assert [f.data[0].y[1] for f in fig.frames] == [0, 1, 2, 3, 4]


def test_a_seeds_only_comparison_plays_a_panel_per_seed():
    done = _unroll("", "2")
    seeds = [c.seed for c in done.plan.variants[0].configs]
    fig = films(done)
    assert [a.text.split("<br>")[0] for a in fig.layout.annotations[:2]] == [
        f"<b>Seed {s}</b>" for s in seeds
    ]


def test_a_comparison_exports_one_page_and_every_runs_data():
    done = _unroll("cell:rnn,gru", "2")
    files = bundle(done, "http://app/unroll?compare=cell:rnn,gru&seeds=2", lambda c: f"http://app/{c.seed}")
    page = files[PAGE_FILE].decode()
    assert page.count("<script") >= 1 and "played in sync" in page and html.escape(done.verdict.text) in page
    assert json.loads(files[COMPARISON_FILE])["variants"] == json.loads(json.dumps(done.json()))["variants"]
    runs = {name.split("/")[1] + "/" + name.split("/")[2] for name in files if name.startswith("variants/")}
    a, b = (c.seed for c in done.plan.variants[0].configs)
    assert runs == {
        f"1-Cell-Vanilla-RNN-tanh/seed-{a}",
        f"1-Cell-Vanilla-RNN-tanh/seed-{b}",
        f"2-Cell-GRU/seed-{a}",
        f"2-Cell-GRU/seed-{b}",
    }
    for run in runs:
        settings = json.loads(files[f"variants/{run}/settings.json"])
        assert settings["link"] == f"http://app/{settings['settings']['seed']}"
        assert any(n.startswith(f"variants/{run}/data/") and n.endswith(".csv") for n in files)
        assert f"variants/{run}/{PAGE_FILE}" not in files


def test_the_command_line_exports_a_comparison(tmp_path, capsys):
    code = main(
        [
            "unroll",
            "--text",
            "abcabcabc",
            "--hidden",
            "4",
            "--layers",
            "2",
            "--train-steps",
            "40",
            "--lr",
            "0.03",
            "--compare",
            "cell=rnn,lstm",
            "--export",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert (tmp_path / PAGE_FILE).exists() and (tmp_path / COMPARISON_FILE).exists()
    link = json.loads((tmp_path / COMPARISON_FILE).read_text())["link"]
    assert link.endswith("compare=cell%3Arnn%2Clstm")
    assert len(list((tmp_path / "variants").glob("*/seed-*/settings.json"))) == 2
