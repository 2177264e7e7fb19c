import streamlit as st

from pages import ui
from rnnviz.core.config import to_query, training_part
from rnnviz.core.figures import loss_curve
from rnnviz.views.sine import lessons as lessons
from rnnviz.views.sine.experiment import (
    EXPERIMENT,
    MAX_HORIZON,
    OWN_FUTURE_SHARE,
    SineConfig,
    forecast_mse,
    one_step_mse,
)
from rnnviz.views.sine.figures import (
    error_figure,
    forecast_figure,
    gradient_figure,
    hidden_figure,
    signal_figure,
    teacher_vs_free_figure,
)
from rnnviz.views.sine.series import MAX_UPLOAD_MB, UserSeries, read_series

PREFIX = "sine"
UPLOAD_KEY = f"{PREFIX}.upload"
RUNS_KEY = f"{PREFIX}.__runs"
MAX_RUNS = 8

st.title("Sine extrapolation")
st.caption(
    "A network reads a window of past values and predicts the next one. Fed its own predictions, it "
    "forecasts as far ahead as you like, and every error it makes becomes part of its next input."
)
cfg = ui.settings(
    SineConfig,
    PREFIX,
    groups=[
        ("Signal", ["signal", "noise", "dt"]),
        ("Data", ["window", "split", "scaler"]),
        ("Network", ["cell", "hidden", "layers", "seed"]),
        ("Training", ["epochs", "batch", "lr", "clip", "max_norm"]),
    ],
)


def own_series() -> UserSeries | None:
    """The upload box and the paste box; an uploaded file wins over pasted numbers."""
    with st.container(border=True):
        st.markdown("**Your own series**")
        left, right = st.columns(2)
        with left:
            file = st.file_uploader(
                f"CSV file (up to {MAX_UPLOAD_MB} MB)",
                type=["csv", "txt", "tsv"],
                key=UPLOAD_KEY,
                help="One value per row; with several columns, the last column of numbers is used.",
            )
        with right:
            ui.view_controls(SineConfig, PREFIX, ["series"])
        st.caption(
            f"The last {OWN_FUTURE_SHARE:.0%} of the series is kept back as the future to forecast. "
            "An uploaded file is used rather than pasted numbers. Links carry pasted numbers but "
            "cannot carry an uploaded file: whoever opens your link sees the pasted numbers, or the sine."
        )
    if file is None:
        return None
    cached = st.session_state.get(f"{UPLOAD_KEY}.parsed")
    if cached is None or cached[0] != file.file_id:
        cached = (file.file_id, read_series(file.getvalue(), file.name))
        st.session_state[f"{UPLOAD_KEY}.parsed"] = cached
    return cached[1]


upload = own_series() if cfg.signal == "own" else None
ui.share_link()
res = ui.run(EXPERIMENT, cfg, upload=upload)
for note in res.notes:
    st.info(ui.safe_text(note), icon=":material/info:")
ui.training_message(res.history)

st.plotly_chart(signal_figure(res))
left, right = st.columns(2)
left.plotly_chart(
    loss_curve(res.history, title=f"Training and validation loss (scaled units), {res.history.steps} steps")
)
right.plotly_chart(gradient_figure(res.history, cfg.max_norm if cfg.clip else None))


def remember_run() -> None:
    """Keep this run's key numbers, so flipping a toggle shows its effect side by side."""
    changed = {k: v for k, v in to_query(training_part(cfg)).items() if k not in ("v", "series")}
    settings = ", ".join(f"{k}={v}" for k, v in changed.items()) or "defaults"
    if res.signal == "own":
        settings += f" ({res.source})"
    steps = min(MAX_HORIZON, len(res.future))
    row = {
        "settings (training)": settings,
        "validation MSE": res.val_mse,
        "one step ahead, future": one_step_mse(res, "window", steps),
        "forecast MSE, first 100 steps": forecast_mse(res, "window", 100),
        "forecast steps": steps,
        "forecast MSE, all steps": forecast_mse(res, "window", steps),
        "training s": round(res.history.seconds, 2),
    }
    runs = [r for r in st.session_state.get(RUNS_KEY, []) if r["settings (training)"] != settings]
    st.session_state[RUNS_KEY] = [row, *runs][:MAX_RUNS]


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
    m[0].metric("Validation MSE", f"{res.val_mse:.2g}", help="Single steps, on the held-out windows.")
    m[1].metric("One step ahead, future", f"{one_step_mse(res, view.generation, steps):.2g}")
    m[2].metric(f"Forecast MSE, {steps:,} steps", f"{forecast_mse(res, view.generation, steps):.2g}")
    m[3].metric("Training time", f"{res.history.seconds:.2f} s")
    st.plotly_chart(forecast_figure(res, view.generation, steps))
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

remember_run()
st.subheader("Your runs")
st.caption("Each training you ran in this session, newest first: flip a toggle and compare.")
st.dataframe(st.session_state[RUNS_KEY], hide_index=True)
