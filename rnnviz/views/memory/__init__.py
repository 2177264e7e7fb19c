"""View "Long-range memory"."""

from rnnviz.views import View
from rnnviz.views.memory.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/psychology:",
    finding=(
        "Asked to recall a value 100 steps back, a vanilla RNN stays at chance while an LSTM and a "
        "GRU, their memory gate (forget gate, update gate) biased open, solve it in a few hundred steps."
    ),
    order=30,
)
