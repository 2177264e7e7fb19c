from rnnviz.core.config import specs, to_query
from rnnviz.views import get, views
from rnnviz.views.gallery import gallery, prewarm_jobs


def test_every_gallery_link_opens_a_view_with_settings_it_can_use():
    assert gallery()
    for link in gallery():
        cfg, notes = link.config()
        assert not notes, (link.title, notes)
        assert to_query(cfg), f"{link.title} is just the defaults"
        assert set(to_query(cfg)) - {"v"} <= {s.name for s in specs(get(link.view).config)}


def test_prewarm_covers_every_default_and_every_gallery_link_once():
    jobs = prewarm_jobs()
    assert len(jobs) == len(views()) + len(gallery())
    assert [exp.name for exp, _ in jobs[: len(views())]] == [v.slug for v in views()]
    assert len({(exp.name, cfg) for exp, cfg in jobs}) == len(jobs)
