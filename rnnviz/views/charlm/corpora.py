"""Texts to train a character model on: presets that need no network, and pasted text, validated.

Every corpus comes from the project itself or from the Python standard library installed
with the app, so the page works offline and has no licensing surprises. Pasted text is
cleaned rather than refused: control characters go, rare characters share one placeholder,
and anything too short falls back to the default corpus with a note saying so.
"""

from __future__ import annotations

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

CORPORA: dict[str, str] = {
    "hello": "Tiny: the word “hello”",
    "zen": "The Zen of Python (standard library)",
    "recurrence": "How a recurrent network reads (written for rnnviz)",
    "dialogue": "A dialogue with quotes (written for rnnviz)",
    "licence": "The Python licence (from the installed Python)",
    "custom": "Paste your own text",
}
DEFAULT_CORPUS = "zen"


@dataclass(frozen=True)
class Corpus:
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


def load(name: str, custom: str = "") -> Corpus:
    """The corpus to train on. Unusable choices fall back to the default corpus, with a note."""
    notes: list[str] = []
    if name == "custom":
        text, notes = clean(custom)
        if len(text) > MAX_CHARS:
            notes.append(f"Only the first {MAX_CHARS:,} characters of your text are used.")
            text = text[:MAX_CHARS]
        if len(text.strip()) >= MIN_CHARS and len(set(text)) >= 2:
            return Corpus(name, text, tuple(notes))
        notes.append(
            f"Your text needs at least {MIN_CHARS} characters and two different ones "
            f"(it has {len(text.strip())}); training on {CORPORA[DEFAULT_CORPUS]} instead."
        )
    else:
        text = preset(name)
        if text is not None:
            return Corpus(name, clean(text)[0])
        notes.append(
            f"{CORPORA.get(name, name)} is not available here; training on {CORPORA[DEFAULT_CORPUS]}."
        )
    return Corpus(DEFAULT_CORPUS, clean(preset(DEFAULT_CORPUS))[0], tuple(notes))
