"""View "Sentiment hidden states": a recurrent classifier on real review sentences, and maps of its hidden states."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.sentiment.export import export, report
from rnnviz.views.sentiment.figures import film, live
from rnnviz.views.sentiment.lessons import DESCRIPTION, FINDING, METRIC_HELP, claims
from rnnviz.views.sentiment.result import SentimentResult
from rnnviz.views.sentiment.settings import SentimentConfig
from rnnviz.views.sentiment.train import add_arguments, params, run

EXPERIMENT: Experiment[SentimentConfig, SentimentResult] = Experiment(
    name="sentiment",
    title="Sentiment hidden states",
    description=DESCRIPTION,
    config=SentimentConfig,
    run=run,
    params=params,
    report=report,
    export=export,
    film=film,
    live=live,
    smoke={"cell": "rnn", "embedding": 8, "hidden": 4, "epochs": 1, "min_freq": 10, "projection": "pca"},
    metric=Metric(
        name="test_accuracy",
        label="Test accuracy",
        unit="share right, 0..1",
        better="higher",
        read=lambda cfg, res: res.test_accuracy,
        help=METRIC_HELP,
    ),
    claims=claims,
    add_arguments=add_arguments,
)

VIEW = View(EXPERIMENT, icon=":material/reviews:", finding=FINDING, order=80)
