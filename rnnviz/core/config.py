"""Typed experiment settings: one declaration drives widgets, URL query parameters and CLI flags.

A Config is a frozen dataclass whose fields are declared with :func:`param`. Each field
carries its default, its range or choices, its unit and its help text, so the bounds of a
parameter are written exactly once. Everything that reads settings from the outside world
(URLs, the command line, typed text) goes through :func:`parse_value`, which never raises:
bad input becomes a safe value plus a polite message saying what happened.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import typing
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, TypeVar, Unpack
from urllib.parse import urlencode

from rnnviz.core.cells import CELLS

SCHEMA_VERSION = 1
VERSION_KEY = "v"
"""Query key holding SCHEMA_VERSION, so that links made by an older app can be recognised."""

LOCK_KEY = "lock"
"""Query key listing fields a teacher has fixed and hidden (classroom links)."""

COMPARE_KEY, MATCH_KEY, SEEDS_KEY = "compare", "match", "seeds"
"""Query keys of a comparison (core.compare): ``compare=cell:rnn,lstm,gru&match=params&seeds=3``."""

RESERVED_KEYS = frozenset(
    {VERSION_KEY, LOCK_KEY, COMPARE_KEY, MATCH_KEY, SEEDS_KEY, "embed", "embed_options"}
)

Role = Literal["train", "view"]
"""'train' fields change the trained model (they are the cache key); 'view' fields only change the display."""

C = TypeVar("C")


@dataclass(frozen=True)
class Spec:
    """What the outside world may say about one field."""

    name: str
    kind: type
    default: Any
    label: str
    help: str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] | None = None
    labels: Mapping[Any, str] | None = None
    unit: str = ""
    role: Role = "train"
    max_chars: int | None = None
    multiline: bool = False
    log: bool = False
    applies: Callable[[Any], bool] | None = None
    """cfg -> whether this setting means anything under the others (None: always)."""

    def applies_to(self, cfg: Any) -> bool:
        return self.applies is None or bool(self.applies(cfg))

    def describe(self) -> str:
        """Range or choices in words, for --help and messages."""
        if self.choices is not None:
            return "one of " + ", ".join(str(c) for c in self.choices)
        if self.kind in (int, float) and self.min is not None:
            unit = f" {self.unit}" if self.unit else ""
            return f"{_fmt(self.min)} to {_fmt(self.max)}{unit}"
        if self.kind is bool:
            return "true or false"
        if self.max_chars:
            return f"text, at most {self.max_chars} characters"
        return "text"

    def option_label(self, value: Any) -> str:
        if self.labels and value in self.labels:
            return self.labels[value]
        return str(value)


class Options(TypedDict, total=False):
    """What a field may declare besides its default, label and help (see Spec for what each means)."""

    min: float | None
    max: float | None
    step: float | None
    choices: Sequence[Any] | Mapping[Any, str]
    """A mapping gives each value its display label."""
    unit: str
    role: Role
    max_chars: int | None
    multiline: bool
    log: bool
    applies: Callable[[Any], bool]
    """cfg -> whether the setting means anything under the others; where it does not, it is reset to its
    default (so it never keys the cache), the settings panel hides it and the command line says so."""


def param(default: Any, label: str, help: str, **options: Unpack[Options]) -> Any:
    """Declare a Config field: its default, the label a reader sees and the help that explains it.

    Label and help may be given by position, so that a declaration reads as one line:
    ``x: int = param(8, "Label", "Help.", min=1, max=64)``.
    """
    meta: dict[str, Any] = dict(label=label, help=help, **options)
    choices = options.get("choices")
    if choices is not None:
        meta.update(choices=tuple(choices), labels=dict(choices) if isinstance(choices, Mapping) else None)
    return dataclasses.field(default=default, metadata={"rnnviz": meta})


def only_if(applies: Callable[[Any], bool], declared: Any) -> Any:
    """A field declared by one of the helpers below that applies only when ``applies(cfg)``:
    ``hidden: int = only_if(lambda cfg: cfg.task != "sentiment", hidden_param(8))``."""
    meta = dict(declared.metadata["rnnviz"], applies=applies)
    return dataclasses.field(default=declared.default, metadata={"rnnviz": meta})


def view_param(default: Any, label: str, help: str, **options: Unpack[Options]) -> Any:
    """A display-only field (role "view"): changing it redraws the figures but never retrains."""
    return param(default, label, help, role="view", **options)


MAX_SEED = 9999


def seed_param(default: int = 0, *, help: str) -> Any:
    """The seed every experiment has: part of its Config, so a shared link rebuilds the same model."""
    return param(default, label="Seed", help=help, min=0, max=MAX_SEED)


LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
"""The step sizes offered anywhere; an experiment may offer a run of them."""


def learning_rate_param(
    default: float, *, choices: tuple[float, ...] = LEARNING_RATES, help: str = "Adam's step size."
) -> Any:
    return param(default, label="Learning rate", help=help, choices=choices, log=True)


def cell_param(
    default: str = "rnn",
    *,
    choices: Mapping[str, str] | None = None,
    help: str = "The recurrent cell type.",
    role: Role = "train",
) -> Any:
    """The cell choice; the offered cells and their names come from the cell table in core.cells."""
    return param(
        default, label="Cell", help=help, choices=choices if choices is not None else CELLS, role=role
    )


def hidden_param(
    default: int,
    *,
    max: int = 64,
    min: int = 1,
    step: int | None = None,
    help: str = "Units in each hidden state.",
    role: Role = "train",
) -> Any:
    return param(
        default, label="Hidden size", help=help, min=min, max=max, step=step, unit="units", role=role
    )


def layers_param(
    default: int = 1, *, max: int = 3, help: str = "Stacked recurrent layers.", role: Role = "train"
) -> Any:
    return param(default, label="Layers", help=help, min=1, max=max, role=role)


def length_param(
    default: int, *, help: str, min: int, max: int, label: str = "Sequence length T", unit: str = "steps"
) -> Any:
    """How long a training sequence is: how far back the network must carry what it read."""
    return param(default, label, help, min=min, max=max, unit=unit)


def embedding_param(
    default: int, *, help: str, min: int, max: int, step: int | None = None, unit: str = "dims"
) -> Any:
    """The size of the learned vector each token becomes before the recurrent layer."""
    return param(default, "Embedding size", help, min=min, max=max, step=step, unit=unit)


def steps_param(
    default: int, *, help: str, max: int, step: int, min: int = 0, label: str = "Training steps"
) -> Any:
    """Optimiser steps; where 0 is allowed, the view shows the network as initialised."""
    return param(default, label, help, min=min, max=max, step=step, unit="steps")


def epochs_param(default: int, *, help: str, max: int) -> Any:
    """Passes over a fixed training set (views that draw fresh batches count steps instead)."""
    return param(default, "Epochs", help, min=1, max=max)


def time_step_param(*, help: str, max: int) -> Any:
    """The step t whose equations a view writes out with numbers (display only)."""
    return view_param(1, "Time step t", help, min=1, max=max)


GATE_BIAS_MAX = 5.0


def gate_bias_param(default: float, *, help: str, step: float = 0.5, max: float = GATE_BIAS_MAX) -> Any:
    """The memory gate's starting bias: the LSTM's forget gate and the GRU's update gate (PyTorch's convention)."""
    return param(default, label="Memory-gate bias at start", help=help, min=0.0, max=max, step=step)


@functools.cache
def specs(cls: type) -> tuple[Spec, ...]:
    """The Spec of every field of a Config class, in declaration order (once per class: every widget,
    link and clamp asks, many times per visit, and reading type hints is slow)."""
    hints = typing.get_type_hints(cls)
    clash = {f.name for f in dataclasses.fields(cls)} & RESERVED_KEYS
    if clash:
        raise TypeError(f"{cls.__name__}: {', '.join(sorted(clash))} are reserved query keys, not settings")
    out = []
    for f in dataclasses.fields(cls):
        meta = f.metadata.get("rnnviz")
        if meta is None:
            continue
        out.append(Spec(name=f.name, kind=hints[f.name], default=f.default, **meta))
    return tuple(out)


def spec_of(cls: type, name: str) -> Spec:
    for s in specs(cls):
        if s.name == name:
            return s
    raise KeyError(name)


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def _clean_text(raw: str, spec: Spec) -> tuple[str, str | None]:
    """Drop control characters (they break layout and terminals) and cap the length."""
    cleaned = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    if not spec.multiline:
        cleaned = cleaned.replace("\n", " ").replace("\t", " ")
    note = None
    if cleaned != raw:
        note = f"{spec.label}: control characters were removed."
    if spec.max_chars is not None and len(cleaned) > spec.max_chars:
        cleaned = cleaned[: spec.max_chars]
        note = f"{spec.label}: text was cut to {spec.max_chars} characters."
    return cleaned, note


def parse_value(spec: Spec, raw: Any) -> tuple[Any, str | None]:
    """Turn an outside value (usually a string) into a valid field value.

    Returns the value and, when the input could not be used as given, a message that says
    what was done instead. Never raises.
    """
    label = spec.label
    if spec.kind is str and spec.choices is None:
        text = raw if isinstance(raw, str) else str(raw)
        return _clean_text(text, spec)

    text = str(raw).strip()
    shown = text if len(text) <= 40 else text[:37] + "..."

    if spec.choices is not None and spec.kind is str:
        for choice in spec.choices:
            if text.lower() == str(choice).lower():
                return choice, None
        return spec.default, (
            f"{label}: '{shown}' is not one of {', '.join(map(str, spec.choices))}; using {spec.default}."
        )

    if spec.kind is bool:
        lowered = text.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True, None
        if lowered in {"0", "false", "no", "off"}:
            return False, None
        return (
            spec.default,
            f"{label}: '{shown}' is not true or false; using {spec.default}.",
        )

    try:
        number = float(text)
    except ValueError:
        return (
            spec.default,
            f"{label}: '{shown}' is not a number; using {_fmt(spec.default)}.",
        )
    if math.isnan(number):
        return spec.default, f"{label}: '{shown}' is not a number; using {_fmt(spec.default)}."
    return clamp_number(spec, number)


def clamp_number(spec: Spec, number: float) -> tuple[Any, str | None]:
    """Round to the field's type and choices, then clamp to its range."""
    note = None
    if spec.choices is not None:
        finite = max(min(number, 1e300), -1e300)
        value = min(
            spec.choices,
            key=lambda c: abs(math.log(c) - math.log(finite)) if spec.log and finite > 0 else abs(c - finite),
        )
        if not math.isclose(value, number, rel_tol=1e-9):
            note = f"{spec.label}: {_fmt(number)} is not offered; using the nearest, {_fmt(value)}."
        return value, note
    if math.isinf(number):
        value: float = number
    elif spec.kind is int:
        value = round(number)
        if value != number:
            note = f"{spec.label}: {_fmt(number)} is not a whole number; using {value}."
    else:
        value = float(number)
    lo, hi = spec.min, spec.max
    if lo is not None and value < lo:
        note = f"{spec.label}: {_fmt(number)} is below the minimum; using {_fmt(spec.kind(lo))}."
        value = lo
    elif hi is not None and value > hi:
        note = f"{spec.label}: {_fmt(number)} is above the maximum; using {_fmt(spec.kind(hi))}."
        value = hi
    return spec.kind(value), note


