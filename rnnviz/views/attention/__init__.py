"""View "Attention"."""

from rnnviz.views import View
from rnnviz.views.attention.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/center_focus_strong:",
    finding=(
        "An encoder-decoder that must squeeze a 30-digit string into one state gets most digits wrong; "
        "let its decoder look back at every input step and it reverses them almost perfectly."
    ),
    order=55,
)
