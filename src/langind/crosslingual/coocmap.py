"""coocmap: unsupervised word translation by matching co-occurrence statistics directly.

Wang (2023), "Accessing Higher Dimensions for Unsupervised Word Translation" (NeurIPS; arXiv
2305.14200), implemented here from the paper. Instead of low-dimensional word vectors, each word
is represented by its (square-rooted, normalised) co-occurrence counts with every other word of
its own language. Two such spaces share no coordinates, but once a partial dictionary pairs some
source words with some target words, each word can be described by its co-occurrences *with the
matched words only* — and those descriptions are comparable across languages. Self-learning
alternates the two steps:

1. **dictionary**: CSLS matches of the current similarity, in both directions;
2. **representation**: source word ``i`` → ``X[i, src]``, target word ``j`` → ``Z[j, tgt]`` (the
   columns of the matched pairs, in the same order), length-normalised; their cosine is the new
   similarity.

It starts from vecmap's similarity-distribution idea applied to the co-occurrence rows themselves
(sorting each row makes it independent of word identity). Two regularised variants from the paper:
``clip`` (clip the normalised matrix at high/low percentiles, so no few huge counts dominate) and
``drop`` (remove the top singular directions, which carry frequency rather than meaning, then clip;
started from the clip variant's final similarity).

``grow`` is langind's addition, not the paper's: match the 300 most frequent words first, then
1,000, 2,000 and all, each stage started from the mutual CSLS matches of the previous one. When the
two texts are not translations of each other (different books of the Bible), the co-occurrence rows
of rarer words are too noisy for the sorted-similarity start, and plain coocmap collapses; the
frequent core still matches, and growing from it carries the alignment to the whole vocabulary
(README, cross-lingual table).
"""

from __future__ import annotations

import time
import warnings
from typing import Iterable, Iterator

import numpy as np
from scipy import sparse

from langind.corpus import CorpusSource
from langind.errors import LangindError, check_choice
from langind.similarity import both_way_pairs, csls_both_ways, mutual_nn, normalize, unit_rows
from langind.vocab import SPECIALS, Vocab

VARIANTS = ("coocmap", "coocmap-clip", "coocmap-drop", "coocmap-grow")
GROW_SIZES = (300, 1000, 2000)  # coocmap-grow: the frequent cores matched before the whole vocabulary
CHUNK_TOKENS = 1 << 21  # tokens counted at a time (corpus_cooccurrence): ~100 MB of pair codes


