"""Every presentation of the recovery task at one budget: which head learns fastest, which ends best.

The learnable-assignment question of issue 20, asked at the bundled vocabulary (V = 6,000): each head
variant recovers the same scrambled mapping through the same frozen LM for the same wall-clock budget
(``--minutes`` of fitting, the head alone — no context stage — counts init, snapshot selection on,
a learning-curve point every 30 s), each run in its own process so that its peak RSS is its own
(``os.wait4``). Variants (:data:`VARIANTS`): the earlier exploration's linear head and penalty, the
same with AutoShuffleNet's L1−L2 penalty, the linear head with row-wise updates (``input`` mode
only; with a constant step size, and decayed linearly to 0: :data:`FIT_OPTIONS`), softmax,
dense Sinkhorn and Gumbel-Sinkhorn, the sparse Sinkhorn head, the low-rank Sinkhorn head, and the
vector head.
Settings (:data:`SETTINGS`, the texts of ``self_recovery.py``): the earlier setting (``train``,
``input``), ``heldout-books`` ``both`` and ``kjv`` ``both``.

Usage:
  python benchmarks/heads.py --out benchmarks/results/heads.json [--settings heldout-books/both ...]
      [--variants vector sinkhorn-sparse ...] [--minutes 10] [--seeds 3] [--work DIR]
      [--lm-web RUN] [--lm-odd RUN] [--lm-minutes 6]

A rerun with the same ``--work`` reuses every finished run made with the same configuration.

Writes {"minutes", "seeds", "lms", "runs": [{"variant", "head", "head_options", "fit_options", "setting", "seed",
"steps", "steps_per_s", "head_seconds", "peak_rss_gb", "selected_step", "bands", "count_only",
"curve"}], "summary": [{"variant", "setting", "seeds", "steps_per_s", "peak_rss_gb", "bands" (means),
"first_to": {band: seconds to reach 90% of the best variant's final hit@1}}]} and, beside the JSON,
``<out>.png``: hit@1 on 10-1010 over fitting time, one line per variant, one panel per setting.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np
from _common import write_result
from self_recovery import TEXTS, finished, lm_for

from langind.experiments.self_recovery import RecoveryConfig, recover_self
from langind.mapping.context import ContextConfig
from langind.mapping.fit import FitConfig

# variant name → (head, head options, scramble modes it runs in)
VARIANTS = {
    "linear": ("linear", {}, ("input", "both")),
    "linear + l1-l2": ("linear", {"penalty": "l1-l2"}, ("input", "both")),
    "linear, row-wise": ("linear", {"row_update": True}, ("input",)),
    "linear, row-wise, decayed": ("linear", {"row_update": True}, ("input",)),
    "softmax": ("softmax", {}, ("input", "both")),
    "sinkhorn": ("sinkhorn", {}, ("input", "both")),
    "gumbel-sinkhorn": ("gumbel-sinkhorn", {}, ("input", "both")),
    "sinkhorn-sparse": ("sinkhorn-sparse", {}, ("input", "both")),
    "sinkhorn-lowrank": ("sinkhorn-lowrank", {}, ("input", "both")),
    "vector": ("vector", {}, ("input", "both")),
}
# variant → its FitConfig fields where they are not the defaults: the head's step size (1e-3) decayed
# linearly to 0 over the budget (the README's seed-setting runs of the linear head)
FIT_OPTIONS = {"linear, row-wise, decayed": {"lr_schedule": "linear"}}
# setting → (text of self_recovery.TEXTS, scramble mode)
SETTINGS = {"train/input": ("train", "input"), "heldout-books/both": ("heldout-books", "both"),
            "kjv/both": ("kjv", "both")}
BANDS = ("10-110", "10-1010", "freq5", "all")
EVAL_EVERY = 30.0  # seconds of fitting between learning-curve points (and snapshot-selection checks)


def config(variant: str, setting: str, seed: int, lm: Path, minutes: float, threads: int) -> RecoveryConfig:
    head, options, _ = VARIANTS[variant]
    text, mode = SETTINGS[setting]
    return RecoveryConfig(lm=str(lm), head=head, init="counts", text=TEXTS[text][1], seed=seed, select=True,
                          head_options=dict(options), threads=threads,
                          fit=FitConfig(scramble=mode, minutes=minutes, eval_every=EVAL_EVERY, progress=False,
                                        **FIT_OPTIONS.get(variant, {})))


def run_one(cfg: RecoveryConfig, out: Path) -> tuple[dict, float | None]:
    """A finished run's metrics (reused if ``out`` holds one with ``cfg``), and its process's peak RSS
    in GB (kept beside the run in ``peak_rss_gb.txt``; None for a reused run made without it)."""
    rss_file = out / "peak_rss_gb.txt"
    done = finished(cfg, out)
    if done is not None:
        print(f"reusing the finished run {out}", flush=True)
        return done, float(rss_file.read_text()) if rss_file.is_file() else None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(asdict(cfg), f)
    cmd = [sys.executable, __file__, "--one", f.name, str(out)]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    os.unlink(f.name)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"error: the run in {out} failed (exit {os.waitstatus_to_exitcode(status)})")
    rss = round(usage.ru_maxrss / 2**20, 2)
    rss_file.write_text(f"{rss}\n")
    return json.loads((out / "metrics.json").read_text(encoding="utf-8")), rss


def child(config_file: str, out: str) -> None:
    raw = json.loads(Path(config_file).read_text(encoding="utf-8"))
    raw["fit"], raw["context"] = FitConfig(**raw["fit"]), ContextConfig(**raw["context"])
    recover_self(RecoveryConfig(**raw), out, echo=lambda m: None)


def first_to(curve: list[dict], band: str, level: float) -> float | None:
    """Fitting seconds at which the curve first reaches ``level`` on ``band`` (None: never)."""
    return next((p["seconds"] for p in curve if p.get(band) is not None and p[band] >= level), None)


def summarise(runs: list[dict]) -> list[dict]:
    out = []
    for setting in dict.fromkeys(r["setting"] for r in runs):
        rows = [r for r in runs if r["setting"] == setting]
        variants = list(dict.fromkeys(r["variant"] for r in rows))
        means = {v: {b: float(np.mean([r["bands"][b]["hit@1"] for r in rows if r["variant"] == v])) for b in BANDS}
                 for v in variants}
        best = {b: max(m[b] for m in means.values()) for b in BANDS}
        for v in variants:
            mine = [r for r in rows if r["variant"] == v]
            rss = [r["peak_rss_gb"] for r in mine if r["peak_rss_gb"] is not None]
            out.append({"variant": v, "setting": setting, "seeds": len(mine),
                        "steps_per_s": round(float(np.mean([r["steps_per_s"] for r in mine])), 2),
                        "peak_rss_gb": max(rss) if rss else None,
                        "bands": {b: round(means[v][b], 4) for b in BANDS},
                        "first_to": {b: first_to(mine[0]["curve"], b, 0.9 * best[b]) for b in ("10-110", "10-1010")}})
    return out


def mean_curve(runs: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The seeds' learning curves of one variant and setting on one time grid (minutes): their mean,
    lowest and highest hit@1 on 10-1010 at the first curve's points within the span every curve
    covers (from the latest start to the earliest end; each curve interpolated onto those points)."""
    curves = [np.array([(p["seconds"] / 60, p["10-1010"]) for p in r["curve"]]) for r in runs if r["curve"]]
    if not curves:
        return np.zeros(0), np.zeros(0), np.zeros((2, 0))
    start, end = max(c[0, 0] for c in curves), min(c[-1, 0] for c in curves)
    grid = curves[0][(curves[0][:, 0] >= start) & (curves[0][:, 0] <= end), 0]
    ys = np.stack([np.interp(grid, c[:, 0], c[:, 1]) for c in curves])
    return grid, ys.mean(axis=0), np.stack([ys.min(axis=0), ys.max(axis=0)])


