"""The character model's claims: network against n-gram with a 95% interval, and what training added to the
units beyond the same network untrained. Each claim is checked both ways on the smoke result, its numbers
changed where a run would take too long to show the other way."""

import dataclasses
import math
import re

import numpy as np
import pytest

from rnnviz.core.budget import BUDGET_ENV
from rnnviz.views.charlm import EXPERIMENT, VIEW
from rnnviz.views.charlm.features import CURRENT_CHARACTER, FEATURES
from rnnviz.views.charlm.figures import losses
from rnnviz.views.charlm.lessons import (
    INTRO,
    LEARNED_MARGIN,
    LOSS_CAPTION,
    METRIC_NAME,
    MIN_BLOCKS,
    PROGRESS_LOSS,
    beats_ngram,
    block_means,
    claims,
    click_to_train,
    unit_claim,
    units_learned,
)
from rnnviz.views.charlm.model import IGNORE
from rnnviz.views.charlm.unit_search import Search
from tests.trained import trained


@pytest.fixture(scope="module")
def small():
    return EXPERIMENT.smoke_config(), trained(EXPERIMENT)


def by_id(cfg, res) -> dict:
    return {c.id: c for c in claims(cfg, res)}


def with_losses(res, network: np.ndarray):
    """The result with the network's per-character losses replaced (the n-gram's stay)."""
    network = network.astype(np.float32)
    return dataclasses.replace(res, char_nats=network, nats=float(network.mean()))


# Network against n-gram ---------------------------------------------------------------------------------


def test_both_models_keep_float32_losses_on_the_same_test_characters(small):
    _, res = small
    n = int((res.test.targets != IGNORE).sum())
    assert res.char_nats.dtype == np.float32 and res.baseline.char_nats.dtype == np.float32
    assert len(res.char_nats) == len(res.baseline.char_nats) == n == len(res.corpus.text) - res.split
    assert float(res.char_nats.mean()) == pytest.approx(res.nats, rel=1e-6)
    assert float(res.baseline.char_nats.mean()) == pytest.approx(res.baseline.nats, rel=1e-6)


def test_block_means_keep_the_mean_and_give_enough_blocks():
    losses_ = np.random.default_rng(0).random(20_000)
    means = block_means(losses_)
    assert len(means) == 100 and means.mean() == pytest.approx(losses_.mean(), rel=1e-9)
    assert len(block_means(losses_[:113])) == MIN_BLOCKS  # a short test text: shorter blocks, not fewer
    assert len(block_means(losses_[:7])) == 7


def test_a_clear_win_either_way_is_named_with_its_interval(small):
    _, res = small
    ngram = res.baseline.char_nats
    better = beats_ngram(with_losses(res, ngram - 0.3))
    worse = beats_ngram(with_losses(res, ngram + 0.3))
    assert better.holds and better.text.startswith(f"The network beats the order-{res.baseline.order} n-gram")
    assert better.evidence["high"] < 0 and "95% interval" in better.text
    assert not worse.holds and worse.text.startswith(
        f"The order-{res.baseline.order} n-gram beats the network"
    )
    assert worse.evidence["low"] > 0


def test_a_gap_within_the_noise_is_a_tie_even_when_the_network_is_ahead(small):
    """The old verdict named a winner whenever the network's mean was lower, however thin the margin."""
    _, res = small
    noise = np.random.default_rng(1).normal(0, 1.0, len(res.baseline.char_nats))
    tie = beats_ngram(with_losses(res, res.baseline.char_nats + noise - noise.mean() - 0.02))
    assert tie.evidence["difference"] < 0 and tie.evidence["low"] < 0 < tie.evidence["high"]
    assert not tie.holds and "tie" in tie.text and "beats" not in tie.text


def test_a_diverged_network_or_no_test_text_names_no_winner(small):
    _, res = small
    diverged = beats_ngram(with_losses(res, np.full(len(res.char_nats), np.nan)))
    assert not diverged.holds and "diverged" in diverged.text and "low" not in diverged.evidence
    assert all(math.isfinite(v) for v in diverged.evidence.values())
    short = beats_ngram(dataclasses.replace(res, baseline=None, held_out=False))
    assert not short.holds and "too short" in short.text


