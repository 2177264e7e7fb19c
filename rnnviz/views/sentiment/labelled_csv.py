"""Reading a visitor's CSV of labelled sentences, with a clear message for every way it can be wrong.

The file is parsed as text only (never unpickled or evaluated), its size and row count are
capped before parsing, and every refusal says what was expected and what was found.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from rnnviz.core.reviews import Labelled, clean_text

MAX_BYTES = 5 * 2**20
MAX_ROWS = 20_000
MIN_ROWS = 40
"""Enough for a train, validation and test part that each hold a few sentences."""
MAX_TEXT_CHARS = 2_000
"""Longer texts are cut: the classifier reads sentences, not essays."""

TEXT_COLUMNS = ("text", "sentence", "review")
LABEL_COLUMNS = ("label", "sentiment")
LABEL_VALUES = {
    "0": 0,
    "1": 1,
    "0.0": 0,
    "1.0": 1,
    "negative": 0,
    "positive": 1,
    "neg": 0,
    "pos": 1,
}
EXPECTED = (
    "a comma-separated file with a header row, a text column (named text, sentence or review) and a label column "
    "(named label or sentiment) holding 0/1 or negative/positive"
)


class CsvError(ValueError):
    """The upload cannot be used; the message is meant for the visitor."""


def _pick(columns: list[str], wanted: tuple[str, ...], what: str) -> str:
    lowered = {c.strip().lower(): c for c in columns}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    shown = ", ".join(repr(c[:30]) for c in columns[:10]) or "none"
    raise CsvError(f"No {what} column: found columns {shown}. Expected {EXPECTED}.")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CsvError(
            f"The file is not UTF-8 text (byte {err.start} cannot be read). Save it as CSV UTF-8 and try again."
        ) from None


def parse_labelled_csv(raw: bytes, name: str = "uploaded file") -> Labelled:
    """A Labelled dataset from CSV bytes; raises CsvError with a visitor-facing message.

    Rows with empty text are dropped with a note; a label that is not 0/1 or negative/positive
    is an error naming its row, because guessing a sentiment would silently poison training.
    Each row is its own group: uploads carry no movie names, so they are split by sentence.
    """
    if len(raw) > MAX_BYTES:
        raise CsvError(f"The file is {len(raw) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    text = _decode(raw)
    if not text.strip():
        raise CsvError(f"The file is empty. Expected {EXPECTED}.")
    if "\x00" in text:
        raise CsvError("The file contains NUL bytes: it looks binary, not a CSV text file.")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            nrows=MAX_ROWS + 1,
        )
    except (ValueError, csv.Error) as err:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise CsvError(
            f"The file could not be read as CSV ({str(err)[:120]}). Expected {EXPECTED}."
        ) from None
    if len(frame) > MAX_ROWS:
        raise CsvError(f"The file has more than {MAX_ROWS:,} rows; keep at most {MAX_ROWS:,}.")
    columns = [str(c) for c in frame.columns]
    text_col = _pick(columns, TEXT_COLUMNS, "text")
    label_col = _pick(columns, LABEL_COLUMNS, "label")

    texts = [clean_text(t)[:MAX_TEXT_CHARS] for t in frame[text_col].astype(str)]
    raw_labels = [str(v).strip().lower() for v in frame[label_col]]
    bad = [(i, v) for i, v in enumerate(raw_labels) if v not in LABEL_VALUES and texts[i]]
    if bad:
        shown = "; ".join(f"row {i + 2}: {v[:20]!r}" for i, v in bad[:3])
        raise CsvError(
            f"{len(bad)} label(s) are not 0/1 or negative/positive ({shown}). Fix or remove those rows."
        )
    keep = [i for i, t in enumerate(texts) if t]
    notes = []
    if len(keep) < len(texts):
        notes.append(f"{len(texts) - len(keep)} row(s) with empty text were skipped.")
    if len(keep) < MIN_ROWS:
        raise CsvError(f"Only {len(keep)} usable row(s); at least {MIN_ROWS} are needed to train and test.")
    labels = tuple(LABEL_VALUES[raw_labels[i]] for i in keep)
    if len(set(labels)) < 2:
        only = "positive" if labels[0] else "negative"
        raise CsvError(f"Every row is {only}: a classifier needs both negative and positive examples.")
    return Labelled(
        name=name,
        texts=tuple(texts[i] for i in keep),
        labels=labels,
        groups=tuple(str(i) for i in keep),
        notes=tuple(notes),
    )


def read_labelled_csv(path: str | Path) -> Labelled:
    """The command line's --data and --eval-csv: the same checks as an upload, size checked before reading."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise CsvError(f"{file.name} is {size / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
        raw = file.read_bytes()
    except OSError as err:
        raise CsvError(f"Cannot read {path}: {err.strerror or err}.") from None
    return parse_labelled_csv(raw, file.name)
