"""A result store on disk that replicas share: what one process trained, the others read.

Behind a balancer each replica has its own memory cache; without a shared store every replica would
train every default and gallery link itself, paying the training time and its memory peak once per
replica. With one, the first replica to need a result trains it while the others wait on a file lock,
then read it.

Only results the server computed from settings alone are stored (never anything derived from an upload),
in a directory only the server writes; they are read back with pickle, which must never see a file a
visitor could have written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import tempfile
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Any

STORE_ENV = "RNNVIZ_RESULT_STORE"
"""A directory shared by the replicas of one deployment (deploy/replicas.py sets it); unset: no store."""


class ResultStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _path(self, key: Hashable, suffix: str) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return self.directory / f"{digest}{suffix}"

    def load(self, key: Hashable) -> Any | None:
        try:
            with self._path(key, ".pickle").open("rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None  # a file from another version of the code: train again

    def save(self, key: Hashable, value: Any) -> None:
        """Write atomically (readers see the whole file or none); a result that cannot be pickled is skipped."""
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, self._path(key, ".pickle"))

    @contextlib.contextmanager
    def computing(self, key: Hashable) -> Iterator[None]:
        """Held while one process computes ``key``: the others wait here, then load what it saved."""
        with self._path(key, ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def configured_store() -> ResultStore | None:
    """The store named by the environment, if any."""
    directory = os.environ.get(STORE_ENV, "").strip()
    return ResultStore(Path(directory)) if directory else None
