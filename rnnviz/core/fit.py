"""The one fit loop every experiment uses: optimiser, clipping, progress reports, a wall-clock budget
and the snapshot timeline."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch import Tensor, nn

from rnnviz.core.budget import DEFAULT_BUDGET_S, budget_scale, training_budget_s
from rnnviz.core.fmt import sentence_case
from rnnviz.core.timeline import SNAPSHOTS, Capture, Timeline, capture_enabled, snapshot_steps

OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}

StopReason = Literal["done", "budget", "diverged"]

EXITING = threading.Event()
"""Set as the process exits: a training still running ends at its next step, as if its budget ran out. A
thread still inside torch when the interpreter finalises is killed there, and that aborts the process."""


FINAL_LOSS_TAIL = 0.05
"""A final loss is the mean over this share of the last steps: less noisy than the last step alone."""


@dataclass(frozen=True)
class Progress:
    """What a page needs to draw a progress bar and a live loss curve."""

    step: int
    """Steps of this training so far: the x of its loss curve."""
    total: int
    train_loss: float
    val_loss: float | None
    history: History
    note: str = ""
    """Text to show beside the progress, e.g. samples written at checkpoints; experiments add it."""
    new_frame: bool = False
    """A snapshot was just added to ``history.timeline``: a page may redraw its main figure from it."""
    stage: str = ""
    """Which of a run's several trainings this is ("LSTM", "the word-order control"); empty for the only one."""
    done_before: int = 0
    """Steps of the run's trainings before this one, so one progress bar covers them all."""
    run_total: int = 0
    """Steps of all the run's trainings; 0 when this training is the whole run."""

    @property
    def run_step(self) -> int:
        return self.done_before + self.step

    @property
    def run_steps(self) -> int:
        return self.run_total or self.total

    @property
    def fraction(self) -> float:
        return min(1.0, self.run_step / max(1, self.run_steps))

    def line(self) -> str:
        """The progress bar's text: the stage, its step and loss (the live loss curve's axis), then the run's.

        The step is this training's, as on the loss curve beside the bar: counting the whole run's there
        made "step 505 of 900" sit beside a curve ending at step 205."""
        step = f"step {self.step} of {self.total}"
        text = (
            sentence_case(f"{self.stage}, {step}" if self.stage else step) + f": loss {self.train_loss:.4g}"
        )
        if self.val_loss is not None:
            text += f", validation {self.val_loss:.4g}"
        if self.history.val_accuracy:
            text += f", validation accuracy {self.history.val_accuracy[-1]:.1%}"
        if self.run_total:
            text += f" ({self.run_step} of {self.run_total} steps in all)"
        return text


def stage_progress(
    on_progress: Callable[[Progress], None] | None,
    stage: str,
    done_before: int = 0,
    run_total: int = 0,
    *,
    live: bool = True,
) -> Callable[[Progress], None] | None:
    """Report one of a run's several trainings: named, and on one progress bar after those before it.

    ``live=False`` keeps this training's snapshots out of the page's live figure (a control's, not the
    model the figure shows)."""
    if on_progress is None:
        return None

    def report(p: Progress) -> None:
        on_progress(
            dataclasses.replace(
                p, stage=stage, done_before=done_before, run_total=run_total, new_frame=p.new_frame and live
            )
        )

    return report


@dataclass
class History:
    loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    """Global gradient norm of each step, before clipping."""
    clipped_norm: list[float] = field(default_factory=list)
    """Global gradient norm actually applied (equal to grad_norm when clipping is off)."""
    val_steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    """At val_steps too, when val_fn returns (loss, accuracy), as classifiers do; empty otherwise."""
    stop: StopReason = "done"
    diverged_at: int | None = None
    seconds: float = 0.0
    cpu_s: float = 0.0
    """CPU time of the training's thread: what the training costs, whatever else the machine runs."""
    budget_s: float = DEFAULT_BUDGET_S
    """The wall-clock budget this training had."""
    timeline: Timeline = field(default_factory=Timeline)
    """What the view captured at each snapshot; empty when it captures nothing."""

    @property
    def steps(self) -> int:
        return len(self.loss)

    def final_loss(self, tail: float = FINAL_LOSS_TAIL) -> float:
        """Mean over the last ``tail`` share of steps."""
        finite = [v for v in self.loss if math.isfinite(v)]
        if not finite:
            return float("nan")
        n = self.final_steps(tail)
        return sum(finite[-n:]) / n

    def final_steps(self, tail: float = FINAL_LOSS_TAIL) -> int:
        """How many of the last steps with a finite loss :meth:`final_loss` averages."""
        return max(1, int(sum(math.isfinite(v) for v in self.loss) * tail))

    def message(self) -> str | None:
        """A sentence for the page when training did not simply run to the end."""
        if self.stop == "budget":
            return (
                f"Training stopped after {self.steps} steps: its {self.budget_s:.3g} s compute budget ran out. "
                "Results below use the model as it was then."
            )
        if self.stop == "diverged":
            return (
                f"Training diverged at step {self.diverged_at}: the loss or the gradient became NaN or infinite. "
                "Results below use the weights as they were then; a smaller learning rate or gradient "
                "clipping usually prevents it."
            )
        return None


