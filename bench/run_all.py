"""Run every benchmark in bench/ one after another and print their outputs (for bench/README.md).

Run: .venv/bin/python -m bench.run_all
Benchmarks run one at a time so that none measures another's load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"__init__.py", "run_all.py", "targets.py"}


def main() -> int:
    failed = []
    for script in sorted(p for p in HERE.glob("*.py") if p.name not in SKIP):
        print(f"## {script.name}\n", flush=True)
        code = subprocess.call([sys.executable, "-m", f"bench.{script.stem}"], cwd=HERE.parent)
        if code:
            failed.append(script.name)
        print(flush=True)
    if failed:
        print("over target or failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
