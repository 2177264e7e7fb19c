"""The result stores replicas share: the same tests for the directory store and the Redis store.

The Redis tests start Debian's redis-server on loopback (deploy/local_redis.py) and are skipped, saying
so, where it is not installed.
"""

import pickle
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pytest

from deploy.local_redis import INSTALL_HINT, local_redis, redis_server_path
from rnnviz.core import store as store_module
from rnnviz.core.fit import History
from rnnviz.core.runtime import BusyElsewhere, ResultCache, _from_settings_alone, complete, result_key
from rnnviz.core.store import (
    KEY_ENV,
    MAGIC,
    REDIS_PREFIX,
    STORE_ENV,
    DirectoryStore,
    RedisStore,
    Sealer,
    configured_store,
    store_name,
)
from rnnviz.views import get

SECRET = b"one deployment's shared secret"
OTHER_SECRET = b"another deployment's secret!"
LRU_MAXMEMORY_MB = 8


@dataclass
class Trained:
    value: int
    history: History = field(default_factory=History)


@pytest.fixture(scope="module")
def redis_url():
    if redis_server_path() is None:
        pytest.skip(INSTALL_HINT)
    with local_redis(maxmemory_mb=LRU_MAXMEMORY_MB) as url:
        yield url


@pytest.fixture(params=["directory", "redis"])
def open_store(request, tmp_path):
    """``open_store(secret)``: a store on the same backing (one directory, one Redis database) each call."""
    if request.param == "directory":
        return lambda secret=SECRET: DirectoryStore(tmp_path / "store", Sealer(secret))
    url = request.getfixturevalue("redis_url")
    RedisStore(url, Sealer(SECRET)).client.flushdb()
    return lambda secret=SECRET: RedisStore(url, Sealer(secret))


def stored(store) -> int:
    """How many results a store holds."""
    if isinstance(store, DirectoryStore):
        return len(list(store.directory.glob("*.result")))
    return len(store.client.keys(f"{REDIS_PREFIX}result:*"))


def write_raw(store, key, blob: bytes) -> None:
    """What another writer of the store (another machine, an attacker) could put under ``key``."""
    name = store_name(key)
    if isinstance(store, DirectoryStore):
        (store.directory / f"{name}.result").write_bytes(blob)
    else:
        store.client.set(f"{REDIS_PREFIX}result:{name}", blob)


def two_replicas(open_store):
    return [ResultCache(8, 2**20, open_store(), _from_settings_alone, complete) for _ in range(2)]


def test_what_one_replica_computed_the_other_reads(open_store):
    first, second = two_replicas(open_store)
    key = ("memory", "settings", ())
    calls = []
    assert first.get_or_compute(key, lambda: calls.append(1) or {"loss": [0.5, 0.25]}) == {
        "loss": [0.5, 0.25]
    }
    assert second.get(key) == {"loss": [0.5, 0.25]}
    assert second.get_or_compute(key, lambda: calls.append(2) or "trained again") == {"loss": [0.5, 0.25]}
    assert calls == [1]


