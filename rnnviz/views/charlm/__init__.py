"""View "Character language model"."""

from rnnviz.views import View
from rnnviz.views.charlm.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/edit_note:",
    finding=(
        "Trained only to guess the next character, a network learns words and lines, writes new "
        "text at a chosen temperature, and grows units that switch on inside words."
    ),
    order=70,
)
