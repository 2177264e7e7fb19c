"""A small class at once, as part of the suite: sessions over the websocket, loopback only, bounded."""

import asyncio

from tests.browser_support import streamlit_server
from tests.streamlit_client import crowd

SESSIONS = 6


def test_a_small_class_opens_home_and_a_training_page_without_errors():
    with streamlit_server(env={"RNNVIZ_PREWARM": "0"}) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        plan = [("", "")] * SESSIONS + [("unroll", f"seed={200 + i}&train_steps=20") for i in range(SESSIONS)]
        done = asyncio.run(crowd("127.0.0.1", port, plan, timeout_s=300))
    assert [v.errors for v in done] == [[]] * len(plan)
    assert all(v.finished for v in done)
