"""A class at once, without browsers: thirty sessions over Streamlit's websocket, one process against replicas.

Run: .venv/bin/python -m bench.load_test [--sessions 30] [--replicas 2] [--scenarios FABC]
Loopback only, bounded in time. Scenario F (first visitors): the server starts as deployed (`rnnviz
serve`, pre-warming from its start), the load test waits for its ready file and then, with nobody
having visited anything, all sessions open each page's default link at once: the class that meets a
fresh or woken server. Its results come from a store kept between runs (--store), as a restarted
server finds them; each process still loads them and builds what its pages draw from them.
Scenario A: for every page, all sessions open its default link at
once (each default result is cached first, as pre-warming does on a real server). Scenario B: all
sessions open a training page with settings of their own, so every one of them trains. Run against
one app process and against replicas behind nginx; prints per page p50 and p95 of the time until
the script finished, errors (with their kinds), queue waits, the server's CPU time per visit and the
peak memory of all processes, then `targets: met` or `targets: not met: ...`.
Scenario C: two independent groups of replicas (two "machines") share one Redis store (a loopback
redis-server): the first pre-warms, the second starts after it is ready; prints each group's time to
ready, and counts what the second wrote to Redis (a result it trained) and the default links it asked
to train: both must be zero.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import redis

from deploy.local_redis import local_redis
from deploy.replicas import COOKIE, MEMORY_ENV, ROOT, replicas, stop, wait_healthy
from rnnviz.core.budget import training_budget_s
from rnnviz.core.runtime import READY_ENV
from rnnviz.core.store import KEY_ENV, REDIS_PREFIX, STORE_ENV
from rnnviz.views import views
from tests.browser_support import free_port, streamlit_server
from tests.streamlit_client import Visit, crowd, visit

HOST = "127.0.0.1"
P95_LIMIT_S = 2.0
"""Scenarios F and A's target: a class opens any page's default link this fast (95th percentile)."""
RSS_LIMIT = 1.5 * 2**30
TRAINING_PAGES = ("unroll", "gates", "sine", "patterns")
"""Pages whose settings train on first visit: scenario B gives each session its own seed on one of them."""
SLACK_S = 5.0
"""Scenario B: time beyond the training budget and the queue wait that a session may take (drawing)."""


@dataclass
class Deployment:
    name: str
    port: int
    pids: list[int]
    cookies: list[str] = field(default_factory=lambda: [""])
    """One per replica, so warm-up visits reach every replica's own cache."""


class PeakRss:
    """Samples the summed memory of several process trees every 0.1 s in a thread."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _rss(self) -> int:
        total = 0
        for pid in self.pids:
            try:
                root = psutil.Process(pid)
                for proc in [root, *root.children(recursive=True)]:
                    total += proc.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def deployment(replica_count: int, store: Path) -> Iterator[Deployment]:
    """App processes without pre-warming (the warm-up visits of scenario A cache the defaults), reading
    results from ``store`` where an earlier run left them."""
    env = {STORE_ENV: str(store), KEY_ENV: STORE_KEY}
    if replica_count <= 1:
        with streamlit_server(env={**MEMORY_ENV, **env}) as (base, proc):
            yield Deployment("1 process", int(base.rsplit(":", 1)[1]), [proc.pid])
        return
    port = free_port()
    with replicas(replica_count, port, free_port(), env={"RNNVIZ_PREWARM": "0", **env}) as group:
        cookies = [f"{COOKIE}=r{i}" for i in range(replica_count)]
        yield Deployment(
            f"{replica_count} replicas behind nginx", port, [p.pid for p in group.procs], cookies
        )


STORE_KEY = "the load test's own signing key, kept between runs"
"""The kept store is signed with this: a later run accepts what an earlier one stored."""
DEFAULT_STORE = Path(tempfile.gettempdir()) / "rnnviz-load-test-store"
READY_TIMEOUT_S = 1800.0
"""How long a deployment may take to pre-warm every default and gallery link (and warm their pages)."""


@contextmanager
def served(replica_count: int, store: Path) -> Iterator[tuple[Deployment, float, list[str]]]:
    """A deployment as it runs for real (``rnnviz serve``, alone or as replicas behind nginx) sharing
    ``store``; yields it once every process has written its ready file, with the seconds that took and
    what each ready file says (results cached, pages visited)."""
    env = {STORE_ENV: str(store), KEY_ENV: STORE_KEY}
    tic = time.monotonic()
    if replica_count > 1:
        port = free_port()
        with replicas(replica_count, port, free_port(), env=env) as group:
            group.wait_ready(READY_TIMEOUT_S)
            cookies = [f"{COOKIE}=r{i}" for i in range(replica_count)]
            name = f"{replica_count} replicas behind nginx"
            said = [f.read_text().strip() for f in group.ready_files]
            dep = Deployment(name, port, [p.pid for p in group.procs], cookies)
            yield dep, time.monotonic() - tic, said
        return
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rnnviz-serve-") as run_dir:
        ready = Path(run_dir) / "ready"
        cmd = [sys.executable, "-m", "rnnviz", "serve", "--server.port", str(port)]
        cmd += ["--server.address", HOST, "--server.headless", "true"]
        full_env = {**os.environ, **MEMORY_ENV, **env, "RNNVIZ_TRAINING_SLOTS": "1", READY_ENV: str(ready)}
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_healthy(port)
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not ready.exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server stopped or was not ready in time")
                time.sleep(0.5)
            yield (
                Deployment("1 process", port, [proc.pid]),
                time.monotonic() - tic,
                [ready.read_text().strip()],
            )
        finally:
            stop(proc)


def cpu_seconds(pids: Sequence[int]) -> float:
    """CPU time (user + system) used so far by these process trees."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


