"""Step time and measured peak memory of each mapping head as the vocabulary grows (1k–50k words).

One optimisation step = :func:`langind.mapping.fit.fit_step`, the update ``induce self`` runs (head
forward, frozen-LM forward/backward, the head's penalty, head update and its per-step hooks), on a
fixed batch (32 × 35 tokens) through the reference recipe's LM shape (untrained: timing only),
measured after warm-up as the median of several steps. Each (head, mode, V) runs in its own process,
whose peak RSS is read from ``os.wait4``; a configuration whose estimated peak exceeds ``--max-gb``
is reported as not fitting instead of being run. Mixing heads compute only the batch's rows in
`input` mode; in `both` mode every head must produce the whole output table. Dense Sinkhorn
normalises the full V×V matrix every step; ``sinkhorn-sparse`` only each row's k candidates.
``linear-rows`` is the linear head with ``--row-update`` (its batch's rows only, SparseAdam; ``input``
mode only). The process keeps freed memory as ``induce self`` does (``keep_freed_memory``), and
``--precision bfloat16`` runs the frozen LM body in bfloat16 (``FitConfig.precision``).

Usage: python benchmarks/head_scaling.py --out FILE.json [--sizes 1000 6000 16000 50000] [--steps 5]
[--precision float32|bfloat16]
JSON: ``rows`` → {``head``, ``scramble``, ``vocab``, ``step_s``, ``peak_rss_gb`` (or ``skipped``)};
``precision``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import write_result

HEADS_MEASURED = ("linear", "linear-rows", "softmax", "sinkhorn", "gumbel-sinkhorn", "sinkhorn-sparse", "sinkhorn-lowrank",
                  "vector")
VARIANTS = {"linear-rows": ("linear", {"row_update": True})}  # name in the table → (head, its options)


def needed_gb(head_name: str, V: int) -> float:
    """Rough peak memory, to decide what not to start: V×V float32 matrices (parameters, Adam's two
    moments, gradient, activations; Sinkhorn's backward rebuilds its rounds in two more)."""
    per = V * V * 4 / 2**30
    if head_name == "linear-rows":  # P and SparseAdam's two dense moments; the gradient is the batch's rows
        return 0.5 + per * 3
    if head_name in ("sinkhorn", "gumbel-sinkhorn"):
        return per * 11
    if head_name in ("sinkhorn-sparse", "sinkhorn-lowrank", "vector"):
        # sinkhorn-lowrank also gathers an (V, k, E) block of unit rows each step (E = 128)
        return 0.5 + V * 64 * 4 * (40 + (3 * 128 if head_name == "sinkhorn-lowrank" else 0)) / 2**30
    return per * 6


def step_time(head_name: str, mode: str, V: int, steps: int, budget_s: float,
              precision: str = "float32") -> float | None:
    """Median seconds of :func:`langind.mapping.fit.fit_step` — the update ``induce self`` runs —
    on a fixed batch, after one warm-up step."""
    import torch

    from langind.lm.device import keep_freed_memory
    from langind.lm.model import WordLM
    from langind.lm.recipes import RECIPES
    from langind.mapping.fit import FitConfig, fit_step, head_optimizer, in_precision
    from langind.mapping.heads import make_head

    torch.manual_seed(0)
    keep_freed_memory()  # as load_frozen_lm does for every induce self run on CPU
    lm = WordLM(RECIPES["reference"].model, V).freeze()
    match = torch.randperm(V)
    name, options = VARIANTS.get(head_name, (head_name, {}))
    head = make_head(name, lm.input_table, lm.out_bias, V, init="counts", match=match, **options)
    cfg = FitConfig(scramble=mode, max_steps=steps, minutes=None, eval_every=None, progress=False, precision=precision)
    opt = head_optimizer(head, cfg)
    run_lm = in_precision(lm, precision)
    x = torch.randint(2, V, (cfg.batch_size, cfg.bptt))
    times = []
    t_start = time.time()
    for i in range(steps + 1):
        t0 = time.perf_counter()
        fit_step(run_lm, head, opt, x, x, cfg)
        if i:
            times.append(time.perf_counter() - t0)
        if time.time() - t_start > budget_s:
            break
    return statistics.median(times) if times else None


def measure(head: str, mode: str, V: int, steps: int, budget: float, threads: int, precision: str) -> dict:
    """One configuration in a child process: its step time and peak RSS (``os.wait4``)."""
    import tempfile

    cmd = [sys.executable, __file__, "--one", head, mode, str(V), "--steps", str(steps), "--budget", str(budget),
           "--threads", str(threads), "--precision", precision, "--out", os.devnull]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status) != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {os.waitstatus_to_exitcode(status)}"
        return {"step_s": None, "skipped": f"failed: {last}"}
    return {"step_s": json.loads(stdout.strip().splitlines()[-1])["step_s"], "peak_rss_gb": round(usage.ru_maxrss / 2**20, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 6000, 16000, 50000])
    ap.add_argument("--heads", nargs="+", default=list(HEADS_MEASURED))
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--budget", type=float, default=90.0, help="seconds per (head, mode, size) at most")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-gb", type=float, default=20.0, help="do not start configurations estimated to need more")
    ap.add_argument("--precision", default="float32", choices=("float32", "bfloat16"),
                    help="the frozen LM body's dtype (FitConfig.precision)")
    ap.add_argument("--one", nargs=3, metavar=("HEAD", "MODE", "V"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:  # the child: time one configuration, print JSON
        import resource

        import torch

        torch.set_num_threads(args.threads)
        head, mode, V = args.one[0], args.one[1], int(args.one[2])
        t = step_time(head, mode, V, args.steps, args.budget, args.precision)
        print(json.dumps({"step_s": t, "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
        return
    rows = []
    for head in args.heads:
        for mode in ("input",) if head == "linear-rows" else ("input", "both"):
            for V in args.sizes:
                gb = needed_gb(head, V)
                row = {"head": head, "scramble": mode, "vocab": V, "est_peak_gb": round(gb, 2)}
                if gb > args.max_gb:
                    row.update(step_s=None, skipped=f"does not fit: needs ~{gb:.0f} GiB (> {args.max_gb:g})")
                else:
                    row.update(measure(head, mode, V, args.steps, args.budget, args.threads, args.precision))
                rows.append(row)
                print(f"{head:16s} {mode:6s} V={V:6d}  " + (f"{row['step_s']:.4f} s/step  {row['peak_rss_gb']:.2f} GB"
                      if row.get("step_s") else row.get("skipped", "?")), flush=True)
                write_result(args.out, {"sizes": args.sizes, "threads": args.threads, "precision": args.precision,
                                        "rows": rows})
    for r in rows:  # each head's step time relative to the vector head's at the same size and mode
        vec = next((x for x in rows if x["head"] == "vector" and x["scramble"] == r["scramble"]
                    and x["vocab"] == r["vocab"]), None)
        r["vs_vector"] = round(r["step_s"] / vec["step_s"], 2) if r["step_s"] and vec and vec["step_s"] else None
    write_result(args.out, {"sizes": args.sizes, "threads": args.threads, "precision": args.precision, "rows": rows})


if __name__ == "__main__":
    main()
