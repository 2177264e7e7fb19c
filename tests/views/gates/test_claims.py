"""Gates findings: each claim is decided by this run's numbers, with paired intervals over held-out items."""

import re
from dataclasses import replace

import numpy as np
import pytest

from rnnviz.core.budget import BUDGET_ENV
from rnnviz.core.reviews import corpus_path, rotten_tomatoes
from rnnviz.views.gates import EXPERIMENT, VIEW, tasks
from rnnviz.views.gates.gating import gate_saturation, saturated_per_item, saturated_share
from rnnviz.views.gates.lessons import KeptMemory, claims, memory_path, sentiment_training
from rnnviz.views.gates.train import run
from tests.trained import trained
from tests.views.gates.upstream import tiny_sentiment

SMALL = EXPERIMENT.smoke_config()


@pytest.fixture(scope="module")
def small():
    return trained(EXPERIMENT)


@pytest.fixture(scope="module")
def untrained():
    return trained(EXPERIMENT, replace(SMALL, train_steps=0))


def test_every_claim_agrees_with_its_evidence_headline_first(small):
    made = claims(SMALL, small)
    assert [c.id for c in made] == ["gates_switch", "learned", "memory_path"]
    assert all(c.agrees_with_evidence() for c in made)


def test_per_item_scores_average_to_the_pooled_numbers(small):
    for network in (small.trained, small.untrained):
        assert network.item_saturation.mean() == pytest.approx(saturated_share(network.saturation), abs=1e-6)
        assert network.item_loss.mean() == pytest.approx(network.held_out_loss, rel=1e-5)
    assert small.chance_item_loss.mean() == pytest.approx(small.chance_loss, rel=1e-5)


def test_per_item_saturation_weighs_items_by_their_real_length():
    gates = {"f": np.array([[[0.95], [0.5]], [[0.5], [0.05]]]), "g": np.zeros((2, 2, 1))}
    real = np.array([[True, False], [True, True]])
    scores = saturated_per_item(gates, real)
    pooled = saturated_share(gate_saturation({"f": np.array([0.95, 0.5, 0.05])}))
    assert scores.mean() == pytest.approx(pooled)
    assert scores[0] > 0 and scores[1] > 0


def test_saturation_finding_holds_after_training_and_ties_untrained(small, untrained):
    """The headline is a paired comparison: switch-like only when its interval is above zero."""
    found = EXPERIMENT.findings_by_id(SMALL, small)["gates_switch"]
    assert found.holds and found.evidence["low"] > 0
    assert found.text.startswith("**Training made the gates switch-like.** On 256 held-out sequences")
    tie = EXPERIMENT.findings_by_id(SMALL, untrained)["gates_switch"]
    assert not tie.holds and "tie" in tie.text and "training steps above 0" in tie.text
    assert tie.evidence["low"] == tie.evidence["high"] == 0


def test_saturation_finding_says_so_when_training_lowers_saturation(small):
    flipped = replace(small, trained=small.untrained, untrained=small.trained)
    found = EXPERIMENT.findings_by_id(SMALL, flipped)["gates_switch"]
    assert not found.holds and found.agrees_with_evidence() and "less switch-like" in found.text


def test_learned_is_the_cell_comparisons_measurement_both_ways(small, untrained):
    found = EXPERIMENT.findings_by_id(SMALL, small)["learned"]
    assert found.holds and found.text.startswith("The trained network beats the best constant guess")
    assert found.evidence["trained_loss"] == small.trained.held_out_loss
    lost = EXPERIMENT.findings_by_id(SMALL, untrained)["learned"]
    assert not lost.holds and lost.agrees_with_evidence()
    assert not lost.text.startswith("The trained network beats")


@pytest.mark.parametrize(
    ("trained_keep", "untrained_keep", "holds", "says"),
    [(0.6, 0.02, True, "raised"), (0.01, 0.3, False, "overwrite"), (0.2, 0.2, False, "not changed")],
)
def test_memory_path_both_ways(trained_keep, untrained_keep, holds, says):
    found = memory_path("lstm", KeptMemory(unit=3, trained=trained_keep, untrained=untrained_keep))
    assert found.holds is holds and found.agrees_with_evidence() and says in found.text
    assert found.evidence == {"unit": 3.0, "trained": trained_keep, "untrained": untrained_keep}


def test_sentiment_task_claims_use_its_sentences():
    cfg = replace(EXPERIMENT.prepare(replace(SMALL, task="sentiment")), cell="lstm")
    res = run(cfg, upstream=tiny_sentiment("lstm"))
    made = EXPERIMENT.findings_by_id(cfg, res)
    assert "held-out sentences" in made["gates_switch"].text
    assert "cross-entropy" in made["learned"].text
    assert res.chance_item_loss.mean() == pytest.approx(res.chance_loss, rel=1e-5)
    assert res.trained.item_saturation.mean() == pytest.approx(
        saturated_share(res.trained.saturation), abs=1e-6
    )


def test_sentiment_wait_is_computed_from_the_corpus_and_the_budget(monkeypatch):
    """Item 13: no hand-set 'about 10,000 sentences ... about 10 s'."""
    monkeypatch.setenv(BUDGET_ENV, "7")
    text = sentiment_training()
    assert "7 s" in text and "about" not in text
    if corpus_path() is not None:
        assert f"{len(rotten_tomatoes()):,} sentences" in text
    assert not hasattr(tasks, "SENTIMENT_TRAIN_S")
    assert not any(ch.isdigit() for ch in tasks.TASKS["sentiment"].help)


def test_the_home_card_text_is_an_expectation_with_no_measured_number():
    assert not re.search(r"\d\s*(%|s\b|steps|sentences)|\d,\d", VIEW.finding), VIEW.finding