def error_kinds(visits: Sequence[Visit]) -> str:
    """Each kind of error (exception text or protocol error) with how many sessions saw it."""
    kinds = Counter(e[:120] for v in visits for e in v.errors)
    return "; ".join(f"{n} x {kind}" for kind, n in kinds.most_common()) or "none"


def crowds(
    dep: Deployment, pages: Sequence[str], sessions: int, label: str
) -> tuple[dict[str, list[Visit]], list[str]]:
    """For each page in turn, ``sessions`` sessions open its default link at once; per page p50, p95,
    errors by kind, sessions asked to train, and the server's CPU seconds per visit."""
    results, failures = {}, []
    for page in pages:
        cpu = cpu_seconds(dep.pids)
        done = asyncio.run(crowd(HOST, dep.port, [(page, "")] * sessions, timeout_s=120))
        per_visit = (cpu_seconds(dep.pids) - cpu) / sessions
        results[page] = done
        errors = [e for v in done for e in v.errors]
        asked = sum(v.asked_to_train for v in done)
        p95 = percentile([v.seconds for v in done], 0.95)
        shown = page or "home"
        print(
            f"  {label} {shown:<10} p50 {statistics.median(v.seconds for v in done):6.2f} s   "
            f"p95 {p95:6.2f} s   p95/target {p95 / P95_LIMIT_S:5.2f}   server CPU/visit {per_visit:5.3f} s   "
            f"asked to train {asked}   errors {len(errors)} ({error_kinds(done)})",
            flush=True,
        )
        if errors:
            failures.append(f"{dep.name}: {label} {shown}: {errors[0]}")
        if asked:
            failures.append(f"{dep.name}: {label} {shown}: {asked} sessions asked to train a default")
        if p95 > P95_LIMIT_S:
            failures.append(f"{dep.name}: {label} {shown} p95 {p95:.2f} s > {P95_LIMIT_S:g} s")
    return results, failures


def scenario_f(replica_count: int, pages: Sequence[str], sessions: int, store: Path) -> list[str]:
    """First visitors: a started server, ready, visited by nobody, then a class on every page."""
    failures = []
    with served(replica_count, store) as (dep, ready_s, said), PeakRss(dep.pids) as rss:
        print(f"{dep.name}, first visitors (ready {ready_s:.0f} s after start, nobody visited):", flush=True)
        for i, text in enumerate(said):
            print(f"  process {i}: " + text.replace("\n", "; "), flush=True)
        failures += crowds(dep, pages, sessions, "F")[1]
    print(f"  peak RSS of all processes: {rss.peak / 2**20:.0f} MB", flush=True)
    if rss.peak > RSS_LIMIT:
        failures.append(f"{dep.name}: F peak RSS {rss.peak / 2**20:.0f} MB > {RSS_LIMIT / 2**20:.0f} MB")
    return failures


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def warm(dep: Deployment, pages: Sequence[str]) -> None:
    """Every page's default result into every replica's cache, pressing Train where a page asks for it."""
    for cookie in dep.cookies:
        for page in pages:
            asyncio.run(visit(HOST, dep.port, page, cookie=cookie, press_train=True, timeout_s=240))


def scenario_a(
    dep: Deployment, pages: Sequence[str], sessions: int
) -> tuple[dict[str, list[Visit]], list[str]]:
    return crowds(dep, pages, sessions, "A")


def scenario_b(dep: Deployment, sessions: int) -> list[str]:
    pages = [p for p in TRAINING_PAGES if p in {v.slug for v in views()}]
    first_seed = 1000 + random.SystemRandom().randrange(10**6)  # seeds no earlier run left in the kept store
    plan = [(pages[i % len(pages)], f"seed={first_seed + i}&v=1") for i in range(sessions)]
    done = asyncio.run(crowd(HOST, dep.port, plan, timeout_s=training_budget_s() * sessions))
    seconds = [v.seconds for v in done]
    waits = [v.queued_s for v in done]
    late = [v for v in done if v.seconds > training_budget_s() + v.queued_s + SLACK_S]
    errors = [e for v in done for e in v.errors]
    print(
        f"  B {sessions} trainings   p50 {statistics.median(seconds):6.2f} s   p95 {percentile(seconds, 0.95):6.2f} s   "
        f"max {max(seconds):6.2f} s   queue wait p50 {statistics.median(waits):5.2f} s max {max(waits):5.2f} s   "
        f"errors {len(errors)}   over budget+wait {len(late)}",
        flush=True,
    )
    failures = [f"{dep.name}: B: {e}" for e in errors[:3]]
    failures += [
        f"{dep.name}: B: {v.page} took {v.seconds:.1f} s (waited {v.queued_s:.1f} s)" for v in late[:3]
    ]
    return failures


