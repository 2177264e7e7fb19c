import math

from rnnviz.core.fmt import jsonable, percent, sci, tex_number


def test_tex_number_writes_powers_of_ten_and_names_what_is_not_a_number():
    assert tex_number(0.00003, 2) == r"3 \times 10^{-5}"
    assert tex_number(1234567.0) == r"1.23 \times 10^{6}"
    assert tex_number(0.5) == "0.5"
    assert tex_number(math.nan) == r"\text{NaN}"
    assert "\t" not in tex_number(math.nan)
    assert tex_number(math.inf) == r"\infty"
    assert tex_number(-math.inf) == r"-\infty"


def test_percent_and_sci_keep_small_numbers_visible():
    assert percent(0.99) == "99%"
    assert percent(0.00047) == "0.047%"
    assert sci(1e-30) == "1e-30"
    assert sci(math.nan) == "not finite"


def test_jsonable_rounds_and_drops_what_json_cannot_hold():
    assert jsonable({"a": [1.23456789, math.nan, math.inf], 2: (1, 2)}) == {
        "a": [1.234568, None, None],
        "2": [1, 2],
    }
