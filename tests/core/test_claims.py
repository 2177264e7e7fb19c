import numpy as np
import pytest

from rnnviz.core.claims import (
    Interval,
    claim,
    comparison,
    diebold_mariano,
    paired_accuracy,
    paired_bootstrap,
)


def test_a_claim_says_what_happened_with_its_evidence():
    falls = lambda e: e["last"] < e["first"]  # noqa: E731
    yes = claim("falls", falls, "Accuracy falls.", "Accuracy does not fall.", first=0.9, last=0.2)
    no = claim("falls", falls, "Accuracy falls.", "Accuracy does not fall.", first=0.2, last=0.9)
    assert (yes.text, yes.holds, no.text, no.holds) == (
        "Accuracy falls.",
        True,
        "Accuracy does not fall.",
        False,
    )
    assert yes.json() == {
        "id": "falls",
        "text": "Accuracy falls.",
        "holds": True,
        "evidence": {"first": 0.9, "last": 0.2},
    }


@pytest.mark.parametrize(
    ("interval", "better", "winner", "holds"),
    [
        (Interval(-0.2, -0.3, -0.1), "lower", "Network beats n-gram", True),
        (Interval(0.2, 0.1, 0.3), "lower", "N-gram beats network", False),
        (Interval(0.2, 0.1, 0.3), "higher", "Network beats n-gram", True),
        (Interval(0.05, -0.1, 0.2), "lower", "Network and n-gram tie", False),
    ],
)
def test_a_comparison_names_a_winner_only_when_its_interval_excludes_zero(interval, better, winner, holds):
    c = comparison("vs", "network", "n-gram", interval, better=better, measure="loss")
    assert c.text.startswith(winner) and c.holds is holds
    assert c.evidence["low"] == interval.low and c.evidence["high"] == interval.high
    assert c.agrees_with_evidence()


def test_paired_bootstrap_finds_a_real_difference_and_a_tie_and_is_seeded():
    rng = np.random.default_rng(1)
    base = rng.normal(size=400)
    shifted = paired_bootstrap(base + 0.5 + rng.normal(scale=0.1, size=400), base)
    assert shifted.low > 0.4 and shifted.high < 0.6
    noise = paired_bootstrap(base + rng.normal(scale=1.0, size=400), base)
    assert noise.spans_zero
    assert paired_bootstrap(base, base[::-1], block=8) == paired_bootstrap(base, base[::-1], block=8)


def test_paired_accuracy_uses_only_the_items_where_the_two_disagree():
    a = np.array([1] * 60 + [0] * 40, dtype=bool)
    same = paired_accuracy(a, a)
    assert same.estimate == 0 and same.low == same.high == 0
    better = paired_accuracy(np.ones(100, dtype=bool), a)
    assert better.estimate == pytest.approx(0.4) and better.low > 0.25


def test_diebold_mariano_widens_with_overlapping_horizons():
    rng = np.random.default_rng(0)
    walk = np.convolve(rng.normal(size=300), np.ones(10), mode="same")  # neighbouring differences correlate
    one = diebold_mariano(walk, np.zeros(300), horizon=1)
    ten = diebold_mariano(walk, np.zeros(300), horizon=10)
    assert one.estimate == ten.estimate
    assert (ten.high - ten.low) > 1.5 * (one.high - one.low)
