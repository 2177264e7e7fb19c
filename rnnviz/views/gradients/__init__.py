"""View "Vanishing & exploding gradients": how the loss at the last step reaches back through time, and how
clipping helps.

Three measurements on one page's settings: the gradient-norm decay curve of each cell (one forward and
one backward pass each), a vanilla RNN trained with a learning rate high enough to explode, with and
without gradient clipping, and BPTT written out by hand in NumPy checked against autograd.
"""

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import Experiment, Metric
from rnnviz.core.memory_model import MemoryModel
from rnnviz.views import View
from rnnviz.views.gradients.export import export, report
from rnnviz.views.gradients.figures import film, live
from rnnviz.views.gradients.lessons import claims
from rnnviz.views.gradients.result import GradientsResult
from rnnviz.views.gradients.settings import GradientsConfig
from rnnviz.views.gradients.train import run

EXPERIMENT = Experiment[GradientsConfig, GradientsResult](
    name="gradients",
    title="Vanishing & exploding gradients",
    description="Measure ||dL/dh_t|| for every step back from the loss, train with and without clipping, "
    "and check a hand-written BPTT against autograd.",
    config=GradientsConfig,
    run=run,
    params=lambda cfg: parameter_count(lambda: MemoryModel(cfg.cell, cfg.hidden)),
    report=report,
    export=export,
    film=film,
    live=live,
    smoke={"length": 12, "hidden": 4, "train_steps": 50},
    claims=claims,
    metric=Metric(
        name="decay_ratio",
        label="Decay ratio",
        unit="ratio",
        better="lower",
        read=lambda cfg, res: res.curves[res.cell].decay.decay_ratio,
        help="‖∂L/∂h_T‖ / ‖∂L/∂h_1‖ for the chosen cell, mean norms over the probe sequences: 1e3 means the "
        "gradient reaching step 1 is a thousandth of its size at the loss. Near 1 the first step is still "
        "heard; below 1 the gradient grows on the way back (0 when it overflowed float64: it exploded).",
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/trending_down:",
    finding=(
        "Expect the gradient that reaches back through time, a product of one Jacobian per step, to shrink "
        "or blow up by orders of magnitude in a vanilla RNN; clipping caps the blow-ups, and the gates' "
        "additive path keeps more of it."
    ),
    order=20,
)
