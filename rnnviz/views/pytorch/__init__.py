"""View "RNNs in PyTorch": the mistakes every PyTorch RNN tutorial warns about, made and measured.

The shapes explorer runs a module on random tensors (no training, display-only settings); the run
trains the three padding readers on review sentences, two character models on Hamlet (a carried
state or none) and times truncated backpropagation with and without ``detach()``.
"""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.pytorch.export import export, report
from rnnviz.views.pytorch.figures import film, live
from rnnviz.views.pytorch.lessons import claims
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import PytorchConfig
from rnnviz.views.pytorch.train import run

EXPERIMENT: Experiment[PytorchConfig, PytorchResult] = Experiment(
    name="pytorch",
    title="RNNs in PyTorch",
    description="Tensor shapes, padding, carried state and common corrections, measured on real PyTorch "
    "modules: three padding readers trained on review sentences, two character models on Hamlet.",
    config=PytorchConfig,
    run=run,
    report=report,
    export=export,
    film=film,
    live=live,
    claims=claims,
    smoke={"sentences": 500, "epochs": 1, "char_steps": 20},
    metric=Metric(
        name="packed_test_accuracy",
        label="Test accuracy of the packed reader",
        unit="share",
        better="higher",
        read=lambda cfg, res: res.test_accuracy["packed"],
        help="Share of test sentences, from movies none of the readers saw, that the reader using "
        "pack_padded_sequence classifies right. Compare it with chance: always answering the test set's "
        "commoner label.",
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/code:",
    finding=(
        "Shapes, padding and carried state, the mistakes every tutorial warns about, made on purpose "
        "and measured: see whether reading output[:, -1] of a padded batch costs accuracy against "
        "packing, and what a state carried without detach() does to training."
    ),
    order=90,
)
