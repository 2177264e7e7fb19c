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

FIGURE_MEMO_ENTRIES = int(os.environ.get("RNNVIZ_FIGURE_MEMO", "256"))
"""Figures and equations kept per builder: what the readers of the cached results are looking at."""


def frozen(value: Any) -> Hashable:
    """A hashable stand-in for an argument, equal for equal values (arrays by content)."""
    if isinstance(value, str | int | float | None):
        return value
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


def view_of(anchor: Any) -> tuple[Any, Hashable]:
    """The array a numpy view looks into, and where in it: ``res.states.h[layer]`` is a new view object
    on every visit, so keyed by its own identity it would never be found again (nor live past the call).
    Anything else is its own base."""
    if not isinstance(anchor, np.ndarray) or not isinstance(anchor.base, np.ndarray):
        return anchor, None
    base = anchor.base
    while isinstance(base.base, np.ndarray):
        base = base.base
    offset = anchor.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return base, (offset, anchor.shape, anchor.strides, anchor.dtype.str)


def by_result(builder: Callable[..., T]) -> Callable[..., T]:
    """Memoise ``builder(anchor, *args, **kwargs)`` while ``anchor`` (a cached result, or part of one) lives.

    An anchor that takes a weak reference (a result, a history, an array) is keyed by identity: equal
    results computed twice do not share, and its entries go when it leaves the cache. Any other anchor
    (a list or dict of a result's numbers, a string) and every other argument are keyed by value
    (:func:`frozen`), and stay until the bound on entries evicts them. Callers must not modify what they
    get back: it is shared.

    Concurrent first calls with one key build once: a class opening a cold page together would otherwise
    build every figure thirty times at once, each session its own copy (and its own anchors for what is
    built from it), all competing for one interpreter while every one of them waits.
    """
    store: OrderedDict[Hashable, T] = OrderedDict()
    anchors: dict[int, weakref.ref] = {}
    building: dict[Hashable, threading.Lock] = {}
    lock = threading.RLock()  # a dying anchor's callback may run inside a locked section

    def forget(anchor_id: int) -> None:
        with lock:
            anchors.pop(anchor_id, None)
            for key in [
                k
                for k in list(store)
                if k[0] == anchor_id or (isinstance(k[0], tuple) and k[0][:1] == (anchor_id,))
            ]:
                store.pop(key, None)

    def anchor_key(anchor: Any) -> Hashable:
        base, layout = view_of(anchor)
        if base is not anchor:
            return (anchor_key(base), layout)
        anchor_id = id(anchor)
        try:
            ref = anchors.get(anchor_id)
            if ref is None or ref() is not anchor:
                anchors[anchor_id] = weakref.ref(anchor, lambda _: forget(anchor_id))
        except TypeError:
            return ("value", frozen(anchor))
        return anchor_id

    @functools.wraps(builder)
    def memoised(anchor: Any, *args: Any, **kwargs: Any) -> T:
        try:
            with lock:
                key = (anchor_key(anchor), frozen(args), frozen(kwargs))
        except TypeError:  # an argument with no value to key by
            return builder(anchor, *args, **kwargs)
        with lock:
            if key in store:
                store.move_to_end(key)
                return store[key]
            key_lock = building.setdefault(key, threading.Lock())
        try:
            with key_lock:
                with lock:
                    if key in store:
                        return store[key]
                value = builder(anchor, *args, **kwargs)
                with lock:
                    store[key] = value
                    while len(store) > FIGURE_MEMO_ENTRIES:
                        store.popitem(last=False)
        finally:
            with lock:
                if building.get(key) is key_lock:
                    del building[key]
        return value

    return memoised
