"""Generated dates for encoder-decoders: 'January 15, 2023' in several spellings -> '2023-01-15'.

Inputs are lower-case (typed text is lower-cased the same way), so capitals never confuse the
network. Held-out dates are drawn first and never appear in training, so exact-match accuracy
on them measures conversion, not recall.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
YEARS = (1950, 2049)
FIRST_DAY = dt.date(YEARS[0], 1, 1)
DAYS = (dt.date(YEARS[1], 12, 31) - FIRST_DAY).days + 1
"""Dates are numbered 0..DAYS-1 from FIRST_DAY."""

EXAMPLE = "January 15, 2023"
MAX_CHARS = 30
"""Longest input read; the longest generated spelling ('september 30, 2023') has 18 characters."""

FORMATS: tuple[Callable[[dt.date], str], ...] = (
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day} {d.year}",
)
FORMAT_NAMES = ("January 15, 2023", "Jan 15, 2023", "15 January 2023", "15 Jan 2023", "January 15 2023")

SOURCE_CHARS = tuple(sorted(set("".join(MONTHS)) | set("0123456789 ,")))
TARGET_CHARS = tuple("0123456789-")
TARGET_LENGTH = len("2023-01-15")


def date_of(day: int) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=int(day))


def held_out_days(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(DAYS, size=n, replace=False)


def training_days(rng: np.random.Generator, n: int, held_out: np.ndarray) -> np.ndarray:
    """Uniform over the range, redrawing any held-out date."""
    days = rng.integers(0, DAYS, n)
    while (clash := np.isin(days, held_out)).any():
        days[clash] = rng.integers(0, DAYS, int(clash.sum()))
    return days


def pairs(
    rng: np.random.Generator, days: np.ndarray, spellings: int = len(FORMATS)
) -> tuple[list[str], list[str]]:
    """Each date in one of the first ``spellings`` spellings, drawn at random, with its ISO form."""
    chosen = rng.integers(0, spellings, len(days))
    found = [date_of(d) for d in days]
    return [FORMATS[f](d) for f, d in zip(chosen, found, strict=True)], [d.isoformat() for d in found]


@dataclass(frozen=True)
class TypedDate:
    text: str
    """What the network reads: lower-cased, unknown characters removed, spaces collapsed."""
    expected: str | None
    """The right answer when the text is a real date in a trained spelling, else None."""
    notes: tuple[str, ...]


_MONTH_FIRST = re.compile(r"(?P<month>[a-z]+) (?P<day>\d{1,2}),? (?P<year>\d{4})")
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2}) (?P<month>[a-z]+),? (?P<year>\d{4})")


def _month_number(word: str) -> int | None:
    for number, name in enumerate(MONTHS, start=1):
        if word in (name, name[:3]):
            return number
    return None


def read_date(raw: str, fallback: str | None = EXAMPLE) -> TypedDate:
    """Clean typed text for the network and work out the right answer where there is one. Never raises.

    Empty text becomes ``fallback`` with a note, or stays empty when ``fallback`` is None.
    """
    notes: list[str] = []
    lowered = raw.lower()
    unknown = sorted({ch for ch in lowered if ch not in SOURCE_CHARS and not ch.isspace()})
    if unknown:
        shown = " ".join(repr(ch) for ch in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        notes.append(f"The network has never seen {shown}; those characters were removed.")
    text = " ".join("".join(ch if ch in SOURCE_CHARS else " " for ch in lowered).split())
    if not text and fallback is None:
        return TypedDate("", None, tuple(notes))
    if not text:
        notes.append(f"Type a date such as “{fallback}”; showing that example instead.")
        text = fallback.lower()
    if len(text) > MAX_CHARS:
        notes.append(f"Only the first {MAX_CHARS} characters are read.")
        text = text[:MAX_CHARS].rstrip()
    expected = None
    match = _MONTH_FIRST.fullmatch(text) or _DAY_FIRST.fullmatch(text)
    month = _month_number(match["month"]) if match else None
    if match is None or month is None:
        notes.append(
            "This is not one of the spellings the network was trained on "
            f"({'; '.join(FORMAT_NAMES)}); it answers anyway, so you can see what it makes of it."
        )
    else:
        try:
            expected = dt.date(int(match["year"]), month, int(match["day"])).isoformat()
        except ValueError:
            notes.append(
                "That date does not exist (check the day, month and year); the network answers anyway."
            )
        else:
            if not YEARS[0] <= int(match["year"]) <= YEARS[1]:
                notes.append(
                    f"Training dates were from {YEARS[0]} to {YEARS[1]}; outside that range the year "
                    "is a test of generalisation."
                )
    return TypedDate(text=text, expected=expected, notes=tuple(notes))
