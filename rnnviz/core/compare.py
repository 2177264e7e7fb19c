"""Comparing variants of one view: the same settings but one, over a few seeds, ranked by the headline metric.

Every variant and seed is an ordinary run (``runtime.result``): same cache, same queue, same budget, so a
variant anyone trained already is reused and a comparison's link names only results a link could name.
"Match parameters" picks each variant's hidden size so its trainable-parameter count is close to the
first variant's (an LSTM has four times an RNN's weights at one hidden size, not a fair fight). The verdict
names the best variant only when its 95% interval across seeds does not overlap the runner-up's.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from rnnviz.core import config as cfgmod
from rnnviz.core.claims import Claim, claim
from rnnviz.core.experiment import Experiment, ProgressFn
from rnnviz.core.fmt import jsonable, sci, sentence_case
from rnnviz.core.runtime import result

MAX_RUNS = 12
"""At most this many trainings (variants times seeds) per comparison: each is a full run of the view."""
MIN_VARIANTS, MAX_VARIANTS = 2, 4
MAX_SEEDS = 5
PARAMS_TOLERANCE = 0.05
"""Matched variants' parameter counts lie within this share of the first variant's, where the range allows."""
HIDDEN = "hidden"
"""The setting "match parameters" adjusts."""

LINK_COMPARE, LINK_MATCH, LINK_SEEDS = cfgmod.COMPARE_KEY, cfgmod.MATCH_KEY, cfgmod.SEEDS_KEY
MATCH_PARAMS = "params"
SETTING_SEPARATORS = (":", "=")
"""Between a setting and its values: ``cell:rnn,lstm`` in a link, ``cell=rnn,lstm`` on the command line."""

T_975 = (12.7062047, 4.30265273, 3.18244631, 2.77644511)
"""Student's t 97.5% quantile for 1 to MAX_SEEDS - 1 degrees of freedom: a 95% interval over few seeds."""


def parameter_count(build: Callable[[], nn.Module | Iterable[nn.Module]]) -> int:
    """Trainable parameters of the model(s) ``build()`` makes, built on torch's meta device: no memory is
    allocated and no weight is drawn, so a training in another thread keeps its random stream."""
    with torch.device("meta"):
        built = build()
    modules = [built] if isinstance(built, nn.Module) else list(built)
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


@dataclass(frozen=True)
class Request:
    """What a reader asked to compare: one setting's values (or none: seeds only), seeds, matching."""

    setting: str | None
    values: tuple[Any, ...]
    seeds: int = 1
    match_params: bool = False

    def link(self, exp: Experiment) -> dict[str, str]:
        """The link keys that restore this request (empty when it asks for nothing)."""
        out: dict[str, str] = {}
        if self.setting is not None:
            spec = cfgmod.spec_of(exp.config, self.setting)
            shown = ",".join(cfgmod.format_value(spec, v) for v in self.values)
            out[LINK_COMPARE] = f"{self.setting}{SETTING_SEPARATORS[0]}{shown}"
        if self.match_params:
            out[LINK_MATCH] = MATCH_PARAMS
        if self.seeds > 1:
            out[LINK_SEEDS] = str(self.seeds)
        return out

    @property
    def empty(self) -> bool:
        return self.setting is None and self.seeds <= 1


def comparable(exp: Experiment, cfg: Any) -> tuple[cfgmod.Spec, ...]:
    """The settings a comparison may vary: those that train a model and apply under ``cfg`` (not the seed,
    which has its own count, and not free text, which has no list of values)."""
    return tuple(
        s
        for s in cfgmod.specs(exp.config)
        if s.role == "train"
        and s.name != "seed"
        and s.applies_to(cfg)
        and (s.choices is not None or s.kind in (int, float, bool))
    )


def can_match(exp: Experiment, cfg: Any, setting: str | None) -> bool:
    """Whether "match parameters" means anything: the view counts parameters and its hidden size is a
    setting that applies and is not the one compared."""
    return (
        exp.params is not None and setting != HIDDEN and any(s.name == HIDDEN for s in comparable(exp, cfg))
    )


