import numpy as np
import pytest

from rnnviz.core.fit import History
from rnnviz.core.timeline import Timeline
from rnnviz.views.unroll import EXPERIMENT
from rnnviz.views.unroll.figures import film, guesses_film, hidden_film, live, predictions_film, states_film
from rnnviz.views.unroll.settings import UnrollConfig
from rnnviz.views.unroll.train import run
from tests.trained import trained as shared


@pytest.fixture(scope="module")
def trained():
    """The smoke settings: a stacked network on "abcabcabc"."""
    return shared(EXPERIMENT)


def test_hidden_film_has_one_frame_per_snapshot_and_opens_on_the_trained_model(trained):
    timeline = trained.history.timeline
    fig = hidden_film(timeline, trained.final, 0, trained.tokens)
    assert len(fig.frames) == len(timeline)
    np.testing.assert_array_equal(fig.data[0].z, trained.states.h[0].T)
    np.testing.assert_array_equal(fig.frames[-1].data[0].z, trained.states.h[0].T)
    np.testing.assert_array_equal(fig.frames[0].data[0].z, timeline.frames[0]["hidden_lower_layers"][0].T)
    assert "step 0" in fig.frames[0].layout.title.text
    assert timeline.label(len(timeline) - 1) in fig.layout.title.text
    assert [s.label for s in fig.layout.sliders[0].steps] == [str(s) for s in timeline.steps]
    # One colour scale for the whole film; hover reads the value of the frame shown.
    bound = max(np.abs(f["hidden_lower_layers"][0]).max() for f in timeline.frames)
    assert fig.data[0].zmax == pytest.approx(max(1.0, bound))
    assert "%{z" in fig.data[0].hovertemplate and "token 'b' (t=2)" in fig.data[0].text[0][1]


def test_predictions_film_counts_right_guesses_per_frame(trained):
    timeline = trained.history.timeline
    fig = predictions_film(timeline, trained.final, trained.tokens)
    assert len(fig.frames) == len(timeline)
    right = sum(g == t for g, t in zip(trained.predictions[:-1], trained.tokens[1:], strict=True))
    assert f"{right} of {len(trained.tokens) - 1} right" in fig.layout.title.text
    np.testing.assert_allclose(fig.data[0].y, trained.final["p_next"])
    assert list(fig.frames[0].data[0].y) != list(fig.frames[-1].data[0].y)


def test_numbers_film_shows_guesses_against_the_actual_values():
    res = shared(
        EXPERIMENT, UnrollConfig(tokenizer="number", text="0.5 1 1.5 1 0.5", hidden=3, train_steps=20)
    )
    fig = predictions_film(res.history.timeline, res.final, res.tokens, res.values)
    assert list(fig.data[0].y) == [1, 1.5, 1, 0.5]
    np.testing.assert_array_equal(fig.data[1].y, res.final["predictions"][:-1])
    timeline = res.history.timeline
    assert len(fig.frames) == len(timeline) and fig.frames[0].traces == (1,)
    assert timeline.label(0) in fig.frames[0].layout.title.text
    # One y range for the whole film holds every guess of every frame.
    low, high = fig.layout.yaxis.range
    for frame in timeline.frames:
        assert low <= frame["predictions"][:-1].min() and frame["predictions"][:-1].max() <= high


def test_untrained_film_is_a_still_figure():
    res = shared(EXPERIMENT, UnrollConfig(train_steps=0))
    fig = hidden_film(res.history.timeline, res.final, 0, res.tokens)
    assert not fig.frames and not fig.layout.sliders
    assert "step 0" in fig.layout.title.text


def test_film_without_captured_frames_draws_the_final_model():
    res = shared(EXPERIMENT, UnrollConfig(train_steps=0))
    fig = predictions_film(Timeline(), res.final, res.tokens)
    assert not fig.frames and "right" in fig.layout.title.text


def test_live_figure_draws_the_latest_snapshot():
    cfg = UnrollConfig(text="xyzzy", hidden=3)
    history = History()
    history.timeline.add(0, None, {"hidden": np.zeros((5, 3))})
    history.timeline.add(10, 0.5, {"hidden": np.full((5, 3), 0.25)})
    fig = live(cfg)(history)
    assert np.all(np.asarray(fig.data[0].z) == 0.25)
    assert "step 10, loss 0.5" in fig.layout.title.text


def test_page_films_are_built_once_per_result_and_layer(trained):
    assert states_film(trained, 0) is states_film(trained, 0)
    assert states_film(trained, 1) is not states_film(trained, 0)
    assert guesses_film(trained) is guesses_film(trained)
    other = run(EXPERIMENT.smoke_config())  # the same settings, another result object
    assert states_film(other, 0) is not states_film(trained, 0)


def test_the_film_plays_the_layer_shown_and_the_top_one_when_fewer_are_stacked(trained):
    cfg = EXPERIMENT.smoke_config()
    assert film(cfg, trained) is states_film(trained, cfg.layer - 1)
    assert film(UnrollConfig(layers=2, layer=3), trained) is states_film(trained, 1)
