"""The PyTorch view's prose: the page's lead, and every sentence that states a number this view computed
(the shapes of the explored module, the five corrections, the readers' and character models' results)."""

from __future__ import annotations

from rnnviz.core.cells import CELLS
from rnnviz.core.data import HAMLET_NAME
from rnnviz.core.fit import training_budget_s
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
from rnnviz.views.pytorch.padding import BATCH, NEAR_CHANCE, TEST_SENTENCES, VAL_SENTENCES, verdict
from rnnviz.views.pytorch.readers import READERS
from rnnviz.views.pytorch.result import PytorchResult
from rnnviz.views.pytorch.settings import BUDGET_SHARES, PytorchConfig
from rnnviz.views.pytorch.shapes import Explored, Setup

INTRO = (
    "The mistakes every tutorial warns about, made on purpose and measured: tensor shapes and batch_first, "
    "an h0 of the wrong shape, reading the last output of a padded batch, the backward direction's summary, "
    "and a state carried between chunks without detach()."
)
CLICK_TO_TRAIN = (
    "Training the three readers and the two character models takes about 20 s on this server "
    "with the default settings."
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


def tanh_peak() -> str:
    d = derivative_peaks()
    return (
        f"**tanh′ peaks at {d.tanh_peak:.3g}, not 0.25.** On a grid from -6 to 6, autograd finds the "
        f"largest slope of tanh to be {d.tanh_peak:.4f} (at x = {abs(round(d.tanh_peak_at, 6)):g}); "
        f"{d.sigmoid_peak:.4f} is the sigmoid's peak. A tanh RNN's gradient shrinks through small weights "
        "and saturated units, not through a 0.25 factor at every step."
    )


def clipping_reach() -> str:
    vanishing, exploding = clipping()
    return (
        f"**Clipping tames exploding gradients and does nothing for vanishing ones.** A linear recurrence of "
        f"{CLIP_LENGTH} steps, loss on the last state, clip_grad_norm_ at max_norm={CLIP_NORM:g}. "
        f"Vanishing (spectral radius {RADIUS['vanishing']:g}): gradient norm {sci(vanishing.total_before)} "
        f"before and {sci(vanishing.total_after)} after clipping, and ‖∂L/∂h₁‖ stays {sci(vanishing.first_step)}. "
        f"Exploding (radius {RADIUS['exploding']:g}): {sci(exploding.total_before)} is clipped to "
        f"{sci(exploding.total_after)}. Clipping rescales the whole gradient, so the share that reaches step 1 "
        f"(‖∂L/∂h₁‖ / ‖∂L/∂h_T‖ = {sci(vanishing.reach)} when vanishing) is the same before and after."
    )


def no_automatic_detach() -> str:
    graph = carried_graph()
    return (
        f"**nn.RNN does not detach a state you pass back in.** Chunk 1's final state passed to chunk 2 as it "
        f"is: chunk 2's loss sends a gradient of norm {sci(graph.reaches_first_chunk)} into chunk 1's input. "
        f"With `h.detach()`, chunk 1's input gets {'a gradient' if graph.detached_grad else 'no gradient at all'}. "
        "Truncated backpropagation is yours to write: see *Carried state* below for what forgetting it costs."
    )


def gru_convention() -> str:
    gru = gru_conventions()
    return (
        f"**GRU conventions differ.** PyTorch updates with the formula below: z near 1 *keeps* the old state. "
        f"Written that way by hand from nn.GRU's own weights, the states match nn.GRU to "
        f"{sci(gru.pytorch_convention)}; with z and 1 − z swapped, as in many texts, they are off by up to "
        f"{sci(gru.swapped_convention)}. So 'a positive update-gate bias keeps memory' holds in PyTorch's "
        "convention only; the gates and memory pages use it too."
    )


def scaler_leaks() -> str:
    leak = scaler_leak()
    return (
        f"**A scaler fitted on all the data leaks the future.** A rising series of {leak.points} points, the last "
        f"{percent(leak.test_share)} held out. Its training mean is {leak.train_mean:.2f}, but the mean of all "
        f"of it is {leak.all_mean:.2f}: a scaler fitted on everything already knows the test period is higher. "
        f"A predictor that knows nothing (it always answers 0 in scaled units, the scaler's mean) has test MSE "
        f"{leak.honest_error:.1f} with the honest scaler and {leak.leaky_error:.1f} with the leaky one: it looks "
        f"{leak.honest_error / leak.leaky_error:.1f}× better for having seen the future."
    )


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


def why_the_gap(cfg: PytorchConfig, res: PytorchResult) -> str:
    """The gap between packing and output[:, -1], and what the run's numbers say about its cause."""
    why = {
        "untrained": f"All three readers are still within {percent(NEAR_CHANCE)} of chance ({res.chance:.1%}): "
        "with this little training where they read cannot matter yet. More sentences or epochs make the gap "
        "appear.",
        "padding": "Those steps move the state through the recurrent weights and the biases (the padding's input "
        "is a zero embedding and adds nothing), so the state the read-out sees has partly forgotten the "
        "sentence, and by a different amount for each sentence, depending on who shared its batch.",
        "held": f"The gap is small: the {CELLS[cfg.reader_cell]} kept most of what it had read through the "
        "padding's zero inputs. A gated cell can learn to: its memory gate (the LSTM's forget gate, the GRU's "
        "update gate) stays open, near 1, and keeps the state as it was; a vanilla RNN can only hope its weights "
        "and biases let the state fade slowly.",
    }[verdict(res.test_accuracy, res.chance)]
    return (
        f"**Why the gap ({100 * res.gap:+.1f} points).** In these test batches, output[:, -1] has read on "
        f"average **{res.padding_read:.1f} padding tokens** after the sentence's last word. {why}"
    )


def own_last_against_packed(cfg: PytorchConfig, res: PytorchResult) -> str:
    acc = res.test_accuracy
    return (
        f"Reading each sentence's own last step gives {acc['own_last']:.1%} against packing's {acc['packed']:.1%}: "
        + (
            "for a bidirectional layer the two differ, because without packing the backward direction starts in the "
            "padding and its state at the last word has read one word only (see the bars)."
            if cfg.reader_bidirectional
            else "for a one-way layer they compute the same states (the bars show a difference of ~0), so only "
            "the cost differs. Packing saves the padding steps but pays for sorting and bookkeeping; which wins "
            "depends on how much the lengths in a batch differ, the batch size and the hardware."
        )
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


def truncation_story(res: PytorchResult) -> str:
    """Why each way of carrying the state fails or slows down, with the growing run's own numbers."""
    growing = next(t for t in res.truncations if t.mode == "growing")
    return (
        "Without `detach()`, the second backward pass tries to go back through the first chunk, whose graph "
        "the first pass freed. `retain_graph=True` keeps that graph, but the optimiser has since changed the "
        "weights it saved, so torch refuses again. Only without updating the weights does it run, and then "
        f"each backward pass reaches back to the first character: by chunk {len(growing.milliseconds)} "
        f"it goes through {growing.reach:,} steps, and each chunk costs about {growth_per_chunk(growing):.1f} ms "
        f"more than the one before. With `detach()` every backward pass is {CHUNK} steps long."
    )


def stateful_story(res: PytorchResult) -> str:
    return (
        f"Both models trained {res.stateful.history.steps} steps on the first part of the play and are scored "
        "on its end, each read the way it was trained. The carried state (detached between chunks) lets every "
        "chunk start with the context of the one before; from a zero state, the first characters of each chunk "
        "are guessed blind. Longer chunks shrink the difference, at the price of longer backward passes."
    )
