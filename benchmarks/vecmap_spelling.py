"""vecmap-style self-learning with spelling as a seed and as a prior kept inside it (issue 18, (b)).

On texts that tell different stories, does spelling rescue the geometry of two word2vec spaces?
Four self-learning runs on the same spaces (word2vec, the ``--top`` most frequent alphabetic words a
side): fully unsupervised; seeded by the mutual spelling anchors (similarity ≥ ``--anchor``,
vecmap's semi-supervised mode); and seeded *with a prior* added to the cosines of every dictionary
step (``align.vecmap_unsupervised(prior=...)``: the spelling evidence, or the full spelling
similarity — Dou et al. 2015 keep the weak prior in the model rather than as a start it can
forget). Each mapping is read out three ways (CSLS of the cosines alone, of cosines + spelling, of
cosines + spelling evidence) and set beside spelling alone. Weakly supervised by spelling but for
the first run's ``cos`` row; the dictionaries only score.

Usage:
  python benchmarks/vecmap_spelling.py --out benchmarks/results/vecmap_spelling.json
      [--src fortunes-es --tgt fortunes-en --src-lang es --tgt-lang en] [--top 5000] [--seconds 300]

Writes {"src", "tgt", "top", "anchors", "seconds_per_run", "spelling_alone": {dictionary: {"P@1",
"P@10", "evaluated"}}, "runs": [{"run", "iterations", "seconds", "readouts": {readout: {dictionary:
{"P@1", "P@10", "evaluated"}}}}]}.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import expected_warnings_silenced, word2vec_space, write_result

from langind import data
from langind.crosslingual import align
from langind.crosslingual.orthography import EVIDENCE_FLOOR, cognate_similarity, spelling_evidence, with_rank_ties
from langind.evaluation.bli import load_dictionary, ranked_precision
from langind.mapping.readout import topk
from langind.similarity import csls, topk_mean, unit_rows

DICTIONARIES = ("freedict", "apertium")


def csls_ranked(sims: np.ndarray, k: int = 10) -> np.ndarray:
    """Each row's 10 best columns by CSLS (the target term from ``sims`` itself)."""
    return topk(csls(sims, None, topk_mean(sims.T, k)), 10)


def scores(src_words, tgt_words, ranked, dictionaries) -> dict:
    out = {}
    for name, d in dictionaries.items():
        r = ranked_precision(src_words, tgt_words, ranked, d)
        out[name] = {"P@1": round(r["P@1"], 4), "P@10": round(r["P@10"], 4), "evaluated": r["evaluated"]}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--src", default="fortunes-es")
    ap.add_argument("--tgt", default="fortunes-en")
    ap.add_argument("--src-lang", default="es")
    ap.add_argument("--tgt-lang", default="en")
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--anchor", type=float, default=0.8, help="spelling similarity of a seed anchor")
    ap.add_argument("--seconds", type=float, default=300.0, help="time limit of each self-learning run")
    args = ap.parse_args()

    dictionaries = {name: load_dictionary(data.dictionary_path(args.src_lang, args.tgt_lang, name))
                    for name in DICTIONARIES}
    sw, sv = word2vec_space(args.src, args.top, seed=0, epochs=20)
    tw, tv = word2vec_space(args.tgt, args.top, seed=0, epochs=20)
    spelling, _ = cognate_similarity(sw, tw)
    evidence = spelling_evidence(spelling)
    # spelling_evidence maps a similarity s to (s − floor) / (1 − floor): the anchors are the mutual
    # pairs spelled at least --anchor alike
    rows, cols = np.nonzero(evidence >= (args.anchor - EVIDENCE_FLOOR) / (1 - EVIDENCE_FLOOR))
    result = {"src": args.src, "tgt": args.tgt, "top": args.top, "anchors": int(len(rows)),
              "seconds_per_run": args.seconds,
              "spelling_alone": scores(sw, tw, csls_ranked(with_rank_ties(spelling)), dictionaries), "runs": []}
    print(f"{len(rows)} spelling anchors; spelling alone {result['spelling_alone']}", flush=True)
    seeded = {"init": "seed", "seed_pairs": (rows, cols), "keep_prob": 1.0}
    runs = {"unsupervised": {}, "seeded": seeded, "seeded + evidence prior": {**seeded, "prior": evidence},
            "seeded + spelling prior": {**seeded, "prior": spelling}}
    for name, kw in runs.items():
        t0 = time.time()
        with expected_warnings_silenced():
            xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=0, time_limit=args.seconds, **kw)
        cos = unit_rows(xw.astype(np.float32)) @ unit_rows(zw.astype(np.float32)).T
        readouts = {label: scores(sw, tw, csls_ranked(cos + add), dictionaries)
                    for label, add in (("cos", 0.0), ("cos + spelling", spelling), ("cos + evidence", evidence))}
        result["runs"].append({"run": name, "iterations": info["iterations"], "seconds": round(time.time() - t0, 1),
                               "readouts": readouts})
        write_result(args.out, result)
    print(f"\n| run | readout | {' | '.join(f'{d} P@1 (P@10)' for d in DICTIONARIES)} |")
    print("|---|---|" + "---:|" * len(DICTIONARIES))
    alone = result["spelling_alone"]
    print("| spelling alone | CSLS | " + " | ".join(f"{alone[d]['P@1']:.3f} ({alone[d]['P@10']:.3f})"
                                                  for d in DICTIONARIES) + " |")
    for run in result["runs"]:
        for label, r in run["readouts"].items():
            print(f"| {run['run']} | {label} | " + " | ".join(f"{r[d]['P@1']:.3f} ({r[d]['P@10']:.3f})"
                                                           for d in DICTIONARIES) + " |")


if __name__ == "__main__":
    main()
