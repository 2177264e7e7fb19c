"""The PyTorch view's prose: the page's lead, and every sentence that states a number this view computed
(the shapes of the explored module, the five corrections), and the claims: each finding about the
readers and the character models, decided by this run's numbers (with a 95% interval where two are compared).
"""

from __future__ import annotations

from collections.abc import Mapping

from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import CELLS
from rnnviz.core.claims import Claim, claim, comparison, paired_accuracy, paired_bootstrap
from rnnviz.core.data import HAMLET_NAME
from rnnviz.core.fmt import percent, sci
from rnnviz.core.reviews import CORPUS_CITATION
from rnnviz.views.pytorch.carried import (
    CHUNK,
    HIDDEN,
    STREAMS,
    TRUNCATION_CHUNKS,
    TRUNCATIONS,
    Truncation,
    growth_per_chunk,
)
from rnnviz.views.pytorch.corrections import (
    CLIP_LENGTH,
    CLIP_NORM,
    RADIUS,
    carried_graph,
    clipping,
    derivative_peaks,
    gru_conventions,
    scaler_leak,
)
from rnnviz.views.pytorch.padding import BATCH, SAME_STATE, TEST_SENTENCES, VAL_SENTENCES
from rnnviz.views.pytorch.readers import READER_CODE, READERS
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import BUDGET_SHARES, PytorchConfig
from rnnviz.views.pytorch.shapes import Explored, Setup

INTRO = (
    "The mistakes every tutorial warns about, made on purpose and measured: tensor shapes and batch_first, "
    "an h0 of the wrong shape, reading the last output of a padded batch, the backward direction's summary, "
    "and a state carried between chunks without detach()."
)


def click_to_train(cfg: PytorchConfig) -> str:
    """What pressing Train costs, from the server's budget: the trainings stop at their shares of it."""
    budget = training_budget_s()
    return (
        f"Training the three readers and the two character models takes at most "
        f"{sum(BUDGET_SHARES.values()) * budget:g} s of this server's {budget:g} s training budget; "
        "scoring them and timing the ways of carrying a state adds a little."
    )


def measured_shapes(explored: Explored) -> str:
    return (
        "Shapes as torch produced them on random input: "
        + ", ".join(f"{name} {size}" for name, size in explored.measured.items())
        + "."
    )


def h_n_rows(s: Setup) -> str:
    """Which row of h_n is which direction's summary, and where that summary sits in output."""
    top = (s.layers - 1) * s.directions
    return (
        f"h_n holds the last state of every layer and direction, layer by layer: row `{top}` is the top "
        "layer's forward direction"
        + (f" and row `{top + 1}` its backward direction" if s.bidirectional else "")
        + f" (`h_n.view({s.layers}, {s.directions}, {s.batch}, {s.hidden})[-1]` names them). The forward "
        "direction ends at the last step, so its summary is output's last step."
        + (
            " The backward direction reads from the end, so its summary of the whole sequence is at "
            "step 0; its value at the last step has read one step only."
            if s.bidirectional
            else ""
        )
    )


SAME = 1e-6
"""Two computed numbers closer than this are the same number (float rounding apart)."""


def tanh_peak() -> Claim:
    d = derivative_peaks()
    body = (
        f"On a grid from -6 to 6, autograd finds the largest slope of tanh to be {d.tanh_peak:.4f} (at x = "
        f"{abs(round(d.tanh_peak_at, 6)):g}); {d.sigmoid_peak:.4f} is the sigmoid's peak."
    )
    return claim(
        "tanh_slope_peaks_at_one",
        lambda e: abs(e["tanh_peak"] - 1) < SAME and abs(e["sigmoid_peak"] - 0.25) < SAME,
        f"**tanh′ peaks at {d.tanh_peak:.3g}, not 0.25.** {body} A tanh RNN's gradient shrinks through small "
        "weights and saturated units, not through a 0.25 factor at every step.",
        f"**tanh′ peaks at {d.tanh_peak:.4f} on this grid.** {body}",
        tanh_peak=d.tanh_peak,
        sigmoid_peak=d.sigmoid_peak,
    )


