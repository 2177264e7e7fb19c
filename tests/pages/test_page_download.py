"""Drawing SVGs starts Chromium: the Download menu must do it only when clicked, never on a page's run."""

from rnnviz.core import export
from tests.apptest import open_page


def test_a_page_run_draws_no_svg_the_download_builds_them_on_click(monkeypatch):
    drawn = []
    monkeypatch.setattr(
        export, "figure_svgs", lambda figures: drawn.append(list(figures)) or export.Svgs({}, {})
    )
    at = open_page("unroll", {"train_steps": "20"})
    assert not at.exception, at.exception
    assert any("Download this view" in b.label for b in at.get("download_button"))
    assert drawn == [], "the page's run drew the export's SVGs"
