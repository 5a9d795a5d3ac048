"""Wipe-and-recover on the bundled English Bibles: which head, which text, which pipeline.

Three recovery texts, each against the reference LM (``RECIPES["reference"]``) it belongs with:

* ``train`` — the LM's own training text (WEB): the earlier exploration's setting, where word counts
  match the LM's exactly (``--seed-setting``);
* ``heldout-books`` — an LM of WEB's odd-numbered books recovering on its even-numbered ones: the same
  translation and vocabulary source, text never seen;
* ``kjv`` — an LM of all of WEB recovering on the King James Version: another translation.

Two pipelines: ``head`` (the head's one-to-one readout) and ``head+context`` (then the frozen LM
re-reads the decoded text and re-assigns every word, :mod:`langind.mapping.context`). Every head keeps
its snapshot whose decoding the frozen LM reads best (``RecoveryConfig.select``, checked every 30 s;
that check, like the learning curve, is not counted in the budget). A
``head+context`` run also reports its head stage alone as a ``head`` row, so the gain of the context
step is measured on the same run; ``--minutes`` is the whole run's budget, shared by both stages.

Usage:
  python benchmarks/self_recovery.py --out FILE.json [--seeds 3] [--minutes 10] [--work DIR]
  python benchmarks/self_recovery.py --out FILE.json --seed-setting   # the earlier setting alone
  python benchmarks/self_recovery.py --out FILE.json --all            # every head on every text
  python benchmarks/self_recovery.py --out FILE.json --only heldout-books/both --head sinkhorn-lowrank

Every run writes its directory under ``--work`` (config.json, metrics.json, report); a rerun with the
same ``--work`` reuses each finished run whose saved config equals the one it would run (so
``--seeds 3`` after a one-seed run only runs seeds 1 and 2).

Writes {"minutes", "lms": {...}, "runs": [{"head", "scramble", "init", "pipeline", "text", "seeds",
"seconds", "bands": {band: {...}}, "count_only": {...}, "per_seed": [...], "curve": [...]}]} with
bands and count-only as means over the scramble seeds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import MISSING, asdict, fields, is_dataclass
from pathlib import Path

import numpy as np
from _common import write_result

from langind.errors import LangindError
from langind.evaluation.recovery import DEFAULT_BANDS
from langind.experiments.self_recovery import RecoveryConfig, recover_self
from langind.lm.recipes import train_recipe
from langind.mapping.context import ContextConfig
from langind.mapping.fit import FitConfig
from langind.mapping.heads import HEADS
from langind.runs import RunDir, read_json

# recovery text → (corpus the LM trains on, recovery text given to `induce self`)
TEXTS = {"train": ("web", "train"), "heldout-books": ("web:odd-books", "web:even-books"), "kjv": ("web", "kjv")}
# (head, scramble, init, pipeline, text)
DEFAULT = [("vector", "both", "counts", "head+context", "heldout-books"),
           ("vector", "both", "counts", "head+context", "kjv"),
           ("vector", "input", "counts", "head+context", "heldout-books")]
SEED_SETTING = [("linear", "input", "random", "head+context", "train"),
                ("vector", "input", "random", "head+context", "train")]
ALL_HEADS = ["linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "vector"]
# the targets: (text, scramble, band, hit@1 at least)
TARGETS = [("train", "input", "10-110", 0.99), ("heldout-books", "both", "10-1010", 0.98),
           ("heldout-books", "both", "freq5", 0.90), ("kjv", "both", "10-1010", 0.90),
           ("kjv", "both", "freq5", 0.60), ("heldout-books", "input", "10-110", 0.95),
           ("heldout-books", "input", "freq5", 0.50)]
# seconds the context stage is given out of the run's budget (measured: 8 rounds over 490k tokens of
# web:even-books ≈ 150 s on 2 cores; KJV is read up to ContextConfig.max_tokens)
CONTEXT_SECONDS = 180.0
# the context stage's fixed cost after its last round (the soft readout), kept out of its rounds' budget
CONTEXT_TAIL_SECONDS = 10.0


def mean_bands(results: list[dict], key: str) -> dict:
    """Per-band means of every metric over the seeds' results."""
    out = {}
    for band in results[0][key]:
        out[band] = {m: (float(np.mean([r[key][band][m] for r in results]))
                         if results[0][key][band][m] is not None else None)
                     for m in results[0][key][band]}
    return out


