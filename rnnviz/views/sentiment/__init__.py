"""View "Sentiment hidden states"."""

from rnnviz.views import View
from rnnviz.views.sentiment.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/reviews:",
    finding=(
        "Trained on real review sentences, a network sorts them into a positive and a negative "
        "cloud of hidden states, and read word by word it changes its mind at a 'but'."
    ),
    order=80,
)
