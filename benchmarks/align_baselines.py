"""Alignment baselines on the bundled corpora: P@k of each method, both directions, one seed.

    python benchmarks/align_baselines.py --lm-en RUN_EN --lm-es RUN_ES --out benchmarks/results/align_baselines.json

Spaces: word2vec trained here with gensim (``langind.embeddings.train_word2vec``) and the input
tables of two monolingual LM runs. Vocabulary: the 5,000 most frequent alphabetic words of each side;
test pairs: bundled FreeDict; retrieval: CSLS (and NN for P@1). Prints one line per run.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

from langind import align, data
from langind.checkpoint import load_lm
from langind.embeddings import train_word2vec
from langind.evaluate import bli_precision
from langind.lexicon import load_dictionary
from langind.train import lm_run_checkpoint
from langind.vocab import alphabetic_words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lm-en", help="English LM run (input table); omit to skip the LM spaces")
    ap.add_argument("--lm-es", help="Spanish LM run")
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--w2v-epochs", type=int, default=5)
    ap.add_argument("--vecmap-seconds", type=float, default=150.0, help="time limit of each vecmap run")
    ap.add_argument("--methods", default="identical,vecmap,gw")
    ap.add_argument("--out")
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # POT's "Sinkhorn did not converge" on every outer step
    spaces = {"word2vec": {lg: alphabetic_words(*train_word2vec(spec, epochs=args.w2v_epochs, seed=args.seed), args.top)
                           for lg, spec in (("en", "web"), ("es", "rv1909"))}}
    if args.lm_en and args.lm_es:
        spaces["lm"] = {}
        for lg, run in (("en", args.lm_en), ("es", args.lm_es)):
            model, vocab = load_lm(lm_run_checkpoint(run, "best"))
            spaces["lm"][lg] = alphabetic_words(vocab.itos, model.input_table.detach().numpy(), args.top)
    results = []
    for space, emb in spaces.items():
        for method in args.methods.split(","):
            if method == "identical" and space != "word2vec":
                continue  # identical strings do not depend on the vectors
            for s, t in (("es", "en"), ("en", "es")):
                (sw, sv), (tw, tv) = emb[s], emb[t]
                t0 = time.time()
                if method == "vecmap":
                    xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=args.seed, time_limit=args.vecmap_seconds or None)
                elif method == "gw":
                    xw, zw, info = align.gromov_wasserstein_procrustes(sv, tv, seed=args.seed)
                else:
                    xw, zw, info = align.identical_strings(sw, tw)
                seconds = time.time() - t0
                d = load_dictionary(data.dictionary_path(s, t))
                r = bli_precision(sw, xw, tw, zw, d, "csls")
                nn = bli_precision(sw, xw, tw, zw, d, "nn")
                row = {"space": space, "method": method, "pair": f"{s}-{t}", "test_words": r["evaluated"],
                       "P@1": r["P@1"], "P@5": r["P@5"], "P@10": r["P@10"], "nn_P@1": nn["P@1"],
                       "seconds": round(seconds, 1), "info": info}
                results.append(row)
                print(f"{space:9s} {method:9s} {s}->{t}  P@1 {r['P@1']:.3f}  P@5 {r['P@5']:.3f}  P@10 {r['P@10']:.3f}"
                      f"  (NN P@1 {nn['P@1']:.3f}; {r['evaluated']} words; {seconds:.0f}s)", flush=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"seed": args.seed, "top": args.top, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