def count_cooccurrence(chunks: Iterable[np.ndarray], n: int, window: int = 5) -> sparse.csr_matrix:
    """Symmetric windowed co-occurrence counts of a token stream read in pieces, kept sparse.

    A corpus is counted a chunk at a time, so memory grows with the number of distinct pairs (the
    count matrix itself), not with the corpus: a 100M-token corpus costs time, not memory (README,
    vocabulary scaling). Pairs that straddle two chunks are counted: the last ``window`` tokens of a
    chunk are carried into the next.

    Parameters
    ----------
    chunks : consecutive pieces (1-D int arrays) of one token stream; values in [0, n) are counted
        words, negative values are tokens that occupy a position but are not counted
        (out-of-vocabulary, sentence ends).
    n : number of counted words.
    window : words up to ``window`` positions apart (either side, unweighted) co-occur.

    Returns (n, n) float32 CSR counts ``C`` with ``C[a, b]`` = how often ``b`` is within the window of ``a``.
    """
    if window < 1:
        raise LangindError(f"co-occurrence window must be >= 1, got {window}")
    total = sparse.csr_matrix((n, n), dtype=np.int64)
    carry = np.empty(0, dtype=np.int64)
    for chunk in chunks:
        ids = np.concatenate([carry, np.asarray(chunk, dtype=np.int64)])
        start = len(carry)  # pairs whose later token lies in the new chunk are the new ones
        codes = []
        for d in range(1, window + 1):
            lo, end = max(start - d, 0), len(ids) - d
            if end <= lo:
                continue
            a, b = ids[lo:end], ids[lo + d:]
            keep = (a >= 0) & (b >= 0)
            codes.append(a[keep] * n + b[keep])
        pairs, counts = np.unique(np.concatenate(codes or [np.empty(0, np.int64)]), return_counts=True)
        total = total + sparse.csr_matrix((counts, (pairs // n, pairs % n)), shape=(n, n))
        carry = ids[-window:]
    total = total + total.T
    return total.astype(np.float32).tocsr()


def cooccurrence(ids: np.ndarray, n: int, window: int = 5) -> np.ndarray:
    """:func:`count_cooccurrence` of one in-memory token stream ``ids`` (T,), as a dense (n, n) array."""
    return count_cooccurrence([ids], n, window).toarray()


def clip_percentiles(x: np.ndarray, row_pct: float = 99.0, all_pct: float = 99.0) -> np.ndarray:
    """Clip ``x`` (n, m) to [lower, upper]: ``upper`` is the ``all_pct`` percentile, over rows, of each
    row's ``row_pct`` percentile (``lower`` likewise from the bottom). Returns a clipped copy."""
    upper = np.percentile(np.percentile(x, row_pct, axis=1), all_pct)
    lower = np.percentile(np.percentile(x, 100 - row_pct, axis=1), 100 - all_pct)
    return np.clip(x, lower, upper)


def drop_top_singular(x: np.ndarray, k: int) -> np.ndarray:
    """``x`` (n, m) without its ``k`` largest singular directions: ``U diag(s') Vᵀ`` with s'[:k] = 0."""
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    s[:k] = 0
    return (u * s) @ vt


def cooc_features(counts: np.ndarray, clip: tuple[float, float] | None = None, drop: int | None = None) -> np.ndarray:
    """Counts (n, n) → the matrix coocmap matches: ``normalize(sqrt(C))`` (unit/centre/unit), then
    optionally ``drop`` (top singular directions removed, re-normalised) and ``clip``. float32."""
    x = normalize(np.sqrt(np.asarray(counts, dtype=np.float64)))
    if drop:
        x = normalize(drop_top_singular(x, drop))
    if clip is not None:
        x = clip_percentiles(x, *clip)
    return x.astype(np.float32)


def sorted_similarity_init(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Initial similarity (n_x, n_z) from the *distributions* of each row: rows sorted, truncated to
    the common width, normalised (unit/centre/unit), compared by cosine (Artetxe et al. 2018's
    initialisation, applied to co-occurrence rows as in Wang 2023)."""
    width = min(x.shape[1], z.shape[1])
    xs, zs = np.sort(x[:, :width], axis=1), np.sort(z[:, :width], axis=1)
    return (normalize(xs).astype(np.float32) @ normalize(zs).astype(np.float32).T)


def coocmap(x: np.ndarray, z: np.ndarray, init: np.ndarray | None = None, csls_k: int = 10, patience: int = 5,
            max_iter: int = 100, prior: np.ndarray | None = None, device="cpu") -> tuple[np.ndarray, np.ndarray, dict]:
    """Self-learning matching of two co-occurrence spaces.

    Problem: find index pairs (src, tgt) such that describing every word by its co-occurrences with
    the matched words makes the two languages' descriptions most similar — maximise the mean best
    cosine ``½(mean_i max_j S_ij + mean_j max_i S_ij)`` with ``S = unit(X[:, src]) unit(Z[:, tgt])ᵀ``.

    Parameters
    ----------
    x : (n, n) source features (:func:`cooc_features`); z : (m, m) target features.
    init : (n, m) starting similarity; default :func:`sorted_similarity_init`.
    prior : (n, m) evidence kept in the model (e.g. a spelling similarity), added to the similarity
        before every dictionary step, so that self-learning cannot forget it (Dou et al. 2015 keep a
        weak prior inside the model rather than as a start); None for the paper's method. Not used by
        ``induce cross``: a spelling prior at weight 1 took coocmap-grow on the parallel Bible from
        0.566 to 0.212 es→en and added only 0.006 on the fortunes pair (README).
    csls_k : CSLS neighbourhood. patience : stop when the objective has not improved for this many
        iterations. max_iter : hard limit (warns when reached without converging).
    device : torch device the self-learning loop runs on (``cuda`` when present; the CPU path is
        the tested one). Inputs and outputs are NumPy.

    Returns
    -------
    xw (n, n + m), zw (m, n + m): each word described by its normalised co-occurrences with the final
    dictionary's words — aligned spaces for CSLS retrieval — and ``info`` (iterations, objective,
    dictionary size, converged, seconds).
    """
    import torch

    if x.ndim != 2 or z.ndim != 2 or x.shape[0] < 2 or z.shape[0] < 2:
        raise LangindError("coocmap needs two non-trivial co-occurrence matrices")
    t0 = time.time()
    sim = sorted_similarity_init(x, z) if init is None else np.asarray(init, dtype=np.float32)
    n, m = sim.shape
    best, last_improvement, objective, converged = -np.inf, 0, -np.inf, False
    xw = zw = None
    it = 0
    with torch.no_grad():
        def on(a):
            return None if a is None else torch.as_tensor(np.asarray(a, dtype=np.float32), device=device)

        x, z, sim, prior = on(x), on(z), on(sim), on(prior)
        for it in range(max_iter):
            # 1. dictionary: CSLS matches, forward (every source word) and backward (every target word)
            if prior is not None:
                sim = sim + prior
            src, tgt = both_way_pairs(csls_both_ways(sim, csls_k))
            if it - last_improvement > patience:
                converged = True
                break
            # 2. representation: co-occurrence with the matched words only, in matched order
            xw, zw = unit_rows(x[:, src]), unit_rows(z[:, tgt])
            sim = xw @ zw.T
            # 3. objective (the first round compares a different kind of matrix, so it sets no record)
            objective = float((sim.max(axis=1).values.mean() + sim.max(axis=0).values.mean()) / 2)
            if objective > best:
                last_improvement = it
                if it > 0:
                    best = objective
        if xw is None:  # max_iter=0 or patience < 0: describe words by the initial dictionary
            xw, zw = unit_rows(x[:, src]), unit_rows(z[:, tgt])
        xw, zw = xw.cpu().numpy(), zw.cpu().numpy()
    if not converged:
        warnings.warn(f"coocmap stopped after max_iter={max_iter} iterations without converging",
                      RuntimeWarning, stacklevel=2)
    return xw, zw, {"iterations": it, "objective": objective, "dictionary": int(len(src)),
                    "converged": converged, "seconds": round(time.time() - t0, 1)}


def seed_similarity(sim: np.ndarray, n: int, m: int, csls_k: int = 10, seed: int = 0) -> np.ndarray:
    """A starting similarity (n, m) for a larger problem from a solved smaller one ``sim`` (n0, m0),
    the most frequent words first: 1 for the mutual CSLS matches of ``sim``, tiny noise elsewhere."""
    rows, cols = mutual_nn(csls_both_ways(sim, csls_k))
    out = np.random.default_rng(seed).random((n, m)).astype(np.float32) * 1e-3
    out[rows, cols] = 1.0
    return out


def coocmap_grow(counts_src: np.ndarray, counts_tgt: np.ndarray, sizes: tuple[int, ...] = GROW_SIZES,
                 prior: np.ndarray | None = None, **kw) -> tuple[np.ndarray, np.ndarray, dict]:
    """coocmap on growing frequent cores (rows and columns in frequency order): the ``sizes[0]``
    most frequent words of each side from the sorted-similarity start, then each larger core (and
    finally all words) started from :func:`seed_similarity` of the previous stage's result.
    ``prior`` (n_all, m_all), if given, goes to every stage (its top-left block); ``kw`` go to
    :func:`coocmap`. Returns (xw, zw, info) of the last stage, with every stage's info."""
    n_all, m_all = len(counts_src), len(counts_tgt)
    stages, sim, t0 = [], None, time.time()
    for size in [s for s in sizes if s < min(n_all, m_all)] + [None]:
        n, m = (n_all, m_all) if size is None else (size, size)
        x, z = cooc_features(counts_src[:n, :n]), cooc_features(counts_tgt[:m, :m])
        init = None if sim is None else seed_similarity(sim, n, m, kw.get("csls_k", 10))
        xw, zw, info = coocmap(x, z, init=init, prior=None if prior is None else prior[:n, :m], **kw)
        sim = xw @ zw.T
        stages.append({"words": [n, m], **info})
    return xw, zw, {**stages[-1], "stages": stages, "seconds": round(time.time() - t0, 1)}


def coocmap_variant(counts_src: np.ndarray, counts_tgt: np.ndarray, variant: str = "coocmap", csls_k: int = 10,
                    patience: int = 5, max_iter: int = 100, clip: tuple[float, float] = (99.0, 99.0),
                    drop: int = 20, prior: np.ndarray | None = None, device="cpu"
                    ) -> tuple[np.ndarray, np.ndarray, dict]:
    """One of the paper's three variants on two count matrices; returns (xw, zw, info). ``prior``
    (n, m): evidence kept in every dictionary step (:func:`coocmap`).

    ``coocmap``: plain features. ``coocmap-clip``: clipped features. ``coocmap-drop``: the clip run
    first, then features with the top ``drop`` singular directions removed and clipped, started
    from the clip run's final similarity. ``coocmap-grow``: :func:`coocmap_grow`.
    """
    check_choice("coocmap variant", variant, VARIANTS)
    kw = {"csls_k": csls_k, "patience": patience, "max_iter": max_iter, "prior": prior, "device": device}
    if variant == "coocmap-grow":
        return coocmap_grow(counts_src, counts_tgt, **kw)
    if variant == "coocmap":
        return coocmap(cooc_features(counts_src), cooc_features(counts_tgt), **kw)
    xw, zw, info = coocmap(cooc_features(counts_src, clip=clip), cooc_features(counts_tgt, clip=clip), **kw)
    if variant == "coocmap-clip":
        return xw, zw, info
    init = xw @ zw.T
    xd, zd = cooc_features(counts_src, clip=clip, drop=drop), cooc_features(counts_tgt, clip=clip, drop=drop)
    xw, zw, info2 = coocmap(xd, zd, init=init, **kw)
    return xw, zw, {**info2, "clip_stage": info, "seconds": round(info["seconds"] + info2["seconds"], 1)}


def id_chunks(sentences: Iterable[list[str]], vocab: Vocab, chunk_tokens: int = CHUNK_TOKENS) -> Iterator[np.ndarray]:
    """A corpus as consecutive id arrays of about ``chunk_tokens`` tokens, ``<eos>`` after each
    sentence, shifted so that the specials (``<unk>``, ``<eos>``, …) are negative: what
    :func:`count_cooccurrence` counts, never the whole corpus in memory."""
    ns, buf = vocab.n_specials, []
    for s in sentences:
        buf.extend(vocab.encode(s))
        buf.append(vocab.eos_id)
        if len(buf) >= chunk_tokens:
            yield np.asarray(buf, dtype=np.int64) - ns
            buf = []
    if buf:
        yield np.asarray(buf, dtype=np.int64) - ns


def corpus_cooccurrence(spec: str, top: int = 5000, window: int = 5) -> tuple[list[str], sparse.csr_matrix]:
    """The ``top`` most frequent tokens of a corpus (words and punctuation, as the paper counts
    every token) and their sparse co-occurrence counts (top, top) over the corpus read as one
    stream, a chunk at a time (:func:`count_cooccurrence`)."""
    source = CorpusSource(spec)
    vocab = Vocab.build(source.sentences(), max_size=top + len(SPECIALS))
    ns = vocab.n_specials
    return vocab.itos[ns:], count_cooccurrence(id_chunks(source.sentences(), vocab), len(vocab) - ns, window)


def tail_spaces(counts_src: sparse.csr_matrix, counts_tgt: sparse.csr_matrix, xw: np.ndarray, zw: np.ndarray,
                csls_k: int = 10) -> tuple[np.ndarray, np.ndarray, dict]:
    """Every word of a large vocabulary described by its co-occurrences with a solved core's pairs.

    The tier for the long tail (langind's, not the paper's): coocmap's matching costs about V² memory
    and V³ time, so it runs on the most frequent ``core`` words only (``xw``, ``zw``: its aligned
    spaces). Its mutual CSLS matches are a dictionary of core pairs; any word, core or rarer, is then
    described — as coocmap's representation step describes the core's words — by its normalised
    square-rooted co-occurrences with the dictionary's words of its own language, in the
    dictionary's order. Those descriptions are comparable across the two languages: a V × V_core
    problem instead of V × V.

    Parameters
    ----------
    counts_src : (N, N) source counts, frequency order, the first ``n_core = len(xw)`` rows the core.
    counts_tgt : (M, M) target counts; ``m_core = len(zw)``.
    xw (n_core, d), zw (m_core, d) : the core's aligned spaces (:func:`coocmap_variant`).
    csls_k : CSLS neighbourhood of the core's matching.

    Returns (fs (N, p), ft (M, p), info): unit-length float32 rows over the ``p`` core pairs, and
    ``info`` (``dictionary``: p).
    """
    rows, cols = mutual_nn(csls_both_ways(xw @ zw.T, csls_k))

    def described(counts: sparse.csr_matrix, core: int, pairs: np.ndarray) -> np.ndarray:
        # normalize(sqrt(C)) over the core's columns, as cooc_features does for the core itself;
        # float32 and in place: at 50,000 words a side this is the largest array of the run
        x = counts[:, :core].toarray().astype(np.float32, copy=False)
        np.sqrt(x, out=x)
        x = normalize(x, copy=False)[:, pairs]
        return normalize(x, ("unit",), copy=False)

    fs, ft = described(counts_src, len(xw), rows), described(counts_tgt, len(zw), cols)
    return fs, ft, {"dictionary": int(len(rows))}
