"""View "Attention": a plain LSTM encoder-decoder and the same network with attention, side by side."""

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import Experiment, Metric
from rnnviz.views import View
from rnnviz.views.attention.export import export, report
from rnnviz.views.attention.figures import film, live
from rnnviz.views.attention.lessons import METRIC_HELP, claims
from rnnviz.views.attention.result import AttentionResult
from rnnviz.views.attention.settings import AttentionConfig
from rnnviz.views.attention.train import build, run

EXPERIMENT = Experiment[AttentionConfig, AttentionResult](
    name="attention",
    title="Attention",
    description=(
        "An LSTM encoder-decoder squeezes its input into one state; with attention its decoder looks back "
        "at every input step. Both train side by side on copying or reversing digit strings, or converting dates."
    ),
    config=AttentionConfig,
    run=run,
    params=lambda cfg: parameter_count(lambda: build(cfg.task, cfg.hidden, cfg.score).values()),
    report=report,
    export=export,
    film=film,
    live=live,
    claims=claims,
    smoke={"length": 6, "hidden": 16, "steps": 40, "seed": 3},
    metric=Metric(
        name="token_accuracy_attention",
        label="Tokens right with attention",
        unit="share of held-out tokens (0..1)",
        better="higher",
        read=lambda cfg, res: res.scores["attention"].token_accuracy,
        help=METRIC_HELP,
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/center_focus_strong:",
    finding=(
        "Expect an encoder-decoder that must squeeze a long digit string into one state to get many "
        "digits wrong, and the same network whose decoder looks back at every input step to get far more "
        "right, at the price of a matrix that grows with the square of the length."
    ),
    order=55,
)
