"""View "Character language model": a character model trained live on a real text, against counting."""

from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.charlm.corpora import add_arguments
from rnnviz.views.charlm.export import export, report
from rnnviz.views.charlm.figures import film, live
from rnnviz.views.charlm.lessons import METRIC_HELP
from rnnviz.views.charlm.result import CharLMResult
from rnnviz.views.charlm.settings import SMOKE, CharLMConfig
from rnnviz.views.charlm.train import run

EXPERIMENT: Experiment[CharLMConfig, CharLMResult] = Experiment(
    name="charlm",
    title="Character language model",
    description="Train a character-level language model on Hamlet (or your text) with truncated "
    "backpropagation through time, compare it with the best Kneser–Ney n-gram on held-out text, "
    "then generate text at a chosen temperature.",
    config=CharLMConfig,
    run=run,
    report=report,
    export=export,
    film=film,
    live=live,
    smoke=SMOKE,
    metric=Metric(
        name="val_nats_per_char",
        label="Network on held-out text",
        unit="nats/char",
        better="lower",
        read=lambda cfg, res: res.nats,
        help=METRIC_HELP,
    ),
    add_arguments=add_arguments,
)

VIEW = View(
    EXPERIMENT,
    icon=":material/edit_note:",
    finding=(
        "Trained only to guess the next character, a network learns words and lines, writes new "
        "text at a chosen temperature, and grows units that switch on inside words."
    ),
    order=70,
)