def _clipping_works(e: Mapping[str, float]) -> bool:
    """Clipping leaves the vanishing gradient as it was and brings the exploding one down to max_norm."""
    untouched = abs(e["vanishing_after"] - e["vanishing_before"]) <= SAME * e["vanishing_before"]
    tamed = (
        e["exploding_before"] > e["max_norm"]
        and abs(e["exploding_after"] - e["max_norm"]) < SAME * e["max_norm"]
    )
    return untouched and tamed


def clipping_reach() -> Claim:
    vanishing, exploding = clipping()
    body = (
        f"A linear recurrence of {CLIP_LENGTH} steps, loss on the last state, clip_grad_norm_ at "
        f"max_norm={CLIP_NORM:g}. Vanishing (spectral radius {RADIUS['vanishing']:g}): gradient norm "
        f"{sci(vanishing.total_before)} before and {sci(vanishing.total_after)} after clipping, and ‖∂L/∂h₁‖ "
        f"stays {sci(vanishing.first_step)}. Exploding (radius {RADIUS['exploding']:g}): "
        f"{sci(exploding.total_before)} is clipped to {sci(exploding.total_after)}. Clipping rescales the whole "
        f"gradient, so the share that reaches step 1 (‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ = {sci(vanishing.reach)} when "
        "vanishing) is the same before and after."
    )
    return claim(
        "clipping_only_tames_exploding",
        _clipping_works,
        f"**Clipping tames exploding gradients and does nothing for vanishing ones.** {body}",
        f"**Clipping, measured.** {body}",
        vanishing_before=vanishing.total_before,
        vanishing_after=vanishing.total_after,
        exploding_before=exploding.total_before,
        exploding_after=exploding.total_after,
        max_norm=CLIP_NORM,
    )


def no_automatic_detach() -> Claim:
    graph = carried_graph()
    body = (
        f"Chunk 1's final state passed to chunk 2 as it is: chunk 2's loss sends a gradient of norm "
        f"{sci(graph.reaches_first_chunk)} into chunk 1's input. With `h.detach()`, chunk 1's input gets "
        f"{'a gradient' if graph.detached_grad else 'no gradient at all'}."
    )
    return claim(
        "state_is_not_detached_for_you",
        lambda e: e["gradient_into_chunk_1"] > 0 and e["detached_gradient"] == 0,
        f"**nn.RNN does not detach a state you pass back in.** {body} Truncated backpropagation is yours to "
        "write: see *Carried state* below for what forgetting it costs.",
        f"**Passing a state back in, measured.** {body}",
        gradient_into_chunk_1=graph.reaches_first_chunk,
        detached_gradient=float(graph.detached_grad),
    )


def gru_convention() -> Claim:
    gru = gru_conventions()
    return claim(
        "gru_update_gate_keeps",
        lambda e: e["pytorch_convention_error"] < SAME < e["swapped_convention_error"],
        f"**GRU conventions differ.** PyTorch updates with the formula below: z near 1 *keeps* the old state. "
        f"Written that way by hand from nn.GRU's own weights, the states match nn.GRU to "
        f"{sci(gru.pytorch_convention)}; with z and 1 − z swapped, as in many texts, they are off by up to "
        f"{sci(gru.swapped_convention)}. So 'a positive update-gate bias keeps memory' holds in PyTorch's "
        "convention only; the gates and memory pages use it too.",
        f"**GRU conventions, measured.** Written by hand from nn.GRU's own weights with the formula below, the "
        f"states differ from nn.GRU by {sci(gru.pytorch_convention)}; with z and 1 − z swapped, by "
        f"{sci(gru.swapped_convention)}.",
        pytorch_convention_error=gru.pytorch_convention,
        swapped_convention_error=gru.swapped_convention,
    )


