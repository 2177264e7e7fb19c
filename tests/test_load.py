"""The class-of-eight load test from bench/, as part of the suite: bounded, loopback only."""

import os

import pytest

from bench.load_test import RSS_LIMIT, run_load_test

pytestmark = pytest.mark.browser

if not os.path.exists("/usr/bin/chromium"):
    pytest.skip("needs Debian's chromium (make browser)", allow_module_level=True)


def test_eight_concurrent_sessions_all_finish_within_budget_and_memory():
    res = run_load_test(8)
    assert res.errors == []
    assert len(res.seconds) == 8
    assert max(res.seconds) <= res.limit_s
    assert res.peak_rss < RSS_LIMIT
