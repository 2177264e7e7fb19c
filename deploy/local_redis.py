"""A throwaway Redis on loopback (Debian's redis-server), for the tests and benchmarks of the Redis store.

It is configured as a result store should be anywhere: a ``maxmemory`` cap with ``allkeys-lru``, so
Redis itself evicts the results used least recently, and no persistence (results can be trained again).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REDIS_SERVER = "redis-server"
INSTALL_HINT = "needs Debian's redis-server (apt-get install redis-server, or: make redis)"


def redis_server_path() -> str | None:
    return shutil.which(REDIS_SERVER) or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if Path(p).exists()), None
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def local_redis(maxmemory_mb: int = 256, timeout_s: float = 20.0) -> Iterator[str]:
    """Start redis-server on a free loopback port; yield its URL (``redis://127.0.0.1:PORT/0``)."""
    server = redis_server_path()
    if server is None:
        raise RuntimeError(INSTALL_HINT)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="rnnviz-redis-") as workdir:
        cmd = [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", workdir, "--save", ""]
        cmd += ["--appendonly", "no", "--maxmemory", f"{maxmemory_mb}mb", "--maxmemory-policy", "allkeys-lru"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout_s
            while not _answers(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}")
                time.sleep(0.1)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
