"""The server's first visitor: it opens every page a class will open, over its own websocket, before it says ready.

Pre-warming caches results, but a page builds far more from a result than the result itself: figures,
films, replies of the trained network, tables (the memoised calls of rnnviz.core.memo and the page's
st.cache_*), and the first run of a page script imports its view's modules. All of that is per
process, and without this the first thirty visitors of each page on each replica would wait on it
together. Visiting the pages themselves warms exactly what a visitor hits, with no code per page.

The client is the ``websockets`` package, which Streamlit itself serves with, so the server needs
nothing more. The visits send a header that app.py reads to run their scripts at low priority.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import urllib.request
from collections.abc import Iterable, Sequence

import websockets
from streamlit import config
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from rnnviz.views import views
from rnnviz.views.gallery import gallery

log = logging.getLogger(__name__)

WARM_PAGES = os.environ.get("RNNVIZ_WARM_PAGES", "1") != "0"
"""Whether the server visits its pages before it says ready (off: only results are pre-warmed, as before;
bench/load_test.py compares the two)."""

WARM_HEADER = "X-Rnnviz-Warm-Up"
"""Sent by the warm-up visits: app.py lowers the priority of a script run that carries it."""

VISIT_TIMEOUT_S = 120.0
"""A page that still trains (its pre-warming failed) is left to its first visitor after this."""

SERVING_TIMEOUT_S = 300.0
"""How long the warm-up waits for the server to answer its health check."""


def rerun_message(page: str, query: str, pressed: str | None = None) -> bytes:
    """The BackMsg a browser tab sends to run ``page`` (its URL path, '' for home) with ``query``."""
    back = BackMsg()
    back.rerun_script.query_string = query
    back.rerun_script.page_name = page
    if pressed is not None:
        back.rerun_script.widget_states.widgets.add(id=pressed, trigger_value=True)
    return back.SerializeToString()


def exceptions(msg: ForwardMsg) -> list[str]:
    """The exceptions a page shows in this message, as 'Type: message'."""
    element = msg.delta.new_element if msg.WhichOneof("type") == "delta" else None
    if element is None or element.WhichOneof("type") != "exception":
        return []
    return [f"{element.exception.type}: {element.exception.message}"[:300]]


def pages_to_warm() -> list[tuple[str, str]]:
    """(page, query) of what a class opens: home, every view's default link, every gallery link."""
    return [("", ""), *((v.slug, "") for v in views()), *((link.view, link.query) for link in gallery())]


def server_address() -> tuple[str, int, str]:
    """Where this process's Streamlit server listens: host to connect to, port, base URL path."""
    host = config.get_option("server.address") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:
        host = "127.0.0.1"
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return host, int(config.get_option("server.port")), f"/{base}" if base else ""


def wait_serving(host: str, port: int, base: str, timeout_s: float = SERVING_TIMEOUT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


async def visit_once(
    host: str, port: int, base: str, page: str, query: str, timeout_s: float = VISIT_TIMEOUT_S
) -> list[str]:
    """Open one page as a browser tab would and wait for its script to finish; the problems seen."""
    headers = {"Origin": f"http://{host}:{port}", WARM_HEADER: "1"}
    problems: list[str] = []
    try:
        async with asyncio.timeout(timeout_s):
            async with websockets.connect(
                f"ws://{host}:{port}{base}/_stcore/stream",
                subprotocols=["streamlit"],
                additional_headers=headers,
                max_size=None,
            ) as ws:
                await ws.send(rerun_message(page, query))
                async for raw in ws:
                    if isinstance(raw, str):
                        continue
                    msg = ForwardMsg.FromString(raw)
                    problems += exceptions(msg)
                    if msg.WhichOneof("type") == "script_finished":
                        if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                            problems.append(f"script ended with status {msg.script_finished}")
                        return problems
                problems.append("connection closed before the script finished")
    except TimeoutError:
        problems.append(f"did not finish within {timeout_s:g} s")
    except (OSError, websockets.WebSocketException) as err:
        problems.append(f"connection failed: {err}"[:300])
    return problems


def warm_pages(pages: Iterable[tuple[str, str]] | None = None) -> str:
    """Visit each page once, one after another, on this process's own server; say what that took.

    Called by pre-warming once results are cached and before the ready file is written (which carries
    the sentence returned). A page that fails to warm is logged, not fatal: its first visitor builds
    what it needs.
    """
    if not WARM_PAGES:
        return "pages: not visited (RNNVIZ_WARM_PAGES=0)"
    host, port, base = server_address()
    if not wait_serving(host, port, base):
        log.warning("warm-up visits skipped: the server on port %d did not answer", port)
        return "pages: not visited (the server did not answer)"
    plan: Sequence[tuple[str, str]] = list(pages if pages is not None else pages_to_warm())
    tic = time.monotonic()
    failed = 0
    for page, query in plan:
        problems = asyncio.run(visit_once(host, port, base, page, query))
        if problems:
            failed += 1
            log.warning("warm-up visit of %r (%s): %s", page or "home", query, "; ".join(problems))
    return f"pages: {len(plan) - failed} of {len(plan)} visited without a problem in {time.monotonic() - tic:.1f} s"
