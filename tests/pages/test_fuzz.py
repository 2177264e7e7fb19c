"""Hostile links on every page: junk, NaN, inf, huge, empty, repeated, unicode and 10 kB values.

Every Config field of every experiment is attacked at once, so a page cannot be missed by
forgetting to list it. Expected: no exception, and user text never rendered as raw HTML.
Values such as 1e308 clamp every field to its maximum, the biggest models: a small training budget
keeps this about the page's handling of the link, not about training them.
"""

import pytest

from rnnviz.core import config as cfgmod
from rnnviz.views import experiments, views
from tests.apptest import open_page

FIELDS = sorted({s.name for e in experiments().values() for s in cfgmod.specs(e.config)})

HOSTILE_VALUES = [
    "banana",
    "NaN",
    "inf",
    "-inf",
    "-1e308",
    "1e308",
    "",
    "0x1F",
    "١٢٣",  # Arabic-Indic digits
    "\u202eevil\u202c مرحبا",  # right-to-left override and Arabic
    "🙂🧠" * 20,
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "a\x00b\x07c\x1b[31m",
    "9" * 10_000,
    "x" * 10_240,
]


pytestmark = pytest.mark.usefixtures("small_budget")
"""Most hostile values fall back to the defaults: what the budget trained for one value serves the others."""


def _assert_safe(at, context):
    assert not at.exception, f"{context}: {at.exception}"
    for md in at.markdown:
        if md.proto.allow_html:
            assert "<script" not in md.value and "onerror" not in md.value, context


@pytest.mark.parametrize("slug", ["home"] + [v.slug for v in views()])
def test_every_field_with_every_hostile_value(slug):
    for value in HOSTILE_VALUES:
        query = {name: value for name in FIELDS}
        query["lock"] = ",".join(FIELDS[:3] + ["bogus"])
        _assert_safe(open_page(slug, query), f"{slug} with {value[:30]!r}")


@pytest.mark.parametrize("slug", [v.slug for v in views()])
def test_repeated_and_versioned_keys(slug):
    query = {name: ["1", "junk", "3"] for name in FIELDS}
    query[cfgmod.VERSION_KEY] = ["0", "999"]
    _assert_safe(open_page(slug, query), f"{slug} with repeated keys")
