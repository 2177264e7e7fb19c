import contextlib
import threading
from dataclasses import dataclass

import numpy as np

from rnnviz.core.memo import by_result


@dataclass(frozen=True)
class Result:
    value: int


def test_a_figure_is_built_once_per_result_and_arguments():
    calls = []

    @by_result
    def build(res: Result, scale: int = 1) -> list[int]:
        calls.append((res.value, scale))
        return [res.value * scale]

    first, second = Result(2), Result(2)
    assert build(first, 3) == [6] and build(first, 3) == [6]
    assert build(first, scale=3) == [6]
    assert build(second, 3) == [6]
    assert calls == [
        (2, 3),
        (2, 3),
        (2, 3),
    ]  # positional and keyword calls differ; equal results do not share


def test_an_entry_dies_with_its_result():
    calls = []

    @by_result
    def build(res: Result) -> int:
        calls.append(res.value)
        return res.value

    res = Result(5)
    build(res)
    del res
    again = Result(5)
    build(again)
    assert calls == [5, 5]


def test_lists_and_arrays_are_keyed_by_value():
    calls = []

    @by_result
    def build(res: Result, tokens: list[str], values: np.ndarray) -> int:
        calls.append(tuple(tokens))
        return len(tokens) + int(values.sum())

    res = Result(1)
    assert build(res, ["a", "b"], np.arange(3)) == 5
    assert build(res, ["a", "b"], np.arange(3)) == 5
    assert build(res, ["a", "b"], np.arange(4)) == 8
    assert build(res, ["a"], np.arange(3)) == 4
    assert calls == [("a", "b"), ("a", "b"), ("a",)]


def test_an_argument_with_no_value_to_key_by_builds_every_time():
    calls = []

    @by_result
    def build(res: Result, picked: set[int]) -> int:
        calls.append(len(picked))
        return res.value + len(picked)

    res = Result(1)
    assert build(res, {1, 2}) == 3 and build(res, {1, 2}) == 3
    assert calls == [2, 2]


def test_an_anchor_with_no_weak_reference_is_keyed_by_value():
    calls = []

    @by_result
    def build(losses: dict[str, list[float]], scale: int) -> float:
        calls.append(scale)
        return sum(losses["train"]) * scale

    assert build({"train": [1.0, 2.0]}, 2) == 6.0
    assert build({"train": [1.0, 2.0]}, 2) == 6.0
    assert build({"train": [1.0, 3.0]}, 2) == 8.0
    assert calls == [2, 2]


def test_sessions_asking_for_one_cold_figure_at_once_build_it_once_and_share_it():
    sessions = 8
    calls = []
    # Without a per-key lock every session reaches the builder and they all meet here; with one, the
    # first waits alone until the timeout and the others wait for its figure.
    everyone_building = threading.Barrier(sessions)

    @by_result
    def build(res: Result) -> list[int]:
        calls.append(res.value)
        with contextlib.suppress(threading.BrokenBarrierError):
            everyone_building.wait(timeout=1.0)
        return [res.value]

    res = Result(3)
    got: list[list[int]] = []
    threads = [threading.Thread(target=lambda: got.append(build(res))) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [3]
    assert len(got) == sessions and all(g is got[0] for g in got)


def test_a_view_of_a_cached_array_finds_its_figure_again_and_leaves_with_the_array():
    calls = []

    @by_result
    def build(h: np.ndarray) -> float:
        calls.append(h.shape)
        return float(h.sum())

    states = np.arange(24.0).reshape(2, 3, 4)  # a result's hidden states: a page draws states[layer]
    assert build(states[1]) == build(states[1]) == float(states[1].sum())
    assert build(states[0]) == float(states[0].sum())
    assert calls == [(3, 4), (3, 4)]  # each layer once, though every states[layer] is a new view
    del states
    fresh = np.arange(24.0).reshape(2, 3, 4)
    build(fresh[1])
    assert calls == [(3, 4), (3, 4), (3, 4)]
