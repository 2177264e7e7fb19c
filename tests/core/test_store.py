import threading
import time

from rnnviz.core.runtime import ResultCache, _from_settings_alone, result_key
from rnnviz.core.store import ResultStore
from rnnviz.views import get


def two_replicas(tmp_path):
    return [ResultCache(8, 2**20, ResultStore(tmp_path / "store"), _from_settings_alone) for _ in range(2)]


def test_what_one_replica_computed_the_other_reads(tmp_path):
    first, second = two_replicas(tmp_path)
    key = ("memory", "settings", ())
    calls = []
    assert first.get_or_compute(key, lambda: calls.append(1) or {"loss": [0.5, 0.25]}) == {
        "loss": [0.5, 0.25]
    }
    assert second.get(key) == {"loss": [0.5, 0.25]}
    assert second.get_or_compute(key, lambda: calls.append(2) or "trained again") == {"loss": [0.5, 0.25]}
    assert calls == [1]


def test_replicas_asking_at_once_compute_once(tmp_path):
    caches = two_replicas(tmp_path)
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


def test_results_of_uploads_stay_in_their_replica(tmp_path):
    first, second = two_replicas(tmp_path)
    key = ("charlm", "settings", (("text_file", "digest"),))
    first.get_or_compute(key, lambda: "from an upload")
    assert second.get(key) is None
    assert list((tmp_path / "store").glob("*.pickle")) == []


def test_a_result_that_cannot_be_pickled_is_kept_in_memory_only(tmp_path):
    first, second = two_replicas(tmp_path)
    key = ("gates", "settings", ())
    unpicklable = {"draw": lambda: 1}
    assert first.get_or_compute(key, lambda: unpicklable) is unpicklable
    assert second.get(key) is None


def test_a_page_with_no_upload_finds_what_pre_warming_computed():
    sine = get("sine")
    assert result_key(sine, sine.config(), {"upload": None}) == result_key(sine, sine.config())
    assert _from_settings_alone(result_key(sine, sine.config(), {"upload": None}))
    assert not _from_settings_alone(result_key(sine, sine.config(), {"upload": b"1,2,3"}))
