"""View "Long-range memory": a vanilla RNN, an LSTM and a GRU trained side by side on a long-range memory task."""

from rnnviz.core.compare import parameter_count
from rnnviz.core.experiment import Experiment, Metric
from rnnviz.core.memory_model import COMPARED_CELLS, MEMORY_BUDGET_SHARE, MemoryModel
from rnnviz.views import View
from rnnviz.views.memory.export import export, report
from rnnviz.views.memory.figures import film, live
from rnnviz.views.memory.lessons import claims
from rnnviz.views.memory.result import HEADLINE_CELL, HEADLINE_METRIC, MemoryResult
from rnnviz.views.memory.settings import MemoryConfig
from rnnviz.views.memory.train import run

EXPERIMENT = Experiment[MemoryConfig, MemoryResult](
    name="memory",
    title="Long-range memory",
    description="Train a vanilla RNN, an LSTM and a GRU on the same memory task, data and step budget.",
    config=MemoryConfig,
    run=run,
    budget_share=MEMORY_BUDGET_SHARE,
    params=lambda cfg: parameter_count(lambda: [MemoryModel(c, cfg.hidden) for c in COMPARED_CELLS]),
    report=report,
    export=export,
    film=film,
    live=live,
    smoke={"length": 10, "hidden": 4, "steps": 50},
    claims=claims,
    metric=Metric(
        name=HEADLINE_METRIC,
        label="LSTM held-out loss",
        unit="mean squared error",
        better="lower",
        read=lambda cfg, res: res.runs[HEADLINE_CELL].held_out_loss,
        help="The LSTM's mean squared error on held-out sequences after training, the same for every cell. "
        "Compare it with the chance loss in the report (always answering the best constant): far below "
        "chance, the LSTM remembers; near it, it does not.",
    ),
)

VIEW = View(
    EXPERIMENT,
    icon=":material/psychology:",
    finding=(
        "Expect a vanilla RNN asked to recall a value far back to stay near chance, while an LSTM and a GRU, "
        "their memory gate (forget gate, update gate) biased open, learn to recall it."
    ),
    order=30,
)
