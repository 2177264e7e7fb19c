"""View "Attention"."""

from rnnviz.views import View
from rnnviz.views.attention.experiment import EXPERIMENT

VIEW = View(
    EXPERIMENT,
    icon=":material/center_focus_strong:",
    finding=(
        "An encoder-decoder that must squeeze a long digit string into one state gets most digits wrong; "
        "let its decoder look back at every input step and it copies them almost perfectly, at the price "
        "of a matrix that grows with the square of the length."
    ),
    order=55,
)
