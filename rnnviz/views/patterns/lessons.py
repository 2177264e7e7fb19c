"""The patterns view's prose: what the page says around its figures, with the recipe's numbers formatted in,
and the claims: each finding the page states, decided by this run's numbers (with a 95% interval where two
things are compared on the same held-out items)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnnviz.core import dates
from rnnviz.core.budget import training_budget_s
from rnnviz.core.cells import CELLS
from rnnviz.core.claims import Claim, Interval, comparison, paired_accuracy, paired_bootstrap
from rnnviz.views.patterns.date_recipe import DATE_RECIPE
from rnnviz.views.patterns.result import ItemScores, PatternsResult
from rnnviz.views.patterns.settings import PatternsConfig
from rnnviz.views.patterns.tasks import ECHO_DELAY, STEP_TASKS
from rnnviz.views.patterns.train import CLIP, PROBE_SEQUENCES, planned_steps

INTRO = (
    "One recurrent cell, wired six ways. Which inputs it reads and which outputs are scored decide "
    "what it can learn. Each pattern trains live on a tiny task; then type your own input and watch the "
    "network answer."
)
DESCRIPTION = (
    "Many-to-one, one-to-many, aligned tagging, encoder-decoder, bidirectional and stacked "
    "networks, each trained on a tiny task and recorded as it learns."
)
FINDING = (
    "Which inputs a network reads and which outputs are scored (one or many, past only or past "
    "and future, one layer or several) decide what it can learn: six wirings, each trained live "
    "and scored against always giving the commonest answer."
)
CONSTANT_GUESS_HELP = (
    "Accuracy of always giving the commonest answer: the level that means the network learnt nothing."
)
FORWARD_ONLY_HELP = "The same cell and training, reading left to right only."
METRIC_HELP = (
    "Share of right answers on inputs the network did not train on (each pattern says how it counts); "
    "compare it with the constant guess, the level that means it learnt nothing."
)
PLAY_FILM = "Press ▶ Play, or drag the training-step slider, to watch the answer form through training."
RESTORE_FOR_FILM = "The training film plays on the example input: restore it to replay training."
BIDIRECTIONAL_POSITIONS = (
    "At position 1 the forward network has seen one digit, so it can only guess the largest; "
    "by the last position it has seen them all. The backward pass brings the rest of the "
    "sequence to every position."
)
PROBE = (
    "A linear read-out is fitted to each layer's hidden states to recover the digit read k steps "
    f"ago (on half of {PROBE_SEQUENCES} sequences, scored on the other half). Set *Training* to None "
    "for the control: what the layers of an untrained network already hold."
)


def click_to_train(cfg: PatternsConfig) -> str | None:
    """Only the date converter waits for the Train button; what it costs, from its recipe and the budget."""
    if cfg.pattern != "seq2seq":
        return None
    return (
        f"Training the date converter takes {planned_steps(cfg)} Adam steps, or stops earlier at this "
        f"server's training budget of {training_budget_s():g} s."
    )


def recipe(cfg: PatternsConfig) -> str:
    """The network and training in one line, for the page and --help readers."""
    steps = planned_steps(cfg)
    cell = CELLS[cfg.cell]
    if cfg.pattern == "seq2seq":
        r = DATE_RECIPE
        return (
            f"{cell} encoder and decoder, {r.hidden} units each, {r.embed}-dimensional character "
            f"embeddings; {steps} Adam steps of {r.batch} generated dates (years {dates.YEARS[0]}–"
            f"{dates.YEARS[1]}, {len(dates.FORMATS)} spellings), learning rate {r.lr:g}, clipping at {CLIP:g}."
        )
    task = STEP_TASKS[cfg.pattern]
    layers = f"{task.layers} stacked layers of " if task.layers > 1 else ""
    direction = "bidirectional " if task.bidirectional else ""
    data = (
        "all 100 numbers"
        if cfg.pattern == "one_to_many"
        else f"{task.batch} fresh random sequences of length {task.lengths[0]}–{task.lengths[1]}"
    )
    text = (
        f"{direction}{layers}{cell}, {task.hidden} units; {steps} Adam steps of {data}, "
        f"learning rate {task.lr:g}, clipping at {CLIP:g}."
    )
    return text[0].upper() + text[1:]


def _items_interval(items: ItemScores, first: np.ndarray, second: np.ndarray, metric: str) -> Interval:
    """Two scorings of the same held-out items: paired accuracy when an item is one answer, else a
    bootstrap over items (the outputs of one sequence are not independent)."""
    if metric == "sequence":
        return paired_accuracy(first > 0, second > 0)
    return paired_bootstrap(items.per_output(first), items.per_output(second))


def _metric(res: PatternsResult) -> str:
    return "sequence" if res.pattern == "seq2seq" else STEP_TASKS[res.pattern].metric


STEP_MEASURE = "outputs right on fresh sequences"


def _measure(res: PatternsResult) -> str:
    """What the accuracy counts, on which items: held out, fresh, or (a generator) its whole repertoire."""
    if res.pattern == "seq2seq":
        return "exact match on held-out dates"
    task = STEP_TASKS[res.pattern]
    if task.metric == "step":
        return f"the share of {STEP_MEASURE}"
    if task.fresh:
        return "the share of fresh sequences answered right"
    return "the share of its repertoire (the inputs it trained on) answered exactly"


def learns_the_task(res: PatternsResult) -> Claim:
    """The network against always giving the commonest answer, on the same held-out items."""
    metric = _metric(res)
    items = res.items
    return comparison(
        "beats_constant_guess",
        "the network",
        "always giving the commonest answer",
        _items_interval(items, items.right, items.constant_right, metric),
        better="higher",
        measure=_measure(res),
        fmt="{:+.1%}",
        accuracy=res.accuracy,
        constant_guess_accuracy=res.baseline,
    )


def future_helps(res: PatternsResult) -> Claim:
    """Bidirectional against forward-only, trained the same way, on the same fresh sequences."""
    items = res.items
    return comparison(
        "bidirectional_beats_forward_only",
        "the bidirectional network",
        "the forward-only network",
        _items_interval(items, items.right, items.forward_only_right, "step"),
        better="higher",
        measure=f"the share of {STEP_MEASURE}",
        fmt="{:+.1%}",
        bidirectional_accuracy=res.accuracy,
        forward_only_accuracy=float(res.forward_only_accuracy),
    )


def positions(res: PatternsResult) -> list[Claim]:
    """Where in the sequence the future matters: the forward-only network's first tag against its last,
    and the bidirectional network's first tag against the forward-only one's (same sequences)."""
    both, forward = res.position_right
    by_position = res.by_position
    return [
        comparison(
            "forward_only_improves_along_the_sequence",
            "the forward-only network's last tag",
            "the forward-only network's first tag",
            paired_accuracy(forward[:, -1], forward[:, 0]),
            better="higher",
            measure="accuracy",
            fmt="{:+.1%}",
            first_position=float(by_position[1, 0]),
            last_position=float(by_position[1, -1]),
        ),
        comparison(
            "bidirectional_right_from_the_start",
            "the bidirectional network's first tag",
            "the forward-only network's first tag",
            paired_accuracy(both[:, 0], forward[:, 0]),
            better="higher",
            measure="accuracy",
            fmt="{:+.1%}",
            bidirectional_first=float(by_position[0, 0]),
            forward_only_first=float(by_position[1, 0]),
        ),
    ]


def _layer_comparison(res: PatternsResult, id: str, delay: int, first: int, second: int) -> Claim:
    right = res.probe_right[delay]
    what = "the digit just read" if delay == 0 else f"the digit read {delay} steps ago"
    return comparison(
        id,
        f"layer {first + 1}",
        f"layer {second + 1}",
        paired_accuracy(right[first], right[second]),
        better="higher",
        measure=f"a linear read-out of {what}",
        fmt="{:+.1%}",
        **{
            f"layer_{first + 1}": float(right[first].mean()),
            f"layer_{second + 1}": float(right[second].mean()),
        },
    )


def _layers_share(e: Mapping[str, float]) -> bool:
    """The first layer beats the top at the digit just read, and the top beats every lower layer at the
    digit the output must say."""
    return e["first_over_top_recent_low"] > 0 and e["top_over_lower_echo_low"] > 0


def layers(res: PatternsResult) -> list[Claim]:
    """What the probes say about the division of work between the stacked layers (issue 23 item 12: the
    sentence is decided by the probes, not printed under whatever they show)."""
    top = len(res.probe_right[0]) - 1
    lower = int(np.argmax(res.probe[:top, ECHO_DELAY]))  # the best of the lower layers: the top must beat it
    recent = _layer_comparison(res, "first_layer_keeps_the_digit_just_read", 0, 0, top)
    echo = _layer_comparison(res, "top_layer_keeps_the_echo", ECHO_DELAY, top, lower)
    best = [int(np.argmax(res.probe[:, k])) + 1 for k in (0, ECHO_DELAY)]
    evidence = {
        "first_over_top_recent_low": recent.evidence["low"],
        "top_over_lower_echo_low": echo.evidence["low"],
        "best_layer_recent": float(best[0]),
        "best_layer_echo": float(best[1]),
    }
    holds = _layers_share(evidence)
    share = Claim(
        "layers_share_the_work",
        "Lower layers keep recent digits; the top layer keeps what the output needs."
        if holds
        else f"No clean division of work in this run: the digit just read is read best from layer {best[0]}, "
        f"the one read {ECHO_DELAY} steps ago (what the output must say) from layer {best[1]}.",
        holds,
        evidence,
        _layers_share,
    )
    return [share, recent, echo]


def claims(cfg: PatternsConfig, res: PatternsResult) -> list[Claim]:
    """Every finding the page states about this run; the first, the network against the constant guess,
    heads the view."""
    found = [learns_the_task(res)]
    if res.items.forward_only_right is not None:
        found += [future_helps(res), *positions(res)]
    if res.probe_right:
        found += layers(res)
    return found
