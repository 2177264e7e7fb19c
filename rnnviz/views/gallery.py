"""The gallery: famous configurations worth a link, read from gallery.toml beside this file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from rnnviz.core import config as cfgmod
from rnnviz.views import get, views

GALLERY_FILE = Path(__file__).with_name("gallery.toml")


@dataclass(frozen=True)
class Link:
    view: str
    title: str
    note: str
    query: str

    def config(self) -> tuple[Any, list[str]]:
        """The view's Config this link opens, and any notes on settings it could not use."""
        return cfgmod.from_query(get(self.view).config, parse_qs(self.query))


@cache
def gallery() -> tuple[Link, ...]:
    with GALLERY_FILE.open("rb") as f:
        return tuple(Link(**entry) for entry in tomllib.load(f)["link"])


def prewarm_jobs() -> list[tuple[Any, Any]]:
    """Every view's default settings, then each gallery link's: what a fresh server computes first."""
    jobs = [(v.experiment, v.experiment.config()) for v in views()]
    jobs += [(get(link.view), link.config()[0]) for link in gallery()]
    return jobs
