"""View "Sine extrapolation": forecasting a synthetic signal or a real series by feeding predictions back."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.sine.export import export, report
from rnnviz.views.sine.figures import film, live
from rnnviz.views.sine.lessons import claims
from rnnviz.views.sine.result import SineResult
from rnnviz.views.sine.scoring import forecast_mse
from rnnviz.views.sine.settings import SineConfig, resolved_generation
from rnnviz.views.sine.train import add_arguments, params, run

EXPERIMENT: Experiment[SineConfig, SineResult] = Experiment(
    name="sine",
    title="Sine extrapolation",
    config=SineConfig,
    run=run,
    params=params,
    report=report,
    description="Train on sliding windows of a signal or a real series, then forecast by feeding predictions "
    "back, against the naive, seasonal-naive and autoregressive baselines.",
    add_arguments=add_arguments,
    export=export,
    film=film,
    live=live,
    claims=claims,
    smoke=dict(epochs=5, hidden=4),
    metric=Metric(
        name="forecast_mse",
        label="Forecast MSE",
        unit="squared units of the series",
        better="lower",
        read=lambda cfg, res: forecast_mse(res, resolved_generation(cfg), cfg.horizon),
        help="Mean squared error of the free-running forecast (each prediction fed back as the next input) "
        f"against the clean future, over the default horizon of {SineConfig.horizon:,} steps or the whole "
        "held-back future if shorter, generated the way the network trained (each window re-read from a zero "
        "state after one-step training, the state carried after rollouts). 0 is perfect; compare it with the "
        "baselines'.",
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/ssid_chart:",
    finding=(
        "Watch a network forecast far into the future on its own predictions, trained one step ahead or on "
        "free-running rollouts, and see whether it beats the naive, seasonal-naive and autoregressive "
        "forecasts from the same origins."
    ),
    order=60,
)
