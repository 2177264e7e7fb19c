import streamlit as st

from pages import ui
from rnnviz.core.figures import loss_curve
from rnnviz.views.gates import EXPERIMENT
from rnnviz.views.gates.figures import conveyor_belt, gates_figure, saturation_figure, unit_lines
from rnnviz.views.gates.gating import SATURATION_MARGIN, parameter_rows
from rnnviz.views.gates.inputs import choose_units
from rnnviz.views.gates.lessons import (
    GRU_CONVENTION_INFO,
    INTRO,
    MEMORY_UPDATE,
    answer_summary,
    belt_text,
    block_latex,
    cell_comparison,
    headline_stats,
    kept_memory,
    memory_path,
    sentiment_training,
    step_equations,
)
from rnnviz.views.gates.reading import Inspection, inspect_sequence
from rnnviz.views.gates.settings import GatesConfig

SETTING_GROUPS = [
    ("Task", ["task", "length"]),
    ("Network", ["cell", "hidden", "gate_bias", "seed"]),
    ("Training", ["train_steps", "lr"]),
]


cfg, res = ui.page(
    EXPERIMENT,
    intro=INTRO,
    groups=SETTING_GROUPS,
    click_to_train=lambda cfg: sentiment_training() if cfg.task == "sentiment" else None,
)
found = EXPERIMENT.findings_by_id(cfg, res)

stats = headline_stats(res)
for col, stat in zip(st.columns(len(stats)), stats, strict=True):
    col.metric(stat.label, stat.value, delta=stat.delta, help=stat.help)
st.markdown(found["gates_switch"].text)
if cfg.cell == "gru":
    st.info(GRU_CONVENTION_INFO, icon=":material/swap_horiz:")

# The parts of the inspection a reader picks one at a time: only the chosen one is built and sent.
SECTIONS = ("Gates through time", "Saturation", "Conveyor belt", "One step, with numbers")


@st.fragment
def inspect() -> None:
    """Picking, typing and scrubbing redraw only this part: tracing both networks takes milliseconds."""
    st.subheader("Inside the gates, step by step")
    pick, detail, units_box, toggle = st.columns([1.2, 1.6, 1, 1], vertical_alignment="bottom")
    with pick:
        view = ui.view_controls(EXPERIMENT, ["source"])
    with detail:
        view = ui.view_controls(EXPERIMENT, ["sequence", "draw"])  # the one that applies to the source
    with units_box:
        view = ui.view_controls(EXPERIMENT, ["units"])
    with toggle:
        view = ui.view_controls(EXPERIMENT, ["show_untrained"])
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
    part = ui.section(SECTIONS, key=f"{EXPERIMENT.name}.section")
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
    if view.show_untrained:
        left, right = st.columns(2)
        ui.chart(gates_figure(res, ins, view.source, columns=1, untrained=True), container=left)
        ui.chart(gates_figure(res, ins, view.source, columns=1), container=right)
    else:
        ui.chart(gates_figure(res, ins, view.source))

    why = "your choice" if view.units.strip() and not unit_notes else "the answer depends on them most"
    ui.chart(unit_lines(ins.trained, ins.tokens, cfg.cell, units, why))


def saturation(view: GatesConfig, ins: Inspection) -> None:
    st.markdown("#### Saturation: gates become switches")
    ui.chart(saturation_figure(res, ins, view.source))
    st.caption(
        "Share of this sequence's gate values in each bin, before (grey) and after training. Shaded: the "
        "saturated ends, where the sigmoid is flat and the gate acts as a switch. For the tanh candidate, "
        f"saturated means beyond ±{1 - SATURATION_MARGIN:g}."
    )


def belt(view: GatesConfig, ins: Inspection, units: tuple[int, ...], steps: int) -> None:
    st.markdown("#### The conveyor belt")
    kept = kept_memory(ins, cfg.cell, units)
    if view.show_untrained:
        left, right = st.columns(2)
        ui.chart(
            conveyor_belt(ins.untrained, ins.tokens, cfg.cell, units, kept.unit, label="untrained"),
            container=left,
        )
        ui.chart(
            conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit, label="trained"),
            container=right,
        )
    else:
        ui.chart(conveyor_belt(ins.trained, ins.tokens, cfg.cell, units, kept.unit))
    words, derivative = belt_text(cfg.cell, steps, kept)
    st.markdown(words)
    st.latex(MEMORY_UPDATE[cfg.cell])
    st.latex(derivative)
    st.caption(memory_path(cfg.cell, kept).text)


def one_step(ins: Inspection, units: tuple[int, ...], steps: int) -> None:
    st.markdown("#### One step, with numbers")
    view = ui.view_controls(EXPERIMENT, ["step"], limits={"step": steps})
    t = min(view.step, steps) - 1
    st.markdown(f"Step t = {t + 1} reads {ui.inline_code(ins.tokens[t])} (trained network).")
    for line in step_equations(res, ins, t, units):
        st.latex(line)


inspect()

st.subheader("RNN, LSTM or GRU?")
st.dataframe(parameter_rows(res.params), hide_index=True)
st.latex(block_latex(res))
st.markdown(cell_comparison(res, found["learned"]))

ui.chart(loss_curve(res.history))
