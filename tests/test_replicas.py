"""Replicas behind nginx (deploy/replicas.py): pages load through the balancer, a browser stays on one,
each says when it is ready, and what one replica trained the others read from their shared store:
a directory on one machine, Redis across two groups of replicas standing for two machines."""

from __future__ import annotations

import asyncio
import shutil
import urllib.request
from pathlib import Path

import pytest

from deploy.local_redis import INSTALL_HINT, local_redis, redis_server_path
from deploy.replicas import COOKIE, replicas
from rnnviz.core.store import KEY_ENV, STORE_ENV
from tests.browser_support import free_port
from tests.streamlit_client import visit

SMALL_CHARLM = "corpus=recurrence&hidden=24&train_steps=60&seq_len=32"
"""Settings that train in about a second and ask for the Train button."""

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
    with replicas(2, port, base, env={"RNNVIZ_PREWARM": "0"}) as group:
        group.wait_ready(timeout_s=60)  # nothing to pre-warm: ready once serving
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
    page, query = "charlm", f"{SMALL_CHARLM}&seed=11"
    first = asyncio.run(
        visit("127.0.0.1", balancer, page, query, cookie=f"{COOKIE}=r0", press_train=True, timeout_s=180)
    )
    assert first.finished and first.asked_to_train and not first.errors, first.errors
    second = asyncio.run(visit("127.0.0.1", balancer, page, query, cookie=f"{COOKIE}=r1", timeout_s=180))
    assert second.finished and not second.errors, second.errors
    assert not second.asked_to_train


def test_what_one_machine_trained_another_opens_from_redis_without_training():
    if redis_server_path() is None:
        pytest.skip(INSTALL_HINT)
    page, query = "charlm", f"{SMALL_CHARLM}&seed=12"
    with local_redis() as url:
        env = {"RNNVIZ_PREWARM": "0", STORE_ENV: url, KEY_ENV: "a key both machines share"}
        machines = [(free_port(), free_port()) for _ in range(2)]
        with replicas(1, *machines[0], env=env), replicas(1, *machines[1], env=env):
            trained = asyncio.run(
                visit("127.0.0.1", machines[0][0], page, query, press_train=True, timeout_s=180)
            )
            assert trained.finished and trained.asked_to_train and not trained.errors, trained.errors
            opened = asyncio.run(visit("127.0.0.1", machines[1][0], page, query, timeout_s=180))
            assert opened.finished and not opened.errors, opened.errors
            assert not opened.asked_to_train
