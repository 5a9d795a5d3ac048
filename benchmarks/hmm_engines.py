"""Why two HMM engines serve one bigram LM: each engine timed on the other's problem.

    python benchmarks/hmm_engines.py --out benchmarks/results/hmm_engines.json     # about 2 min on 2 cores

langind reads a source text through a target bigram LM (:class:`langind.crosslingual.bigram.BigramLM`)
in two ways. The in-context re-ranking (:mod:`langind.crosslingual.incontext`) lets each source word be
one of its aligner's K = 10 candidates out of every target word (5,000+): a *lattice* of K states a
position, K² transition scores precomputed per position. The decipherment
(:mod:`langind.crosslingual.cipher`) lets each frequent source word be any of the ~400 most frequent
target words: a *chain* over all n states, one step a sparse matrix product (nnz seen bigrams + n).

This benchmark runs one E-step (forward-backward with expected counts) of each engine on both problems,
on the first sentences of the bundled Bible (es→en), with the same LM, and reports seconds and memory
per 1,000 source tokens. The emissions are random (timing does not depend on their values).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import torch
from _common import write_result

from langind.corpus import CorpusSource
from langind.crosslingual.bigram import BigramLM
from langind.crosslingual.cipher import forward_backward_counts
from langind.crosslingual.incontext import NEG, build_lattice, forward_backward
from langind.vocab import Vocab


def ids_of(spec: str, index: dict[str, int], tokens: int) -> list[np.ndarray]:
    """The first ``tokens`` tokens of ``spec`` as sentences of ids (words outside ``index`` dropped)."""
    out, seen = [], 0
    for toks in CorpusSource(spec).sentences():
        s = np.array([index[w] for w in toks if w in index], dtype=np.int64)
        if len(s):
            out.append(s)
            seen += len(s)
        if seen >= tokens:
            break
    return out


def lattice_step(sents, n_src, n_tgt, k, lm, rng) -> tuple[float, float]:
    cand = np.stack([rng.choice(n_tgt, size=k, replace=False) for _ in range(n_src)])
    log_emit = np.log(rng.random((n_src, k)) + 1e-3)
    t0 = time.time()
    lat = build_lattice(sents, cand, lm)
    forward_backward(lat, np.where(cand >= 0, log_emit, NEG))
    return time.time() - t0, lat.trans.nbytes / 1e6


def chain_step(sents, n_src, n_tgt, lm, rng) -> tuple[float, float]:
    chain = lm.chain().to_torch()
    emit = torch.as_tensor(rng.random((n_tgt, n_src)), dtype=torch.float32)
    emit = emit / emit.sum(dim=1, keepdim=True)
    L = max(map(len, sents))
    x = torch.zeros((len(sents), L), dtype=torch.int64)
    mask = torch.zeros((len(sents), L), dtype=torch.bool)
    for r, s in enumerate(sents):
        x[r, :len(s)], mask[r, :len(s)] = torch.as_tensor(s), True
    t0 = time.time()
    forward_backward_counts(x, mask, chain, emit)
    return time.time() - t0, 4 * 2 * len(sents) * L * n_tgt / 1e6  # forward and backward tables, float32


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=20_000, help="source tokens per timed step")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    problems = {"in-context (5,000 target words, K = 10)": (5000, 5000, 10),
                "decipherment (400 target words, 300 source words)": (300, 400, 400)}
    rows = []
    for problem, (n_src, n_tgt, k) in problems.items():
        src_words = Vocab.build(CorpusSource("rv1909").sentences(), max_size=n_src + 2).itos[2:]
        tgt_words = Vocab.build(CorpusSource("web").sentences(), max_size=n_tgt + 2).itos[2:]
        tgt_index = {w: i for i, w in enumerate(tgt_words)}
        lm = BigramLM(ids_of("web", tgt_index, 10 ** 9), len(tgt_words))
        for engine in ("lattice", "chain"):
            # the lattice over every state of the decipherment needs K² floats a position: timed on fewer tokens
            tokens = args.tokens if not (engine == "lattice" and k > 50) else max(args.tokens // 100, 200)
            sents = ids_of("rv1909", {w: i for i, w in enumerate(src_words)}, tokens)
            n_tok = sum(map(len, sents))
            seconds, mb = (lattice_step(sents, len(src_words), len(tgt_words), k, lm, rng) if engine == "lattice"
                           else chain_step(sents, len(src_words), len(tgt_words), lm, rng))
            row = {"problem": problem, "engine": engine, "tokens": n_tok, "seconds": round(seconds, 3),
                   "seconds_per_1k_tokens": round(1000 * seconds / n_tok, 4), "table_mb_per_1k_tokens": round(1000 * mb / n_tok, 2),
                   "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20, 2)}
            rows.append(row)
            print(f"{problem:52s} {engine:8s} {n_tok:7d} tokens  {row['seconds_per_1k_tokens']:.4f} s / 1k tokens  "
                  f"{row['table_mb_per_1k_tokens']:.1f} MB / 1k tokens", flush=True)
    write_result(args.out, {"threads": args.threads, "rows": rows})


if __name__ == "__main__":
    sys.exit(main())