def scaler_leaks() -> Claim:
    leak = scaler_leak()
    body = (
        f"A rising series of {leak.points} points, the last {percent(leak.test_share)} held out. Its training "
        f"mean is {leak.train_mean:.2f}, but the mean of all of it is {leak.all_mean:.2f}. A predictor that "
        f"knows nothing (it always answers 0 in scaled units, the scaler's mean) has test MSE "
        f"{leak.honest_error:.1f} with the honest scaler and {leak.leaky_error:.1f} with the leaky one"
    )
    return claim(
        "scaler_leaks_the_future",
        lambda e: e["all_mean"] > e["train_mean"] and e["leaky_error"] < e["honest_error"],
        f"**A scaler fitted on all the data leaks the future.** {body}: it looks "
        f"{leak.honest_error / leak.leaky_error:.1f}× better for having seen the future, because a scaler "
        "fitted on everything already knows the test period is higher.",
        f"**A scaler fitted on all the data, measured.** {body}.",
        train_mean=leak.train_mean,
        all_mean=leak.all_mean,
        honest_error=leak.honest_error,
        leaky_error=leak.leaky_error,
    )


def corrections() -> list[Claim]:
    """The five corrections: computed in milliseconds, with no training, so the page shows them first."""
    return [tanh_peak(), clipping_reach(), no_automatic_detach(), gru_convention(), scaler_leaks()]


def readers_lead(cfg: PytorchConfig) -> str:
    return (
        f"Three copies of one classifier (embedding, one {CELLS[cfg.reader_cell]} layer, a logistic read-out) "
        f"start from the same weights and learn from the same post-padded batches of {BATCH} review sentences. "
        "They differ only in where they read a sentence's summary: "
        + "; ".join(f"**{label}**" for label in READERS.values())
        + ". Batches are random, as in most tutorials, so short sentences sit beside long ones and get padded."
    )


def readers_data(cfg: PytorchConfig) -> str:
    """Where the sentences come from and why only a subset: the readers' share of the training budget."""
    budget = training_budget_s()
    return (
        f"Data: {CORPUS_CITATION} Trained on {cfg.sentences:,} sentences, a random subset of the training "
        f"movies' sentences, so the three trainings fit the server's {BUDGET_SHARES['padding'] * budget:g} s "
        f"share of its {budget:g} s budget. Scored on up to {TEST_SENTENCES:,} sentences from movies none "
        f"of them read about; the timeline scores {VAL_SENTENCES} validation sentences at each snapshot."
    )


def accuracy_help(res: PytorchResult, name: str) -> str:
    return (
        f"{READERS[name]}: accuracy on {len(res.data.test):,} test sentences from unseen movies; the time "
        "of one epoch's forward and backward passes, measured on the same batches for all three readers."
    )


FILM_CAPTION = (
    "Validation accuracy of the three readers at each snapshot of their training. Press Play, or drag the "
    "slider, to replay it in your browser: nothing is retrained."
)


TRY_BIDIRECTIONAL = (
    "Switch on *Bidirectional readers* to see where the backward direction's summary really is."
)

CARRIED_LEAD = (
    f"A character LSTM ({HIDDEN} units) reads {HAMLET_NAME} in chunks of {CHUNK} characters, {STREAMS} streams "
    f"side by side, passing each chunk's last state on to the next. {TRUNCATION_CHUNKS} chunks, four ways:"
)


def truncation_failure(t: Truncation) -> str:
    """Which way failed and where; the page quotes torch's own message after it."""
    return f"**{TRUNCATIONS[t.mode]}**: fails at chunk {t.failed_at}. torch: "


def stateful_story(res: PytorchResult) -> str:
    return (
        f"Both models trained {res.stateful.history.steps} steps on the first part of the play and are scored "
        "on its end, each read the way it was trained. The carried state (detached between chunks) lets every "
        "chunk start with the context of the one before; from a zero state, the first characters of each chunk "
        "are guessed blind. Longer chunks shrink the difference, at the price of longer backward passes."
    )


