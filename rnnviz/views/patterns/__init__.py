"""View "Sequence patterns": one recurrent cell wired six ways, each wiring trained on a tiny task."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.patterns.export import METRIC, export, report
from rnnviz.views.patterns.figures import film, live
from rnnviz.views.patterns.lessons import DESCRIPTION, FINDING, METRIC_HELP, claims
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.train import run

EXPERIMENT = Experiment(
    name="patterns",
    title="Sequence patterns",
    description=DESCRIPTION,
    config=PatternsConfig,
    run=run,
    report=report,
    export=export,
    film=film,
    live=live,
    claims=claims,
    smoke={"pattern": "aligned", "training": "quarter", "cell": "lstm"},
    metric=Metric(
        name=METRIC,
        label="Accuracy",
        unit="share (0 to 1)",
        better="higher",
        read=lambda cfg, res: res.accuracy,
        help=METRIC_HELP,
    ),
)

VIEW = View(EXPERIMENT, icon=":material/account_tree:", finding=FINDING, order=50)
