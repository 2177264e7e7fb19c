"""View "Sine extrapolation"."""

from rnnviz.views import View
from rnnviz.views.sine.experiment import EXPERIMENT

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
