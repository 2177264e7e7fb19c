"""No typed number where a run computes one: prose formats the run's numbers in, it never types them.

The prose of the app (pages, each view's lessons and home-card finding, gallery notes) is scanned for
a digit next to a unit a run measures (seconds, %, steps, sentences...). A definition that is not a
measurement (chance is 1/10, "the first 100 tokens" of a fixed cap written from its constant) is
listed in ``DEFINITIONS`` with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rnnviz.views.gallery import gallery

ROOT = Path(__file__).resolve().parent.parent
PROSE = sorted(
    [
        *ROOT.glob("pages/*.py"),
        *ROOT.glob("rnnviz/views/*/lessons.py"),
        *ROOT.glob("rnnviz/views/*/__init__.py"),
    ]
)
UNITS = r"(?:s|ms|seconds?|minutes?|%|steps?|sentences?|epochs?|units?|characters?|chars?|x)"
TYPED = re.compile(rf"(?<![\w.{{])(?<!− )(?<!- )(?<!\+ )\d[\d,.]*\s?{UNITS}(?![\w}}])")
"""A number next to a unit; not one inside a formula (``T − 1 steps``)."""

EVERYWHERE = {"95%"}
"""Definitions any prose may type: the level of every interval (core.claims.LEVEL)."""
DEFINITIONS: dict[str, set[str]] = {}
"""File (relative to the root) -> typed numbers that are definitions, not measurements."""


def string_parts(path: Path) -> list[str]:
    """The literal text of every string in a module, f-strings' literal parts included, docstrings excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("path", PROSE, ids=lambda p: str(p.relative_to(ROOT)))
def test_prose_types_no_measured_number(path):
    name = str(path.relative_to(ROOT))
    typed = {m.group(0) for text in string_parts(path) for m in TYPED.finditer(text)} - EVERYWHERE
    assert typed <= DEFINITIONS.get(name, set()), (
        f"{name} types {sorted(typed - DEFINITIONS.get(name, set()))}"
    )


def test_gallery_links_type_no_measured_number():
    for link in gallery():
        typed = {m.group(0) for m in TYPED.finditer(f"{link.title} {link.note}")} - EVERYWHERE
        assert not typed, f"gallery link {link.title!r} types {sorted(typed)}"


def test_the_scan_finds_a_typed_number():
    assert TYPED.search("Training takes about 10 s.") and TYPED.search("scores 97% on copy")
    assert not TYPED.search("{seconds:.1f} s") and not TYPED.search("layer 2")
    assert not TYPED.search("then come T − 1 steps of noise")