def parse_request(
    exp: Experiment,
    cfg: Any,
    compare: str | None,
    seeds: Any = None,
    match: Any = None,
) -> tuple[Request, list[str]]:
    """A request from outside text (a link's or the command line's); never raises. Unusable parts are
    dropped or clamped, each with a sentence saying what was done instead."""
    notes: list[str] = []
    setting, values = None, ()
    text = (compare or "").strip()
    if text:
        setting, values, notes = _parse_compare(exp, cfg, text)
    count, note = _parse_seeds(seeds)
    notes += [note] if note else []
    wanted = str(match or "").strip().lower()
    matching = wanted in (MATCH_PARAMS, "true", "1", "yes")
    if wanted and not matching:
        notes.append(f"Match: {_shown(wanted)!r} is not understood (use match={MATCH_PARAMS}); ignored.")
    if matching and setting == HIDDEN:
        notes.append(
            "Match parameters: the hidden size is what is compared, so it cannot be matched; ignored."
        )
        matching = False
    elif matching and not can_match(exp, cfg, setting):
        notes.append(f"Match parameters: {exp.title} has no hidden size to adjust here; ignored.")
        matching = False
    request = Request(setting, values, count, matching)
    return _capped(request, notes)


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_compare(exp: Experiment, cfg: Any, text: str) -> tuple[str | None, tuple[Any, ...], list[str]]:
    cut = min((text.find(s) for s in SETTING_SEPARATORS if s in text), default=-1)
    if cut <= 0:
        return None, (), [f"Compare: {_shown(text)!r} is not SETTING:V1,V2 (e.g. cell:rnn,lstm); ignored."]
    name, raw = text[:cut].strip(), text[cut + 1 :]
    specs = {s.name: s for s in comparable(exp, cfg)}
    if name not in specs:
        offered = ", ".join(specs) or "none"
        return None, (), [f"Compare: {_shown(name)!r} is not a setting to compare here ({offered}); ignored."]
    spec = specs[name]
    notes: list[str] = []
    values: list[Any] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        value, note = cfgmod.parse_value(spec, part)
        if note:
            notes.append(f"Compare: {note}")
        if note and spec.kind is str:
            continue  # an unknown choice is dropped, not replaced by the default
        if value in values:
            continue
        values.append(value)
    if len(values) > MAX_VARIANTS:
        notes.append(f"Compare: at most {MAX_VARIANTS} values; the first {MAX_VARIANTS} are used.")
        values = values[:MAX_VARIANTS]
    if len(values) < MIN_VARIANTS:
        notes.append(f"Compare: {spec.label} needs at least {MIN_VARIANTS} different values; ignored.")
        return None, (), notes
    return name, tuple(values), notes


def _parse_seeds(raw: Any) -> tuple[int, str | None]:
    if raw is None or str(raw).strip() == "":
        return 1, None
    text = str(raw).strip()
    try:
        number = float(text)
    except ValueError:
        return 1, f"Seeds: {_shown(text)!r} is not a number; using 1."
    if not math.isfinite(number) or number != int(number):
        return 1, f"Seeds: {_shown(text)!r} is not a whole number; using 1."
    if not 1 <= number <= MAX_SEEDS:
        clamped = min(max(int(number), 1), MAX_SEEDS)
        return clamped, f"Seeds: {int(number)} is outside 1 to {MAX_SEEDS}; using {clamped}."
    return int(number), None


def _capped(request: Request, notes: list[str]) -> tuple[Request, list[str]]:
    """At most :data:`MAX_RUNS` runs: fewer seeds when variants times seeds exceed it, said so."""
    variants = max(1, len(request.values))
    if variants * request.seeds <= MAX_RUNS:
        return request, notes
    seeds = MAX_RUNS // variants
    notes.append(
        f"{variants} variants times {request.seeds} seeds is {variants * request.seeds} trainings; a comparison "
        f"trains at most {MAX_RUNS}, so {seeds} seeds each are used."
    )
    return dataclasses.replace(request, seeds=seeds), notes


@dataclass(frozen=True)
class Variant:
    """One column of the comparison: its settings (what differs from the page's), its Config per seed."""

    settings: Mapping[str, Any]
    configs: tuple[Any, ...]
    params: int | None


@dataclass(frozen=True)
class Plan:
    exp: Experiment
    request: Request
    variants: tuple[Variant, ...]
    notes: tuple[str, ...]

    @property
    def runs(self) -> tuple[tuple[int, int, Any], ...]:
        """(variant index, seed index, Config) of every training, in the order they run."""
        return tuple((v, s, c) for v, var in enumerate(self.variants) for s, c in enumerate(var.configs))


def seeds_of(cfg: Any, count: int) -> tuple[int, ...]:
    """The page's seed and the next ones (wrapping past the largest seed): each variant's first run is
    the one its own page shows."""
    return tuple((cfg.seed + i) % (cfgmod.MAX_SEED + 1) for i in range(count))


def plan(exp: Experiment, cfg: Any, request: Request) -> Plan:
    """The Config of every run: each variant's setting, its matched hidden size, and each seed."""
    cfg = exp.prepare(cfg)
    notes: list[str] = []
    bases = (
        [exp.prepare(dataclasses.replace(cfg, **{request.setting: v})) for v in request.values]
        if request.setting is not None
        else [cfg]
    )
    if request.match_params and exp.params is not None:
        bases, match_notes = _matched(exp, bases)
        notes += match_notes
    variants = []
    for base in bases:
        shown = {
            n: getattr(base, n) for n in (request.setting, HIDDEN if request.match_params else None) if n
        }
        configs = tuple(dataclasses.replace(base, seed=s) for s in seeds_of(base, request.seeds))
        count = exp.params(base) if exp.params is not None else None
        variants.append(Variant(shown, configs, count))
    return Plan(exp, request, tuple(variants), tuple(notes))


