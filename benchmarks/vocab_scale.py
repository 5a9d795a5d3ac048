"""Cross-lingual at the vocabularies people use: time, peak memory and P@1 by frequency band as
``--top`` grows (coocmap-grow, the tiered pipeline beyond ``--core``).

Each row is one ``langind induce cross --method coocmap-grow --top N`` run in its own process (its
peak RSS read from ``os.wait4``), nothing else running:

* ``bundled``: the bundled Bible pair (rv1909 → web, spelling on, as a user runs it), FreeDict and
  Apertium P@1 by source frequency band. The English Bible has only ~12,700 distinct words, so
  rows beyond that rank every English word (the run says so).
* ``synthetic``: a pair of synthetic Zipfian languages of V words (:func:`synthetic_pair`: a
  Markov chain, the second language the first renamed by a random permutation, sampled
  independently), for vocabularies no bundled text has; P@1 against the planted permutation.
* ``counting``: co-occurrence counting of a synthetic corpus of ``--counting`` tokens
  (:func:`langind.crosslingual.coocmap.corpus_cooccurrence`, streamed in chunks): seconds, peak RSS
  and the size of the count matrix itself.

Usage: python benchmarks/vocab_scale.py --out benchmarks/results/vocab_scale.json
       [--tops 5000 10000 20000] [--synthetic 20000 50000] [--counting 100000000] [--work DIR]
JSON: ``rows`` → {``pair``, ``top``, ``core``, ``seconds``, ``peak_rss_gb``, ``P@1`` {band: {dictionary: P@1}},
``evaluated`` {band: {dictionary: n}}}; ``counting`` → {``tokens``, ``seconds``, ``peak_rss_gb``,
``matrix_gb``, ``nnz``}. A plot of time and memory against V is written beside the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import write_result

from langind import data
from langind.crosslingual.lexicon import read_lexicon
from langind.evaluation.bli import load_dictionary, ranked_precision
from langind.induction.pair import top_words_of

BANDS = ((0, 5000), (5000, 10000), (10000, 20000), (20000, 50000))
CORE = 5000


def band_name(lo: int, hi: int) -> str:
    return f"{lo // 1000 + 1 if lo else 1}-{hi // 1000}k"


def run_measured(cmd: list[str], log: Path) -> tuple[float, float]:
    """Run ``cmd``; returns (wall seconds, peak RSS in GB) of that process alone."""
    t0 = time.time()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed; see {log}")
    return time.time() - t0, usage.ru_maxrss / 2**20


def band_precision(lexicon: Path, tgt_corpus: str, top: int, dictionaries: dict[str, Path]) -> tuple[dict, dict]:
    """P@1 of a lexicon's first choices per source frequency band (the lexicon lists source words in
    frequency order), for each dictionary, over the target corpus's ``top`` words (as the run's own
    P@1); and how many test words each band has."""
    rows = read_lexicon(lexicon)
    first: dict[str, str] = {}
    for s, t, _ in rows:
        first.setdefault(s, t)
    sw = list(first)
    tw = list(top_words_of(tgt_corpus, top))
    tw += sorted({t for t in first.values()} - set(tw))
    index = {w: j for j, w in enumerate(tw)}
    ranked = np.array([[index[first[s]]] for s in sw])
    dicts = {dname: load_dictionary(path) for dname, path in dictionaries.items()}
    p1, evaluated = {}, {}
    for lo, hi in BANDS:
        if lo >= len(sw):
            break
        name = band_name(lo, hi)
        p1[name], evaluated[name] = {}, {}
        for dname, d in dicts.items():
            res = ranked_precision(sw[lo:hi], tw, ranked[lo:hi], d, ks=(1,)) if any(s in d for s in sw[lo:hi]) else None
            p1[name][dname] = None if res is None or not res["evaluated"] else round(res["P@1"], 4)
            evaluated[name][dname] = 0 if res is None else res["evaluated"]
    return p1, evaluated


def spelled(ids: np.ndarray, letters: str) -> np.ndarray:
    """Word names: each id's decimal digits written with ``letters`` (ten letters), so that the two
    synthetic languages share no letter and spelling is no evidence between them."""
    table = str.maketrans("0123456789", letters)
    return np.array([str(i).translate(table) for i in ids])


def synthetic_pair(V: int, tokens: int, root: Path, fanout: int = 8, restart: float = 0.25, seed: int = 0,
                   sides: tuple[str, ...] = ("a", "b")) -> Path:
    """Two synthetic languages of ``V`` words: a Markov chain in which every word has ``fanout``
    successors drawn by a Zipfian weight (s = 1), and with probability ``restart`` the next word is
    drawn from all words by that weight (so the marginal is Zipfian and every word occurs). Each word
    has its own successors, so its co-occurrences tell it apart. Language ``xb`` is ``xa`` renamed by
    a random permutation and sampled independently (12-word sentences): the same statistics, no
    shared sentence, no shared letter (:func:`spelled`). Writes ``a.txt`` and ``b.txt`` (those of
    ``sides``) and ``dict.txt`` (the permutation) under ``root``."""
    if (root / "dict.txt").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(1.0 / np.arange(1, V + 1))
    cdf /= cdf[-1]

    def draw(r, size):
        return np.minimum(np.searchsorted(cdf, r.random(size)), V - 1)

    successors = draw(rng, (V, fanout))
    perm = rng.permutation(V)
    names = {"a": spelled(np.arange(V), "abcdefghij"), "b": spelled(np.arange(V), "klmnopqrst")}
    for prefix, rename, s in (("a", np.arange(V), 1), ("b", perm, 2)):
        if prefix not in sides:
            continue
        r = np.random.default_rng(seed + s)
        with open(root / f"{prefix}.txt", "w") as fh:
            for _ in range(0, tokens, 1_200_000):
                n_sent = 100_000
                ids = np.empty((n_sent, 12), dtype=np.int64)
                ids[:, 0] = draw(r, n_sent)
                for t in range(1, 12):
                    nxt = successors[ids[:, t - 1], r.integers(fanout, size=n_sent)]
                    ids[:, t] = np.where(r.random(n_sent) < restart, draw(r, n_sent), nxt)
                words = names[prefix][rename[ids]]
                fh.write("\n".join(" ".join(row) for row in words.tolist()) + "\n")
    (root / "dict.txt").write_text("".join(f"{a} {b}\n" for a, b in zip(names["a"], names["b"][perm])))
    return root


def cross_row(pair: str, top: int, src_corpus: str, tgt_corpus: str, src: str, tgt: str,
              dictionaries: dict[str, Path], work: Path) -> dict:
    out = work / f"{pair}-{top}"
    cmd = [sys.executable, "-m", "langind", "induce", "cross", "--method", "coocmap-grow", "--src", src, "--tgt", tgt,
           "--src-corpus", src_corpus, "--tgt-corpus", tgt_corpus, "--dictionary", str(next(iter(dictionaries.values()))),
           "--top", str(top), "--core", str(CORE), "--threads", "2", "--out", str(out), "--quiet"]
    seconds, peak = run_measured(cmd, work / f"{pair}-{top}.log")
    p1, evaluated = band_precision(out / f"lexicon.{src}-{tgt}.tsv", tgt_corpus, top, dictionaries)
    metrics = json.loads((out / "metrics.json").read_text())
    tail = metrics["info"].get("tail", {})
    row = {"pair": pair, "top": top, "core": CORE, "words": tail.get("words"), "seconds": round(seconds, 1),
           "peak_rss_gb": round(peak, 2), "P@1": p1, "evaluated": evaluated,
           "P@1_all": round(metrics["csls"]["P@1"], 4), "evaluated_all": metrics["csls"]["evaluated"],
           "confidence": metrics["confidence"]["anchor_agreement"]}
    print(f"{pair:10s} top {top:6d}: {seconds:7.1f} s  {peak:5.2f} GB  P@1 {row['P@1_all']:.3f} "
          f"({row['evaluated_all']} words)  by band {p1}", flush=True)
    return row


COUNT_SCRIPT = """
import json, sys, time
from langind.crosslingual.coocmap import corpus_cooccurrence
t0 = time.time()
words, c = corpus_cooccurrence(sys.argv[1], int(sys.argv[2]))
nbytes = c.data.nbytes + c.indices.nbytes + c.indptr.nbytes
print(json.dumps({"seconds": round(time.time() - t0, 1), "nnz": int(c.nnz), "matrix_gb": round(nbytes / 2**30, 3),
                  "words": len(words)}))
