"""Run N rnnviz processes behind nginx on one machine, with sticky sessions.

Streamlit serves each browser session from one Python process, and one process computes on one
core at a time; a 2-core server needs two processes to use both. nginx (from Debian's packages)
listens on the public port and pins each browser to one replica with a cookie, so a session's
websocket, uploads and media always reach the process that holds it.

Each replica is an ``rnnviz serve`` process: it pre-warms from its start, and writes its ready file
once its defaults are cached and it has opened their pages itself (deploy/warm.py), so that its first
visitors find every figure built. The replicas share one result store: by default a directory of this
deployment; ``RNNVIZ_RESULT_STORE=redis://host:port/db`` (with ``RNNVIZ_STORE_KEY``, the same on
every machine) shares it with other machines.

Run: .venv/bin/python deploy/replicas.py --replicas 2 --port 8501   (or: make replicas)
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from rnnviz.core.runtime import READY_ENV
from rnnviz.core.store import KEY_ENV, STORE_ENV

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
COOKIE = "rnnviz_replica"
HEALTH = "/_stcore/health"
MEMORY_ENV = {"MALLOC_ARENA_MAX": "2"}
"""glibc gives each thread that allocates its own arena; with a thread per session and per training,
freed memory stays spread over many of them. Two arenas keep a replica's memory near what it uses."""


def nginx_config(port: int, backends: list[int], run_dir: Path, host: str) -> str:
    """nginx.conf for these backends: a random replica on the first visit, the cookie's one after."""
    names = [f"r{i}" for i in range(len(backends))]
    share = 100 / len(backends)
    split = "\n".join(f"        {share:.2f}% {n};" for n in names[:-1]) + f"\n        * {names[-1]};"
    known = "\n".join(f"        {n} {n};" for n in names)
    upstreams = "\n".join(
        f"    upstream {n} {{ server 127.0.0.1:{p}; }}" for n, p in zip(names, backends, strict=True)
    )
    return TEMPLATE.read_text().format(
        run_dir=run_dir, split=split, known=known, upstreams=upstreams, host=host, port=port, cookie=COOKIE
    )


def wait_healthy(port: int, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"replica on port {port} did not become healthy in {timeout_s:g} s")


@dataclass
class Replicas:
    """A running deployment: nginx first, then the app processes, and the files that say each is ready."""

    procs: list[subprocess.Popen]
    ready_files: list[Path]

    def ready(self) -> bool:
        """Every replica has its pre-warmed results cached."""
        return all(f.exists() for f in self.ready_files)

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"replicas were not ready after {timeout_s:g} s")
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError("a replica stopped before it was ready")
            time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    """Ask a process to end; after 10 s, end it."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def replicas(
    count: int, port: int, base_port: int, host: str = "127.0.0.1", env: dict[str, str] | None = None
):
    """Start ``count`` app processes on loopback ports and nginx on ``host:port``; yield :class:`Replicas`.

    ``env`` adds to (or overrides) the replicas' environment, e.g. a Redis store shared with other groups.
    """
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed: apt-get install nginx (or: make nginx)")
    backends = [base_port + i for i in range(count)]
    with ExitStack() as stack:
        run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rnnviz-nginx-")))
        shared = {
            **os.environ,
            # One cookie secret for all replicas: any of them accepts the XSRF cookie another set.
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
            "RNNVIZ_TRAINING_SLOTS": "1",  # one training per process: torch's generator is per process
            # What one replica trains, the others read (rnnviz.core.store): trained once, not once per replica.
            STORE_ENV: os.environ.get(STORE_ENV) or str(run_dir / "results"),
            # Stored results are signed with it; a deployment across machines sets the same one everywhere.
            KEY_ENV: os.environ.get(KEY_ENV) or secrets.token_hex(32),
            **MEMORY_ENV,
            **(env or {}),
        }
        procs, ready_files = [], []
        for i, p in enumerate(backends):
            ready_files.append(run_dir / f"ready-{i}")
            cmd = [sys.executable, "-m", "rnnviz", "serve", "--server.port", str(p)]
            cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env={**shared, READY_ENV: str(ready_files[-1])},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(stop, proc)
            procs.append(proc)
        for p in backends:
            wait_healthy(p)
        conf = run_dir / "nginx.conf"
        conf.write_text(nginx_config(port, backends, run_dir, host))
        check = subprocess.run(
            [nginx, "-t", "-c", str(conf), "-p", str(run_dir)], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"nginx rejected its configuration: {check.stderr.strip()}")
        balancer = subprocess.Popen([nginx, "-c", str(conf), "-p", str(run_dir)], stderr=subprocess.DEVNULL)
        stack.callback(stop, balancer)
        wait_healthy(port, timeout_s=20)
        yield Replicas([balancer, *procs], ready_files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--replicas", type=int, default=os.cpu_count() or 2, help="app processes (one per core)"
    )
    parser.add_argument("--port", type=int, default=8501, help="the public port nginx listens on")
    parser.add_argument("--host", default="0.0.0.0", help="the address nginx listens on")
    parser.add_argument("--base-port", type=int, default=8610, help="first loopback port of the replicas")
    args = parser.parse_args()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    with replicas(max(1, args.replicas), args.port, args.base_port, args.host) as group:
        count = len(group.procs) - 1
        print(f"rnnviz: {count} replicas behind nginx on http://{args.host}:{args.port}", flush=True)
        said_ready = False
        try:
            while not stop["now"] and all(p.poll() is None for p in group.procs):
                if not said_ready and group.ready():
                    print("rnnviz: ready, defaults and gallery links cached", flush=True)
                    said_ready = True
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
