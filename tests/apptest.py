"""Running one page of the app headless with AppTest, as a visitor following a link would."""

from __future__ import annotations

import functools
from pathlib import Path

from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

# Every AppTest run scans the metadata of every installed package for components (0.3 s a run, about
# 400 runs in the suite); nothing is installed while the tests run, so one scan serves them all.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def open_page(slug: str, query: dict[str, str | list[str]] | None = None, timeout: float = 120) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if query:
        at.query_params = dict(query)
    if slug != "home":
        at.switch_page(f"pages/{slug}.py")
    return at.run()


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def query(at: AppTest) -> dict[str, str]:
    """The page's URL query as key -> last value (AppTest keeps strings or lists)."""
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
