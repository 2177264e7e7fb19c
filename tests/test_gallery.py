import pytest

from rnnviz.core import compare
from rnnviz.core.config import specs, to_query
from rnnviz.views import get, views
from rnnviz.views.gallery import comparison_jobs, comparisons, compute_comparisons, gallery, prewarm_jobs


def test_every_gallery_link_opens_a_view_with_settings_it_can_use():
    assert gallery()
    for link in gallery():
        cfg, notes = link.config()
        request, compare_notes = link.comparison()
        assert not notes and not compare_notes, (link.title, notes, compare_notes)
        assert to_query(cfg), f"{link.title} is just the defaults"
        keys = set(to_query(cfg)) - {"v"}
        assert keys <= {s.name for s in specs(get(link.view).config)}


def test_prewarm_covers_every_default_and_every_gallery_link_once():
    jobs = prewarm_jobs()
    assert len(jobs) == len(views()) + len(gallery())
    assert [exp.name for exp, _ in jobs[: len(views())]] == [v.slug for v in views()]
    assert len({(exp.name, cfg) for exp, cfg in jobs}) == len(jobs)


FAMOUS = {
    "gradients": ("cell", ("rnn", "lstm", "gru"), True),
    "attention": (None, (), False),
    "charlm": ("hidden", (32, 64, 128), False),
}
"""The issue's three famous comparisons: RNN, LSTM and GRU on the memory task with matched parameters,
attention against the plain bottleneck over seeds (the attention view trains both), hidden size on the
character model."""


CHEAP_RUNS = 6
"""Trainings a gallery comparison may ask for: pre-warming runs every one of them at server start."""


def test_the_gallery_holds_the_famous_comparisons_and_keeps_them_cheap():
    found = {link.view: p for link, p in comparisons()}
    assert set(FAMOUS) <= set(found)
    for view, (setting, values, matched) in FAMOUS.items():
        request = found[view].request
        assert (request.setting, request.values, request.match_params) == (setting, values, matched)
        assert request.seeds >= 2, "a comparison in the gallery gives an interval across seeds"
        assert len(found[view].runs) <= CHEAP_RUNS
    gradients = found["gradients"]
    counts = [v.params for v in gradients.variants]
    assert all(abs(c - counts[0]) <= compare.PARAMS_TOLERANCE * counts[0] for c in counts)


def test_comparison_jobs_are_every_run_of_the_comparisons_not_already_prewarmed():
    jobs = comparison_jobs()
    before = {(exp.name, exp.prepare(cfg)) for exp, cfg in prewarm_jobs()}
    runs = {(p.exp.name, cfg) for _, p in comparisons() for _, _, cfg in p.runs}
    assert {(exp.name, cfg) for exp, cfg in jobs} == runs - before
    assert len({(exp.name, cfg) for exp, cfg in jobs}) == len(jobs)


def test_compute_comparisons_runs_each_plan_as_a_visit_does(monkeypatch):
    """Each gallery comparison goes through compare.run_plan (so runtime.result: the cache, queue and
    budget a visit uses), with the queueing asked for (pre-warming's ``idle``)."""
    seen: list = []
    monkeypatch.setattr(compare, "run_plan", lambda p, lookup, **kw: seen.append((p, lookup, kw)) or p)
    plans = [p for _, p in comparisons()]
    assert compute_comparisons(idle=True) == plans
    assert [(lookup, kw) for _, lookup, kw in seen] == [(get, {"idle": True})] * len(plans)


@pytest.mark.parametrize(
    "link", [link for link in gallery() if not link.comparison()[0].empty], ids=lambda link: link.view
)
def test_a_comparison_link_restores_its_request_from_its_own_query(link):
    request, _ = link.comparison()
    exp = get(link.view)
    assert request.link(exp).items() <= dict(kv.split("=") for kv in link.query.split("&")).items()