def validate(cfg: C) -> tuple[C, list[str]]:
    """Clamp every field of an already-typed Config (e.g. built in Python) into its range."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    for s in specs(type(cfg)):
        value = getattr(cfg, s.name)
        if s.kind is bool and isinstance(value, bool):
            fixed, note = value, None
        else:
            fixed, note = parse_value(s, value)
        if note:
            notes.append(note)
        if fixed != value:
            changes[s.name] = fixed
    return (dataclasses.replace(cfg, **changes) if changes else cfg), notes


def format_value(spec: Spec, value: Any) -> str:
    """The string form used in URLs and on the command line; parse_value reads it back exactly."""
    if spec.kind is bool:
        return "true" if value else "false"
    if spec.kind is float:
        return repr(float(value))
    return str(value)


def from_query(cls: type[C], params: Mapping[str, Any]) -> tuple[C, list[str]]:
    """Build a Config from URL query parameters; unknown keys are ignored.

    ``params`` values may be strings or lists of strings (repeated keys); the last one wins,
    as in ``st.query_params``.
    """
    notes: list[str] = []
    values: dict[str, Any] = {}
    version = _last(params.get(VERSION_KEY))
    if version is not None and version != str(SCHEMA_VERSION):
        notes.append(
            "This link was made by a different version of rnnviz; settings that no longer exist were ignored."
        )
    for s in specs(cls):
        if s.name not in params:
            continue
        raw = _last(params[s.name])
        if raw is None:
            continue
        value, note = parse_value(s, raw)
        values[s.name] = value
        if note:
            notes.append(note)
    return cls(**values), notes


def flag(name: str) -> str:
    """A setting's name on the command line, and in every message about a value someone gave for it."""
    return "--" + name.replace("_", "-")


