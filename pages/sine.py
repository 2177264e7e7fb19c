from typing import Any

import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.sine import EXPERIMENT
from rnnviz.views.sine.figures import (
    baseline_figure,
    error_figure,
    fan_figure,
    film,
    forecast_figure,
    gradient_figure,
    hidden_figure,
    objectives_figure,
    signal_figure,
    teacher_vs_free_figure,
)
from rnnviz.views.sine.lessons import (
    BASELINE_TABLE,
    COMPARISONS,
    DIEBOLD_MARIANO,
    FILM,
    INTRO,
    OWN_SERIES,
    UPLOAD_HELP,
    baseline_table,
    by_id,
    data_note,
    network_note,
    run_row,
    update_rules,
)
from rnnviz.views.sine.scoring import forecast_mse, one_step_mse
from rnnviz.views.sine.series import parse_upload
from rnnviz.views.sine.settings import SineConfig, has_columns, is_own, resolved_generation
from rnnviz.views.sine.sources import MAX_HORIZON

SETTING_GROUPS = [
    ("Signal", ["signal", "noise", "dt"]),
    ("Data", ["window", "split", "scaler", "learn", "season"]),
    ("Network", ["cell", "hidden", "layers", "seed"]),
    ("Training", ["objective", "rollout", "epochs", "batch", "lr", "clip", "max_norm"]),
]
RUNS_KEY = f"{EXPERIMENT.name}.__runs"
# The forecast's two parts, one shown at a time: only the chosen one is built and sent.
SECTIONS = ("Against the baselines", "Why free running is harder")
MAX_RUNS = 8


def before_run(cfg: SineConfig) -> dict[str, Any]:
    """The columns to read, and the visitor's own series: pasted numbers or an uploaded file."""
    if has_columns(cfg):
        with st.container(border=True):
            st.markdown("**Columns**")
            ui.view_controls(EXPERIMENT, ["target", "inputs"])
    if not is_own(cfg):
        return {}
    with st.container(border=True):
        st.markdown("**Your own series**")
        left, right = st.columns(2)
        upload = ui.upload(
            EXPERIMENT,
            "CSV file",
            types=["csv", "txt", "tsv"],
            parse=parse_upload,
            help=UPLOAD_HELP,
            container=left,
        )
        with right:
            ui.view_controls(EXPERIMENT, ["series"])
        st.caption(OWN_SERIES)
    return {"upload": upload}


cfg, res = ui.page(EXPERIMENT, intro=INTRO, groups=SETTING_GROUPS, before_run=before_run)

ui.chart(signal_figure(res))
st.markdown(data_note(res))
st.markdown(network_note(res))
ui.chart(film(cfg, res))
st.caption(FILM)
left, right = st.columns(2)
ui.chart(
    loss_curve(res.history, title=f"Training and validation loss (scaled units), {res.history.steps} steps"),
    container=left,
)
ui.chart(gradient_figure(res.history, cfg.max_norm_used), container=right)


@st.fragment
def forecast_views() -> None:
    """Horizon and generation mode only change the display: the network is not retrained."""
    a, b = st.columns(2)
    with a:
        ui.view_controls(EXPERIMENT, ["generation"])
    with b:
        short = {"horizon": len(res.future)} if len(res.future) < MAX_HORIZON else None
        view = ui.view_controls(EXPERIMENT, ["horizon"], limits=short)
    steps = res.steps(view.horizon)
    generation = resolved_generation(view)
    found = by_id(EXPERIMENT.findings(view, res))
    m = st.columns(4)
    m[0].metric("Validation MSE", f"{res.val_mse:.3g}", help="Single steps, on the held-out windows.")
    m[1].metric("One step ahead, future", f"{one_step_mse(res, generation, steps):.3g}")
    m[2].metric(f"Forecast MSE, {steps:,} steps", f"{forecast_mse(res, generation, steps):.3g}")
    m[3].metric("Training time", f"{res.history.seconds:.2f} s")
    st.markdown(found["network_vs_baselines"].text)
    ui.chart(forecast_figure(res, generation, steps))
    ui.chart(fan_figure(res, generation))
    st.markdown(found["intervals_cover"].text)
    if ui.section(SECTIONS, key=f"{EXPERIMENT.name}.section") == SECTIONS[0]:
        ui.chart(objectives_figure(res))
        st.markdown(found["rollouts_beat_one_step"].text)
        st.markdown("\n".join(f"- {found[name].text}" for name in COMPARISONS.values()))
        st.markdown(found["hybrid_beats_ar"].text)
        st.caption(DIEBOLD_MARIANO)
        ui.chart(baseline_figure(res, generation, steps))
        st.caption(BASELINE_TABLE)
        st.dataframe(baseline_table(res, generation, steps), hide_index=True)
        return
    ui.chart(error_figure(res, generation, steps))
    st.markdown(found["errors_compound"].text)
    for line in update_rules(res, generation, steps):
        st.latex(line)
    st.markdown(found["error_grows"].text)
    st.markdown(found["validation_understates"].text)
    ui.chart(teacher_vs_free_figure(res, generation, steps))
    ui.chart(hidden_figure(res, generation, steps))


forecast_views()

st.subheader("Lessons, with this run's numbers")
lesson = by_id(EXPERIMENT.findings(cfg, res))
a, b = st.columns(2)
a.markdown(lesson["validation_leaks"].text)
b.markdown(lesson["future_leaves_training_range"].text)
a.markdown(lesson["no_gradient_spike"].text)
b.markdown(lesson["window_covers_pattern"].text)

row = run_row(res, cfg)
runs = [
    r for r in st.session_state.get(RUNS_KEY, []) if r["settings (training)"] != row["settings (training)"]
]
st.session_state[RUNS_KEY] = [row, *runs][:MAX_RUNS]
st.subheader("Your runs")
st.caption("Each training you ran in this session, newest first: flip a toggle and compare.")
st.dataframe(st.session_state[RUNS_KEY], hide_index=True)
