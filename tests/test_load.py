"""A small class at once, as part of the suite: sessions over the websocket, loopback only, bounded."""

import asyncio
from urllib.parse import parse_qs

from rnnviz.core import config as cfgmod
from rnnviz.core.runtime import result_key
from rnnviz.core.store import KEY_ENV, STORE_ENV, DirectoryStore, Sealer
from rnnviz.views import get
from tests.browser_support import streamlit_server
from tests.streamlit_client import crowd
from tests.trained import trained

SESSIONS = 6
COLD_SESSIONS = 16
COLD_PATTERNS = "pattern=bidirectional&seed=29"
"""Patterns settings that train in seconds and draw every figure the page has: diagram, film, states,
accuracy by position, loss curve."""


def test_a_small_class_opens_home_and_a_training_page_without_errors():
    with streamlit_server(env={"RNNVIZ_PREWARM": "0"}) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        plan = [("", "")] * SESSIONS + [("unroll", f"seed={200 + i}&train_steps=20") for i in range(SESSIONS)]
        done = asyncio.run(crowd("127.0.0.1", port, plan, timeout_s=300))
    assert [v.errors for v in done] == [[]] * len(plan)
    assert all(v.finished for v in done)


def test_a_class_opening_one_cold_page_together_sees_no_error(tmp_path):
    """The first visitors of a replica whose result sits in the shared store: every session at once loads
    it and asks for figures nobody in this process has built yet (issue 29's error on the patterns page)."""
    exp = get("patterns")
    cfg = cfgmod.from_query(exp.config, parse_qs(COLD_PATTERNS))[0]
    key = "a signing key for this test only"
    DirectoryStore(tmp_path, Sealer(key.encode())).save(result_key(exp, cfg), trained(exp, cfg))
    env = {"RNNVIZ_PREWARM": "0", STORE_ENV: str(tmp_path), KEY_ENV: key}
    with streamlit_server(env=env) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        done = asyncio.run(
            crowd("127.0.0.1", port, [("patterns", COLD_PATTERNS)] * COLD_SESSIONS, timeout_s=300)
        )
    assert [v.errors for v in done] == [[]] * COLD_SESSIONS
    assert all(v.finished and not v.asked_to_train for v in done)