ACCURACY_MEASURE = "accuracy on the test sentences"
ACCURACY_FORMAT = "{:+.1%}"


def reader_comparison(res: PytorchResult, first: str, second: str) -> Claim:
    """Two readers on the same test sentences: paired accuracy, so only the sentences where they
    disagree decide it."""
    right = res.test_correct
    return comparison(
        f"{first}_vs_{second}",
        READER_CODE[first],
        READER_CODE[second],
        paired_accuracy(right[first], right[second]),
        better="higher",
        measure=ACCURACY_MEASURE,
        fmt=ACCURACY_FORMAT,
        **{f"{first}_accuracy": res.test_accuracy[first], f"{second}_accuracy": res.test_accuracy[second]},
    )


def packed_against_chance(res: PytorchResult) -> Claim:
    """The packed reader against always answering the commoner label: has it learned anything?"""
    return comparison(
        "packed_vs_constant_guess",
        READER_CODE["packed"],
        "always answering the commoner label",
        paired_accuracy(res.test_correct["packed"], res.chance_correct),
        better="higher",
        measure=ACCURACY_MEASURE,
        fmt=ACCURACY_FORMAT,
        packed_accuracy=res.test_accuracy["packed"],
        constant_guess_accuracy=res.chance,
    )


def _padding_costs(e: Mapping[str, float]) -> bool:
    """The readers learned (packing beats the constant guess) and packing beats output[:, -1]."""
    return e["packed_over_chance_low"] > 0 and e["gap_low"] > 0


def gap_cause(cfg: PytorchConfig, res: PytorchResult) -> Claim:
    """What the gap between packing and output[:, -1] says about the padding, in whichever of four
    ways this run went: readers still at chance, packing better, a tie, or output[:, -1] better."""
    gap = paired_accuracy(res.test_correct["packed"], res.test_correct["last_padded"])
    over_chance = paired_accuracy(res.test_correct["packed"], res.chance_correct)
    evidence = {
        "gap": gap.estimate,
        "gap_low": gap.low,
        "gap_high": gap.high,
        "packed_over_chance_low": over_chance.low,
        "padding_tokens_read": res.padding_read,
    }
    read = (
        f"In these test batches output[:, -1] has read on average {res.padding_read:.1f} padding tokens "
        "after the sentence's last word. "
    )
    cell = CELLS[cfg.reader_cell]
    if over_chance.low <= 0:
        why = (
            f"Packing does not beat always answering the commoner label ({res.chance:.1%}) by more than "
            "this run's noise: with this little training where the readers look cannot matter yet. More "
            "sentences or epochs give them something to lose."
        )
    elif gap.low > 0:
        why = (
            "Those steps move the state through the recurrent weights and the biases (the padding's input "
            "is a zero embedding and adds nothing), so the state the read-out sees has partly forgotten the "
            "sentence, and by a different amount for each sentence, depending on who shared its batch."
        )
    elif gap.high < 0:
        why = (
            f"Yet output[:, -1] scores higher than packing here, by more than this run's noise: reading the "
            f"padding did not cost the {cell} accuracy in this run. Another seed shows whether that order holds."
        )
    else:
        why = (
            f"The gap is within this run's noise: the {cell} kept what it had read through the padding's zero "
            "inputs well enough for the read-out. A gated cell can learn to: its memory gate (the LSTM's forget "
            "gate, the GRU's update gate) stays open, near 1, and keeps the state as it was; a vanilla RNN can "
            "only hope its weights and biases let the state fade slowly."
        )
    return Claim("padding_costs_accuracy", read + why, _padding_costs(evidence), evidence, _padding_costs)


