"""Result stores that processes share: what one process trained, the others read instead of training it.

Behind a balancer each replica has its own memory cache; without a shared store every replica would
train every default and gallery link itself, paying the training time and its memory peak once per
replica. With one, the first process to need a result trains it while the others wait on its lock,
then read it.

Two stores, chosen by ``RNNVIZ_RESULT_STORE``: a directory (the replicas of one machine, locked with
``flock``) or ``redis://host:port/db`` (any number of machines; Redis evicts the least recently used
results when it reaches its ``maxmemory``). Only results the server computed from settings alone are
stored, never anything derived from an upload.

Results are pickles, and another process or machine may have written what is read back, so nothing
is unpickled unchecked: every stored value is signed with an HMAC key the deployment shares
(``RNNVIZ_STORE_KEY``), and a value whose signature does not match is refused and trained again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import logging
import os
import pickle
import tempfile
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Any, Protocol

STORE_ENV = "RNNVIZ_RESULT_STORE"
"""A directory the replicas of one machine share (deploy/replicas.py sets it), or ``redis://host:port/db``."""
KEY_ENV = "RNNVIZ_STORE_KEY"
"""The secret that signs stored results: the same on every process and machine of a deployment."""
MIN_KEY_BYTES = 16
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
REDIS_PREFIX = "rnnviz:"
LOCK_TTL_S = 900.0
"""How long a Redis training lock outlives a machine that died holding it; waiters wait at most this."""
MAGIC = b"rnnviz-result-1\n"
"""Starts every stored value; a new format gets a new number, and old values are then refused."""

log = logging.getLogger(__name__)


def code_version() -> str:
    """A digest of rnnviz's own source files.

    A result is its code's as much as its settings': a store kept across a deployment of other code must
    train again rather than hand the new code a model it no longer builds (an attention network of GRUs
    to code that reads LSTM states).
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = code_version()


def store_name(key: Hashable) -> str:
    """The name a result is stored under: a digest of this code's version and the result's cache key."""
    return hashlib.sha256(f"{CODE_VERSION}\0{key!r}".encode()).hexdigest()[:32]


class Sealer:
    """Signs pickled results and checks the signature before anything is unpickled.

    The signature covers the stored name too, so a valid value copied under another key is refused.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_KEY_BYTES:
            raise ValueError(f"{KEY_ENV} must be at least {MIN_KEY_BYTES} bytes long")
        self._secret = secret

    def _mac(self, name: str, payload: bytes) -> bytes:
        return hmac.new(self._secret, name.encode() + b"\0" + payload, hashlib.sha256).digest()

    def seal(self, name: str, value: Any) -> bytes | None:
        """The signed bytes to store, or None for a value that cannot be pickled (kept in memory only)."""
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        return MAGIC + self._mac(name, payload) + payload

    def open(self, name: str, blob: bytes) -> Any | None:
        """The value, if ``blob`` carries this deployment's signature for ``name``; otherwise None."""
        head, mac_size = len(MAGIC), hashlib.sha256().digest_size
        mac, payload = blob[head : head + mac_size], blob[head + mac_size :]
        if not blob.startswith(MAGIC) or not hmac.compare_digest(mac, self._mac(name, payload)):
            log.warning(
                "refused stored result %s: its signature does not match (another %s, or tampered with); "
                "training it again",
                name,
                KEY_ENV,
            )
            return None
        try:
            return pickle.loads(payload)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None  # signed by another version of the code: train again


class ResultStore(Protocol):
    def load(self, key: Hashable) -> Any | None:
        """The stored result for ``key``, or None (absent, refused, or the store unreachable)."""

    def save(self, key: Hashable, value: Any) -> None:
        """Store ``value``; one that cannot be stored is skipped: the store is an optimisation."""

    def computing(self, key: Hashable, wait: bool = True) -> contextlib.AbstractContextManager[bool]:
        """Held while one process computes ``key``; yields whether this process holds the lock.

        Others wait (``wait``), then load what it saved; without ``wait`` they get False at once.
        A lock that cannot be had (the store unreachable) yields False too: the caller computes anyway.
        """


class DirectoryStore:
    """Signed pickles in a directory, written atomically, locked with ``flock``: one machine's replicas."""

    def __init__(self, directory: Path, sealer: Sealer) -> None:
        self.directory = directory
        self.sealer = sealer
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _path(self, name: str, suffix: str) -> Path:
        return self.directory / f"{name}{suffix}"

    def load(self, key: Hashable) -> Any | None:
        name = store_name(key)
        try:
            blob = self._path(name, ".result").read_bytes()
        except OSError:
            return None
        return self.sealer.open(name, blob)

    def save(self, key: Hashable, value: Any) -> None:
        """Written atomically: readers see the whole file or none."""
        name = store_name(key)
        blob = self.sealer.seal(name, value)
        if blob is None:
            return
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, self._path(name, ".result"))

    @contextlib.contextmanager
    def computing(self, key: Hashable, wait: bool = True) -> Iterator[bool]:
        with self._path(store_name(key), ".lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


class RedisStore:
    """Signed pickles in Redis, shared by machines; Redis' own ``maxmemory`` and LRU policy bound it.

    Every call fails soft: with Redis unreachable a process trains and keeps results in memory, as
    it would without a store.
    """

    def __init__(self, url: str, sealer: Sealer) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self.sealer = sealer
        self._errors = (redis.RedisError, OSError)

    def _unreachable(self, err: Exception) -> None:
        log.warning("result store unreachable, results stay in this process: %s", err)

    def load(self, key: Hashable) -> Any | None:
        name = store_name(key)
        try:
            blob = self.client.get(f"{REDIS_PREFIX}result:{name}")
        except self._errors as err:
            self._unreachable(err)
            return None
        return None if blob is None else self.sealer.open(name, blob)

    def save(self, key: Hashable, value: Any) -> None:
        name = store_name(key)
        blob = self.sealer.seal(name, value)
        if blob is None:
            return
        try:
            self.client.set(f"{REDIS_PREFIX}result:{name}", blob)
        except self._errors as err:  # also a value larger than maxmemory: Redis refuses it
            self._unreachable(err)

    @contextlib.contextmanager
    def computing(self, key: Hashable, wait: bool = True) -> Iterator[bool]:
        lock = self.client.lock(
            f"{REDIS_PREFIX}lock:{store_name(key)}",
            timeout=LOCK_TTL_S,
            sleep=0.2,
            blocking=wait,
            blocking_timeout=LOCK_TTL_S,
            raise_on_release_error=False,
        )
        try:
            held = bool(lock.acquire())
        except self._errors as err:
            self._unreachable(err)
            held = False
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(*self._errors):
                    lock.release()


def configured_store() -> ResultStore | None:
    """The store named by the environment, if any: Redis for a ``redis://`` URL, else a directory.

    A store needs the deployment's signing key; without one, results stay in each process.
    """
    where = os.environ.get(STORE_ENV, "").strip()
    if not where:
        return None
    try:
        sealer = Sealer(os.environ.get(KEY_ENV, "").encode())
    except ValueError as err:
        log.warning("%s is set but results are not shared: %s", STORE_ENV, err)
        return None
    if where.startswith(REDIS_SCHEMES):
        return RedisStore(where, sealer)
    return DirectoryStore(Path(where), sealer)