def test_replicas_asking_at_once_compute_once(open_store):
    caches = two_replicas(open_store)
    key = ("sine", "settings", ())
    calls, got = [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [threading.Thread(target=lambda c=c: got.append(c.get_or_compute(key, slow))) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [42, 42] and calls == [1]


def test_results_of_uploads_stay_in_their_replica(open_store):
    first, second = two_replicas(open_store)
    key = ("charlm", "settings", (("text_file", "digest"),))
    first.get_or_compute(key, lambda: "from an upload")
    assert second.get(key) is None
    assert stored(first.store) == 0


def test_a_result_that_cannot_be_pickled_is_kept_in_memory_only(open_store):
    first, second = two_replicas(open_store)
    key = ("gates", "settings", ())
    unpicklable = {"draw": lambda: 1}
    assert first.get_or_compute(key, lambda: unpicklable) is unpicklable
    assert second.get(key) is None


def test_a_result_the_budget_cut_short_is_neither_cached_nor_stored(open_store):
    first, second = two_replicas(open_store)
    key = ("charlm", "settings", ())
    cut = Trained(1, History(stop="budget"))
    assert first.get_or_compute(key, lambda: cut) is cut
    assert first.get(key) is None and second.get(key) is None and stored(first.store) == 0
    assert first.get_or_compute(key, lambda: Trained(2)).value == 2
    assert second.get(key).value == 2


def test_a_result_signed_with_another_key_is_refused_and_trained_again(open_store):
    ours = ResultCache(8, 2**20, open_store(SECRET), _from_settings_alone, complete)
    theirs = ResultCache(8, 2**20, open_store(OTHER_SECRET), _from_settings_alone, complete)
    key = ("sine", "settings", ())
    theirs.get_or_compute(key, lambda: "theirs")
    assert ours.get(key) is None
    assert ours.get_or_compute(key, lambda: "ours") == "ours"
    assert open_store(SECRET).load(key) == "ours"


def test_a_result_other_code_stored_is_not_read_and_trained_again(open_store, monkeypatch):
    """The same settings under a new version of the code (a redeployment keeping its store) train again."""
    key = ("attention", "settings", ())
    open_store().save(key, "the old code's model")
    monkeypatch.setattr(store_module, "CODE_VERSION", "another version")
    replica = ResultCache(8, 2**20, open_store(), _from_settings_alone, complete)
    assert replica.get(key) is None
    assert replica.get_or_compute(key, lambda: "this code's model") == "this code's model"


unpickled: list[str] = []


class Payload:
    """A pickle that runs code when loaded: what a store must never unpickle unchecked."""

    def __reduce__(self):
        return (unpickled.append, ("code ran",))


@pytest.mark.parametrize(
    "forge",
    [
        lambda payload: payload,
        lambda payload: MAGIC + bytes(32) + payload,
        lambda payload: MAGIC + Sealer(OTHER_SECRET).seal("x", 0)[len(MAGIC) : len(MAGIC) + 32] + payload,
    ],
    ids=["plain pickle", "zero signature", "signature of something else"],
)
def test_a_forged_value_is_never_unpickled(open_store, forge):
    store = open_store()
    key = ("memory", "settings", ())
    write_raw(store, key, forge(pickle.dumps(Payload())))
    assert store.load(key) is None
    cache = ResultCache(8, 2**20, store, _from_settings_alone, complete)
    assert cache.get_or_compute(key, lambda: "trained") == "trained"
    assert unpickled == []


def test_a_signed_value_copied_under_another_key_is_refused(open_store):
    store = open_store()
    one, other = ("sine", "one", ()), ("sine", "other", ())
    store.save(one, "the result of one")
    name = store_name(one)
    if isinstance(store, DirectoryStore):
        blob = (store.directory / f"{name}.result").read_bytes()
    else:
        blob = store.client.get(f"{REDIS_PREFIX}result:{name}")
    write_raw(store, other, blob)
    assert store.load(one) == "the result of one" and store.load(other) is None


def test_background_work_is_deferred_while_another_process_trains_the_key(open_store):
    elsewhere, here = open_store(), ResultCache(8, 2**20, open_store(), _from_settings_alone, complete)
    key = ("attention", "settings", ())
    with elsewhere.computing(key) as held:
        assert held
        with pytest.raises(BusyElsewhere):
            here.get_or_compute(key, lambda: "trained twice", defer_if_busy=True)
        elsewhere.save(key, "trained once")
    assert here.get_or_compute(key, lambda: "trained twice", defer_if_busy=True) == "trained once"


def test_redis_evicts_the_least_recently_used_results_at_its_memory_cap(redis_url):
    store = RedisStore(redis_url, Sealer(SECRET))
    store.client.flushdb()
    cache = ResultCache(1, 2**30, store, _from_settings_alone, complete)
    rng = np.random.default_rng(0)
    megabyte = 2**20 // 8
    keys = [("charlm", f"settings {i}", ()) for i in range(3 * LRU_MAXMEMORY_MB)]
    for key in keys:
        cache.get_or_compute(key, lambda: rng.standard_normal(megabyte))
    assert int(store.client.config_get("maxmemory")["maxmemory"]) == LRU_MAXMEMORY_MB * 2**20
    assert stored(store) < len(keys) // 2
    assert store.load(keys[0]) is None and store.load(keys[-1]) is not None
    cache.clear()
    assert cache.get_or_compute(keys[0], lambda: "trained again") == "trained again"


def test_an_unreachable_redis_leaves_results_in_memory():
    from tests.browser_support import free_port

    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0", Sealer(SECRET))
    cache = ResultCache(8, 2**20, store, _from_settings_alone, complete)
    key = ("sine", "settings", ())
    assert cache.get_or_compute(key, lambda: "trained here") == "trained here"
    assert cache.get(key) == "trained here"


@pytest.mark.parametrize(
    ("where", "secret", "kind"),
    [
        ("redis://127.0.0.1:6399/2", SECRET.decode(), RedisStore),
        ("{tmp}/results", SECRET.decode(), DirectoryStore),
        ("{tmp}/results", "", type(None)),
        ("{tmp}/results", "short", type(None)),
        ("", SECRET.decode(), type(None)),
    ],
)
def test_the_environment_chooses_the_store_and_a_store_needs_a_key(
    monkeypatch, tmp_path, where, secret, kind
):
    monkeypatch.setenv(STORE_ENV, where.format(tmp=tmp_path))
    monkeypatch.setenv(KEY_ENV, secret)
    assert type(configured_store()) is kind


def test_a_page_with_no_upload_finds_what_pre_warming_computed():
    sine = get("sine")
    assert result_key(sine, sine.config(), {"upload": None}) == result_key(sine, sine.config())
    assert _from_settings_alone(result_key(sine, sine.config(), {"upload": None}))
    assert not _from_settings_alone(result_key(sine, sine.config(), {"upload": b"1,2,3"}))
