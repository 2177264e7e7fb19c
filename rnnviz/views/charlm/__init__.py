"""View "Character language model": a character model trained live on a real text, against counting."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.charlm.corpora import add_arguments
from rnnviz.views.charlm.export import export, report
from rnnviz.views.charlm.figures import film, live
from rnnviz.views.charlm.lessons import METRIC_HELP, METRIC_NAME, claims
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import SMOKE, CharLMConfig
from rnnviz.views.charlm.train import params, run

EXPERIMENT: Experiment[CharLMConfig, CharLMResult] = Experiment(
    name="charlm",
    title="Character language model",
    description="Train a character-level language model on Hamlet (or your text) with truncated "
    "backpropagation through time, compare it with a Kneser–Ney n-gram on held-out text, with a 95% "
    "interval on the difference, then generate text at a chosen temperature.",
    config=CharLMConfig,
    run=run,
    params=params,
    report=report,
    export=export,
    film=film,
    live=live,
    smoke=SMOKE,
    metric=Metric(
        name=METRIC_NAME,
        label="Network on the test text",
        unit="nats/char",
        better="lower",
        read=lambda cfg, res: res.nats,
        help=METRIC_HELP,
    ),
    claims=claims,
    add_arguments=add_arguments,
)

VIEW = View(
    EXPERIMENT,
    icon=":material/edit_note:",
    finding=(
        "Trained only to guess the next character, a network writes new text at a chosen temperature. "
        "Look for units that track lines and speakers, and compare them with the same network untrained: "
        "expect only some of what they track to be training's work."
    ),
    order=70,
)
