"""A browserless Streamlit client: opens a page over the websocket, as a browser tab would, and times it.

It speaks Streamlit's own protocol (its protobuf BackMsg/ForwardMsg over ``/_stcore/stream``), so one
process can play a whole class of visitors without the cost of thirty browsers. Loopback only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy.warm import rerun_message

WAITING_TEXT = "Waiting for a free training slot"
"""What pages/ui.py shows a visitor queued behind other trainings (core.runtime.wait_message)."""


@dataclass
class Visit:
    """One session's visit: how long until the script finished, and what went wrong."""

    page: str
    query: str
    seconds: float = float("nan")
    queued_s: float = 0.0
    """Time between the first 'waiting for a slot' message and the next message that was not one."""
    errors: list[str] = field(default_factory=list)
    finished: bool = False
    asked_to_train: bool = False
    """The page stopped at its Train button: its result was not cached where this visit landed."""


TRAIN_LABEL = "Train"
"""The label of the button pages/ui.py shows when a result must be trained first."""


def _texts(msg: ForwardMsg) -> list[str]:
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    if kind == "alert":
        return [element.alert.body]
    if kind == "markdown":
        return [element.markdown.body]
    return []


async def visit(
    host: str,
    port: int,
    page: str,
    query: str = "",
    *,
    timeout_s: float = 120.0,
    cookie: str = "",
    press_train: bool = False,
) -> Visit:
    """Open ``page`` (its URL path, '' for home) with ``query`` and wait until its script has finished.

    With ``press_train``, a page that stops at its Train button gets the button pressed, as a
    visitor would, and the visit lasts until the trained page has finished.
    """
    result = Visit(page, query)
    url = f"ws://{host}:{port}/_stcore/stream"
    headers = {"Origin": f"http://{host}:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    start = time.monotonic()
    queued_since: float | None = None
    try:
        async with asyncio.timeout(timeout_s):
            async with websockets.connect(
                url, subprotocols=["streamlit"], additional_headers=headers, max_size=None
            ) as ws:
                await ws.send(rerun_message(page, query))
                train_button = None
                async for raw in ws:
                    if isinstance(raw, str):
                        continue
                    msg = ForwardMsg.FromString(raw)
                    kind = msg.WhichOneof("type")
                    texts = _texts(msg) if kind == "delta" else []
                    waiting = any(WAITING_TEXT in t for t in texts)
                    if waiting and queued_since is None:
                        queued_since = time.monotonic()
                    elif queued_since is not None and not waiting and kind == "delta":
                        result.queued_s += time.monotonic() - queued_since
                        queued_since = None
                    element = msg.delta.new_element
                    if (
                        kind == "delta"
                        and element.WhichOneof("type") == "button"
                        and element.button.label == TRAIN_LABEL
                    ):
                        train_button = element.button.id
                        result.asked_to_train = True
                    if kind == "delta" and element.WhichOneof("type") == "exception":
                        exc = msg.delta.new_element.exception
                        result.errors.append(f"{exc.type}: {exc.message}"[:300])
                    if kind == "page_not_found":
                        result.errors.append(f"page not found: {page!r}")
                    if kind == "script_finished":
                        status = msg.script_finished
                        if status == ForwardMsg.FINISHED_SUCCESSFULLY and press_train and train_button:
                            await ws.send(rerun_message(page, query, pressed=train_button))
                            train_button = None
                            continue
                        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                            result.finished = True
                            break
                        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            result.errors.append("script failed to compile")
                            break
    except TimeoutError:
        result.errors.append(f"did not finish within {timeout_s:g} s")
    except (OSError, websockets.WebSocketException) as err:
        result.errors.append(f"connection failed: {err}"[:300])
    result.seconds = time.monotonic() - start
    return result


async def crowd(host: str, port: int, visits: list[tuple[str, str]], **kw) -> list[Visit]:
    """All visits at once, as a class opening the same link together."""
    return list(await asyncio.gather(*(visit(host, port, page, query, **kw) for page, query in visits)))
