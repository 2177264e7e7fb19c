from dataclasses import dataclass

from rnnviz.core.runtime import by_result


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
