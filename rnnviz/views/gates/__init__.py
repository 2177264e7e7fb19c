"""View "LSTM & GRU gates"."""

from rnnviz.views import View
from rnnviz.views.gates.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/tune:",
    finding=(
        "Gates are learned switches: training drives them to fully open or shut, and a forget gate "
        "held near 1 carries memory, and gradient, across many steps."
    ),
    order=40,
)
