"""Comparisons: requests read from outside text, parameter matching, intervals and verdicts, and every view
compared on its smoke settings (two variants, two seeds) through the ordinary runtime."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from rnnviz.core import compare
from rnnviz.core import config as cfgmod
from rnnviz.core.claims import Claim
from rnnviz.core.compare_figures import loss_bands, metric_points
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