def redis_writes(client: redis.Redis) -> int:
    """SET commands Redis has run: each result a process trained and saved, and each lock it took."""
    stats = client.info("commandstats")
    return int(stats.get("cmdstat_set", {}).get("calls", 0))


def open_defaults(port: int, replica_count: int, pages: Sequence[str]) -> list[Visit]:
    """Every page's default link once on each replica, without pressing Train."""
    return [
        asyncio.run(visit(HOST, port, page, cookie=f"{COOKIE}=r{i}", timeout_s=120))
        for i in range(replica_count)
        for page in pages
    ]


def scenario_c(replica_count: int, pages: Sequence[str]) -> list[str]:
    env = {KEY_ENV: "the load test's shared signing key"}
    failures = []
    with local_redis() as url:
        client = redis.Redis.from_url(url)
        env[STORE_ENV] = url
        print(f"C two groups of {replica_count} replicas sharing one Redis:", flush=True)
        tic = time.monotonic()
        port = free_port()
        with replicas(replica_count, port, free_port(), env=env) as first:
            first.wait_ready(READY_TIMEOUT_S)
            ready_first = time.monotonic() - tic
            # A page that asks to train its default (or fails) even where it was pre-warmed: not the store's doing.
            seen_first = open_defaults(port, replica_count, pages)
            asked_first = {v.page for v in seen_first if v.asked_to_train}
            failed_first = {v.page for v in seen_first if v.errors}
            stored = len(client.keys(f"{REDIS_PREFIX}result:*"))
            before = redis_writes(client)
            tic = time.monotonic()
            port = free_port()
            with replicas(replica_count, port, free_port(), env=env) as second:
                second.wait_ready(READY_TIMEOUT_S)
                ready_second = time.monotonic() - tic
                visits = open_defaults(port, replica_count, pages)
            written = redis_writes(client) - before
        asked = sorted({v.page for v in visits if v.asked_to_train} - asked_first)
        errors = [e for v in visits if v.page not in failed_first for e in v.errors]
        print(
            f"  first group ready in {ready_first:.0f} s ({stored} results in Redis); second group ready in "
            f"{ready_second:.1f} s; second group: Redis writes {written}, default pages asking to train "
            f"that the first served {len(asked)} (both asked: {sorted(asked_first) or 'none'}), "
            f"new errors {len(errors)} (pages failing in both: {sorted(failed_first) or 'none'})",
            flush=True,
        )
        if written or asked:
            failures.append(f"C: the second group trained again ({written} writes; asked on {asked[:3]})")
        failures += [f"C: {e}" for e in errors[:3]]
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument(
        "--replicas", type=int, default=2, help="also run behind nginx with this many (0: skip)"
    )
    parser.add_argument(
        "--scenarios", default="FABC", help="which to run: F, A and B per deployment, C (Redis)"
    )
    parser.add_argument(
        "--store", type=Path, default=DEFAULT_STORE, help="the result store, kept between runs (F, A, B)"
    )
    parser.add_argument(
        "--fresh-store", action="store_true", help="empty --store first: every default trains"
    )
    args = parser.parse_args(argv)
    pages = [""] + [v.slug for v in views()]
    failures: list[str] = []
    if args.fresh_store:
        shutil.rmtree(args.store, ignore_errors=True)
    args.store.mkdir(parents=True, exist_ok=True)
    if "F" in args.scenarios:
        for count in [1] + ([args.replicas] if args.replicas > 1 else []):
            failures += scenario_f(count, pages, args.sessions, args.store)
    setups = [1] + ([args.replicas] if args.replicas > 1 else []) if {"A", "B"} & set(args.scenarios) else []
    for count in setups:
        with deployment(count, args.store) as dep, PeakRss(dep.pids) as rss:
            print(f"{dep.name}:", flush=True)
            tic = time.monotonic()
            warm(dep, pages)
            print(
                f"  warm-up (every default result into every cache): {time.monotonic() - tic:.0f} s",
                flush=True,
            )
            if "A" in args.scenarios:
                failures += scenario_a(dep, pages, args.sessions)[1]
            if "B" in args.scenarios:
                failures += scenario_b(dep, args.sessions)
        print(f"  peak RSS of all processes: {rss.peak / 2**20:.0f} MB", flush=True)
        if rss.peak > RSS_LIMIT:
            failures.append(f"{dep.name}: peak RSS {rss.peak / 2**20:.0f} MB > {RSS_LIMIT / 2**20:.0f} MB")
    if "C" in args.scenarios:
        failures += scenario_c(max(1, args.replicas), pages[1:])
    print(f"sessions: {args.sessions}")
    print("targets: met" if not failures else "targets: not met: " + "; ".join(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
