"""The patterns view's training film (timeline), its film and live figure, and its export."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from rnnviz.core import export
from rnnviz.core.fit import History
from rnnviz.views.patterns import EXPERIMENT
from rnnviz.views.patterns.answers import answer, film_answers
from rnnviz.views.patterns.figures import film, live, pattern_diagram, state_figures
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.tasks import STEP_TASKS
from tests.trained import trained


def test_default_report_timeline_records_the_answer_as_it_forms():
    cfg = PatternsConfig()
    data = EXPERIMENT.full_report(cfg, trained(EXPERIMENT, cfg))
    timeline = data["timeline"]
    steps = [entry["step"] for entry in timeline]
    assert len(timeline) >= 10 and steps[0] == 0 and steps[-1] == STEP_TASKS["many_to_one"].steps
    assert all(a < b for a, b in zip(steps, steps[1:], strict=False))
    length = len(data["example"]["input"])
    for entry in timeline:
        assert np.array(entry["hidden"]).shape == (1, 1, length, STEP_TASKS["many_to_one"].hidden)
        assert entry["answer"] in ("even", "odd")
    assert timeline[-1]["answer"] == data["example"]["answer"]


@pytest.mark.parametrize(("pattern", "training"), [("stacked", "quarter"), ("seq2seq", "none")])
def test_film_answers_keep_one_layout_and_end_on_the_trained_reply(pattern, training):
    cfg = PatternsConfig(pattern=pattern, training=training)
    res = trained(EXPERIMENT, cfg)
    reply = answer(res, cfg)
    frames = film_answers(res, reply)
    if training == "none":
        assert frames is None and len(res.film) == 1  # an untrained run has one frame and no film
        assert not pattern_diagram(reply, cell=cfg.cell).frames
        return
    assert len(frames) == len(res.film) >= 10
    assert {len(a.inputs) for a in frames} == {len(reply.inputs)} and {a.used for a in frames} == {reply.used}
    assert frames[-1].text == reply.text and frames[-1].outputs == reply.outputs
    for got, want in zip(frames[-1].layers, reply.layers, strict=True):
        np.testing.assert_allclose(got[0], want[0], atol=1e-6)
    labels = [str(s) for s in res.film.steps]
    captions = [res.film.label(i) for i in range(len(res.film))]
    fig = pattern_diagram(reply, cell=cfg.cell, film=frames, labels=labels, captions=captions)
    assert len(fig.frames) == len(frames) and fig.frames[0].data[0].text != fig.frames[-1].data[0].text
    assert fig.layout.title.text.endswith(captions[-1])
    states = state_figures(reply, pattern, film=frames, labels=labels, captions=captions)
    assert len(states) == 3 and all(len(f.frames) == len(frames) for f in states)
    other = PatternsConfig(pattern=pattern, training=training, digits="123")
    assert film_answers(res, answer(res, other)) is None  # the film is of the default input only


def test_film_plays_the_default_input_whatever_is_typed():
    cfg = EXPERIMENT.smoke_config()
    res = trained(EXPERIMENT)
    fig = film(dataclasses.replace(cfg, digits="9876"), res)
    assert len(fig.frames) == len(res.film)
    assert fig.to_json() == film(cfg, res).to_json()


def test_live_figure_is_the_latest_snapshots_diagram():
    cfg = EXPERIMENT.smoke_config()
    res = trained(EXPERIMENT)
    fig = live(cfg)(History(timeline=res.film))
    final = pattern_diagram(answer(res, cfg), cell=cfg.cell)
    assert fig.data[0].text == final.data[0].text
    assert fig.layout.title.text.startswith(final.layout.title.text)


def test_export_holds_hidden_states_and_the_answers_through_training(tmp_path):
    cfg = EXPERIMENT.smoke_config()  # an LSTM: tests/test_contract.py runs its reproduce.py
    export.write(EXPERIMENT.bundle(cfg, trained(EXPERIMENT), "http://localhost/x"), tmp_path)
    hidden = pd.read_csv(tmp_path / "data" / "hidden_states.csv")
    assert {"step (t)", "unit", "h (hidden state)"} <= set(hidden.columns)
    timeline = pd.read_csv(tmp_path / "data" / "timeline.csv")
    assert timeline["training step"].iloc[0] == 0 and "answer to '3141592653'" in timeline.columns
    assert (tmp_path / "reproduce.py").exists() and (tmp_path / "eval_set.json").exists()


def test_date_converter_exports_without_a_script():
    cfg = PatternsConfig(pattern="seq2seq", training="none")
    bundle = EXPERIMENT.export(cfg, trained(EXPERIMENT, cfg))
    assert bundle.reproduce is None and "held_out_dates" in bundle.tables and bundle.weights