# What training added to the units -------------------------------------------------------------------------


def test_the_untrained_control_is_this_seeds_initial_weights(small):
    cfg, res = small
    untrained = trained(EXPERIMENT, dataclasses.replace(cfg, train_steps=0))
    for feature in FEATURES:
        for state, r in res.untrained.r[feature].items():
            np.testing.assert_allclose(r, untrained.search.r[feature][state], atol=1e-6)
            np.testing.assert_allclose(r, untrained.untrained.r[feature][state], atol=1e-6)


def test_an_untrained_network_is_credited_with_nothing(small):
    """The old sentence said units switch on inside words whatever the run; untrained, training added nothing."""
    cfg, _ = small
    untrained = trained(EXPERIMENT, dataclasses.replace(cfg, train_steps=0))
    found = by_id(cfg, untrained)
    assert not found["units_learned"].holds
    assert found["units_learned"].text.startswith("Training grew no unit")
    assert not any(found[f"unit_{f}"].holds for f in FEATURES)


def with_untrained_r(res, scale: float):
    """The result with the untrained network's correlations set to ``scale`` times the trained ones."""
    r = {f: {k: v * scale for k, v in res.search.r[f].items()} for f in FEATURES}
    return dataclasses.replace(res, untrained=Search(r, {}, res.search.chars))


def test_a_feature_of_the_character_just_read_is_never_credited_to_training(small):
    cfg, res = small
    control = with_untrained_r(res, 0.0)  # an untrained network that tracks nothing
    for feature in CURRENT_CHARACTER:
        c = unit_claim(control, feature, cfg.layers)
        assert c.evidence["trained"] - c.evidence["untrained"] >= LEARNED_MARGIN
        assert not c.holds and "character just read" in c.text
    headline = units_learned(control)
    assert "depends on the character just read alone" in headline.text
    for feature in CURRENT_CHARACTER:
        assert f"“{FEATURES[feature]}”" not in headline.text.split(" Being")[0]


def test_units_are_credited_only_beyond_the_untrained_network(small):
    cfg, res = small
    learnable = [f for f in FEATURES if f not in CURRENT_CHARACTER and f in res.search.examples]
    assert learnable, "the smoke text should have a feature training can add"
    same = by_id(cfg, with_untrained_r(res, 1.0))
    assert not same["units_learned"].holds and not any(same[f"unit_{f}"].holds for f in learnable)
    nothing = by_id(cfg, with_untrained_r(res, 0.0))
    credited = [f for f in learnable if nothing[f"unit_{f}"].evidence["trained"] >= LEARNED_MARGIN]
    assert credited and all(nothing[f"unit_{f}"].holds for f in credited)
    assert nothing["units_learned"].holds and nothing["units_learned"].text.startswith("Nobody told")
    assert all(f"“{FEATURES[f]}”" in nothing["units_learned"].text for f in credited)


def test_a_text_too_short_to_correlate_says_so(small):
    _, res = small
    short = units_learned(dataclasses.replace(res, corpus=dataclasses.replace(res.corpus, text="ab" * 10)))
    assert not short.holds and "too few for a correlation" in short.text


def test_the_headline_is_the_units_claim_and_every_feature_has_a_card(small):
    cfg, res = small
    ids = [c.id for c in claims(cfg, res)]
    assert ids == ["units_learned", "beats_ngram", *(f"unit_{f}" for f in FEATURES)]


# Names, help and typed numbers (items 13 and 15) ----------------------------------------------------------


def test_the_test_score_is_named_as_one(small):
    _, res = small
    assert EXPERIMENT.metric.name == METRIC_NAME == "test_nats_per_char"
    assert "validation" not in LOSS_CAPTION and "quarter" not in LOSS_CAPTION
    names = [trace.name for trace in losses(res.history, PROGRESS_LOSS).data]
    assert "validation loss" not in names and PROGRESS_LOSS in names
    assert "best classical model" not in INTRO and "best Kneser" not in EXPERIMENT.description


def test_no_typed_number_in_the_home_card_and_the_budget_is_read(monkeypatch):
    assert not re.search(r"\d", VIEW.finding)
    monkeypatch.setenv(BUDGET_ENV, "7")
    assert "up to 7 s" in click_to_train()
