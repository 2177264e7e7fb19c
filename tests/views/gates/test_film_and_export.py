"""The gates view's training film (timeline), its live figure, and its export with reproduce.py."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rnnviz.core import export as core_export
from rnnviz.core.fit import History
from rnnviz.core.timeline import capturing
from rnnviz.views.gates import EXPERIMENT
from rnnviz.views.gates.figures import QUANTITIES, gates_figure, saturation_figure
from rnnviz.views.gates.reading import inspect_sequence
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import BATCH
from rnnviz.views.gates.train import run
from tests.export_support import run_reproduce
from tests.trained import trained

SMALL = EXPERIMENT.smoke_config()
CSV_COLUMNS = {
    "lstm": {"f (forget gate f, 0..1)", "g (candidate g, -1..1)", "c (cell state c)"},
    "gru": {"z (update gate z, 0..1)", "n (candidate n, -1..1)"},
}


def test_default_timeline_is_a_film_of_the_worked_example():
    cfg = GatesConfig()
    data = EXPERIMENT.full_report(cfg, trained(EXPERIMENT, cfg))
    timeline = data["timeline"]
    steps = [entry["step"] for entry in timeline]
    assert len(timeline) >= 10
    assert steps[0] == 0 and steps[-1] == GatesConfig().train_steps
    assert all(a < b for a, b in zip(steps, steps[1:], strict=False))
    hidden, length = GatesConfig().hidden, len(data["tokens"])
    for entry in timeline:
        assert set(entry["gates"]) == {"i", "f", "g", "o"}
        assert np.array(entry["cell"]).shape == (length, hidden)
    # The last snapshot is the trained network the top level reports, on the same worked example.
    np.testing.assert_allclose(timeline[-1]["gates"]["f"], data["gates"]["f"], atol=1e-6)
    np.testing.assert_allclose(timeline[-1]["held_out_loss"], data["metrics"]["held_out_loss"], rtol=1e-5)
    # Gates become switches during training, and the film shows it.
    assert timeline[-1]["saturated_share"] > timeline[0]["saturated_share"] + 0.2
    assert timeline[-1]["held_out_loss"] < 0.2 * timeline[0]["held_out_loss"]


def test_untrained_run_has_one_frame_and_static_figures():
    cfg = replace(SMALL, train_steps=0)
    res = trained(EXPERIMENT, cfg)
    assert res.film is not None and res.film.steps == [0]
    ins = inspect_sequence(res, cfg)
    assert not gates_figure(res, ins, "example").frames
    assert EXPERIMENT.full_report(cfg, res)["timeline"][0]["step"] == 0


def test_film_plays_every_snapshot_and_opens_on_the_trained_network():
    res = trained(EXPERIMENT)
    ins = inspect_sequence(res, SMALL)
    fig = gates_figure(res, ins, "example")
    names = QUANTITIES[SMALL.cell]
    assert len(fig.frames) == len(res.film) >= 10
    first, last = fig.frames[0].data[0].z, fig.frames[-1].data[0].z
    np.testing.assert_allclose(fig.data[0].z, last)  # the figure opens on the last frame
    np.testing.assert_allclose(np.array(last).T, ins.trained.gates[names[0]], atol=1e-6)
    assert not np.allclose(first, last)
    assert [s["label"] for s in fig.layout.sliders[0].steps] == [str(s) for s in res.film.steps]
    hist = saturation_figure(res, ins, "example")
    assert len(hist.frames) == len(res.film) and hist.frames[0].traces == (1, 3, 5, 7)
    typed = replace(SMALL, source="typed", sequence="1 2 3")
    assert not gates_figure(res, inspect_sequence(res, typed), "typed").frames  # the film is the example's
    assert len(EXPERIMENT.film(typed, res).frames) == len(res.film)  # whatever sequence is inspected


def test_live_figure_draws_the_latest_snapshot():
    res = trained(EXPERIMENT)
    partial = History(timeline=res.film)
    fig = EXPERIMENT.live(SMALL)(partial)
    assert fig.layout.title.text.endswith(res.film.label(len(res.film) - 1))
    np.testing.assert_allclose(np.array(fig.data[0].z).T, res.film.frames[-1]["gates"]["f"], atol=1e-6)


def test_without_capture_there_is_no_film_and_figures_stay_static():
    with capturing(False):
        res = run(SMALL)
    assert res.film is None and res.history.steps == SMALL.train_steps
    assert not gates_figure(res, inspect_sequence(res, SMALL), "example").frames


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_export_of_the_counting_task_reproduces_its_held_out_loss(tmp_path, cell):
    """The contract test covers the memory task; counting answers at every step, through reproduce.py's
    other branch."""
    cfg = replace(SMALL, cell=cell, task="brackets")
    res = trained(EXPERIMENT, cfg)
    core_export.write(EXPERIMENT.bundle(cfg, res, "http://localhost/gates"), tmp_path)
    last = run_reproduce(tmp_path)
    assert last["metric"] == "held_out_loss"
    assert last["value"] == pytest.approx(res.trained.held_out_loss, rel=1e-5)
    assert "rnnviz" not in (tmp_path / "reproduce.py").read_text().replace("rnnviz view", "")
    gates = pd.read_csv(tmp_path / "data" / "gates.csv")
    assert {"step (t)", "unit", "f (forget gate f, 0..1)", "h (hidden state h, -1..1)"} <= set(
        gates.columns
    ) or ({"z (update gate z, 0..1)", "n (candidate n, -1..1)"} <= set(gates.columns))
    timeline = pd.read_csv(tmp_path / "data" / "timeline.csv")
    assert timeline["training step"].iloc[0] == 0 and timeline["training step"].iloc[-1] == cfg.train_steps
    assert (tmp_path / "index.html").read_text().count("plotly") > 0


def test_export_bundle_names_batch_and_units_in_the_csv():
    res = trained(EXPERIMENT)
    bundle = EXPERIMENT.export(SMALL, res)
    assert set(bundle.tables) == {"gates", "answers", "timeline"}
    assert len(bundle.tables["gates"]) == len(inspect_sequence(res, SMALL).tokens) * SMALL.hidden
    files = EXPERIMENT.bundle(SMALL, res, "http://x")
    assert "model.safetensors" in files and "held_out.json" in files
    assert (
        f"minibatches of {BATCH}"
        in GatesConfig.__dataclass_fields__["train_steps"].metadata["rnnviz"]["help"]
    )
