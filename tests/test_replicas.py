"""Replicas behind nginx (deploy/replicas.py): pages load through the balancer, a browser stays on one,
and what one replica trained the others read from their shared store."""

from __future__ import annotations

import asyncio
import shutil
import urllib.request
from pathlib import Path

import pytest

from deploy.replicas import COOKIE, replicas
from tests.browser_support import free_port
from tests.streamlit_client import visit

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="needs Debian's nginx (make nginx)",
)


def replica_cookie(port: int, cookie: str | None = None) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health")
    if cookie is not None:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        cookies = [h.split(";")[0] for h in response.headers.get_all("Set-Cookie")]
    (value,) = [c.split("=", 1)[1] for c in cookies if c.startswith(f"{COOKIE}=")]
    return value


@pytest.fixture(scope="module")
def balancer():
    port, base = free_port(), free_port()
    with replicas(2, port, base, env={"RNNVIZ_PREWARM": "0"}):
        yield port


def test_a_browser_keeps_its_replica_and_a_forged_cookie_gets_a_real_one(balancer):
    assert replica_cookie(balancer, "r0") == "r0"
    assert replica_cookie(balancer, "r1") == "r1"
    assert replica_cookie(balancer, "r7") in {"r0", "r1"}
    assert replica_cookie(balancer) in {"r0", "r1"}


@pytest.mark.parametrize("replica", ["r0", "r1"])
def test_each_replica_serves_a_page_over_the_websocket_through_nginx(balancer, replica):
    result = asyncio.run(visit("127.0.0.1", balancer, "", cookie=f"{COOKIE}={replica}", timeout_s=180))
    assert result.finished and not result.errors, result.errors


def test_what_one_replica_trained_the_other_opens_without_training(balancer):
    page, query = "memory", "length=3&hidden=4&steps=50&seed=11"
    first = asyncio.run(
        visit("127.0.0.1", balancer, page, query, cookie=f"{COOKIE}=r0", press_train=True, timeout_s=180)
    )
    assert first.finished and first.asked_to_train and not first.errors, first.errors
    second = asyncio.run(visit("127.0.0.1", balancer, page, query, cookie=f"{COOKIE}=r1", timeout_s=180))
    assert second.finished and not second.errors, second.errors
    assert not second.asked_to_train
