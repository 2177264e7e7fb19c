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
    pages = {p.stem for p in (ROOT / "pages").glob("*.py")} - {"__init__", "ui", "assistive", "home"}
    assert pages == {v.slug for v in views()}


def test_the_package_top_level_stays_small():
    entries = [p for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= MAX_TOP_LEVEL, sorted(p.name for p in entries)


def test_views_are_in_reading_order_with_unique_slugs():
    found = views()
    assert len({v.slug for v in found}) == len(found)
    assert [v.order for v in found] == sorted(v.order for v in found)
    assert len({v.order for v in found}) == len(found)


VIEW_FILES = (
    "__init__.py",
    "settings.py",
    "result.py",
    "train.py",
    "figures.py",
    "export.py",
    "reproduce.py",
    "lessons.py",
)
"""The same files in every view package, so a newcomer finds anything by its name."""

LOWER = {"settings": set(), "result": {"settings"}}
"""What the view's foundations may import of the view's own role-named modules."""
ROLES = {"settings", "result", "train", "figures", "lessons", "export"}


def view_imports(view: str) -> dict[str, set[str]]:
    """Module stem -> the stems of the same view's modules it imports."""
    prefix = f"rnnviz.views.{view}"
    out = {}
    for path in python_files(PACKAGE / "views" / view):
        stem = path.stem
        found = set()
        for module in imported_modules(path):
            if module == prefix:
                found.add("__init__")
            elif module.startswith(prefix + "."):
                found.add(module.split(".")[3])
        out[stem] = found - {stem}
    return out


@pytest.mark.parametrize("view", sorted(VIEW_PACKAGES))
def test_every_view_has_the_same_files(view):
    missing = [f for f in VIEW_FILES if not (PACKAGE / "views" / view / f).exists()]
    assert not missing, f"rnnviz/views/{view} lacks {missing}"


@pytest.mark.parametrize("view", sorted(VIEW_PACKAGES))
def test_imports_inside_a_view_point_one_way(view):
    graph = view_imports(view)
    for stem, allowed in LOWER.items():
        wrong = (graph.get(stem, set()) & (ROLES | {"__init__"})) - allowed
        assert not wrong, f"{view}/{stem}.py imports {wrong}: settings and result come first"
    for stem in ROLES:
        assert "__init__" not in graph.get(stem, set()), f"{view}/{stem}.py imports the view's __init__"
    script = PACKAGE / "views" / view / "reproduce.py"
    assert not {m for m in imported_modules(script) if m.split(".")[0] == "rnnviz"}, (
        f"{view}/reproduce.py is a standalone script: it imports nothing of rnnviz"
    )

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = [stem for stem in graph if reaches(stem, stem, {stem})]
    assert not circles, f"import circles in {view}: {circles}"


@pytest.mark.parametrize("path", python_files(PACKAGE / "views"), ids=lambda p: str(p.relative_to(ROOT)))
def test_views_need_no_type_checking_imports_nor_the_server_runtime(path):
    text = path.read_text(encoding="utf-8")
    assert "TYPE_CHECKING" not in text
    assert "rnnviz.core.runtime" not in imported_modules(path)


@pytest.mark.parametrize("view", [v.slug for v in views()])
def test_pages_go_through_the_one_page_helper(view):
    text = (ROOT / "pages" / f"{view}.py").read_text(encoding="utf-8")
    assert text.count("ui.page(") == 1
    assert "PREFIX" not in text and "st.title(" not in text
