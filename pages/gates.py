import streamlit as st

from pages import ui
from rnnviz.core.cells import CELLS, GRU_CONVENTION
from rnnviz.core.figures import loss_curve
from rnnviz.core.fmt import percent
from rnnviz.views.gates.experiment import EXPERIMENT
from rnnviz.views.gates.figures import (
    conveyor_belt,
    gates_figure,
    live_figure,
    saturation_figure,
    unit_lines,
)
from rnnviz.views.gates.gating import SATURATION_MARGIN, parameter_rows, saturated_share
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.lessons import (
    GRU_CONVENTION_NOTE,
    MEMORY_UPDATE,
    SATURATED,
    answer_summary,
    belt_text,
    items,
    kept_memory,
    saturation_finding,
    step_equations,
)
from rnnviz.views.gates.reading import Inspection, inspect_sequence
from rnnviz.views.gates.settings import GatesConfig
from rnnviz.views.gates.tasks import BATCH, HELD_OUT, SENTIMENT_TRAIN_S

PREFIX = "gates"
SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("Network", ["cell", "hidden", "gate_bias", "seed"]),
    ("Training", ["train_steps", "lr"]),
]
SENTIMENT_TRAINING = (
    "The sentiment task reads the sentiment view's classifier. Training it reads about 10,000 review "
    f"sentences and takes about {SENTIMENT_TRAIN_S} s on this server, once: both views then share it."
)

st.title(EXPERIMENT.title)
st.caption(
    "Gates are small sigmoid switches, one per unit and per step, that decide what a gated cell writes, "
    "keeps and shows. Train one on a task and watch the switches snap to open or shut."
)
cfg = ui.settings(GatesConfig, PREFIX, groups=SETTING_GROUPS)
ui.share_link()
res = ui.run(
    EXPERIMENT,
    cfg,
    click_to_train=SENTIMENT_TRAINING if cfg.task == "sentiment" else None,
    live=live_figure(cfg.task, cfg.cell) if cfg.task != "sentiment" else None,
)
if cfg.task == "sentiment":
    st.caption(
        f"This is the sentiment view's {CELLS[cfg.cell]} classifier ({res.hidden} units, reading "
        f"{res.input_size}-number word vectors), trained there once and shared; its training film plays on "
        "the sentiment page. Hidden size, training length, memory-gate bias, steps and learning rate in the "
        "sidebar apply to the other tasks only."
    )
ui.training_message(res.history)

trained_share = saturated_share(res.trained.saturation)
untrained_share = saturated_share(res.untrained.saturation)
m = st.columns(4)
m[0].metric(
    "Held-out loss",
    f"{res.trained.held_out_loss:.3g}",
    help=f"{res.loss_name.capitalize()} on {HELD_OUT} held-out {items(res)}. Guessing the best constant "
    f"scores {res.chance_loss:.3g}; the untrained network scores {res.untrained.held_out_loss:.3g}.",
)
m[1].metric(
    "Saturated gate values",
    f"{trained_share:.0%}",
    delta=f"{100 * (trained_share - untrained_share):+.0f} points vs untrained",
    help=f"Share of sigmoid-gate values {SATURATED} on the held-out {items(res)}.",
)
m[2].metric(
    f"{CELLS[cfg.cell]} parameters", f"{res.params[cfg.cell]['total']:,}", help="Recurrent layer only."
)
m[3].metric(
    "Training time",
    f"{res.history.seconds:.1f} s",
    help=f"{res.history.steps} Adam steps of {BATCH} sequences."
    if cfg.task != "sentiment"
    else "Trained by the sentiment view.",
)
st.markdown(saturation_finding(res))
if cfg.cell == "gru":
    st.info(
        f"PyTorch's GRU convention, used throughout this page: ${GRU_CONVENTION}$. {GRU_CONVENTION_NOTE}",
        icon=":material/swap_horiz:",
    )
ui.downloads(EXPERIMENT, cfg, res)


# The parts of the inspection a reader picks one at a time: only the chosen one is built and sent.
SECTIONS = ("Gates through time", "Saturation", "Conveyor belt", "One step, with numbers")


@st.fragment
def inspect() -> None:
    """Picking, typing and scrubbing redraw only this part: tracing both networks takes milliseconds."""
    st.subheader("Inside the gates, step by step")
    pick, detail, units_box, toggle = st.columns([1.2, 1.6, 1, 1], vertical_alignment="bottom")
    with pick:
        view = ui.view_controls(GatesConfig, PREFIX, ["source"])
    with detail:
        extra = {"typed": ["sequence"], "random": ["draw"]}.get(view.source, [])
        view = ui.view_controls(GatesConfig, PREFIX, extra)
    with units_box:
        view = ui.view_controls(GatesConfig, PREFIX, ["units"])
    with toggle:
        view = ui.view_controls(GatesConfig, PREFIX, ["compare"])
    ins = inspect_sequence(res, view)
    for note in ins.notes:
        st.info(note, icon=":material/info:")
    units, unit_notes = choose_units(view.units, res.hidden, res.ranked_units)
    for note in unit_notes:
        st.warning(note, icon=":material/warning:")
    steps = len(ins.tokens)
    shown = " ".join(ui.safe_text(t) for t in ins.tokens)
    st.markdown(f"**Sequence** ({steps} steps): {shown}")
    st.markdown(answer_summary(res.task, ins))

    film = view.source == "example" and res.film is not None
    part = ui.section(SECTIONS, key=f"{PREFIX}.section")
    if part == SECTIONS[0]:
        gates_through_time(view, ins, units, unit_notes, film)
    elif part == SECTIONS[1]:
        saturation(view, ins)
    elif part == SECTIONS[2]:
        belt(view, ins, units, steps)
    else:
        one_step(ins, units, steps)


