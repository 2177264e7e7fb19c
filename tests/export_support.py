"""Checks every view's export shares: its reproduce.py runs with plain Python and prints one metric."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_reproduce(folder: Path) -> dict:
    """Run an exported reproduce.py where it was written; return the JSON of its last line."""
    done = subprocess.run(
        [sys.executable, "reproduce.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