def plot(runs: list[dict], path: Path) -> None:
    """hit@1 on 10-1010 over fitting time, one line per variant (the mean of its seeds, their range
    shaded), one panel per setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = list(dict.fromkeys(r["setting"] for r in runs))
    fig, axes = plt.subplots(1, len(settings), figsize=(6 * len(settings), 4.2), squeeze=False)
    for ax, setting in zip(axes[0], settings):
        mine = [r for r in runs if r["setting"] == setting and r["curve"]]
        seeds = {v: [r for r in mine if r["variant"] == v] for v in dict.fromkeys(r["variant"] for r in mine)}
        counts = {len(theirs) for theirs in seeds.values()}  # the seeds behind each line
        for variant, theirs in seeds.items():
            grid, mean, (lo, hi) = mean_curve(theirs)
            label = variant if len(counts) == 1 else f"{variant} ({len(theirs)} seed{'s' * (len(theirs) > 1)})"
            line, = ax.plot(grid, mean, marker=".", label=label)
            if len(theirs) > 1:
                ax.fill_between(grid, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
        what = ("one seed" if counts == {1} else f"mean of {counts.pop()} seeds, their range shaded" if len(counts) == 1
                else "each line the mean of its seeds, their range shaded")
        ax.set(title=f"{setting}, V = 6,000\n{what}", xlabel="fitting minutes", ylabel="hit@1, ranks 10-1010",
               ylim=(0, 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--minutes", type=float, default=10.0, help="fitting budget of every run")
    ap.add_argument("--seeds", type=int, default=1, help="scramble seeds per run (3 for the README table)")
    ap.add_argument("--lm-web", type=Path, help="reference LM run trained on web (default: train one)")
    ap.add_argument("--lm-odd", type=Path, help="reference LM run trained on web:odd-books (default: train one)")
    ap.add_argument("--lm-minutes", type=float, default=6.0, help="time budget of each LM trained here")
    ap.add_argument("--work", type=Path, help="directory for LMs and runs (default: a new temporary one)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        return child(*args.one)
    if args.out is None or args.seeds < 1 or args.minutes <= 0:
        ap.error("need --out, --seeds >= 1 and --minutes > 0")

    work = args.work or Path(tempfile.mkdtemp(prefix="langind-heads-"))
    work.mkdir(parents=True, exist_ok=True)
    given = {k: v for k, v in (("web", args.lm_web), ("web:odd-books", args.lm_odd)) if v}
    runs: list[dict] = []
    for setting in args.settings:
        text, mode = SETTINGS[setting]
        lm = lm_for(TEXTS[text][0], work, given, args)
        for variant in args.variants:
            if mode not in VARIANTS[variant][2]:
                continue
            for seed in range(args.seeds):
                cfg = config(variant, setting, seed, lm, args.minutes, args.threads)
                out = work / f"{setting.replace('/', '-')}-{variant.replace(' ', '').replace(',', '-')}-s{seed}"
                m, rss = run_one(cfg, out)
                runs.append({"variant": variant, "head": cfg.head, "head_options": cfg.head_options,
                             "fit_options": FIT_OPTIONS.get(variant, {}),
                             "setting": setting, "seed": seed, "steps": m["steps"],
                             "head_seconds": m["head_seconds"],
                             "steps_per_s": round(m["steps"] / max(m["head_seconds"], 1e-9), 2),
                             "peak_rss_gb": rss, "selected_step": m.get("selected_step"),
                             "bands": {b: m["bands"][b] for b in BANDS},
                             "count_only": {b: m["count_only"][b] for b in BANDS}, "curve": m["curve"]})
                b = m["bands"]
                print(f"{setting:20s} {variant:18s} seed {seed}: {m['steps']:6d} steps "
                      f"({runs[-1]['steps_per_s']:.1f}/s), {rss or 0:.2f} GB  "
                      + "  ".join(f"{n} {b[n]['hit@1']:.3f}" for n in BANDS), flush=True)
                write_result(args.out, {"minutes": args.minutes, "seeds": args.seeds,
                                        "lms": {k: str(v) for k, v in given.items()},
                                        "runs": runs, "summary": summarise(runs)})
                plot(runs, args.out.with_suffix(".png"))

    print("\n| setting | variant | steps/s | peak RSS (GB) | " + " | ".join(BANDS)
          + " | minutes to 90% of the best 10-1010 |")
    print("|---|---|---:|---:|" + "---:|" * len(BANDS) + "---:|")
    for s in summarise(runs):
        t = s["first_to"]["10-1010"]
        print(f"| {s['setting']} | {s['variant']} | {s['steps_per_s']:.1f} | {s['peak_rss_gb'] or '–'} | "
              + " | ".join(f"{s['bands'][b]:.3f}" for b in BANDS) + f" | {'never' if t is None else f'{t / 60:.1f}'} |")


if __name__ == "__main__":
    main()
