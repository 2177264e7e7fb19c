"""View "LSTM & GRU gates": train an LSTM or GRU on a task whose gating can be read, then open every gate.

The sentiment task trains nothing here: it names the sentiment view as its upstream experiment, whose
trained classifier the core hands to ``run`` (see sentiment_adapter).
"""

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import Experiment, Metric
from rnnviz.core.models import TokenModel
from rnnviz.views import View
from rnnviz.views.gates.export import export, report
from rnnviz.views.gates.figures import film, live
from rnnviz.views.gates.lessons import FINDING, claims
from rnnviz.views.gates.result import GatesResult
from rnnviz.views.gates.sentiment_adapter import sentiment_upstream
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import TASKS
from rnnviz.views.gates.train import run

EXPERIMENT: Experiment[GatesConfig, GatesResult] = Experiment(
    name="gates",
    title="LSTM & GRU gates",
    description="Train an LSTM or GRU on a memory, counting or sentiment task and record every gate at "
    "every step, before, during and after training.",
    config=GatesConfig,
    run=run,
    params=lambda cfg: (
        None  # the sentiment task's model is the sentiment view's
        if TASKS[cfg.task].input_size is None
        else parameter_count(lambda: TokenModel(cfg.cell, TASKS[cfg.task].input_size, cfg.hidden, 1))
    ),
    report=report,
    export=export,
    film=film,
    live=live,
    smoke={"hidden": 4, "length": 8, "train_steps": 60},
    metric=Metric(
        name="held_out_loss",
        label="Held-out loss",
        unit="",
        better="lower",
        read=lambda cfg, res: res.trained.held_out_loss,
        help="The trained network's loss on held-out sequences (mean squared error; cross-entropy for "
        "sentiment). Compare it with chance_loss, the best constant guess: well below it, the network learned.",
    ),
    claims=claims,
    upstream=sentiment_upstream,
)

VIEW = View(EXPERIMENT, icon=":material/tune:", finding=FINDING, order=40)
