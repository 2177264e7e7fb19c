"""Character model targets, measured side by side in one run.

Run: .venv/bin/python -m bench.charlm
- default training time against the 15 s target (and the ~4 s above which a page needs a Train button);
- "recognisable words": the share of written words that occur in the training text, trained vs untrained;
- temperature visibly changes samples: top-choice share and word share from T = 0.2 to 2.0;
- writing 300 characters (a display-only rerun) against the 1 s warm-render target;
- carrying the state between chunks vs resetting it, on held-out text (the larger licence corpus).
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time

import numpy as np

from rnnviz.core.runtime import configure_torch
from rnnviz.views.charlm.experiment import CharLMConfig, run, write

TRAIN_TARGET_S = 15.0
CLICK_TO_TRAIN_S = 4.0
WARM_TARGET_S = 1.0
TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.5, 2.0)
SAMPLE_SEEDS = range(5)


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text)


def word_share(sample: str, known: set[str]) -> float:
    found = words(sample)
    return sum(w in known for w in found) / max(1, len(found))


def top_share(res, cfg) -> float:
    gen = write(res, cfg)
    picked = [res.vocab.index(ch) for ch in gen.text[1:]]
    return float(np.mean(gen.logits[:-1].argmax(-1) == picked))


def main() -> int:
    configure_torch()
    cfg = CharLMConfig()
    run(dataclasses.replace(cfg, train_steps=5))  # pay one-off imports (torch's optimiser) before timing
    res = run(cfg)
    untrained = run(dataclasses.replace(cfg, train_steps=0))
    known = set(words(res.corpus.text))

    seconds = res.history.seconds
    print(f"default training (Zen, LSTM 128, {res.history.steps} steps): {seconds:.2f} s")
    print(
        f"  vs 15 s target: {seconds / TRAIN_TARGET_S:.2f}x   vs ~4 s click-to-train line: "
        f"{seconds / CLICK_TO_TRAIN_S:.2f}x"
    )

    def shares(model_res, temperature):
        views = [dataclasses.replace(cfg, temperature=temperature, sampling_seed=s) for s in SAMPLE_SEEDS]
        return (
            np.mean([word_share(write(model_res, v).text, known) for v in views]),
            np.mean([top_share(model_res, v) for v in views]),
        )

    print(f"\n{'T':>5} {'known words':>12} {'untrained':>10} {'ratio':>6} {'top-choice share':>17}")
    for temperature in TEMPERATURES:
        trained_words, trained_top = shares(res, temperature)
        untrained_words, _ = shares(untrained, temperature)
        ratio = trained_words / max(untrained_words, 1e-9)
        print(
            f"{temperature:5.1f} {trained_words:12.2f} {untrained_words:10.2f} {ratio:6.1f} {trained_top:17.2f}"
        )
    for temperature in (0.5, 1.5):
        print(f"\nsample at T = {temperature}:")
        print(write(res, dataclasses.replace(cfg, temperature=temperature, length=160)).text)

    start = time.monotonic()
    write(res, cfg)
    writing = time.monotonic() - start
    print(
        f"\nwriting {cfg.length} characters: {writing:.3f} s ({writing / WARM_TARGET_S:.2f}x the 1 s warm target)"
    )

    licence = dataclasses.replace(cfg, corpus="licence")
    carried, reset = run(licence), run(dataclasses.replace(licence, carry=False))
    print("\nlicence text, held-out loss (nats/char) and perplexity after the default steps:")
    for name, r in (("carry state", carried), ("reset state", reset)):
        print(
            f"  {name}: loss {r.history.val_loss[-1]:.3f}, perplexity {r.perplexity:.2f}, "
            f"{r.history.seconds:.2f} s"
        )
    print(f"  reset/carry perplexity ratio: {reset.perplexity / carried.perplexity:.2f}")
    print("\n(2 shared cores; timings are inflated by whatever else runs on the machine.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