"""


def counting_row(tokens: int, work: Path) -> dict:
    root = synthetic_pair(50000, tokens, work / f"counting-{tokens}", sides=("a",))
    log = work / "counting.log"
    seconds, peak = run_measured([sys.executable, "-c", COUNT_SCRIPT, str(root / "a.txt"), "50000"], log)
    res = json.loads(log.read_text().strip().splitlines()[-1])
    row = {"tokens": tokens, **res, "wall_seconds": round(seconds, 1), "peak_rss_gb": round(peak, 2),
           "beyond_matrix_gb": round(peak - res["matrix_gb"], 2)}
    print(f"counting {tokens:,} tokens: {seconds:.0f} s, peak {peak:.2f} GB, count matrix {res['matrix_gb']:.2f} GB "
          f"({res['nnz']:,} pairs)", flush=True)
    return row


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    for pair in dict.fromkeys(r["pair"] for r in rows):
        rs = sorted((r for r in rows if r["pair"] == pair), key=lambda r: r["top"])
        ax1.plot([r["top"] for r in rs], [r["seconds"] / 60 for r in rs], "o-", label=pair)
        ax2.plot([r["top"] for r in rs], [r["peak_rss_gb"] for r in rs], "o-", label=pair)
    for ax, label in ((ax1, "wall time (min)"), (ax2, "peak RSS (GB)")):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xticks([5000, 10000, 20000, 50000])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("--top (words a side)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"coocmap-grow, core {CORE}, 2 cores")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--tops", type=int, nargs="*", default=[5000, 10000, 20000])
    ap.add_argument("--synthetic", type=int, nargs="*", default=[5000, 20000, 50000])
    ap.add_argument("--synthetic-tokens", type=int, default=20_000_000)
    ap.add_argument("--counting", type=int, default=100_000_000, help="tokens of the counting row (0 skips it)")
    ap.add_argument("--work", type=Path, default=Path("runs/bench-vocab-scale"))
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    result = {"command": " ".join(sys.argv), "threads": 2, "rows": [], "counting": None}
    if args.out.exists():  # rows already measured are kept unless re-run
        result = {**json.loads(args.out.read_text()), "command": result["command"]}
    rows = result["rows"]

    def keep(row: dict) -> None:
        rows[:] = [r for r in rows if (r["pair"], r["top"]) != (row["pair"], row["top"])] + [row]
        write_result(args.out, result)

    bundled = {name: data.dictionary_path("es", "en", name) for name in data.DICTIONARY_SOURCES}
    for top in args.tops:
        keep(cross_row("bible", top, "rv1909", "web", "es", "en", bundled, args.work))
    for V in args.synthetic:
        root = synthetic_pair(V, args.synthetic_tokens, args.work / f"synthetic-{V}")
        keep(cross_row("synthetic", V, str(root / "a.txt"), str(root / "b.txt"), "xa", "xb",
                       {"planted": root / "dict.txt"}, args.work))
    if args.counting:
        result["counting"] = counting_row(args.counting, args.work)
        write_result(args.out, result)
    plot(rows, args.out.with_suffix(".png"))
    print(f"wrote {args.out} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
