"""Step time of each mapping head as the vocabulary grows (1k, 4k, 16k words).

One optimisation step = :func:`langind.mapping.fit.fit_step`, the update ``induce self`` runs (head
forward, frozen-LM forward/backward, the head's penalty, head update), on a fixed batch (32 × 35
tokens), measured after warm-up as the median of several steps. The LM is untrained
(timing only). Mixing heads compute only the batch's rows in `input` mode; in `both` mode every head
must produce the whole output table. Sinkhorn normalises the full V×V matrix every step.

Usage: python benchmarks/head_scaling.py --out FILE.json [--sizes 1000 4000 16000] [--steps 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from _common import write_result

from langind.lm.model import WordLM
from langind.lm.recipes import RECIPES
from langind.mapping.fit import FitConfig, fit_step, head_optimizer
from langind.mapping.heads import HEADS, make_head


def needed_gb(head_name: str, V: int) -> float:
    """Rough peak memory: V×V float32 matrices kept for backward (Sinkhorn keeps every iterate)."""
    per = V * V * 4 / 2**30
    if "sinkhorn" in head_name:
        return per * (2 * 10 + 6)
    return per * 6 if head_name != "vector" else 0.1


def step_time(head_name: str, mode: str, V: int, steps: int, budget_s: float) -> float | None:
    """Median seconds of :func:`langind.mapping.fit.fit_step` — the update ``induce self`` runs —
    on a fixed batch, after one warm-up step."""
    torch.manual_seed(0)
    lm = WordLM(RECIPES["reference"].model, V).freeze()
    head = make_head(head_name, lm.input_table, lm.out_bias, V, init="random")
    cfg = FitConfig(scramble=mode, max_steps=steps, minutes=None, eval_every=None, progress=False)
    opt = head_optimizer(head, cfg)
    x = torch.randint(2, V, (cfg.batch_size, cfg.bptt))
    times = []
    t_start = time.time()
    for i in range(steps + 1):
        t0 = time.perf_counter()
        fit_step(lm, head, opt, x, x, cfg)
        if i:
            times.append(time.perf_counter() - t0)
        if time.time() - t_start > budget_s:
            break
    return statistics.median(times) if times else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per (head, mode, size) at most")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-gb", type=float, default=12.0, help="skip configurations that need more memory")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for head in HEADS:
        for mode in ("input", "both"):
            for V in args.sizes:
                gb = needed_gb(head, V)
                if gb > args.max_gb:
                    rows.append({"head": head, "scramble": mode, "vocab": V, "step_s": None,
                                 "skipped": f"needs ~{gb:.0f} GiB (> --max-gb {args.max_gb})"})
                    print(f"{head:16s} {mode:6s} V={V:6d}  skipped: needs ~{gb:.0f} GiB", flush=True)
                    continue
                t = step_time(head, mode, V, args.steps, args.budget)
                rows.append({"head": head, "scramble": mode, "vocab": V, "step_s": t, "est_peak_gb": round(gb, 2)})
                print(f"{head:16s} {mode:6s} V={V:6d}  {t:.4f} s/step", flush=True)
    for r in rows:  # growth factor per 4x vocabulary, relative to the smallest size
        base = next(x for x in rows if x["head"] == r["head"] and x["scramble"] == r["scramble"])
        r["vocab_ratio"] = r["vocab"] / base["vocab"]
        r["relative_to_smallest"] = r["step_s"] / base["step_s"] if r["step_s"] and base["step_s"] else None
    write_result(args.out, {"sizes": args.sizes, "rows": rows})


if __name__ == "__main__":
    main()
