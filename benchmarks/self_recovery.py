"""Wipe-and-recover on the bundled English corpus: every head, both modes, same time budget each.

The LM is trained on the World English Bible (or given with --lm); recovery reads the King James
Version — another translation of the same book — so the LM never saw the recovery text and word
counts differ (the count-matching-only accuracy is reported beside every run).

Usage:
  python benchmarks/self_recovery.py --out FILE.json [--lm RUN] [--minutes 10] [--all]

Default: the `linear` reference (input mode, the earlier exploration's set-up) and the best
configuration found for each mode. --all: every head in both modes.
Writes {"runs": [{"head", "scramble", "init", "seconds", "bands": {...}, "count_only": {...}}]}.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import write_result

from langind.experiments.self_recovery import RecoveryConfig, recover_self
from langind.lm.recipes import train_recipe
from langind.mapping.fit import FitConfig

REFERENCE = [("linear", "input", "random")]
BEST = [("vector", "input", "counts"), ("vector", "both", "counts")]
ALL_HEADS = ["linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "vector"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--lm", type=Path, help="trained LM run directory (default: train one)")
    ap.add_argument("--lm-epochs", type=int, default=4)
    ap.add_argument("--lm-minutes", type=float, default=6.0, help="time budget when training the LM here")
    ap.add_argument("--text", default="kjv")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="langind-selfrec-"))
    lm = args.lm
    if lm is None:
        lm = work / "lm"
        train_recipe("reference", "web", lm, epochs=args.lm_epochs, max_minutes=args.lm_minutes,
                     threads=args.threads, progress=False)
    configs = [(h, m, "counts") for m in ("input", "both") for h in ALL_HEADS] if args.all else REFERENCE + BEST
    runs = []
    for head, mode, init in configs:
        fit = FitConfig(mode=mode, minutes=args.minutes, progress=False)
        cfg = RecoveryConfig(lm=str(lm), head=head, init=init, text=args.text, fit=fit, threads=args.threads)
        r = recover_self(cfg, work / f"{head}-{mode}-{init}", echo=print)
        runs.append({"head": head, "scramble": mode, "init": init, "seconds": r["seconds"],
                     "bands": r["bands"], "count_only": r["count_only"] if init == "counts" else None,
                     "lm_loss": r["lm_loss"], "errors": r["errors"], "curve": r["curve"]})
        b = r["bands"]
        print(f"{head:16s} {mode:6s} {init:7s} {r['seconds']:6.0f}s  "
              + "  ".join(f"{n}: hit@1 {b[n]['hit@1']:.3f} assign {b[n]['assign']:.3f}" for n in b), flush=True)
    write_result(args.out, {"lm": str(lm), "text": args.text, "minutes": args.minutes, "runs": runs})
    print("\n| head | scramble | init | s | 10-110 hit@1 | 10-1010 hit@1 | all hit@1 | all assign | count-only all |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        b, c = r["bands"], r["count_only"]
        print(f"| {r['head']} | {r['scramble']} | {r['init']} | {r['seconds']:.0f} | {b['10-110']['hit@1']:.3f} | "
              f"{b['10-1010']['hit@1']:.3f} | {b['all']['hit@1']:.3f} | {b['all']['assign']:.3f} | "
              f"{c['all']['assign'] if c else float('nan'):.3f} |")


if __name__ == "__main__":
    main()
