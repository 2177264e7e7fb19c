import streamlit as st

from pages import ui
from rnnviz.core.cells import CARRIED, CELLS, GATE_NAMES, MEMORY_GATE
from rnnviz.core.figures import loss_curve
from rnnviz.views.gates.experiment import (
    EXPERIMENT,
    HELD_OUT,
    GatesConfig,
    answer_summary,
    choose_units,
    inspect_sequence,
    kept_memory,
    step_equations,
)
from rnnviz.views.gates.figures import (
    QUANTITIES,
    conveyor_belt,
    gate_heatmap,
    saturation_histogram,
    unit_lines,
)
from rnnviz.views.gates.gating import parameter_rows, saturated_share

PREFIX = "gates"
SENTIMENT_TRAINING = (
    "The sentiment task reads the sentiment view's classifier. Training it reads about 10,000 review "
    "sentences and takes about 10 s on this server, once: both views then share it."
)

st.title("LSTM & GRU gates")
st.caption(
    "Gates are small sigmoid switches, one per unit and per step, that decide what a gated cell writes, "
    "keeps and shows. Train one on a task and watch the switches snap to open or shut."
)
cfg = ui.settings(
    GatesConfig,
    PREFIX,
    groups=[
        ("Task", ["task", "length"]),
        ("Network", ["cell", "hidden", "gate_bias", "seed"]),
        ("Training", ["train_steps", "lr"]),
    ],
)
ui.share_link()
res = ui.run(EXPERIMENT, cfg, click_to_train=SENTIMENT_TRAINING if cfg.task == "sentiment" else None)
if cfg.task == "sentiment":
    st.caption(
        f"This is the sentiment view's {CELLS[cfg.cell]} classifier ({res.hidden} units, reading "
        f"{res.input_size}-number word vectors), trained there once and shared. Hidden size, training length, memory-gate bias, "
        "steps and learning rate in the sidebar apply to the other tasks only."
    )
ui.training_message(res.history)
items = "sentences" if res.task == "sentiment" else "sequences"
before = (
    "an untrained network of the same shape"
    if res.task == "sentiment"
    else "the same network before training"
)

keep, carried = MEMORY_GATE[cfg.cell], CARRIED[cfg.cell]
trained_share = saturated_share(res.trained.saturation)
untrained_share = saturated_share(res.untrained.saturation)
m = st.columns(4)
m[0].metric(
    "Held-out loss",
    f"{res.trained.held_out_loss:.3g}",
    help=f"{res.loss_name.capitalize()} on {HELD_OUT} held-out {items}. Guessing the best constant scores "
    f"{res.chance_loss:.3g}; the untrained network scores {res.untrained.held_out_loss:.3g}.",
)
m[1].metric(
    "Saturated gate values",
    f"{trained_share:.0%}",
    delta=f"{100 * (trained_share - untrained_share):+.0f} points vs untrained",
    help=f"Share of sigmoid-gate values below 0.1 or above 0.9 on the held-out {items}.",
)
m[2].metric(
    f"{CELLS[cfg.cell]} parameters", f"{res.params[cfg.cell]['total']:,}", help="Recurrent layer only."
)
m[3].metric("Training time", f"{res.history.seconds:.1f} s", help=f"{res.history.steps} Adam steps.")

if res.history.steps == 0:
    st.markdown("**Untrained.** Both networks below are the same: set training steps above 0 to compare.")
elif trained_share > untrained_share:
    st.markdown(
        f"**Training made the gates switch-like.** On {HELD_OUT} held-out {items}, {trained_share:.0%} "
        f"of the sigmoid-gate values are saturated (below 0.1 or above 0.9) after training, against "
        f"{untrained_share:.0%} for {before}. The loss fell from "
        f"{res.untrained.held_out_loss:.3g} to {res.trained.held_out_loss:.3g} (best constant guess: "
        f"{res.chance_loss:.3g})."
    )
