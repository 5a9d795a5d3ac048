"""LSTM against transformer at one wall-clock budget on 2 cores: perplexity, self-recovery, relearning.

Parts (``--parts``, all by default; each writes the JSON when it ends, so a cut-short run keeps what
it finished, and a rerun with the same ``--work`` reuses every finished LM and run):

* ``lm`` — the reference LSTM (``--recipe reference``: 4 epochs) trained on WEB; its measured
  training seconds are the budget of the ``transformer`` recipe on the same text, once at that budget
  and once at each ``--catch-up`` multiple of it. Validation perplexity of each (same vocabulary, same
  held-out lines).
* ``recovery`` — self-recovery with transformers of the recipe (the same budget), 10 minutes a run,
  all stages together, one seed, in three of ``self_recovery.py``'s settings, whose LSTM rows are read
  from its results files beside them: an LM of WEB's odd-numbered books recovering on its
  even-numbered books and the WEB LM recovering on the KJV (vector head, ``both`` mode, counts
  start, ``head+context``), and the earlier exploration's setting (the WEB LM on its own training
  text, linear head, ``input`` mode, random start, ``head+context`` with 330 s for the context stage).
* ``relearn`` — Artetxe, Ruder & Yogatama's (2020) relearning through a frozen body: an English LM
  (either architecture, WEB or WEB's even books) is frozen and a vector per Spanish word is learned
  by the LM loss on Spanish text alone (``induce cross --method decipher``: started at the English
  word of the same frequency rank), read out by CSLS; P@1 es→en against the bundled dictionary.
  Parallel Bible with both architectures; book-disjoint halves with the transformer.

Usage:
  python benchmarks/transformer.py --out benchmarks/results/transformer.json [--work runs/bench-transformer]
      [--parts lm recovery relearn] [--catch-up 2] [--relearn-minutes 8]

Writes {"budget_seconds", "lm": [{"arch", "recipe", "corpus", "budget_seconds", "train_seconds", "steps",
"tokens_per_s", "valid_ppl", "params", "epochs"}], "recovery": [{"arch", "text", "head", "scramble", "init",
"pipeline", "bands", "count_only", "seconds", "seeds", "source"}], "relearn": [{"arch", "pair", "src_corpus", "lm_corpus", "P@1", "P@5",
"start_P@1", "seconds", "steps"}]}.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import self_recovery as sr
from _common import provenance, write_result

from langind import data
from langind.crosslingual.transfer import TransferConfig
from langind.induction.transfer import transfer
from langind.lm.recipes import train_recipe
from langind.mapping.fit import FitConfig
from langind.runs import RunDir, read_json

PARTS = ("lm", "recovery", "relearn")
# relearning rows: (architecture, pair, Spanish text, English LM corpus)
RELEARN = [("transformer", "bible", "rv1909", "web"), ("lstm", "bible", "rv1909", "web"),
           ("transformer", "bible-disjoint", "rv1909:odd-books", "web:even-books")]
RECIPE = {"lstm": "reference", "transformer": "transformer"}
RESULTS = Path(__file__).parent / "results"
# self-recovery rows: (head, scramble, init, pipeline, text), seconds of the budget for the context stage,
# and the results file holding the LSTM's row of the same setting
RECOVERY = [(("vector", "both", "counts", "head+context", "heldout-books"), sr.CONTEXT_SECONDS, "self_recovery.json"),
            (("vector", "both", "counts", "head+context", "kjv"), sr.CONTEXT_SECONDS, "self_recovery.json"),
            (("linear", "input", "random", "head+context", "train"), 330.0, "self_recovery_seed_setting_linear.json")]


def trained(work: Path, arch: str, corpus: str, budget: float | None, threads: int, tag: str = "") -> tuple[Path, dict]:
    """The LM of ``arch``'s recipe on ``corpus`` (``budget`` seconds, None: the recipe's own
    schedule), trained once into ``work``; returns (run directory, its metrics)."""
    out = work / f"lm-{arch}-{corpus.replace(':', '-')}{tag}"
    if not (out / "metrics.json").exists():
        overrides = {"minutes": budget / 60} if budget else {}  # None: the reference recipe's 4 epochs, no clock
        train_recipe(RECIPE[arch], corpus, out, threads=threads, progress=False, **overrides)
    else:
        print(f"reusing the trained LM {out}", flush=True)
    return out, RunDir(out, create=False).read_metrics()


def lm_row(arch: str, corpus: str, budget: float | None, run: Path, m: dict) -> dict:
    return {"arch": arch, "recipe": RECIPE[arch], "corpus": corpus, "budget_seconds": budget,
            "train_seconds": m["train_seconds"], "steps": m["steps"], "tokens_per_s": m["tokens_per_s"],
            "valid_ppl": m["best_valid_ppl"], "params": m.get("params"), "run": str(run),
            "epochs": [{"epoch": e["epoch"], "valid_ppl": e["valid_ppl"], "elapsed_s": e["elapsed_s"]} for e in m["epochs"]]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--work", type=Path, default=Path("runs/bench-transformer"))
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--catch-up", type=float, nargs="*", default=[2.0],
                    help="also train the transformer at these multiples of the LSTM's budget")
    ap.add_argument("--recovery-minutes", type=float, default=10.0)
    ap.add_argument("--relearn-minutes", type=float, default=8.0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result: dict = read_json(args.out, "results") if args.out.exists() else {}
    result.pop("provenance", None)

    lstm_run, lstm = trained(args.work, "lstm", "web", None, args.threads)
    budget = result["budget_seconds"] = lstm["train_seconds"]
    print(f"budget: the reference LSTM's {budget:.0f} s of training", flush=True)

    if "lm" in args.parts:
        rows = [lm_row("lstm", "web", None, lstm_run, lstm)]
        for mult in [1.0, *args.catch_up]:
            run, m = trained(args.work, "transformer", "web", budget * mult, args.threads,
                             "" if mult == 1.0 else f"-x{mult:g}")
            rows.append({**lm_row("transformer", "web", budget * mult, run, m), "budget_multiple": mult})
            print(f"transformer x{mult:g}: valid ppl {m['best_valid_ppl']:.1f} (LSTM {lstm['best_valid_ppl']:.1f})", flush=True)
        result["lm"] = rows
        result.setdefault("provenance_by_part", {})["lm"] = provenance()
        write_result(args.out, result)

    if "recovery" in args.parts:
        rows = []
        for (head, mode, init, pipeline, text), context_seconds, lstm_file in RECOVERY:
            lm, _ = trained(args.work, "transformer", sr.TEXTS[text][0], budget, args.threads)
            ns = argparse.Namespace(minutes=args.recovery_minutes, context_seconds=context_seconds, seeds=1,
                                    threads=args.threads)
            mine = sr.run_row((head, mode, init, pipeline, text), lm, ns, args.work / "recovery")
            lstm_rows = [r for r in read_json(RESULTS / lstm_file, "self-recovery results")["runs"]
                         if (r["text"], r["scramble"], r["head"], r["init"]) == (text, mode, head, init)]
            for arch, source, these in (("lstm", f"benchmarks/results/{lstm_file}", lstm_rows), ("transformer", "this run", mine)):
                rows += [{"arch": arch, "text": text, "head": head, "scramble": mode, "init": init,
                          "pipeline": r["pipeline"], "bands": r["bands"], "count_only": r["count_only"],
                          "seconds": r["seconds"], "seeds": r["seeds"], "source": source} for r in these]
            result["recovery"] = rows
            result.setdefault("provenance_by_part", {})["recovery"] = provenance()
            write_result(args.out, result)

    if "relearn" in args.parts:
        rows = []
        for arch, pair, src_corpus, lm_corpus in RELEARN:
            lm, m = trained(args.work, arch, lm_corpus, None if arch == "lstm" else budget, args.threads)
            out = args.work / f"relearn-{arch}-{pair}"
            if (out / "metrics.json").exists():
                r = RunDir(out, create=False).read_metrics()
            else:
                cfg = TransferConfig(method="decipher", lm=str(lm), src_corpus=src_corpus, threads=args.threads,
                                     fit=FitConfig(scramble="both", minutes=args.relearn_minutes, eval_every=None,
                                                   progress=False))
                r = transfer(cfg, out, "es", "en", dictionary=data.dictionary_path("es", "en"), echo=print)
            rows.append({"arch": arch, "pair": pair, "src_corpus": src_corpus, "lm_corpus": lm_corpus,
                         "lm_valid_ppl": m["best_valid_ppl"], "P@1": r["csls"]["P@1"], "P@5": r["csls"]["P@5"],
                         "start_P@1": r["start_csls"]["P@1"], "evaluated": r["csls"]["evaluated"],
                         "seconds": r["seconds"], "steps": r["steps"],
                         "source_text_ppl": r["source_text_ppl"]})
            print(f"relearn {arch} {pair}: P@1 {rows[-1]['P@1']:.3f} (start {rows[-1]['start_P@1']:.3f})", flush=True)
            result["relearn"] = rows
            result.setdefault("provenance_by_part", {})["relearn"] = provenance()
            write_result(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "provenance"}, indent=1)[:3000])


if __name__ == "__main__":
    main()
