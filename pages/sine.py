import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.sine import EXPERIMENT
from rnnviz.views.sine import lessons as lessons
from rnnviz.views.sine.experiment import MAX_HORIZON, SineConfig, forecast_mse, one_step_mse
from rnnviz.views.sine.figures import (
    baseline_figure,
    error_figure,
    film_figure,
    forecast_figure,
    gradient_figure,
    hidden_figure,
    live_forecast,
    signal_figure,
    teacher_vs_free_figure,
)
from rnnviz.views.sine.series import parse_upload
from rnnviz.views.sine.sources import OWN_FUTURE_SHARE, TABLE_SIGNALS

PREFIX = "sine"
SETTING_GROUPS = [
    ("Signal", ["signal", "noise", "dt"]),
    ("Data", ["window", "split", "scaler", "learn", "season"]),
    ("Network", ["cell", "hidden", "layers", "seed"]),
    ("Training", ["epochs", "batch", "lr", "clip", "max_norm"]),
]
RUNS_KEY = f"{PREFIX}.__runs"
# The forecast's two parts, one shown at a time: only the chosen one is built and sent.
SECTIONS = ("Against the baselines", "Why free running is harder")
MAX_RUNS = 8

st.title("Sine extrapolation")
st.caption(
    "A network reads a window of past values and predicts the next one. Fed its own predictions, it "
    "forecasts as far ahead as you like, and every error it makes becomes part of its next input. On real "
    "series it must beat the forecasts that need no training at all."
)
cfg = ui.settings(SineConfig, PREFIX, groups=SETTING_GROUPS)

upload = None
if cfg.signal in TABLE_SIGNALS:
    with st.container(border=True):
        st.markdown("**Columns**")
        ui.view_controls(SineConfig, PREFIX, ["target", "inputs"])
if cfg.signal == "own":
    with st.container(border=True):
        st.markdown("**Your own series**")
        left, right = st.columns(2)
        upload = ui.upload(
            "CSV file",
            key=f"{PREFIX}.upload",
            types=["csv", "txt", "tsv"],
            parse=parse_upload,
            help="One value per row, or several columns with a header: pick the target and the extra inputs "
            "by name above.",
            container=left,
        )
        with right:
            ui.view_controls(SineConfig, PREFIX, ["series"])
        st.caption(
            f"The last {OWN_FUTURE_SHARE:.0%} of the series is kept back as the future to forecast. "
            "An uploaded file is used rather than pasted numbers. Links carry pasted numbers but "
            "cannot carry an uploaded file: whoever opens your link sees the pasted numbers, or the sine."
        )

ui.share_link()
res = ui.run(EXPERIMENT, cfg, live=live_forecast, upload=upload)
ui.downloads(EXPERIMENT, cfg, res)
for note in res.notes:
    st.info(ui.safe_text(note), icon=":material/info:")
ui.training_message(res.history)

st.plotly_chart(signal_figure(res))
st.markdown(lessons.data_note(res))
st.plotly_chart(film_figure(res))
st.caption(
    "Press Play, or drag the training step: the forecast of each snapshot against the truth. "
    "Replaying costs nothing: every snapshot was recorded while the network trained."
)
left, right = st.columns(2)
left.plotly_chart(
    loss_curve(res.history, title=f"Training and validation loss (scaled units), {res.history.steps} steps")
)
right.plotly_chart(gradient_figure(res.history, cfg.max_norm if cfg.clip else None))


@st.fragment
def forecast_views() -> None:
    """Horizon and generation mode only change the display: the network is not retrained."""
    a, b = st.columns(2)
    with a:
        ui.view_controls(SineConfig, PREFIX, ["generation"])
    with b:
        short = {"horizon": len(res.future)} if len(res.future) < MAX_HORIZON else None
        view = ui.view_controls(SineConfig, PREFIX, ["horizon"], limits=short)
    steps = min(view.horizon, len(res.future))
    m = st.columns(4)
    m[0].metric("Validation MSE", f"{res.val_mse:.3g}", help="Single steps, on the held-out windows.")
    m[1].metric("One step ahead, future", f"{one_step_mse(res, view.generation, steps):.3g}")
    m[2].metric(f"Forecast MSE, {steps:,} steps", f"{forecast_mse(res, view.generation, steps):.3g}")
    m[3].metric("Training time", f"{res.history.seconds:.2f} s")
    st.plotly_chart(forecast_figure(res, view.generation, steps))
    st.markdown(lessons.verdict(res, view.generation, steps))
    if ui.section(SECTIONS, key=f"{PREFIX}.section") == SECTIONS[0]:
        st.plotly_chart(baseline_figure(res, view.generation, steps))
        st.caption("Root mean squared error of each forecaster, in the series' own units")
        st.dataframe(lessons.baseline_table(res, view.generation, steps), hide_index=True)
        return
    st.plotly_chart(error_figure(res, view.generation, steps))
    for line in lessons.update_rules(res, view.generation, steps):
        st.latex(line)
    st.markdown(lessons.accumulation(res, view.generation, steps))
    st.plotly_chart(teacher_vs_free_figure(res, view.generation, steps))
    st.plotly_chart(hidden_figure(res, view.generation, steps))


forecast_views()

st.subheader("Lessons, with this run's numbers")
a, b = st.columns(2)
a.markdown(lessons.split_leak(res, cfg))
b.markdown(lessons.scaler_leak(res, cfg))
a.markdown(lessons.clipping(res, cfg))
b.markdown(lessons.window_length(res))

row = lessons.run_row(res, cfg)
runs = [
    r for r in st.session_state.get(RUNS_KEY, []) if r["settings (training)"] != row["settings (training)"]
]
st.session_state[RUNS_KEY] = [row, *runs][:MAX_RUNS]
st.subheader("Your runs")
st.caption("Each training you ran in this session, newest first: flip a toggle and compare.")
st.dataframe(st.session_state[RUNS_KEY], hide_index=True)