def gates_through_time(
    view: GatesConfig, ins: Inspection, units: tuple[int, ...], unit_notes: list[str], film: bool
) -> None:
    st.markdown("#### Every gate, units × time")
    st.caption(
        "Sigmoid gates on one scale from 0 (shut) to 1 (open); the candidate, cell and hidden states on a "
        "signed scale, white at 0. Hover for token, step, unit and value. "
        + (
            "Press ▶ Play, or drag the training-step slider, to watch the gates through training."
            if film
            else "The training film plays on the worked example."
        )
    )
    if view.compare:
        left, right = st.columns(2)
        left.plotly_chart(gates_figure(res, ins, view.source, columns=1, untrained=True))
        right.plotly_chart(gates_figure(res, ins, view.source, columns=1))
    else:
        st.plotly_chart(gates_figure(res, ins, view.source))

    why = "your choice" if view.units.strip() and not unit_notes else "the answer depends on them most"
    st.plotly_chart(unit_lines(ins.trained, ins.tokens, cfg.cell, units, why))


def saturation(view: GatesConfig, ins: Inspection) -> None:
    st.markdown("#### Saturation: gates become switches")
    st.plotly_chart(saturation_figure(res, ins, view.source))
    st.caption(
        "Share of this sequence's gate values in each bin, before (grey) and after training. Shaded: the "
        "saturated ends, where the sigmoid is flat and the gate acts as a switch. For the tanh candidate, "
        f"saturated means beyond ±{1 - SATURATION_MARGIN:g}."
    )


def belt(view: GatesConfig, ins: Inspection, units: tuple[int, ...], steps: int) -> None:
    st.markdown("#### The conveyor belt")
    kept = kept_memory(ins, cfg.cell, units)
    if view.compare:
        left, right = st.columns(2)
        left.plotly_chart(
            conveyor_belt(ins.untrained, ins.tokens, cfg.cell, units, kept.unit, label="untrained")
        )
        right.plotly_chart(
            conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit, label="trained")
        )
    else:
        st.plotly_chart(conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit))
    words, derivative, verdict = belt_text(cfg.cell, steps, kept)
    st.markdown(words)
    st.latex(MEMORY_UPDATE[cfg.cell])
    st.latex(derivative)
    st.caption(verdict)


def one_step(ins: Inspection, units: tuple[int, ...], steps: int) -> None:
    st.markdown("#### One step, with numbers")
    view = ui.view_controls(GatesConfig, PREFIX, ["step"], limits={"step": steps})
    t = min(view.step, steps) - 1
    st.markdown(f"Step t = {t + 1} reads {ui.inline_code(ins.tokens[t])} (trained network).")
    for line in step_equations(res, ins, t, units):
        st.latex(line)


inspect()

st.subheader("RNN, LSTM or GRU?")
st.dataframe(parameter_rows(res.params), hide_index=True)
lstm, gru, rnn = (res.params[c]["total"] for c in ("lstm", "gru", "rnn"))
blocks = {cell: len(row["blocks"]) for cell, row in res.params.items()}
hidden, inputs = res.hidden, res.input_size
st.latex(
    rf"\text{{one block}} = \underbrace{{H \cdot I}}_{{W}} + \underbrace{{H \cdot H}}_{{U}} + "
    rf"\underbrace{{2H}}_{{b}} = {hidden}\cdot{inputs} + {hidden}\cdot{hidden} + 2\cdot{hidden} = {rnn}"
)
other = "gru" if cfg.cell == "lstm" else "lstm"
st.markdown(
    f"- **GRU**: {blocks['gru']} blocks, so always exactly {1 - gru / lstm:.0%} fewer parameters than an "
    f"LSTM of the same size ({gru:,} vs {lstm:,} here), and one state vector instead of two. Its update "
    "gate z is the memory gate: its conveyor belt is the hidden state itself.\n"
    f"- **LSTM**: {blocks['lstm']} blocks ({lstm:,} parameters). The separate cell state keeps a memory while the output "
    "gate decides how much of it to show.\n"
    f"- **Vanilla RNN**: {blocks['rnn']} block ({rnn:,} parameters) and no memory gate, so nothing protects a memory from "
    "being rewritten at every step; fine for short dependencies, and the gradients view shows how it fails "
    "on long ones.\n\n"
    f"**Measured here:** the {CELLS[cfg.cell]} reached a held-out loss of {res.trained.held_out_loss:.3g} "
    f"({percent(res.trained.held_out_loss / res.chance_loss) if res.chance_loss else 'n/a'} of the best "
    "constant guess) in "
    f"{res.history.seconds:.1f} s of training. Switch *Cell* to {CELLS[other]} to measure it on the same "
    "seed and data: on small tasks like these both usually learn, so the GRU's smaller size is free; reach "
    "for the LSTM when a memory must be kept apart from what the cell shows."
)

st.plotly_chart(loss_curve(res.history))
