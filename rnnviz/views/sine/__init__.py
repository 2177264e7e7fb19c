"""View "Sine extrapolation": forecasting a synthetic signal or a real series by feeding predictions back."""

from rnnviz.core.experiment import Experiment
from rnnviz.views import View
from rnnviz.views.sine.experiment import SineConfig, add_arguments, report, run, without_unused
from rnnviz.views.sine.export import export
from rnnviz.views.sine.figures import film_figure

EXPERIMENT = Experiment(
    name="sine",
    title="Sine extrapolation",
    config=SineConfig,
    run=run,
    report=report,
    description="Train on sliding windows of a signal or a real series, then forecast by feeding predictions "
    "back, against the naive, seasonal-naive and autoregressive baselines.",
    add_arguments=add_arguments,
    normalise=without_unused,
    export=export,
    film=lambda cfg, res: film_figure(res),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/ssid_chart:",
    finding=(
        "Fed its own predictions, a network trained one step ahead forecasts a signal far into the "
        "future, but every error becomes its next input: a tiny one-step error says little about "
        "step 1,000."
    ),
    order=60,
)