def make_optimizer(
    name: str, params: Iterable[Tensor], lr: float, fused: bool = False
) -> torch.optim.Optimizer:
    """``fused``: one kernel per step over all parameters, about three times faster than the loop over
    them on CPU; it rounds differently, so a view opts in and re-checks its claims rather than every
    view's results moving at once."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, fused=fused or None)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, fused=fused or None)
    raise ValueError(f"unknown optimiser {name!r}")


Probe = Callable[[Any], AbstractContextManager[Any]]
"""A context a benchmark wraps around one training step (forward, backward and update), given the
step's batch: e.g. to record the shapes of its matrix products and count its sequences."""

PROBED_STEP = 2
"""The step a probe sees: the first one can differ (a fresh state, lazily built optimiser buffers)."""

_observers: ContextVar[tuple[list[History], Probe | None] | None] = ContextVar(
    "rnnviz_fit_observers", default=None
)


@contextmanager
def observing(probe: Probe | None = None) -> Iterator[list[History]]:
    """Collect the History of every fit run in this block (in this thread), and wrap step
    :data:`PROBED_STEP` of each in ``probe``: how bench/timeline.py reads a view's training time
    against its budget and the matrix products of its step, without the view's code knowing."""
    histories: list[History] = []
    token = _observers.set((histories, probe))
    try:
        yield histories
    finally:
        _observers.reset(token)


def fit(
    model: nn.Module,
    loss_fn: Callable[[Any], Tensor],
    batches: Iterable[Any],
    *,
    total_steps: int,
    lr: float,
    optimizer: str = "adam",
    clip: float | None = None,
    val_fn: Callable[[], float | tuple[float, float]] | None = None,
    val_every: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    report_every_s: float = 0.15,
    budget_share: float = 1.0,
    budget_s: float | None = None,
    after_step: Callable[[], None] | None = None,
    capture: Capture | None = None,
    snapshots: int = SNAPSHOTS,
    lr_schedule: Callable[[int], float] | None = None,
    fused_optimizer: bool = False,
) -> History:
    """Train until ``total_steps`` batches are used, the budget runs out, or the loss diverges.

    Divergence is a result to show, not an error: training stops and History says where.
    ``after_step`` runs after each optimiser step (e.g. truncated-BPTT state detaching).
    ``capture`` records the view's frame before the first step and at each of ``snapshots``
    checkpoints, always including the last step trained (also when the budget or divergence ends it).
    ``lr_schedule(step)`` scales the learning rate of the steps after ``step`` (e.g. a cosine decay).
    The budget is ``budget_share`` of :func:`training_budget_s` (a run that trains several models gives
    each a share), unless ``budget_s`` sets it outright; :func:`scaled_budget` scales either.
    ``fused_optimizer``: see :func:`make_optimizer`.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    opt = make_optimizer(optimizer, params, lr, fused=fused_optimizer)
    budget = budget_s * budget_scale() if budget_s is not None else budget_share * training_budget_s()
    hist = History(budget_s=budget)
    observers = _observers.get()
    probe = observers[1] if observers is not None else None
    if observers is not None:
        observers[0].append(hist)
    start, cpu_start = time.monotonic(), time.thread_time()
    deadline = start + budget
    last_report = start
    if not capture_enabled():
        capture = None
    schedule = frozenset(snapshot_steps(total_steps, snapshots)) if capture is not None else frozenset()

    def snap(step: int, loss: float | None) -> None:
        model.eval()
        with torch.no_grad():
            hist.timeline.add(step, loss, capture())
        model.train()

    if capture is not None:
        snap(0, None)
    model.train()
    for step, batch in enumerate(batches, start=1):
        if step > total_steps:
            break
        with probe(batch) if probe is not None and step == PROBED_STEP else nullcontext():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(batch)
            value = float(loss.detach())
            if not math.isfinite(value):
                hist.loss.append(value)
                hist.stop, hist.diverged_at = "diverged", step
                break
            loss.backward()
            norm = float(nn.utils.clip_grad_norm_(params, clip if clip else float("inf"), foreach=True))
            hist.grad_norm.append(norm)
            hist.clipped_norm.append(min(norm, clip) if clip else norm)
            if not math.isfinite(norm):
                hist.loss.append(value)
                hist.stop, hist.diverged_at = "diverged", step
                break
            opt.step()
        if lr_schedule is not None:
            for group in opt.param_groups:
                group["lr"] = lr * lr_schedule(step)
        if after_step is not None:
            after_step()
        hist.loss.append(value)
        is_last = step == total_steps
        captured = step in schedule
        if captured:
            snap(step, value)
        if val_fn is not None and val_every and (step % val_every == 0 or is_last):
            model.eval()
            with torch.no_grad():
                val = val_fn()
            if isinstance(val, tuple):
                val, acc = val
                hist.val_accuracy.append(float(acc))
            hist.val_loss.append(float(val))
            hist.val_steps.append(step)
            model.train()
        now = time.monotonic()
        if on_progress is not None and (is_last or captured or now - last_report >= report_every_s):
            val = hist.val_loss[-1] if hist.val_loss else None
            on_progress(Progress(step, total_steps, value, val, hist, new_frame=captured))
            # Timed from the report's end: a slow redraw must not starve training.
            last_report = time.monotonic()
        if (now > deadline or EXITING.is_set()) and not is_last:
            hist.stop = "budget"
            break
    if capture is not None:
        trained = hist.steps if hist.stop != "diverged" else hist.steps - 1
        if trained > hist.timeline.steps[-1]:
            snap(trained, hist.loss[trained - 1])
        if hist.loss:
            hist.timeline.loss[0] = hist.loss[0]  # step 1's loss was measured before its update
    model.eval()
    hist.seconds = time.monotonic() - start
    hist.cpu_s = time.thread_time() - cpu_start
    return hist
