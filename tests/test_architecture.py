"""The shape of the package, kept by tests: a small core, one folder per view, no view reaching into another."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rnnviz.views import views

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rnnviz"
MAX_TOP_LEVEL = 12


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, absolute names, including imports inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


VIEW_PACKAGES = {p.name for p in (PACKAGE / "views").iterdir() if (p / "__init__.py").exists()}


def view_of(module: str) -> str | None:
    """The view package a module belongs to; None for core and for the registry itself."""
    parts = module.split(".")
    return (
        parts[2]
        if len(parts) > 2 and parts[:2] == ["rnnviz", "views"] and parts[2] in VIEW_PACKAGES
        else None
    )


@pytest.mark.parametrize("path", python_files(PACKAGE), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_in_the_package_imports_streamlit(path):
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "streamlit"}


@pytest.mark.parametrize("path", python_files(PACKAGE / "core"), ids=lambda p: p.name)
def test_core_imports_no_view(path):
    assert not {m for m in imported_modules(path) if m.startswith("rnnviz.views")}


@pytest.mark.parametrize("view", [v.slug for v in views()])
def test_a_view_imports_only_core_and_itself(view):
    for path in python_files(PACKAGE / "views" / view):
        others = {view_of(m) for m in imported_modules(path)} - {None, view}
        assert not others, f"{path.relative_to(ROOT)} imports the view(s) {others}"
        outside = {
            m
            for m in imported_modules(path)
            if m.startswith("rnnviz.")
            and not m.startswith(("rnnviz.core", f"rnnviz.views.{view}"))
            and m != "rnnviz.views.View"
        }
        assert outside <= {"rnnviz.views"}, f"{path.relative_to(ROOT)} imports {outside}"


@pytest.mark.parametrize("view", [v.slug for v in views()])
def test_a_page_imports_only_its_view_core_and_ui(view):
    page = ROOT / "pages" / f"{view}.py"
    for module in imported_modules(page):
        if module.startswith("rnnviz."):
            assert module.startswith(("rnnviz.core", f"rnnviz.views.{view}")), (
                f"pages/{view}.py imports {module}"
            )
        elif module.startswith("pages"):
            assert module in {"pages", "pages.ui"}, f"pages/{view}.py imports {module}"


def test_every_view_has_a_page_and_every_page_a_view():
    pages = {p.stem for p in (ROOT / "pages").glob("*.py")} - {"__init__", "ui", "home"}
    assert pages == {v.slug for v in views()}


def test_the_package_top_level_stays_small():
    entries = [p for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_TOP_LEVEL, sorted(p.name for p in entries)


def test_views_are_in_reading_order_with_unique_slugs():
    found = views()
    assert len({v.slug for v in found}) == len(found)
    assert [v.order for v in found] == sorted(v.order for v in found)
    assert len({v.order for v in found}) == len(found)
