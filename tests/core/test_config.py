import dataclasses
import math

import pytest

from rnnviz.core import config as c
from rnnviz.views import experiments
from rnnviz.views.unroll.settings import UnrollConfig


@dataclasses.dataclass(frozen=True)
class Demo:
    n: int = c.param(5, label="N", help="a count", min=1, max=10)
    rate: float = c.param(0.5, label="Rate", help="a rate", min=0.0, max=1.0)
    lr: float = c.param(0.01, label="LR", help="step", choices=(0.001, 0.01, 0.1), log=True)
    mode: str = c.param("a", label="Mode", help="pick", choices={"a": "Alpha", "b": "Beta"})
    on: bool = c.param(False, label="On", help="flag")
    text: str = c.param("hi", label="Text", help="words", max_chars=8)
    t: int = c.param(0, label="T", help="display", min=0, max=9, role="view")


def test_defaults_write_no_query_and_round_trip():
    assert c.to_query(Demo()) == {}
    cfg = Demo(n=7, rate=0.25, lr=0.1, mode="b", on=True, text="yo", t=3)
    query = c.to_query(cfg)
    assert query[c.VERSION_KEY] == str(c.SCHEMA_VERSION)
    back, notes = c.from_query(Demo, query)
    assert back == cfg and notes == []


def test_only_changed_fields_are_written():
    assert set(c.to_query(Demo(n=2))) == {"n", c.VERSION_KEY}


@pytest.mark.parametrize(
    ("key", "raw", "expected", "fragment"),
    [
        ("n", "-3", 1, "below the minimum"),
        ("n", "1e9", 10, "above the maximum"),
        ("n", "4.6", 5, "not a whole number"),
        ("n", "banana", 5, "not a number"),
        ("n", "nan", 5, "not a number"),
        ("rate", "inf", 1.0, "above the maximum"),
        ("rate", "-inf", 0.0, "below the minimum"),
        ("lr", "inf", 0.1, "nearest"),
        ("rate", "", 0.5, "not a number"),
        ("lr", "0.02", 0.01, "nearest"),
        ("mode", "banana", "a", "not one of"),
        ("on", "maybe", False, "not true or false"),
        ("text", "x" * 100, "x" * 8, "cut to 8"),
        ("text", "a\x00b\x1bc", "abc", "control characters"),
    ],
)
def test_bad_values_become_safe_values_with_a_message(key, raw, expected, fragment):
    cfg, notes = c.from_query(Demo, {key: raw})
    assert getattr(cfg, key) == expected
    assert len(notes) == 1 and fragment in notes[0]


def test_good_values_parse_silently_and_case_insensitively():
    cfg, notes = c.from_query(Demo, {"mode": "B", "on": "yes", "n": "3", "lr": "1e-3"})
    assert (cfg.mode, cfg.on, cfg.n, cfg.lr) == ("b", True, 3, 0.001)
    assert notes == []


def test_unknown_keys_ignored_repeated_keys_take_last_and_old_versions_warn():
    cfg, notes = c.from_query(Demo, {"zzz": "1", "n": ["2", "9"], c.VERSION_KEY: "0"})
    assert cfg.n == 9
    assert len(notes) == 1 and "different version" in notes[0]


def test_huge_values_do_not_hang_or_raise():
    cfg, notes = c.from_query(Demo, {"n": "9" * 10_000, "text": "é" * 10_000, "mode": "x" * 10_000})
    assert cfg.n == 10 and cfg.text == "é" * 8 and cfg.mode == "a"
    assert all(len(n) < 300 for n in notes)


def test_validate_clamps_python_values():
    cfg, notes = c.validate(Demo(n=50, rate=-1.0, mode="zzz", text="abcdefghijk"))
    assert (cfg.n, cfg.rate, cfg.mode, cfg.text) == (10, 0.0, "a", "abcdefgh")
    assert len(notes) == 4
    assert c.validate(Demo()) == (Demo(), [])


def test_training_part_ignores_display_fields():
    assert c.training_part(Demo(t=7)) == Demo()
    assert c.training_part(Demo(n=2, t=7)) == Demo(n=2)
    assert hash(c.training_part(Demo(t=7))) == hash(Demo())


def test_lock_keeps_known_fields_only():
    names, notes = c.parse_lock("n, mode,bogus", Demo)
    assert names == {"n", "mode"}
    assert len(notes) == 1 and "bogus" in notes[0]


@pytest.mark.parametrize("exp", sorted(experiments()))
def test_every_experiment_config_is_well_formed(exp):
    """Defaults inside their own ranges, and every field documented: the single source must be right."""
    cls = experiments()[exp].config
    for s in c.specs(cls):
        assert s.label and s.help, s.name
        if s.choices is not None:
            assert s.default in s.choices, s.name
        elif s.kind in (int, float):
            assert s.min <= s.default <= s.max, s.name
            assert math.isfinite(s.min) and math.isfinite(s.max)
    assert c.validate(cls()) == (cls(), [])


def test_unroll_config_formats_floats_exactly():
    cfg = UnrollConfig(lr=0.003)
    back, notes = c.from_query(UnrollConfig, c.to_query(cfg))
    assert back == cfg and notes == []


def test_settings_that_do_not_apply_are_reset_and_hidden_from_the_cache_key():
    from dataclasses import dataclass

    from rnnviz.core.config import hidden_param, only_if, param, specs, without_inapplicable

    @dataclass(frozen=True)
    class Cfg:
        clip: bool = param(True, "Clip", "Clip gradients.")
        max_norm: float = param(1.0, "Max norm", "Clip at.", min=0.1, max=10.0, applies=lambda c: c.clip)
        hidden: int = only_if(lambda c: c.clip, hidden_param(8))

    assert [s.applies_to(Cfg()) for s in specs(Cfg)] == [True, True, True]
    assert without_inapplicable(Cfg(max_norm=5.0)) == Cfg(max_norm=5.0)
    assert without_inapplicable(Cfg(clip=False, max_norm=5.0, hidden=3)) == Cfg(clip=False)
