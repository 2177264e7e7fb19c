"""Sharing one small server fairly: torch threads, a queue of training slots, and a bounded result cache.

These are process-wide on purpose: every browser session of a Streamlit server runs in the
same process, so this is where one visitor's training is kept from starving the others.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import logging
import os
import sys
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch

from rnnviz.core.budget import scaled_budget
from rnnviz.core.config import training_part
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fit import EXITING
from rnnviz.core.store import ResultStore, configured_store

T = TypeVar("T")
log = logging.getLogger(__name__)


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


class BusyElsewhere(Exception):
    """Another process holds the store's lock on this key: a background job tries it again later."""


class ResultCache:
    """LRU cache bounded by entries and bytes; concurrent requests for one key compute it once.

    With a shared ``store``, the keys it ``shares`` are computed once across processes (replicas) too:
    a miss here is looked up in the store before anything is computed, and what is computed is saved.
    Only values it ``keeps`` are cached or stored; the others go to their caller alone.
    """

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        store: ResultStore | None = None,
        shares: Callable[[Hashable], bool] = lambda key: True,
        keeps: Callable[[Any], bool] = lambda value: True,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.store = store
        self.shares = shares
        self.keeps = keeps
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> Any | None:
        """The cached value, or the store's (loaded once however many sessions ask at once), or None."""
        hit = self._memory(key)
        if hit is not None or self.store is None or not self.shares(key):
            return hit
        with self._key_lock(key) as key_lock, key_lock:
            hit = self._memory(key)
            return hit if hit is not None else self._load(key)

    def _memory(self, key: Hashable) -> Any | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        return None

    def _load(self, key: Hashable) -> Any | None:
        """The store's value, kept here: thirty first visitors of a replica share one copy (and so one
        set of the figures memoised on it), instead of each unpickling a model of its own."""
        if self.store is None or not self.shares(key):
            return None
        value = self.store.load(key)
        if value is None or not self.keeps(value):
            return None
        self.put(key, value)
        return value

    @contextmanager
    def _key_lock(self, key: Hashable) -> Iterator[threading.Lock]:
        """The lock held while one thread loads or computes ``key``; the others wait for its value."""
        with self._lock:
            key_lock = self._inflight.setdefault(key, threading.Lock())
        try:
            yield key_lock
        finally:
            with self._lock:
                if self._inflight.get(key) is key_lock and not key_lock.locked():
                    del self._inflight[key]

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], defer_if_busy: bool = False) -> T:
        """The cached value, or ``compute()``'s (cached if kept); ``defer_if_busy`` raises
        :class:`BusyElsewhere` instead of waiting while another process computes the key."""
        hit = self._memory(key)
        if hit is not None:
            return hit
        with self._key_lock(key) as key_lock, key_lock:
            hit = self._memory(key)
            hit = hit if hit is not None else self._load(key)
            if hit is not None:
                return hit
            if self.store is not None and self.shares(key):
                with self.store.computing(key, wait=not defer_if_busy) as held:
                    if not held and defer_if_busy:
                        raise BusyElsewhere(key)
                    value = self._load(key)
                    if value is None:
                        value = compute()
                        if self.keeps(value):
                            self.store.save(key, value)
            else:
                value = compute()
            release_memory()
            self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        if not self.keeps(value):
            return
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


def complete(res: Any) -> bool:
    """Whether a result is the one its settings promise: its training was not cut short by the clock.

    A training stopped by its wall-clock budget got as far as the server's load and speed let it; cached
    under its settings, every later visitor of the link would see that accident. Such a result goes to
    the visitor who waited for it and nowhere else. A value without a training history is complete.
    """
    return getattr(getattr(res, "history", None), "stop", "done") != "budget"


RESULTS = ResultCache(CACHE_MAX_ENTRIES, CACHE_MAX_BYTES, configured_store(), _from_settings_alone, complete)
"""Every experiment's complete results, keyed by :func:`result_key`; shared through a store if one is set."""


def result_key(exp: Experiment, cfg: Any, extra: Mapping[str, Any] | None = None) -> tuple:
    """The cache key of a run: its experiment, the training part of its normalised Config, extra inputs.

    An extra input that is None (no upload) is no input: the key equals the one pre-warming computed.
    """
    given = tuple(sorted((k, v) for k, v in (extra or {}).items() if v is not None))
    return (exp.name, training_part(exp.prepare(cfg)), given)


PREWARM = os.environ.get("RNNVIZ_PREWARM", "1") != "0"
"""Whether a server computes default and gallery results at start (tests switch it off)."""

FULL_RUNS = os.environ.get("RNNVIZ_FULL_RUNS", "1") != "0"
"""Whether a result the budget cut short gets its full run in the background (tests switch it off: a
page test with a tiny budget would otherwise leave the biggest models training behind the others)."""

BACKGROUND_NICE = 10
"""Niceness of the background thread (pre-warming, full runs): the kernel prefers visitors' trainings."""