def own_last_state(cfg: PytorchConfig, res: PytorchResult) -> Claim:
    """Whether each sentence's own last step holds the packed summary (one way: yes; both ways: no)."""
    own = [w.difference for w in res.where if w.expression.startswith("output[i, length_i - 1")]
    acc = res.test_accuracy
    scores = f"Reading each sentence's own last step gives {acc['own_last']:.1%} against packing's {acc['packed']:.1%}: "
    backward = (
        ", because without packing the backward direction starts in the padding and its state at the last "
        "word has read one word only (see the bars)"
        if cfg.reader_bidirectional
        else ""
    )
    difference = max(own)
    return claim(
        "own_last_step_is_h_n",
        lambda e: e["own_last_difference"] < SAME_STATE,
        scores + f"its summary equals the packed h_n (mean difference {difference:.1g}), so only the cost "
        "differs. Packing saves the padding steps but pays for sorting and bookkeeping; which wins depends on "
        "how much the lengths in a batch differ, the batch size and the hardware.",
        scores + f"its summary differs from the packed h_n by {difference:.3g} on average{backward}.",
        own_last_difference=difference,
    )


def carried_state_helps(res: PytorchResult) -> Claim:
    """The two character models on the same held-out streams: a paired bootstrap over the streams."""
    return comparison(
        "carried_state_helps",
        "Stateful",
        "Stateless",
        paired_bootstrap(res.stateful.by_stream, res.stateless.by_stream),
        better="lower",
        measure="held-out loss (nats per character)",
        fmt="{:+.3f}",
        stateful_loss=res.stateful.held_out_loss,
        stateless_loss=res.stateless.held_out_loss,
    )


def detach_is_needed(res: PytorchResult) -> Claim:
    """Carrying the state without detach() fails, with and without retain_graph=True."""
    failed = {t.mode: float(t.failed_at or 0) for t in res.truncations}
    return claim(
        "detach_is_needed",
        lambda e: e["no_detach_failed_at"] > 0 and e["retain_graph_failed_at"] > 0,
        "Without `detach()`, the second backward pass tries to go back through the first chunk, whose graph "
        "the first pass freed. `retain_graph=True` keeps that graph, but the optimiser has since changed the "
        "weights it saved, so torch refuses again.",
        "In this run carrying the state without `detach()` did not fail: "
        + ", ".join(f"{TRUNCATIONS[m]} ran" for m in ("no_detach", "retain_graph") if not failed[m])
        + ". The backward passes then reach further back with every chunk.",
        no_detach_failed_at=failed["no_detach"],
        retain_graph_failed_at=failed["retain_graph"],
    )


def growing_graph_slows(res: PytorchResult) -> Claim:
    """Without detach() and without updates, each backward pass is longer than the one before: slower."""
    growing = next(t for t in res.truncations if t.mode == "growing")
    growth = growth_per_chunk(growing)
    reach = (
        f"Only without updating the weights does it run, and then each backward pass reaches back to the "
        f"first character: by chunk {len(growing.milliseconds)} it goes through {growing.reach:,} steps"
    )
    return claim(
        "growing_graph_slows",
        lambda e: e["ms_added_per_chunk"] > 0,
        f"{reach}, and each chunk costs about {growth:.1f} ms more than the one before. With `detach()` "
        f"every backward pass is {CHUNK} steps long.",
        f"{reach}, yet the chunk times did not grow here ({growth:+.2f} ms per chunk): on this machine "
        f"the longer backward passes were lost in the timing noise. With `detach()` every backward pass is "
        f"{CHUNK} steps long.",
        ms_added_per_chunk=growth,
        characters_reached=float(growing.reach),
    )


def claims(cfg: PytorchConfig, res: PytorchResult) -> list[Claim]:
    """Every finding the page states about this run; the first, packing against output[:, -1], heads it."""
    return [
        reader_comparison(res, "packed", "last_padded"),
        packed_against_chance(res),
        reader_comparison(res, "packed", "own_last"),
        reader_comparison(res, "own_last", "last_padded"),
        gap_cause(cfg, res),
        own_last_state(cfg, res),
        detach_is_needed(res),
        growing_graph_slows(res),
        carried_state_helps(res),
        *corrections(),
    ]
