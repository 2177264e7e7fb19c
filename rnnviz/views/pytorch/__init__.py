"""View "RNNs in PyTorch"."""

from rnnviz.views import View
from rnnviz.views.pytorch.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/code:",
    finding=(
        "Shapes, padding and carried state, the mistakes every tutorial warns about, made on purpose "
        "and measured: output[:, -1] of a padded batch reads the padding, and a state carried without "
        "detach() breaks training."
    ),
    order=90,
)
