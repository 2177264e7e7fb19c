"""View "Vanishing & exploding gradients"."""

from rnnviz.views import View
from rnnviz.views.gradients.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/trending_down:",
    finding=(
        "The loss reaches back through time as a product of Jacobians with the same W_hh in each, "
        "so the gradient shrinks or explodes geometrically; clipping caps explosions, gates fix "
        "vanishing."
    ),
    order=20,
)