else:
    advice = (
        "The sentiment view's settings decide how this classifier was trained."
        if res.task == "sentiment"
        else "Try more training steps or a shorter training length."
    )
    st.markdown(
        f"**Here training did not saturate the gates:** on {HELD_OUT} held-out {items}, {trained_share:.0%} "
        f"of sigmoid-gate values are saturated after training, {untrained_share:.0%} before. {advice}"
    )


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

    st.markdown("#### Every gate, units × time")
    st.caption(
        "Sigmoid gates on one scale from 0 (shut) to 1 (open); the candidate, cell and hidden states on a "
        "signed scale, white at 0. Hover for token, step, unit and value."
    )
    names = QUANTITIES[cfg.cell]
    if view.compare:
        for name in names:
            left, right = st.columns(2)
            left.plotly_chart(gate_heatmap(ins.untrained, name, ins.tokens, cfg.cell, label="untrained"))
            right.plotly_chart(gate_heatmap(ins.trained, name, ins.tokens, cfg.cell, label="trained"))
    else:
        for i in range(0, len(names), 2):
            for col, name in zip(st.columns(2), names[i : i + 2], strict=True):
                col.plotly_chart(gate_heatmap(ins.trained, name, ins.tokens, cfg.cell))

    why = "your choice" if view.units.strip() and not unit_notes else "the answer depends on them most"
    st.plotly_chart(unit_lines(ins.trained, ins.tokens, cfg.cell, units, why))

    st.markdown("#### Saturation: gates become switches")
    st.plotly_chart(saturation_histogram(ins.trained.gates, ins.untrained.gates, cfg.cell))
    st.caption(
        "Share of this sequence's gate values in each bin, before (grey) and after training. Shaded: the "
        "saturated ends, where the sigmoid is flat and the gate acts as a switch. For the tanh candidate, "
        "saturated means beyond ±0.9."
    )

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
    update = (
        r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"
        if cfg.cell == "lstm"
        else r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t"
    )
    st.markdown(
        f"The {GATE_NAMES[keep]} multiplies the old state on its way forward. Along that path alone, the "
        f"derivative of the last state with respect to the first is the product of the {keep} values: "
        f"what is left of step 1's memory at step {steps}, and the factor by which a gradient sent back from "
        f"step {steps} reaches step 1. Of the units drawn, unit {kept.unit} keeps the most:"
    )
    st.latex(update)
    st.latex(
        rf"\left.\frac{{\partial {carried}_{{{steps}}}}}{{\partial {carried}_1}}\right|_{{\text{{{carried} path, unit {kept.unit}}}}}"
        rf" = \prod_{{t=2}}^{{{steps}}} {keep}_t = {kept.trained:.3g}\ \text{{trained}},\quad"
        rf" {kept.untrained:.3g}\ \text{{untrained}}"
    )
    if kept.trained > kept.untrained:
        st.caption(
            "Training raised the memory gate where memory must survive. A vanilla RNN has no such path: its "
            "gradient is multiplied by W_hh and tanh′ at every step "
            "and fades or explodes geometrically (see the vanishing-gradients view)."
        )
    else:
        st.caption(
            f"Here training lowered it: each dip of {keep} lets new input overwrite the unit, so this network "
            "carries its memory in a changing state rather than on an unchanged belt."
        )

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
hidden, inputs = res.hidden, res.input_size
st.latex(
    rf"\text{{one block}} = \underbrace{{H \cdot I}}_{{W}} + \underbrace{{H \cdot H}}_{{U}} + "
    rf"\underbrace{{2H}}_{{b}} = {hidden}\cdot{inputs} + {hidden}\cdot{hidden} + 2\cdot{hidden} = {rnn}"
)
other = "gru" if cfg.cell == "lstm" else "lstm"
st.markdown(
    f"- **GRU**: 3 blocks, so always exactly 25% fewer parameters than an LSTM of the same size ({gru:,} vs "
    f"{lstm:,} here), and one state vector instead of two. Its update gate z is the memory gate: its "
    "conveyor belt is the hidden state itself.\n"
    f"- **LSTM**: 4 blocks ({lstm:,} parameters). The separate cell state keeps a memory while the output "
    "gate decides how much of it to show.\n"
    f"- **Vanilla RNN**: 1 block ({rnn:,} parameters) and no memory gate, so nothing protects a memory from "
    "being rewritten at every step; fine for short dependencies, and the gradients view shows how it fails "
    "on long ones.\n\n"
    f"**Measured here:** the {CELLS[cfg.cell]} reached a held-out loss of {res.trained.held_out_loss:.3g} "
    f"({res.trained.held_out_loss / res.chance_loss:.1%} of the best constant guess) in "
    f"{res.history.seconds:.1f} s of training. Switch *Cell* to {CELLS[other]} to measure it on the same "
    "seed and data: on small tasks like these both usually learn, so the GRU's smaller size is free; reach "
    "for the LSTM when a memory must be kept apart from what the cell shows."
)

st.plotly_chart(loss_curve(res.history))
