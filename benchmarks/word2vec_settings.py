"""How much do the alignment baselines depend on how word2vec was trained? es→en, one seed.

    python benchmarks/word2vec_settings.py --out benchmarks/results/word2vec_settings.json   # about 14 min

For each word2vec setting (``langind.crosslingual.embeddings.train_word2vec``: gensim, 300d, on the bundled
Reina-Valera 1909 and World English Bible) it trains both spaces, keeps the 5,000 most frequent alphabetic
words of each, and runs, scored by CSLS against the bundled FreeDict es→en pairs:

* vecmap-style unsupervised self-learning (``langind.crosslingual.align.vecmap_unsupervised``, up to
  ``--vecmap-seconds``) and Gromov-Wasserstein + Procrustes;
* the same self-learning started from a seed dictionary (vecmap's ``--semi_supervised``; *not*
  unsupervised): a random ``--seed-fraction`` of the dictionary's source words, scored on the other
  words, next to the unsupervised run scored on those same held-out words.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import CORPUS, bilingual_word2vec, expected_warnings_silenced, write_result

from langind import data
from langind.crosslingual import align
from langind.evaluation.bli import bli_precision, load_dictionary

SETTINGS = {
    "skip-gram, 5 epochs": dict(sg=1, epochs=5),
    "skip-gram, 20 epochs": dict(sg=1, epochs=20),
    "CBOW, 20 epochs": dict(sg=0, epochs=20),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--vecmap-seconds", type=float, default=120.0)
    ap.add_argument("--seed-fraction", type=float, default=0.2)
    ap.add_argument("--out")
    args = ap.parse_args()
    with expected_warnings_silenced():
        run(args)


def run(args) -> None:
    d = load_dictionary(data.dictionary_path("es", "en"))
    # the seed/held-out split of the dictionary's source words, fixed across settings
    rng = np.random.default_rng(args.seed)
    srcs = sorted(d)
    seed_words = set(rng.choice(srcs, size=int(len(srcs) * args.seed_fraction), replace=False))
    seed_d = {s: t for s, t in d.items() if s in seed_words}
    held_d = {s: t for s, t in d.items() if s not in seed_words}
    results = {}
    for name, kw in SETTINGS.items():
        t0 = time.time()
        spaces = bilingual_word2vec({"es": CORPUS["es"], "en": CORPUS["en"]}, args.top, args.seed, **kw)
        (sw, sv), (tw, tv) = spaces["es"], spaces["en"]
        row = {"word2vec_seconds": round(time.time() - t0, 1)}
        t0 = time.time()
        xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=args.seed, time_limit=args.vecmap_seconds)
        row["vecmap"] = {**bli_precision(sw, xw, tw, zw, d), "iterations": info["iterations"],
                         "seconds": round(time.time() - t0, 1)}
        row["vecmap_held_out"] = bli_precision(sw, xw, tw, zw, held_d)
        t0 = time.time()
        xg, zg, _ = align.gromov_wasserstein_procrustes(sv, tv, seed=args.seed)
        row["gw"] = {**bli_precision(sw, xg, tw, zg, d), "seconds": round(time.time() - t0, 1)}
        pairs = align.dictionary_pairs(sw, tw, seed_d)
        xs, zs, _ = align.vecmap_unsupervised(sv, tv, seed=args.seed, time_limit=args.vecmap_seconds, init="seed",
                                              seed_pairs=pairs, keep_prob=1.0)
        row["seeded_held_out"] = {**bli_precision(sw, xs, tw, zs, held_d), "seed_pairs": int(len(pairs[0]))}
        results[name] = row
        print(f"{name:22s} vecmap P@1 {row['vecmap']['P@1']:.3f} P@10 {row['vecmap']['P@10']:.3f} | "
              f"GW P@1 {row['gw']['P@1']:.3f} | seeded ({len(pairs[0])} pairs) held-out P@1 "
              f"{row['seeded_held_out']['P@1']:.3f} vs unsupervised {row['vecmap_held_out']['P@1']:.3f} "
              f"({row['seeded_held_out']['evaluated']} words)", flush=True)
    write_result(args.out, {"settings": vars(args), "results": results})


if __name__ == "__main__":
    main()
