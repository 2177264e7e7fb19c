"""A visitor's own time series, from pasted text or an uploaded CSV file, read defensively.

Nothing here raises on bad input: every refusal is a sentence the page can show, and the
caller falls back to a built-in signal. Bytes are only ever decoded as text and parsed as
numbers; nothing a visitor sends is unpickled or executed.
"""

from __future__ import annotations

import codecs
import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_UPLOAD_MB = 5
"""Same cap as server.maxUploadSize in .streamlit/config.toml; checked again here for the CLI."""
MAX_POINTS = 5000
"""Longer series keep their most recent values: training stays within seconds on a small server."""
MIN_POINTS = 20
MAX_ABS = 1e12
"""Larger magnitudes are refused: their squared errors would overflow and no plot could show them."""
DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50


@dataclass(frozen=True)
class UserSeries:
    """A parsed series, or a refusal (no values) with the reason in ``notes``.

    Equality and hashing use the content digest, so a result cache can key on it cheaply.
    """

    name: str
    digest: str
    values: np.ndarray = field(compare=False, repr=False)
    notes: tuple[str, ...] = field(compare=False, default=())

    @property
    def ok(self) -> bool:
        return len(self.values) > 0


def read_series(source: bytes | str, name: str = "pasted numbers") -> UserSeries:
    """Pasted text or a file's bytes -> the series in it, with notes on anything dropped or refused.

    Pasted text is a list of numbers in any layout; a file is read as a table (see parse_numbers).
    """
    if isinstance(source, str):
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        values, notes = parse_numbers(source, table=False)
        return UserSeries(name, digest, values, tuple(notes))
    digest = hashlib.sha256(source).hexdigest()[:16]
    text, error = decode(source)
    if error is not None:
        return UserSeries(name, digest, np.empty(0), (error,))
    values, notes = parse_numbers(text, table=True)
    return UserSeries(name, digest, values, tuple(notes))


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text, or a message saying why they are not a text file.

    Text that is not UTF-8 is read as Windows-1252, the usual encoding of spreadsheet exports
    on Western systems: the numbers are ASCII in either, only headers could be misspelled.
    """
    if not data.strip():
        return "", "The file is empty."
    size_mb = len(data) / 2**20
    if size_mb > MAX_UPLOAD_MB:
        return "", f"The file is {size_mb:.1f} MB; the limit is {MAX_UPLOAD_MB} MB."
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError:
                return (
                    "",
                    f"The file starts like {encoding.upper()} text but is not valid {encoding.upper()}.",
                )
    if b"\x00" in data:
        return "", (
            "This looks like a binary file (a spreadsheet, an image or an archive), not CSV text. "
            "Save it as CSV (comma-separated values) and upload that."
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), None


def parse_numbers(text: str, *, table: bool) -> tuple[np.ndarray, list[str]]:
    """Text -> one column of finite numbers (empty when refused) and notes for the visitor.

    With ``table``, rows separated by commas, semicolons or tabs give their last column that
    holds numbers, so 'date,value' or 'time,value' files work as saved; a first row that is not
    a number is taken as the column's name. Otherwise, and for a file with one value per line,
    the text is read as numbers separated by commas, semicolons, spaces or line breaks.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return np.empty(0), ["No numbers found: the input is empty."]
    delimiter = sniff_delimiter(lines) if table else None
    notes: list[str] = []
    if delimiter is not None:
        column, notes = pick_column([line.split(delimiter) for line in lines])
        if column is None:
            return np.empty(0), notes
    elif len(lines) > 1 and sum(len(line.split()) == 1 for line in lines) * 2 > len(lines):
        column = lines
    else:
        column = text.replace(",", " ").replace(";", " ").split()
    numbers = to_numbers(column)
    label = None
    if not np.isfinite(numbers[0]) and len(numbers) > 1 and np.isfinite(numbers[1:]).any():
        label, column, numbers = column[0].strip().strip('"')[:40], column[1:], numbers[1:]
    finite = np.isfinite(numbers)
    values = numbers[finite]
    if values.size and not finite.all():
        bad = np.flatnonzero(~finite)
        shown = ", ".join(repr(column[i].strip()[:12]) for i in bad[:3])
        notes.append(f"Dropped {len(bad):,} value(s) that are not finite numbers, e.g. {shown}.")
    if len(values) < MIN_POINTS:
        if values.size:
            found = f"Only {len(values)} number{'s' if len(values) != 1 else ''} found"
        else:
            found = f"No numbers found: the input begins {column[0].strip()[:30]!r}"
        return np.empty(0), [*notes, f"{found}; a series needs at least {MIN_POINTS}."]
    if len(values) > MAX_POINTS:
        notes.append(f"The series has {len(values):,} values; only the last {MAX_POINTS:,} are used.")
        values = values[-MAX_POINTS:]
    if label:
        notes.insert(0, f"Read the column '{label}'.")
    if np.ptp(values) == 0:
        notes.append("Every value is the same: there is nothing to forecast but a flat line.")
    return values, notes


def sniff_delimiter(lines: list[str]) -> str | None:
    """The separator that splits most of the first lines into the same number (two or more) of fields."""
    head = lines[:SNIFF_LINES]
    if len(head) < 2:
        return None
    best, best_rows = None, 0
    for delimiter in DELIMITERS:
        width, rows = Counter(line.count(delimiter) for line in head).most_common(1)[0]
        if width >= 1 and rows > best_rows:
            best, best_rows = delimiter, rows
    return best if best_rows * 2 > len(head) else None


def pick_column(rows: list[list[str]]) -> tuple[list[str] | None, list[str]]:
    """The last column in which most rows hold a number (header included), and notes."""
    notes = []
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    good = [r for r in rows if len(r) == width]
    if len(good) < len(rows):
        notes.append(f"Skipped {len(rows) - len(good):,} malformed row(s) with a different number of fields.")
    sample = good[1 : SNIFF_LINES + 1] or good
    for index in range(width - 1, -1, -1):
        if np.isfinite(to_numbers([r[index] for r in sample])).sum() * 2 > len(sample):
            return [r[index] for r in good], notes
    typical = ", ".join(repr(c.strip()[:12]) for c in sample[0][:3])
    notes.append(f"No column of numbers found: a typical row reads {typical}.")
    return None, notes


def to_numbers(cells: list[str]) -> np.ndarray:
    """Each cell as a float, NaN where it is not a finite number of moderate size.

    Vectorised, because an upload may hold a million rows. Decimal commas ('3,14') are accepted.
    """
    text = pd.Series(cells, dtype=str).str.strip().str.strip('"')
    numbers = pd.to_numeric(text, errors="coerce")
    retry = numbers.isna() & text.str.contains(",", regex=False)
    if retry.any():
        numbers[retry] = pd.to_numeric(text[retry].str.replace(",", ".", regex=False), errors="coerce")
    out = numbers.to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.abs(out) <= MAX_ABS, out, np.nan)