FULL_RUN_BUDGET_FACTOR = 3.0
"""A background run (pre-warming, a full run) gets this many times a visitor's training budget.

Enough for a result that a loaded or slow server cut short (a host three times slower still finishes
what takes the whole budget here), and finite, so settings that cannot finish do not hold the process's
one training slot for ever: a visitor who asks for a training while one runs waits for it to end.
"""

GIVEN_UP_ENTRIES = 256
"""Keys whose full run was cut short too, remembered so their visitors do not queue it again."""

READY_ENV = "RNNVIZ_READY_FILE"
"""A file the server writes once pre-warming is through (a health check reads it); removed at start."""


class IdleWork:
    """Background trainings, one at a time in one low-priority thread: pre-warming and full runs.

    A job is keyed (by its :func:`result_key`): a key already queued or running is not queued twice.
    Jobs train in idle slots (:meth:`SlotQueue.acquire_idle`), so visitors go first. A job that raises
    :class:`BusyElsewhere` (another process holds the store's lock on it) goes back behind the others
    and is called again with ``first_try`` False: replicas warming the same list share the work.
    """

    def __init__(self, nice: int) -> None:
        self.nice = nice
        self._jobs: deque[tuple[Hashable, Callable[[bool], None], bool]] = deque()
        self._keys: set[Hashable] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, key: Hashable, job: Callable[[bool], None]) -> bool:
        """Queue ``job(first_try)`` under ``key``; False when that key is queued or running already."""
        with self._cond:
            if key in self._keys:
                return False
            self._keys.add(key)
            self._jobs.append((key, job, True))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="rnnviz-background", daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return True

    def holds_any(self, keys: Iterable[Hashable]) -> bool:
        """Whether any of ``keys`` is queued or running."""
        with self._cond:
            return not self._keys.isdisjoint(keys)

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait until nothing is queued or running; False when ``timeout_s`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._keys, timeout_s)

    def stop(self, timeout_s: float) -> bool:
        """Drop the queued jobs and wait up to ``timeout_s`` for the running one; False if it still runs."""
        with self._cond:
            for key, _, _ in self._jobs:
                self._keys.discard(key)
            self._jobs.clear()
            return self._cond.wait_for(lambda: not self._keys, timeout_s)

    def _work(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.nice)
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._jobs))
                key, job, first_try = self._jobs.popleft()
            again = False
            try:
                job(first_try)
            except BusyElsewhere:
                again = True
            except Exception:  # an optimisation failed: the visitor who needs it trains it
                log.warning("background training %.200r failed; skipped", key, exc_info=True)
            with self._cond:
                if again:
                    self._jobs.append((key, job, False))
                else:
                    self._keys.discard(key)
                self._cond.notify_all()


BACKGROUND = IdleWork(BACKGROUND_NICE)
"""The process's background trainings: pre-warming first, then full runs of results cut short."""

EXIT_WAIT_S = 10.0
"""How long a stopping process waits for its background job to end once trainings are told to stop."""


@atexit.register
def _stop_trainings() -> None:
    """End the running trainings at their next step and let the background thread finish its job, so the
    process stops cleanly (Ctrl-C on ``make run``, a container stopped) instead of aborting."""
    EXITING.set()
    BACKGROUND.stop(EXIT_WAIT_S)


def lower_priority() -> None:
    """Run the calling thread at :data:`BACKGROUND_NICE`, as background work does (a server's own warm-up
    visits: their page scripts run in Streamlit's threads, and visitors go first)."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


_given_up: OrderedDict[Hashable, None] = OrderedDict()
_prewarm_lock = threading.Lock()
_prewarm_started = False


def ready_file() -> Path | None:
    """Where the environment asks the server to say it is ready, if anywhere."""
    where = os.environ.get(READY_ENV, "").strip()
    return Path(where) if where else None


def prewarm(
    jobs: Iterable[tuple[Experiment, Any]],
    lookup: Callable[[str], Experiment],
    ready: Path | None = None,
    then: Callable[[], str] | None = None,
) -> None:
    """Compute results into the cache in the background, one at a time at low priority, once per process.

    Each job waits for an idle slot, so visitors go first; results already cached are skipped, and a
    job that fails is skipped too: pre-warming is an optimisation. Once every job is through, ``then()``
    builds what pages make of the results (the server visits its own pages: deploy/warm.py), and the
    ``ready`` file (default: :data:`READY_ENV`) is written, saying how many results are cached and
    what ``then()`` reported.
    """
    global _prewarm_started
    ready = ready if ready is not None else ready_file()
    with _prewarm_lock:
        if _prewarm_started:
            return
        _prewarm_started = True
    if ready is not None:
        ready.unlink(missing_ok=True)
    keys = [_prewarm_one(exp, cfg, lookup) for exp, cfg in (jobs if PREWARM else ())]
    then = then if PREWARM else None  # with nothing cached, visiting the pages would train their defaults
    if ready is not None or then is not None:
        BACKGROUND.submit(("ready", str(ready)), lambda first: _mark_ready(ready, keys, then))


def _prewarm_one(exp: Experiment, cfg: Any, lookup: Callable[[str], Experiment]) -> Hashable:
    key = result_key(exp, cfg)
    BACKGROUND.submit(key, lambda first: result(exp, cfg, lookup, idle=True, defer_if_busy=first))
    return key


def settle_heap() -> None:
    """Take what pre-warming built out of the garbage collector's sight for the process's life.

    A full collection walks every tracked object: about 0.33 s on a warmed process (half a million of
    them: torch, Plotly, the cached results and figures), paid by whichever thirty visits it lands
    among. Frozen, the results, figures and modules loaded so far are never walked again; what later
    visits create is collected as before; a frozen object that later turns to garbage in a cycle stays, at
    most what warming built, once.
    """
    gc.collect()
    gc.freeze()


def _mark_ready(ready: Path | None, keys: list[Hashable], then: Callable[[], str] | None) -> None:
    if BACKGROUND.holds_any(keys):
        raise BusyElsewhere(ready)  # a pre-warming job went back behind this one: after it
    missing = [key[0] for key in keys if RESULTS.get(key) is None]
    if missing:
        log.warning("pre-warming left %d result(s) uncached: %s", len(missing), ", ".join(missing))
    said = ""
    if then is not None:
        try:
            said = then()
        except Exception:  # an optimisation failed: the first visitors build what it would have
            log.warning("warming the pages failed", exc_info=True)
    settle_heap()
    if ready is None:
        return
    tmp = ready.with_name(ready.name + ".tmp")
    cached = f"ready: {len(keys) - len(missing)} of {len(keys)} pre-warmed results cached\n"
    tmp.write_text(cached + (f"{said}\n" if said else ""))
    tmp.replace(ready)


def result(
    exp: Experiment,
    cfg: Any,
    lookup: Callable[[str], Experiment],
    *,
    on_progress: ProgressFn | None = None,
    on_wait: Callable[[int], None] | None = None,
    idle: bool = False,
    defer_if_busy: bool = False,
    full_run_later: bool = True,
    **extra: Any,
) -> Any:
    """The experiment's result for ``cfg``: from the cache (or the shared store), or trained in the queue.

    Pages, the command line, pre-warming and tests all come here, so a result is trained once however
    it is asked for. Settings that do not apply are reset first; the experiment it builds on (``upstream``)
    is resolved here too, cached and queued like any other run, before this one takes its slot.
    ``idle`` waits for a slot nobody else wants and trains with :data:`FULL_RUN_BUDGET_FACTOR` times
    the budget (background work). A result the budget cut short (or built on one) is returned but not
    cached; unless ``full_run_later`` is False (a one-shot command), a full run is queued in the
    background and cached for the next visitor if it ends by its step count.
    """
    cfg = exp.prepare(cfg)
    key = result_key(exp, cfg, extra)
    hit = RESULTS.get(key)
    if hit is not None:
        return hit
    inputs = dict(extra)
    queueing = {
        "on_wait": on_wait,
        "idle": idle,
        "defer_if_busy": defer_if_busy,
        "full_run_later": full_run_later,
    }
    extra.update(upstream_input(exp, cfg, lookup, **queueing))
    built_on_complete = complete(extra.get("upstream"))

    def train() -> Any:
        slot = TRAINING_QUEUE.acquire_idle() if idle else TRAINING_QUEUE.acquire(on_wait)
        with slot, scaled_budget(FULL_RUN_BUDGET_FACTOR if idle else 1.0):
            configure_torch()  # also where app.py did not run first (AppTest runs page files directly)
            return exp.run(training_part(cfg), on_progress=on_progress, **extra)

    if built_on_complete:
        res = RESULTS.get_or_compute(key, train, defer_if_busy)
    else:  # built on a model the clock cut short: as much an accident as that model, never cached
        res = train()
        release_memory()
    if not (built_on_complete and complete(res)):
        _cut_short(exp, cfg, lookup, key, inputs, queue=full_run_later and not idle)
    return res


def _cut_short(
    exp: Experiment, cfg: Any, lookup: Callable[[str], Experiment], key: Hashable, inputs: dict, queue: bool
) -> None:
    """A result the budget cut short went to its caller only; queue its full run, once per key."""
    if queue and FULL_RUNS and key not in _given_up:
        BACKGROUND.submit(key, lambda first: _full_run(exp, cfg, lookup, key, inputs, defer_if_busy=first))


def _full_run(
    exp: Experiment,
    cfg: Any,
    lookup: Callable[[str], Experiment],
    key: Hashable,
    inputs: dict,
    defer_if_busy: bool,
) -> None:
    res = result(exp, cfg, lookup, idle=True, defer_if_busy=defer_if_busy, **inputs)
    if not complete(res):  # cut short again: its visitors get what fits in their budget
        _given_up[key] = None
        while len(_given_up) > GIVEN_UP_ENTRIES:
            _given_up.popitem(last=False)
        log.warning(
            "%s: a full run with %g times the budget was cut short too", exp.name, FULL_RUN_BUDGET_FACTOR
        )


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
