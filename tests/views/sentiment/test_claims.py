"""Sentiment findings: each claim is decided by this run's numbers, and says what happened either way."""

import re
from dataclasses import replace

import numpy as np
import pytest

from rnnviz.core.budget import BUDGET_ENV
from rnnviz.core.claims import paired_accuracy
from rnnviz.views.sentiment import EXPERIMENT, VIEW
from rnnviz.views.sentiment.lessons import claims, click_to_train
from rnnviz.views.sentiment.result import PositionSample
from rnnviz.views.sentiment.settings import SentimentConfig
from rnnviz.views.sentiment.train import shuffle_words
from tests.trained import trained

CFG = EXPERIMENT.smoke_config()


@pytest.fixture(scope="module")
def small():
    return trained(EXPERIMENT)


def found(res, claim_id: str):
    return EXPERIMENT.findings_by_id(CFG, res)[claim_id]


def _right(prob, labels):
    return (np.asarray(prob) > 0.5) == (labels == 1)


def test_every_claim_agrees_with_its_evidence_and_the_headline_is_the_bag_of_words_comparison(small):
    made = claims(CFG, small)
    assert [c.id for c in made][:3] == ["beats_bag_of_words", "word_order_helps", "word_order_on_cues"]
    assert all(c.agrees_with_evidence() for c in made)
    assert all(c.text[0].isupper() for c in made)


def test_network_against_bag_of_words_is_paired_on_the_test_sentences(small):
    c = found(small, "beats_bag_of_words")
    labels = small.test_labels
    expected = paired_accuracy(_right(small.test_prob, labels), _right(small.baseline_prob, labels))
    assert (c.evidence["low"], c.evidence["high"]) == pytest.approx((expected.low, expected.high))
    assert c.evidence["difference"] == pytest.approx(small.test_accuracy - small.baseline_accuracy)


@pytest.mark.parametrize(
    ("baseline", "holds", "opens"),
    [("wrong", True, "The network beats"), ("right", False, "The bag of words beats"), ("same", False, None)],
)
def test_bag_of_words_comparison_both_ways(small, baseline, holds, opens):
    labels = small.test_labels.astype(float)
    prob = {"wrong": 1 - labels, "right": labels, "same": small.test_prob}[baseline]
    c = found(replace(small, baseline_prob=prob), "beats_bag_of_words")
    assert c.holds is holds and c.agrees_with_evidence()
    assert c.text.startswith(opens) if opens else "tie" in c.text


def test_word_order_rests_on_the_shuffled_words_control(small):
    """Item 11: the word-order verdict compares the network with itself on shuffled words."""
    c = found(small, "word_order_helps")
    assert c.evidence["shuffled_accuracy"] == pytest.approx(small.shuffled_accuracy)
    assert c.evidence["network_accuracy"] == pytest.approx(small.test_accuracy)
    assert "shuffled words" in c.text and "bag of words" not in c.text
    assert small.shuffled_prob.shape == small.test_prob.shape and small.shuffled_prob.dtype == np.float32
    assert small.shuffled_history.steps == small.history.steps  # the same settings, trained as long
    assert not np.array_equal(small.shuffled_prob > 0.5, small.test_prob > 0.5)


@pytest.mark.parametrize(("control", "holds"), [("wrong", True), ("right", False), ("same", False)])
def test_word_order_claims_both_ways(small, control, holds):
    labels = small.test_labels.astype(np.float32)
    prob = {"wrong": 1 - labels, "right": labels, "same": small.test_prob.astype(np.float32)}[control]
    res = replace(small, shuffled_prob=prob)
    for claim_id in ("word_order_helps", "word_order_on_cues"):
        c = found(res, claim_id)
        assert c.holds is holds and c.agrees_with_evidence(), claim_id
        assert ("tie" in c.text) == (control == "same"), claim_id


def test_word_order_on_cues_says_so_when_no_sentence_has_a_cue(small):
    plain = tuple("a film" for _ in small.test_texts)
    c = found(replace(small, test_texts=plain), "word_order_on_cues")
    assert not c.holds and c.evidence == {"cue_sentences": 0.0} and "No test sentence" in c.text


def test_shuffled_words_keep_each_sentence_s_words():
    ids = [[2, 3, 4, 5, 6, 7], [8], [9, 10]]
    shuffled = shuffle_words(ids, np.random.default_rng(0))
    assert [sorted(s) for s in shuffled] == [sorted(s) for s in ids]
    assert shuffled[0] != ids[0]


@pytest.mark.parametrize(("score", "holds"), [(0.3, True), (-0.05, False)])
def test_clouds_separate_both_ways(small, score, holds):
    c = found(replace(small, hidden_silhouette=score), "clouds_separate")
    assert c.holds is holds and c.evidence["silhouette"] == score
    assert ("form two clouds" in c.text) is holds


def positions(first: float, last: float) -> PositionSample:
    """Two sentences of two tokens: PC 1 at +-first after the first token, +-last after the second."""
    points = np.array([[first, 0], [last, 0], [-first, 0], [-last, 0]], dtype=float)
    return PositionSample(
        points=points,
        step=np.array([1, 2, 1, 2]),
        label=np.array([1, 1, 0, 0]),
        sentence=np.array([0, 0, 1, 1]),
        token=("a", "b", "a", "b"),
    )


@pytest.mark.parametrize(("first", "last", "holds"), [(0.1, 2.0, True), (2.0, 0.1, False)])
def test_fan_out_and_drift_both_ways(small, first, last, holds):
    res = replace(small, positions=positions(first, last))
    fan, apart = found(res, "states_fan_out"), found(res, "classes_drift_apart")
    assert fan.holds is holds and apart.holds is holds
    assert fan.text.startswith("States fan out" if holds else "States do not fan out")
    assert apart.text.startswith("The classes drift apart" if holds else "The classes do not drift apart")


def test_click_to_train_names_the_budget_in_force_not_a_typed_time(monkeypatch):
    """Item 13: the wait is the budget read now and the epochs asked for, never 'about 10 s'."""
    monkeypatch.setenv(BUDGET_ENV, "7")
    text = click_to_train(SentimentConfig(epochs=3))
    assert "7 s" in text and "3 time(s)" in text and "about" not in text


def test_the_home_card_text_is_an_expectation_with_no_measured_number():
    assert not re.search(r"\d\s*(%|s\b|steps|sentences)|\d,\d", VIEW.finding), VIEW.finding
