"""View "Unrolled hidden states"."""

from rnnviz.views import View
from rnnviz.views.unroll.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/view_week:",
    finding=(
        "A recurrent network is one small cell applied at every step, with the same weights, "
        "carrying a hidden state forward as working memory."
    ),
    order=10,
)
