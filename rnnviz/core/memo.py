"""Build a figure once per cached result, for every visitor of it.

A class opens one link: thirty sessions find the same result in the cache, and without this each
would rebuild every figure from it. Plotly's figure objects validate every property they are given,
so building a film costs far more than sending it; a repeat visit should only send.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import torch

T = TypeVar("T")

FIGURE_MEMO_ENTRIES = int(os.environ.get("RNNVIZ_FIGURE_MEMO", "512"))
"""Figures and equations kept per builder; each belongs to one cached result."""


def frozen(value: Any) -> Hashable:
    """A hashable stand-in for an argument, equal for equal values (arrays by content)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        digest = hashlib.blake2b(np.ascontiguousarray(value).tobytes(), digest_size=16).digest()
        return ("ndarray", value.dtype.str, value.shape, digest)
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(frozen, value))
    if isinstance(value, dict):
        return ("dict", *sorted((k, frozen(v)) for k, v in value.items()))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__qualname__,
            *(frozen(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    try:
        hash(value)
    except TypeError as err:
        raise TypeError(f"{type(value).__name__} cannot be part of a memo key") from err
    return value


def by_result(builder: Callable[..., T]) -> Callable[..., T]:
    """Memoise ``builder(anchor, *args, **kwargs)`` while ``anchor`` (a cached result, or part of one) lives.

    The anchor is held by weak reference and keyed by identity: equal results computed twice do not
    share, and an entry is dropped when its result leaves the cache. Other arguments are keyed by
    value (:func:`frozen`). Entries are bounded in number. Callers must not modify what they get back:
    it is shared.
    """
    store: OrderedDict[Hashable, T] = OrderedDict()
    anchors: dict[int, weakref.ref] = {}
    lock = threading.RLock()  # a dying anchor's callback may run inside a locked section

    def forget(anchor_id: int) -> None:
        with lock:
            anchors.pop(anchor_id, None)
            for key in [k for k in store if k[0] == anchor_id]:
                del store[key]

    def watch(anchor: Any) -> None:
        anchor_id = id(anchor)
        ref = anchors.get(anchor_id)
        if ref is None or ref() is not anchor:
            anchors[anchor_id] = weakref.ref(anchor, lambda _: forget(anchor_id))

    @functools.wraps(builder)
    def memoised(anchor: Any, *args: Any, **kwargs: Any) -> T:
        try:
            key = (id(anchor), frozen(args), frozen(kwargs))
            with lock:
                watch(anchor)
        except TypeError:  # an argument with no value to key by, or an anchor with no weak reference
            return builder(anchor, *args, **kwargs)
        with lock:
            if key in store:
                store.move_to_end(key)
                return store[key]
        value = builder(anchor, *args, **kwargs)
        with lock:
            store[key] = value
            while len(store) > FIGURE_MEMO_ENTRIES:
                store.popitem(last=False)
        return value

    return memoised