def _matched(exp: Experiment, bases: list[Any]) -> tuple[list[Any], list[str]]:
    """Each variant after the first with the hidden size whose parameter count is nearest the first's."""
    assert exp.params is not None
    spec = cfgmod.spec_of(exp.config, HIDDEN)
    target = exp.params(bases[0])
    if target is None or any(exp.params(b) is None for b in bases[1:]):
        return bases, ["Match parameters: these settings train no model of this view's own; not matched."]
    out, notes = [bases[0]], []
    for base in bases[1:]:
        best = _nearest_hidden(exp.params, base, spec, target)
        got = exp.params(best) or 0
        if abs(got - target) > PARAMS_TOLERANCE * target:
            notes.append(
                f"Match parameters: the nearest {spec.label.lower()} in {spec.describe()} gives {got:,} "
                f"parameters against the first variant's {target:,}, more than {PARAMS_TOLERANCE:.0%} apart."
            )
        out.append(best)
    return out, notes


def _nearest_hidden(count: Callable[[Any], int | None], base: Any, spec: cfgmod.Spec, target: int) -> Any:
    """The hidden size whose count is nearest ``target``. A count is a quadratic in the hidden size (weights
    between layers of that size, plus ones to fixed-size inputs and outputs), so three counts give it
    exactly; the best few candidates it predicts are then counted for real."""
    lo, hi = max(1, int(spec.min)), int(spec.max)  # 0 is no size: where allowed it means "the view picks"
    step = int(spec.step or 1)
    sizes = np.arange(lo, hi + 1, step)
    probes = sorted({int(sizes[0]), int(sizes[len(sizes) // 2]), int(sizes[-1])})
    at = {h: count(dataclasses.replace(base, hidden=h)) or 0 for h in probes}
    degree = min(2, len(probes) - 1)
    predicted = np.polyval(np.polyfit(probes, [at[h] for h in probes], degree), sizes)
    candidates = [int(sizes[i]) for i in np.argsort(np.abs(predicted - target), kind="stable")[:3]]
    for h in candidates:
        at.setdefault(h, count(dataclasses.replace(base, hidden=h)) or 0)
    best = min(candidates, key=lambda h: (abs(at[h] - target), h))
    return dataclasses.replace(base, hidden=best)


@dataclass(frozen=True)
class Spread:
    """A metric over seeds: its values, mean and 95% t interval (NaN with one seed: no spread to see)."""

    values: tuple[float, ...]
    mean: float
    low: float = math.nan
    high: float = math.nan

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        vals = tuple(float(v) for v in values)
        finite = np.array([v for v in vals if math.isfinite(v)])
        if len(finite) == 0:
            return cls(vals, math.nan)
        mean = float(finite.mean())
        if len(finite) < 2:
            return cls(vals, mean)
        half = T_975[len(finite) - 2] * float(finite.std(ddof=1)) / math.sqrt(len(finite))
        return cls(vals, mean, mean - half, mean + half)

    @property
    def has_interval(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)


RunStatus = Callable[[int, int, str, float | None], None]
"""(variant index, seed index, "queued" | "training" | "done", the run's metric once done) as runs move on."""


@dataclass(frozen=True)
class Outcome:
    """One variant's runs and its metric over them."""

    variant: Variant
    results: tuple[Any, ...]
    spread: Spread


@dataclass(frozen=True)
class Comparison:
    plan: Plan
    outcomes: tuple[Outcome, ...]
    verdict: Claim

    def budget_notes(self) -> list[str]:
        """A sentence per run its wall-clock budget cut short: its number depends on the machine's speed and
        load, not only on its settings, so it may differ run to run."""
        return [
            f"{name_of(self.plan.exp, o.variant.settings)}, seed {c.seed}: training stopped at its time "
            "budget, so its value depends on this machine's speed and load, not only on its settings."
            for o in self.outcomes
            for c, r in zip(o.variant.configs, o.results, strict=True)
            if r.history.stop == "budget"
        ]

    def json(self) -> dict[str, Any]:
        metric = self.plan.exp.metric
        variants = [
            {
                "settings": dict(o.variant.settings),
                "params": o.variant.params,
                "seeds": [c.seed for c in o.variant.configs],
                "stops": [r.history.stop for r in o.results],
                "metric": {
                    "name": metric.name,
                    "values": list(o.spread.values),
                    "mean": o.spread.mean,
                    "low": o.spread.low,
                    "high": o.spread.high,
                },
            }
            for o in self.outcomes
        ]
        return jsonable(
            {
                "variants": variants,
                "verdict": self.verdict.json(),
                "better": metric.better,
                "notes": list(self.plan.notes) + self.budget_notes(),
            }
        )


def run_plan(
    p: Plan,
    lookup: Callable[[str], Experiment],
    *,
    on_status: RunStatus | None = None,
    on_progress: Callable[[int, int], ProgressFn | None] | None = None,
    on_wait: Callable[[int], None] | None = None,
    **queueing: Any,
) -> Comparison:
    """Train (or read from the cache) every run of the plan, one after another in the ordinary queue."""
    status = on_status or (lambda v, s, state, value: None)
    for v, s, _ in p.runs:
        status(v, s, "queued", None)
    results: dict[tuple[int, int], Any] = {}
    for v, s, c in p.runs:
        status(v, s, "training", None)
        progress = on_progress(v, s) if on_progress is not None else None
        results[v, s] = result(p.exp, c, lookup, on_progress=progress, on_wait=on_wait, **queueing)
        status(v, s, "done", p.exp.metric.read(c, results[v, s]))
    return summarise(p, results)


def summarise(p: Plan, results: Mapping[tuple[int, int], Any]) -> Comparison:
    """The comparison of the finished runs: each variant's metric over its seeds, and the verdict."""
    outcomes = []
    for v, var in enumerate(p.variants):
        res = tuple(results[v, s] for s in range(len(var.configs)))
        values = [p.exp.metric.read(c, r) for c, r in zip(var.configs, res, strict=True)]
        outcomes.append(Outcome(var, res, Spread.of(values)))
    return Comparison(p, tuple(outcomes), verdict(p.exp, tuple(outcomes)))


def name_of(exp: Experiment, settings: Mapping[str, Any]) -> str:
    """A variant as a reader names it: ``Cell LSTM, hidden size 24``."""
    parts = []
    for name, value in settings.items():
        spec = cfgmod.spec_of(exp.config, name)
        parts.append(f"{_lower_first(spec.label)} {spec.option_label(value)}")
    return sentence_case(", ".join(parts) or "these settings")


def _lower_first(text: str) -> str:
    """A label inside a sentence: ``Forecast MSE`` -> ``forecast MSE``; an acronym (``LSTM loss``) stays."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def ranked(exp: Experiment, outcomes: tuple[Outcome, ...]) -> list[Outcome]:
    """Best first by mean; a variant with no finite value last."""
    sign = -1.0 if exp.metric.better == "higher" else 1.0
    return sorted(outcomes, key=lambda o: (not math.isfinite(o.spread.mean), sign * o.spread.mean))


def verdict(exp: Experiment, outcomes: tuple[Outcome, ...]) -> Claim:
    """The best variant named only when its 95% interval across seeds clears the runner-up's."""
    metric = exp.metric
    order = ranked(exp, outcomes)
    if len(order) < 2:
        only = order[0].spread
        span = f"95% interval {sci(only.low)} to {sci(only.high)}" if only.has_interval else "no interval"
        return Claim(
            "compare_spread",
            f"{metric.label} over {len(only.values)} seed(s): mean {sci(only.mean)} ({span}).",
            only.has_interval,
            {"mean": only.mean},
        )
    best, second = order[0], order[1]
    a, b = best.spread, second.spread
    if not (a.has_interval and b.has_interval):
        return Claim(
            "compare_best",
            f"With one seed per variant there is no interval across seeds, so no variant is named best "
            f"on {_lower_first(metric.label)}: ask for 2 or more seeds.",
            False,
            {"best_mean": a.mean, "next_mean": b.mean},
        )
    higher = metric.better == "higher"
    a_name, b_name = name_of(exp, best.variant.settings), name_of(exp, second.variant.settings)
    spans = f"95% interval across seeds {sci(a.low)} to {sci(a.high)}, against {sci(b.low)} to {sci(b.high)}"
    return claim(
        "compare_best",
        (lambda e: e["best_low"] > e["next_high"]) if higher else (lambda e: e["best_high"] < e["next_low"]),
        f"{a_name} is best on {_lower_first(metric.label)} ({spans}): the intervals do not overlap.",
        f"The variants tie within seed noise on {_lower_first(metric.label)}: the best, {_lower_first(a_name)}, "
        f"overlaps {_lower_first(b_name)} ({spans}).",
        best_mean=a.mean,
        best_low=a.low,
        best_high=a.high,
        next_mean=b.mean,
        next_low=b.low,
        next_high=b.high,
    )


def compare(
    exp: Experiment, cfg: Any, request: Request, lookup: Callable[[str], Experiment], **kw: Any
) -> Comparison:
    """Plan and run a comparison: what the command line and the tests call."""
    return run_plan(plan(exp, cfg, request), lookup, **kw)