def lm_for(corpus: str, work: Path, given: dict[str, Path], args) -> Path:
    if corpus in given:
        return given[corpus]
    out = work / f"lm-{corpus.replace(':', '-')}"
    if not (out / "metrics.json").exists():
        train_recipe("reference", corpus, out, minutes=args.lm_minutes, threads=args.threads, progress=False)
    given[corpus] = out
    return out


def finished(cfg: RecoveryConfig, out: Path) -> dict | None:
    """The metrics of a finished run in ``out`` made with exactly ``cfg`` (the environment aside), else None."""
    try:
        run = RunDir(out, create=False)
        saved, metrics = read_json(run / "config.json", "run config"), run.read_metrics()
    except LangindError:  # no run there yet, or a damaged one: run it again
        return None
    saved.pop("environment", None)
    wanted = {"command": "induce self", **json.loads(json.dumps(asdict(cfg)))}
    same = with_added_defaults(saved, cfg) == wanted
    return metrics if same and "bands" in metrics else None


def with_added_defaults(saved: dict, cfg) -> dict:
    """``saved`` with every field the config classes gained since it was written set to that field's
    default (recursively), so a run made before, say, ``right_lm`` existed still counts as made with
    ``right_lm=None``; a field set to anything else makes a different run."""
    out = dict(saved)
    for f in fields(cfg):
        value = getattr(cfg, f.name)
        if f.name not in out:
            if f.default is not MISSING:
                out[f.name] = json.loads(json.dumps(f.default))
            elif f.default_factory is not MISSING:
                out[f.name] = json.loads(json.dumps(asdict(f.default_factory()) if is_dataclass(value)
                                                    else f.default_factory()))
        elif is_dataclass(value) and isinstance(out[f.name], dict):
            out[f.name] = with_added_defaults(out[f.name], value)
    return out


