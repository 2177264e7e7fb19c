"""View "Sequence patterns"."""

from rnnviz.views import View
from rnnviz.views.patterns.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/account_tree:",
    finding=(
        "Which inputs a network reads and which outputs are scored (one or many, past only or past "
        "and future, one layer or several) decide what it can learn: six wirings, each trained "
        "live."
    ),
    order=50,
)
