"""Checks every view's export shares: its reproduce.py runs with plain Python and prints one metric."""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
from pathlib import Path


def run_reproduce(folder: Path) -> dict:
    """Run an exported reproduce.py where it was written; return the JSON of its last line.

    In this process, so torch is imported once for every export a test run checks: the script imports
    nothing of rnnviz (tests/test_architecture.py), so here it is the program a reader runs.
    """
    out = io.StringIO()
    cwd = Path.cwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out):
            runpy.run_path("reproduce.py", run_name="__main__")
    finally:
        os.chdir(cwd)
    return json.loads(out.getvalue().strip().splitlines()[-1])
