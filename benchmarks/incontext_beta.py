"""The LM in context against its ablation at each channel sharpness β: how much of the gain is context.

The in-context re-ranking (:mod:`langind.crosslingual.incontext`) turns an aligner's scores into a
channel ``q(e | f) = softmax(β · score)`` and chooses β (and the bigram's λ) by the held-out
likelihood of source sentences — separately for the bigram LM and for its ablation, the unigram (no
context). The benchmark's rows compare the two at their own choices. This script asks what that
comparison hides: for each β of the grid it re-ranks the same candidates with each LM at that β
alone, and reports P@1 beside the held-out log-likelihood that would choose it, so the context's
gain can be read at equal β (``context_gain``) as well as at each LM's choice (``chosen_gain``).

Usage:
  python benchmarks/incontext_beta.py --out benchmarks/results/incontext_beta.json
      [--corpora bible bible-disjoint] [--directions es-en] [--candidates coocmap-grow] [--top 5000]
      [--betas 1 3 10 30 100]

Writes {"candidates", "top", "betas", "pairs": {CORPUS: {DIRECTION: {"test_words", "lms": {"bigram" |
"unigram": {"chosen_beta", "heldout_loglik": {β: best over λ}, "P@1": {β: p}, "P@10": {β: p}}},
"context_gain": {β: bigram − unigram P@1}, "chosen_gain": bigram at its β − unigram at its β,
"seconds"}}}} and prints one table per pair.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from _common import expected_warnings_silenced, write_result
from bli import CORPORA, DIRECTION_NAMES

from langind import data
from langind.crosslingual.incontext import InContextConfig
from langind.evaluation.bli import load_dictionary, ranked_precision
from langind.induction.config import ALIGNMENT_METHODS, CrossConfig
from langind.induction.context import incontext_from_spaces
from langind.induction.spaces import aligned_spaces

LMS = {"bigram": False, "unigram": True}  # name → the ablation switch of incontext_from_spaces


def sweep(corpus: str, s: str, t: str, candidates: str, top: int, betas: list[float]) -> dict:
    """One pair and direction: the aligner's spaces once, then each LM re-ranking its candidates at each β."""
    t0 = time.time()
    c = CORPORA[corpus]
    cfg = CrossConfig(src=s, tgt=t, method="incontext", candidates=candidates, src_corpus=c[s], tgt_corpus=c[t],
                      top=top, seed=0, progress=False)
    sw, sv, tw, tv, _, _ = aligned_spaces(cfg, candidates, echo=lambda m: None)
    d = load_dictionary(data.dictionary_path(s, t))
    lms: dict = {}
    for name, unigram in LMS.items():
        row: dict = {"heldout_loglik": {}, "P@1": {}, "P@10": {}}
        for beta in betas:
            one = replace(cfg, incontext=replace(cfg.incontext, betas=(beta,)))
            tw2, rows, info, _ = incontext_from_spaces(one, sw, sv, tw, tv, unigram=unigram, echo=lambda m: None)
            p = ranked_precision(sw, tw2, rows, d)
            key = f"{beta:g}"
            row["heldout_loglik"][key] = max(tr["heldout_loglik"] for tr in info["trials"])  # the best λ
            row["P@1"][key], row["P@10"][key] = round(p["P@1"], 4), round(p["P@10"], 4)
            test_words = p["evaluated"]
        row["chosen_beta"] = max(row["heldout_loglik"], key=row["heldout_loglik"].get)
        lms[name] = row
    big, uni = lms["bigram"], lms["unigram"]
    return {"test_words": test_words, "lms": lms,
            "context_gain": {b: round(big["P@1"][b] - uni["P@1"][b], 4) for b in big["P@1"]},
            "chosen_gain": round(big["P@1"][big["chosen_beta"]] - uni["P@1"][uni["chosen_beta"]], 4),
            "seconds": round(time.time() - t0, 1)}


def table(corpus: str, pair: str, r: dict) -> str:
    lines = [f"{corpus} {pair} ({r['test_words']} test words; * = the β the held-out likelihood chooses)", "",
             "| β | bigram P@1 | unigram P@1 | context gain | bigram held-out LL | unigram held-out LL |",
             "|---:|---:|---:|---:|---:|---:|"]
    big, uni = r["lms"]["bigram"], r["lms"]["unigram"]
    for b in big["P@1"]:
        mark = lambda m: "*" if m["chosen_beta"] == b else ""  # noqa: E731
        lines.append(f"| {b} | {big['P@1'][b]:.3f}{mark(big)} | {uni['P@1'][b]:.3f}{mark(uni)} | "
                     f"{r['context_gain'][b]:+.3f} | {big['heldout_loglik'][b]:.1f} | {uni['heldout_loglik'][b]:.1f} |")
    lines.append(f"\nat each LM's own choice: {r['chosen_gain']:+.3f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="JSON results file")
    ap.add_argument("--corpora", nargs="+", default=["bible", "bible-disjoint"], choices=list(CORPORA))
    ap.add_argument("--directions", nargs="+", default=["es-en"], choices=DIRECTION_NAMES)
    ap.add_argument("--candidates", default="coocmap-grow", choices=[m for m in ALIGNMENT_METHODS if m.startswith("coocmap")],
                    help="the aligner whose candidates both LMs re-rank")
    ap.add_argument("--top", type=int, default=CrossConfig.top, help="words a side")
    ap.add_argument("--betas", nargs="+", type=float, default=list(InContextConfig.betas), help="the β grid")
    args = ap.parse_args()
    if any(b <= 0 for b in args.betas):
        ap.error("--betas must be positive")
    if not 0 < args.top <= CrossConfig.core:  # coocmap aligns whole spaces up to its core, rarer words apart
        ap.error(f"--top must be in 1..{CrossConfig.core} (coocmap's core)")
    out: dict = {"candidates": args.candidates, "top": args.top, "betas": args.betas, "pairs": {}}
    with expected_warnings_silenced():
        for corpus in args.corpora:
            for pair in args.directions:
                s, t = pair.split("-")
                r = sweep(corpus, s, t, args.candidates, args.top, args.betas)
                out["pairs"].setdefault(corpus, {})[pair] = r
                print(table(corpus, pair, r) + "\n", flush=True)
                write_result(args.out, out)  # every finished pair kept


if __name__ == "__main__":
    main()
