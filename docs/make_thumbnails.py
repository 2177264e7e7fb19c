"""Screenshot every view's first figure for the home page cards, and the unroll view for the README.

Run from the repository root after changing a view's look: .venv/bin/python -m docs.make_thumbnails
Pages that wait for a Train button are trained first, so their cards show real results.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from rnnviz.views import views
from tests.browser_support import chromium, open_and_wait, streamlit_server, wait_until_finished

ROOT = Path(__file__).resolve().parent.parent

THUMB_SIZE = (480, 240)
CHART = '[data-testid="stPlotlyChart"] >> visible=true'
FIGURE = {
    "charlm": ('[data-testid="stHtml"] >> visible=true', None),
    "sentiment": (CHART, "final states"),
}
"""Which element pictures a view best, when it is not the first chart: (selector, text it contains)."""


def main() -> None:
    out = ROOT / "static" / "thumbnails"
    out.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as (base, _), chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        for view in views():
            open_and_wait(page, f"{base}/{view.slug}", timeout_s=180)
            train = page.get_by_test_id("stBaseButton-primary")
            if train.count():
                train.first.click()
                page.wait_for_timeout(1000)
                wait_until_finished(page, timeout_s=180)
            page.wait_for_timeout(1500)
            path = out / f"{view.slug}.png"
            selector, text = FIGURE.get(view.slug, (CHART, None))
            figure = page.locator(selector)
            if text is not None:
                figure = figure.filter(has_text=text)
            figure.first.screenshot(path=path)
            with Image.open(path) as im:
                ImageOps.pad(im.convert("RGB"), THUMB_SIZE, color="white").save(path, optimize=True)
            print("wrote", path.relative_to(ROOT))
        open_and_wait(page, f"{base}/unroll?cell=lstm&hidden=6&step=5", timeout_s=180)
        page.wait_for_timeout(1500)
        page.screenshot(path=ROOT / "docs" / "screenshot.png")
        print("wrote docs/screenshot.png")


if __name__ == "__main__":
    main()