def read_given(spec: Spec, raw: Any) -> tuple[Any, str | None]:
    """A value a person gave where they can be told no: a command-line flag or a Python keyword.

    Unlike :func:`parse_value`, a value that cannot be used raises ``ValueError`` saying what is
    allowed, so a script stops instead of running other settings than it asked for. A number out of
    range is still clamped, with a note, as on the pages; text is cleaned and capped, with a note.
    """
    name = flag(spec.name)
    if spec.kind in (int, float):
        try:
            number = float(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            raise ValueError(f"{name}: {raw!r} is not a number ({spec.describe()})")
        if not math.isfinite(number):
            raise ValueError(f"{name}: {raw!r} is not a finite number ({spec.describe()})")
        return clamp_number(spec, number)
    if spec.kind is bool:
        if not isinstance(raw, bool):
            raise ValueError(f"{name}: {raw!r} is not true or false")
        return raw, None
    if spec.choices is not None:
        if raw not in spec.choices:
            allowed = ", ".join(repr(c) for c in spec.choices)
            raise ValueError(f"argument {name}: invalid choice: {raw!r} (choose from {allowed})")
        return raw, None
    return parse_value(spec, raw)


def from_given(cls: type[C], values: Mapping[str, Any]) -> tuple[C, list[str]]:
    """A Config from settings a person gave by name (every name a field of ``cls``), checked by
    :func:`read_given`; the notes say what was clamped or cleaned, and what does not apply."""
    notes: list[str] = []
    read: dict[str, Any] = {}
    for s in specs(cls):
        if s.name in values:
            read[s.name], note = read_given(s, values[s.name])
            if note:
                notes.append(note)
    cfg = cls(**read)
    for s in specs(cls):
        if s.name in read and not s.applies_to(cfg):
            notes.append(f"{flag(s.name)} does not apply with these settings; ignored.")
    return cfg, notes


def _last(raw: Any) -> str | None:
    if isinstance(raw, (list, tuple)):
        return str(raw[-1]) if raw else None
    return None if raw is None else str(raw)


def to_query(cfg: Any) -> dict[str, str]:
    """Only non-default values, plus the schema version, so links stay short."""
    out = {}
    for s in specs(type(cfg)):
        value = getattr(cfg, s.name)
        if value != s.default:
            out[s.name] = format_value(s, value)
    if out:
        out[VERSION_KEY] = str(SCHEMA_VERSION)
    return out


def page_url(base: str, page: str, cfg: Any) -> str:
    """The shareable link of a page with these settings (only those that differ from the defaults)."""
    query = urlencode(to_query(cfg))
    return f"{base.rstrip('/')}/{page}" + (f"?{query}" if query else "")


def without_inapplicable(cfg: C) -> C:
    """The Config with every setting that does not apply reset to its default."""
    unused = {s.name: s.default for s in specs(type(cfg)) if not s.applies_to(cfg)}
    return dataclasses.replace(cfg, **unused) if unused else cfg


def training_part(cfg: C) -> C:
    """The Config with display-only fields reset, so it can key a cache of trained results."""
    view = {s.name: s.default for s in specs(type(cfg)) if s.role == "view"}
    return dataclasses.replace(cfg, **view)


def as_dict(cfg: Any) -> dict[str, Any]:
    return {s.name: getattr(cfg, s.name) for s in specs(type(cfg))}


def parse_lock(raw: Any, cls: type) -> tuple[frozenset[str], list[str]]:
    """Read the classroom 'lock' key: a comma-separated list of field names to fix and hide."""
    text = _last(raw)
    if not text:
        return frozenset(), []
    names = {s.name for s in specs(cls)}
    wanted = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    notes = []
    if unknown:
        shown = ", ".join(n[:20] for n in unknown[:5])
        notes.append(f"Lock: {shown} not a setting of this page; ignored.")
    return frozenset(n for n in wanted if n in names), notes
