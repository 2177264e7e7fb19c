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
    """Parsed numeric columns of equal length, or a refusal (no columns) with the reason in ``notes``.

    Equality and hashing use the content digest, so a result cache can key on it cheaply.
    """

    name: str
    digest: str
    columns: dict[str, np.ndarray] = field(compare=False, repr=False)
    """Column name -> values, in the file's order; the last one is the default target."""
    notes: tuple[str, ...] = field(compare=False, default=())

    @property
    def ok(self) -> bool:
        return bool(self.columns)

    @property
    def values(self) -> np.ndarray:
        """The default target: the last numeric column."""
        return list(self.columns.values())[-1] if self.columns else np.empty(0)


def read_series(source: bytes | str, name: str = "pasted numbers") -> UserSeries:
    """Pasted text or a file's bytes -> the series in it, with notes on anything dropped, filled or refused.

    Pasted text is a list of numbers in any layout; a file with separators is read as a table of
    columns (see read_table), otherwise as a list of numbers.
    """
    if isinstance(source, str):
        digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        values, notes = parse_numbers(source)
        return UserSeries(name, digest, {"value": values} if values.size else {}, tuple(notes))
    digest = hashlib.sha256(source).hexdigest()[:16]
    text, error = decode(source)
    if error is not None:
        return UserSeries(name, digest, {}, (error,))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    delimiter = sniff_delimiter(lines)
    if delimiter is not None:
        columns, notes = read_table([line.split(delimiter) for line in lines])
        return UserSeries(name, digest, columns, tuple(notes))
    values, notes = parse_numbers(text)
    return UserSeries(name, digest, {"value": values} if values.size else {}, tuple(notes))


def parse_upload(data: bytes, name: str) -> UserSeries:
    """For the page's upload box: the series, or ValueError with the reasons a reader can act on."""
    series = read_series(data, name)
    if not series.ok:
        raise ValueError(" ".join(series.notes))
    return series


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


def parse_numbers(text: str) -> tuple[np.ndarray, list[str]]:
    """Text -> one column of finite numbers (empty when refused) and notes for the visitor.

    One value per line (a first line that is not a number is taken as the column's name), or
    numbers separated by commas, semicolons, spaces or line breaks in any layout.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return np.empty(0), ["No numbers found: the input is empty."]
    notes: list[str] = []
    if len(lines) > 1 and sum(len(line.split()) == 1 for line in lines) * 2 > len(lines):
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


def read_table(rows: list[list[str]]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Rows of cells -> every column that holds numbers (header row optional), and notes.

    A column counts as numeric when most of its cells are numbers; its other cells are missing
    values, filled by linear interpolation between their neighbours (nearest value at the ends).
    Columns of text or dates are named and left out; a constant column is kept but reported.
    """
    notes = []
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    good = [r for r in rows if len(r) == width]
    if len(good) < len(rows):
        notes.append(f"Skipped {len(rows) - len(good):,} malformed row(s) with a different number of fields.")
    first = to_numbers(good[0])
    header = [c.strip().strip('"')[:40] for c in good[0]] if np.isnan(first).sum() * 2 > width else None
    body = good[1:] if header else good
    names = [(header[i] if header and header[i] else f"column {i + 1}") for i in range(width)]
    if not body:
        return {}, [*notes, "No rows of numbers found below the header."]
    columns: dict[str, np.ndarray] = {}
    skipped = []
    for i, name in enumerate(names):
        numbers = to_numbers([r[i] for r in body])
        present = np.isfinite(numbers)
        if present.sum() * 2 <= len(numbers):
            skipped.append(name)
            continue
        if not present.all():
            notes.append(
                f"'{name}': filled {int((~present).sum()):,} missing or unreadable value(s) by linear "
                "interpolation between their neighbours."
            )
            numbers = pd.Series(numbers).interpolate(limit_direction="both").to_numpy()
        if name in columns:
            name = f"{name} ({i + 1})"
        columns[name] = numbers
    if skipped:
        shown = ", ".join(f"'{n}'" for n in skipped[:5])
        notes.append(f"Not numbers, so not used: {shown} (text or dates).")
    if not columns:
        typical = ", ".join(repr(c.strip()[:12]) for c in body[0][:3])
        return {}, [*notes, f"No column of numbers found: a typical row reads {typical}."]
    length = len(body)
    if length < MIN_POINTS:
        return {}, [*notes, f"Only {length} rows of numbers found; a series needs at least {MIN_POINTS}."]
    if length > MAX_POINTS:
        notes.append(f"The series has {length:,} rows; only the last {MAX_POINTS:,} are used.")
        columns = {k: v[-MAX_POINTS:] for k, v in columns.items()}
    flat = [k for k, v in columns.items() if np.ptp(v) == 0]
    if flat:
        notes.append("Constant, so nothing to learn from: " + ", ".join(f"'{k}'" for k in flat[:5]) + ".")
    notes.insert(0, "Numeric columns: " + ", ".join(f"'{k}'" for k in columns) + ".")
    return columns, notes


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
