"""Sharing one small server fairly: torch threads, a queue of training slots, and a bounded result cache.

These are process-wide on purpose: every browser session of a Streamlit server runs in the
same process, so this is where one visitor's training is kept from starving the others.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import torch

from rnnviz.core.config import training_part
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.store import ResultStore, configured_store

T = TypeVar("T")


TRAINING_SLOTS = int(os.environ.get("RNNVIZ_TRAINING_SLOTS", "1"))
"""How many trainings one process runs at once; the rest wait in a queue.

One, because torch draws weights and dropout masks from one generator per process: two trainings in
one process interleave their draws, so neither would be the model its settings and seed promise. A
server uses its cores with one process per core (deploy/replicas.py), each training one model at a time.
"""

MAX_UPLOAD_MB = 5
"""The app's upload cap: .streamlit/config.toml's server.maxUploadSize says the same to Streamlit."""

CACHE_MAX_ENTRIES = int(os.environ.get("RNNVIZ_CACHE_ENTRIES", "64"))
CACHE_MAX_BYTES = int(float(os.environ.get("RNNVIZ_CACHE_MB", "300")) * 2**20)


def configure_torch() -> None:
    """One intra-op thread per training: small RNNs gain nothing from more, and slots give parallelism."""
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # already set: it can be set once per process
        torch.set_num_interop_threads(1)


_warm_up_lock = threading.Lock()
_warm_up_started = False


def warm_up() -> None:
    """Import torch's optimiser stack in the background, once per process.

    Creating the first optimiser imports torch's compiler modules (1-3 s on the demo host); doing
    it at startup keeps that cost off the first visitor's first training.
    """
    global _warm_up_started
    with _warm_up_lock:
        if _warm_up_started:
            return
        _warm_up_started = True
    threading.Thread(
        target=lambda: torch.optim.Adam([torch.zeros(1, requires_grad=True)]), daemon=True
    ).start()


class SlotQueue:
    """A fair FIFO semaphore that can tell a waiter its position in the queue."""

    def __init__(self, slots: int) -> None:
        self._slots = slots
        self._busy = 0
        self._waiting: list[object] = []
        self._cond = threading.Condition()

    @contextmanager
    def acquire(self, on_wait: Callable[[int], None] | None = None, poll_s: float = 0.5) -> Iterator[None]:
        """Hold a slot for the body; ``on_wait(position)`` is called while queued (1 = next)."""
        ticket = object()
        with self._cond:
            self._waiting.append(ticket)
            while self._busy >= self._slots or self._waiting[0] is not ticket:
                if on_wait is not None:
                    on_wait(self._waiting.index(ticket) + 1)
                self._cond.wait(poll_s)
            self._waiting.pop(0)
            self._busy += 1
            self._cond.notify_all()
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def acquire_idle(self, poll_s: float = 0.5) -> Iterator[None]:
        """Hold a slot only when nobody is waiting and another slot stays free for the next visitor.

        Background work (pre-warming) uses this, so a visitor never waits behind more than the
        one training it may have started already.
        """
        reserve = 1 if self._slots > 1 else 0
        with self._cond:
            while self._waiting or self._busy + reserve >= self._slots:
                self._cond.wait(poll_s)
            self._busy += 1
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    @property
    def busy(self) -> int:
        return self._busy

    @property
    def queued(self) -> int:
        return len(self._waiting)


TRAINING_QUEUE = SlotQueue(TRAINING_SLOTS)


def size_of(obj: Any, _seen: set[int] | None = None) -> int:
    """Approximate bytes held by a result: arrays and tensors counted exactly, the rest roughly."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, torch.Tensor):
        return obj.element_size() * obj.nelement()
    if isinstance(obj, torch.nn.Module):
        return sum(size_of(t, seen) for t in obj.state_dict().values())
    if isinstance(obj, dict):
        return sys.getsizeof(obj) + sum(size_of(k, seen) + size_of(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return sys.getsizeof(obj) + sum(size_of(v, seen) for v in obj)
    if hasattr(obj, "__dataclass_fields__"):
        return sys.getsizeof(obj) + sum(size_of(getattr(obj, f), seen) for f in obj.__dataclass_fields__)
    return sys.getsizeof(obj)


def release_memory() -> None:
    """Give the memory a training freed back to the system.

    glibc keeps freed memory for reuse, so after a training a process stays as large as at its peak;
    on a small server shared by replicas, that peak would be paid for good by every one of them.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class ResultCache:
    """LRU cache bounded by entries and bytes; concurrent requests for one key compute it once.

    With a shared ``store``, the keys it ``shares`` are computed once across processes (replicas) too:
    a miss here is looked up in the store before anything is computed, and what is computed is saved.
    """

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        store: ResultStore | None = None,
        shares: Callable[[Hashable], bool] = lambda key: True,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.store = store
        self.shares = shares
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        if self.store is None or not self.shares(key):
            return None
        value = self.store.load(key)
        if value is not None:
            self.put(key, value)
        return value

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        hit = self.get(key)
        if hit is not None:
            return hit
        with self._lock:
            key_lock = self._inflight.setdefault(key, threading.Lock())
        try:
            with key_lock:
                hit = self.get(key)
                if hit is not None:
                    return hit
                if self.store is not None and self.shares(key):
                    with self.store.computing(key):
                        value = self.get(key)
                        if value is None:
                            value = compute()
                            self.store.save(key, value)
                else:
                    value = compute()
                release_memory()
                self.put(key, value)
        finally:
            with self._lock:
                self._inflight.pop(key, None)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        size = size_of(value)
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


def _from_settings_alone(key: Hashable) -> bool:
    """A :func:`result_key` with no extra inputs (uploads): safe to share through the store."""
    return isinstance(key, tuple) and len(key) == 3 and key[2] == ()


RESULTS = ResultCache(CACHE_MAX_ENTRIES, CACHE_MAX_BYTES, configured_store(), _from_settings_alone)
"""Every experiment's results, keyed by :func:`result_key`; shared by replicas through a store if one is set."""


def result_key(exp: Experiment, cfg: Any, extra: Mapping[str, Any] | None = None) -> tuple:
    """The cache key of a run: its experiment, the training part of its normalised Config, extra inputs.

    An extra input that is None (no upload) is no input: the key equals the one pre-warming computed.
    """
    given = tuple(sorted((k, v) for k, v in (extra or {}).items() if v is not None))
    return (exp.name, training_part(exp.prepare(cfg)), given)


PREWARM = os.environ.get("RNNVIZ_PREWARM", "1") != "0"
"""Whether a server computes default and gallery results at start (tests switch it off)."""

PREWARM_NICE = 10
"""Niceness of the pre-warming thread: the kernel prefers visitors' trainings to it."""

_prewarm_lock = threading.Lock()
_prewarm_started = False


def prewarm(jobs: Iterable[tuple[Experiment, Any]], lookup: Callable[[str], Experiment]) -> None:
    """Compute results into the cache in the background, one at a time at low priority, once per process.

    Each job waits for an idle slot (:meth:`SlotQueue.acquire_idle`), so visitors go first; results
    already cached are skipped. A job that fails is skipped too: pre-warming is an optimisation.
    """
    global _prewarm_started
    with _prewarm_lock:
        if _prewarm_started or not PREWARM:
            return
        _prewarm_started = True
    pending = list(jobs)

    def work() -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PREWARM_NICE)
        for exp, cfg in pending:
            with contextlib.suppress(Exception):
                result(exp, cfg, lookup, idle=True)

    threading.Thread(target=work, name="rnnviz-prewarm", daemon=True).start()


def result(
    exp: Experiment,
    cfg: Any,
    lookup: Callable[[str], Experiment],
    *,
    on_progress: ProgressFn | None = None,
    on_wait: Callable[[int], None] | None = None,
    idle: bool = False,
    **extra: Any,
) -> Any:
    """The experiment's result for ``cfg``: from the cache (or the shared store), or trained in the queue.

    Pages, the command line, pre-warming and tests all come here, so a result is trained once however
    it is asked for. Settings that do not apply are reset first; the experiment it builds on (``upstream``)
    is resolved here too, cached and queued like any other run, before this one takes its slot.
    ``idle`` waits for a slot nobody else wants (pre-warming).
    """
    cfg = exp.prepare(cfg)
    key = result_key(exp, cfg, extra)
    hit = RESULTS.get(key)
    if hit is not None:
        return hit
    extra.update(upstream_input(exp, cfg, lookup, on_wait=on_wait, idle=idle))

    def train() -> Any:
        with TRAINING_QUEUE.acquire_idle() if idle else TRAINING_QUEUE.acquire(on_wait):
            configure_torch()  # also where app.py did not run first (AppTest runs page files directly)
            return exp.run(training_part(cfg), on_progress=on_progress, **extra)

    return RESULTS.get_or_compute(key, train)


def upstream_input(
    exp: Experiment, cfg: Any, lookup: Callable[[str], Experiment], **queueing: Any
) -> dict[str, Any]:
    """``{"upstream": result}`` of the experiment this one builds on (cached, queued), or nothing."""
    up = exp.upstream(cfg) if exp.upstream is not None else None
    if up is None:
        return {}
    dep = lookup(up.experiment)
    return {"upstream": result(dep, dep.config(**up.settings), lookup, **queueing)}


def wait_message(position: int) -> str:
    return (
        f"Waiting for a free training slot: position {position} in the queue. "
        f"This server trains {TRAINING_SLOTS} model{'s' if TRAINING_SLOTS > 1 else ''} at a time per process "
        "so every visitor gets a turn."
    )