def run_row(row, lm: Path, args, work: Path) -> list[dict]:
    """One configuration over the seeds; returns its row (and the head-stage row of head+context)."""
    head, mode, init, pipeline, text = row
    budget = args.minutes * 60
    head_minutes = (budget - args.context_seconds) / 60 if pipeline == "head+context" else args.minutes
    results = []
    for seed in range(args.seeds):
        cfg = RecoveryConfig(lm=str(lm), head=head, init=init, text=TEXTS[text][1], seed=seed, select=True,
                             fit=FitConfig(scramble=mode, minutes=head_minutes, eval_every=30.0, progress=False),
                             pipeline=pipeline, threads=args.threads,
                             context=ContextConfig(max_seconds=max(args.context_seconds - CONTEXT_TAIL_SECONDS, 1.0)))
        out = work / f"{text}-{head}-{mode}-{init}-{pipeline}-s{seed}"
        r = finished(cfg, out)
        if r is None:
            r = recover_self(cfg, out, echo=print)
        else:
            print(f"reusing the finished run {out}", flush=True)
        results.append(r)
        b = r["bands"]
        print(f"{text} {head} {mode} {init} {pipeline} seed {seed}: {r['seconds']:.0f} s  "
              + "  ".join(f"{n} {b[n]['hit@1']:.3f}" for n in b), flush=True)

    def record(pipe: str, key: str, seconds_key: str) -> dict:
        return {"head": head, "scramble": mode, "init": init, "pipeline": pipe, "text": text,
                "recovery_text": TEXTS[text][1], "lm": str(lm), "seeds": args.seeds,
                "seconds": float(np.mean([r[seconds_key] for r in results])),
                "bands": mean_bands(results, key), "count_only": mean_bands(results, "count_only"),
                "per_seed": [{"seed": r["seed"], **{b: r[key][b]["hit@1"] for b in DEFAULT_BANDS}}
                             for r in results],
                "curve": results[0]["curve"]}

    rows = [record(pipeline, "bands", "seconds")]
    if pipeline == "head+context":
        head_row = record("head", "head_bands", "head_seconds")
        rows[0]["context"] = [r["context"] for r in results]
        rows.insert(0, head_row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--seed-setting", action="store_true", help="the earlier exploration's setting alone")
    ap.add_argument("--all", action="store_true", help="every head, both modes, every text (head pipeline)")
    ap.add_argument("--seeds", type=int, default=1, help="scramble seeds per row (3 for the README table)")
    ap.add_argument("--minutes", type=float, default=10.0, help="budget of each run, all stages together")
    ap.add_argument("--context-seconds", type=float, default=CONTEXT_SECONDS,
                    help="share of the budget set aside for the context stage of head+context runs")
    ap.add_argument("--lm-web", type=Path, help="reference LM run trained on web (default: train one)")
    ap.add_argument("--lm-odd", type=Path, help="reference LM run trained on web:odd-books (default: train one)")
    ap.add_argument("--lm-minutes", type=float, default=6.0, help="time budget of each LM trained here")
    ap.add_argument("--work", type=Path, help="directory for LMs and runs (default: a new temporary one)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--heads", help="only these heads of the chosen rows, comma-separated (e.g. linear)")
    ap.add_argument("--head", choices=HEADS, help="run the chosen rows with this head instead of their own")
    ap.add_argument("--only", nargs="+", metavar="TEXT/SCRAMBLE",
                    help="only the chosen rows of these settings, e.g. heldout-books/both")
    args = ap.parse_args()
    if args.seeds < 1 or args.minutes * 60 <= args.context_seconds:
        ap.error(f"need --seeds >= 1 and --minutes above the context stage's {args.context_seconds / 60:.1f}")

    work = args.work or Path(tempfile.mkdtemp(prefix="langind-selfrec-"))
    work.mkdir(parents=True, exist_ok=True)
    given = {k: v for k, v in (("web", args.lm_web), ("web:odd-books", args.lm_odd)) if v}
    if args.all:
        configs = [(h, m, "counts", "head", t) for t in TEXTS for m in ("input", "both") for h in ALL_HEADS]
    else:
        configs = SEED_SETTING if args.seed_setting else DEFAULT
    if args.heads:
        keep = {h.strip() for h in args.heads.split(",")}
        unknown = keep - set(ALL_HEADS)
        if unknown:
            ap.error(f"unknown head(s) {sorted(unknown)}; choose from {ALL_HEADS}")
        configs = [c for c in configs if c[0] in keep]
    if args.only:
        configs = [c for c in configs if f"{c[4]}/{c[1]}" in args.only]
        if not configs:
            ap.error(f"no chosen row has a setting among {args.only}")
    if args.head:
        configs = [(args.head, *c[1:]) for c in configs]
    runs: list[dict] = []
    for row in configs:
        lm = lm_for(TEXTS[row[4]][0], work, given, args)
        runs += run_row(row, lm, args, work)
        write_result(args.out, {"minutes": args.minutes, "seeds": args.seeds,
                                "lms": {k: str(v) for k, v in given.items()}, "runs": runs})

    print("\n| text | head | scramble | init | pipeline | s | 10-110 | 10-1010 | freq5 | all | "
          "count-only 10-110 | count-only 10-1010 | count-only freq5 |")
    print("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        b, c = r["bands"], r["count_only"]
        print(f"| {r['text']} | {r['head']} | {r['scramble']} | {r['init']} | {r['pipeline']} | {r['seconds']:.0f} | "
              + " | ".join(f"{b[n]['hit@1']:.3f}" for n in DEFAULT_BANDS) + " | "
              + " | ".join(f"{c[n]['assign']:.3f}" for n in ("10-110", "10-1010", "freq5")) + " |")
    print("\ntargets (best pipeline of the row's text and scramble mode):")
    for text, mode, band, goal in TARGETS:
        got = [r["bands"][band]["hit@1"] for r in runs if r["text"] == text and r["scramble"] == mode]
        if got:
            print(f"  {text:14s} {mode:5s} {band:8s} ≥ {goal:.2f}: {max(got):.3f} "
                  f"{'met' if max(got) >= goal else 'MISSED'}")
    for r in runs:
        gap = r["bands"]["10-1010"]["hit@1"] - r["count_only"]["10-1010"]["assign"]
        print(f"  {r['text']:14s} {r['head']} {r['scramble']} {r['pipeline']}: 10-1010 "
              f"{gap:+.3f} over count-only ({'met' if gap >= 0.10 else 'MISSED'} ≥ +0.10)")


if __name__ == "__main__":
    main()
