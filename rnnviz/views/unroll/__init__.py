"""View "Unrolled hidden states": one network, one sequence, every hidden state at every step, through training."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.unroll.export import export, report
from rnnviz.views.unroll.figures import film, live
from rnnviz.views.unroll.lessons import METRIC_HELP, claims
from rnnviz.views.unroll.result import UnrollResult
from rnnviz.views.unroll.settings import UnrollConfig
from rnnviz.views.unroll.train import params, run

EXPERIMENT = Experiment[UnrollConfig, UnrollResult](
    name="unroll",
    title="Unrolled hidden states",
    description="Read a sequence one token at a time and record every hidden state, gate and cell state.",
    config=UnrollConfig,
    run=run,
    params=params,
    report=report,
    export=export,
    film=film,
    live=live,
    claims=claims,
    smoke={"text": "abcabcabc", "hidden": 4, "layers": 2, "train_steps": 40, "lr": 0.03},
    metric=Metric(
        name="loss_after_training",
        label="Loss after training",
        unit="nats (text) or squared units (numbers)",
        better="lower",
        read=lambda cfg, res: res.loss_after,
        help=METRIC_HELP,
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/view_week:",
    finding=(
        "Expect one small cell, with the same weights at every step, to carry a hidden state forward as "
        "working memory, and its guesses of the next token to improve as it trains on the sequence."
    ),
    order=10,
)
