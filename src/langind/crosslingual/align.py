"""Aligning two monolingual embedding spaces without a dictionary: the baselines.

These are the methods people use today for unsupervised bilingual lexicon induction; langind
runs them in the same place, on the same vocabularies and with the same evaluation as its
LM-based methods (:mod:`langind.crosslingual.joint`, :mod:`langind.crosslingual.transfer`), so the comparison is like for like. Each solver is a
plain function on NumPy arrays ``x`` (source, n×d) and ``z`` (target, m×d), rows in frequency
order; each returns the two spaces mapped into a shared one plus a small ``info`` dict. The
lexicon is then read out by nearest neighbour or CSLS (:mod:`langind.evaluation.bli`).

* :func:`identical_strings` — the trivial baseline: a word translates to the same string.
* :func:`vecmap_unsupervised` — Artetxe, Labaka & Agirre (2018), "A robust self-learning method
  for fully unsupervised cross-lingual mappings of word embeddings" (ACL): similarity-distribution
  initialisation, then self-learning (orthogonal Procrustes ↔ CSLS dictionary induction in both
  directions) with stochastic dictionary induction, and a final whiten / orthogonal map /
  re-weight / de-whiten step. Defaults are those of vecmap's ``--unsupervised`` recipe.
* :func:`gromov_wasserstein_procrustes` — Alvarez-Melis & Jaakkola (2018), "Gromov-Wasserstein
  Alignment of Word Embedding Spaces" (EMNLP): an entropic Gromov-Wasserstein coupling between
  the intra-language distance matrices of the most frequent words (POT's solver) gives a seed
  dictionary, refined by Procrustes with mutual-nearest-neighbour CSLS dictionaries (the refinement
  of Conneau et al. 2018, "Word Translation Without Parallel Data").
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from langind.errors import LangindError, check_choice
from langind.similarity import both_way_pairs, csls, csls_both_ways, mutual_nn, normalize, topk_mean


# -- building blocks --------------------------------------------------------------------------------
def procrustes(x: np.ndarray, z: np.ndarray, src: np.ndarray, trg: np.ndarray) -> np.ndarray:
    """Orthogonal Procrustes: ``argmin_{W: WᵀW = I} ‖x[src] W − z[trg]‖_F``.

    Parameters: x (n, d), z (m, d); src, trg (p,) index pairs. Returns W (d, d) = U Vᵀ of
    svd(x[src]ᵀ z[trg]). Reference: Schönemann (1966), "A generalized solution of the orthogonal
    Procrustes problem".
    """
    u, _, vt = np.linalg.svd(x[src].T @ z[trg])
    return u @ vt


def _check(x: np.ndarray, z: np.ndarray) -> None:
    if x.ndim != 2 or z.ndim != 2 or len(x) < 2 or len(z) < 2:
        raise LangindError("embeddings must be two non-trivial matrices (words × dimensions)")
    if x.shape[1] != z.shape[1]:
        raise LangindError(f"the two spaces have different dimensions ({x.shape[1]} vs {z.shape[1]}); "
                           "orthogonal mappings need equal ones")


def csls_dictionary(xw: np.ndarray, zw: np.ndarray, k: int = 10, keep_prob: float = 1.0,
                    rng: np.random.Generator | None = None, prior: np.ndarray | None = None,
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    """Dictionary induction in both directions by CSLS ("union" of forward and backward pairs).

    Parameters
    ----------
    xw : (n, d) mapped source rows, unit length; zw : (m, d) target rows, unit length.
    k : CSLS neighbourhood size.
    keep_prob : each similarity is zeroed with probability ``1 − keep_prob`` before the argmax
        (vecmap's stochastic dictionary induction, which lets self-learning escape poor optima).
    rng : the generator of that dropout.
    prior : (n, m) evidence added to the cosines before CSLS (e.g. a spelling similarity); the
        objective stays the cosines' own.

    Returns
    -------
    src (n + m,), trg (n + m,) index pairs, and the objective (mean best cosine, both ways).

    Reference: Artetxe, Labaka & Agirre (2018, ACL), section 3.3.
    """
    cos = xw @ zw.T
    sim = cos if prior is None else cos + prior
    r_src = topk_mean(sim, k)  # density of each source word's target neighbourhood
    r_trg = topk_mean(sim.T, k)
    # CSLS halved, without the term that is constant along a row (vecmap's scale, which matters
    # once dropout zeroes some entries)
    fwd = csls(sim, r_tgt=r_trg) / 2
    bwd = csls(sim.T, r_tgt=r_src) / 2
    if keep_prob < 1.0:
        rng = rng or np.random.default_rng(0)
        fwd = fwd * (rng.random(fwd.shape) < keep_prob)
        bwd = bwd * (rng.random(bwd.shape) < keep_prob)
    src, trg = both_way_pairs(fwd, bwd)
    objective = (cos.max(axis=1).mean() + cos.max(axis=0).mean()) / 2
    return src, trg, float(objective)


def similarity_init(x: np.ndarray, z: np.ndarray, n: int = 4000, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """vecmap's unsupervised initial dictionary from intra-lingual similarity distributions.

    For the ``n`` most frequent words of each language, ``sqrt(X Xᵀ) = U S Uᵀ`` (X = U S Vᵀ) is the
    similarity matrix with its spectrum square-rooted; sorting each row makes it independent of
    word order, so rows of two *isomorphic* spaces can be compared across languages. Rows are
    normalised, compared with CSLS, and matched in both directions.

    Parameters: x (n_x, d), z (n_z, d) normalised spaces in frequency order; n: how many of the
    most frequent words take part; k: CSLS neighbourhood. Returns src, trg (2n,) index pairs.
    Reference: Artetxe, Labaka & Agirre (2018, ACL), section 3.2.
    """
    n = min(n, len(x), len(z))

    def sorted_sims(m):
        u, s, _ = np.linalg.svd(m[:n], full_matrices=False)
        sims = (u * s) @ u.T
        sims.sort(axis=1)
        return normalize(sims)

    return both_way_pairs(csls_both_ways(sorted_sims(x) @ sorted_sims(z).T, k))


def identical_pairs(src_words: list[str], tgt_words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of words spelled identically in both vocabularies."""
    pos = {w: j for j, w in reversed(list(enumerate(tgt_words)))}
    pairs = [(i, pos[w]) for i, w in enumerate(src_words) if w in pos]
    if not pairs:
        raise LangindError("the two vocabularies share no word; identical-strings needs some overlap")
    a = np.array(pairs)
    return a[:, 0], a[:, 1]


def dictionary_pairs(src_words: list[str], tgt_words: list[str],
                     dictionary: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of a (seed) dictionary whose two words are both in the vocabularies."""
    s_pos = {w: i for i, w in reversed(list(enumerate(src_words)))}
    t_pos = {w: j for j, w in reversed(list(enumerate(tgt_words)))}
    pairs = [(s_pos[s], t_pos[t]) for s, ts in dictionary.items() if s in s_pos for t in ts if t in t_pos]
    if not pairs:
        raise LangindError("no seed-dictionary pair has both words in the vocabularies; check the language "
                           "direction (source word first) and that the .vec files are the ones it was made for")
    a = np.array(pairs)
    return a[:, 0], a[:, 1]


VECMAP_INITS = ("similarity", "identical", "seed")


# -- baselines ----------------------------------------------------------------------------------------
def identical_strings(src_words: list[str], tgt_words: list[str]) -> tuple[np.ndarray, np.ndarray, dict]:
    """The trivial baseline as one-hot "embeddings": a source word's only candidate is itself.

    Returns (x, z, info) where ``x @ z.T`` is 1 for identical strings and 0 elsewhere, so any
    retrieval reads out exactly the identical-string lexicon.
    """
    src, trg = identical_pairs(src_words, tgt_words)
    x = np.zeros((len(src_words), len(src) + 1))
    z = np.zeros((len(tgt_words), len(src) + 1))
    x[:, -1] = z[:, -1] = 1e-3  # words without a twin still get a (uninformative) score
    x[src, np.arange(len(src))] = 1.0
    z[trg, np.arange(len(src))] = 1.0
    return x, z, {"pairs": int(len(src))}


def vecmap_unsupervised(x: np.ndarray, z: np.ndarray, seed: int = 0, init: str = "similarity",
                        src_words: list[str] | None = None, tgt_words: list[str] | None = None,
                        init_vocab: int = 4000, csls_k: int = 10, keep_prob: float = 0.1,
                        keep_multiplier: float = 2.0, patience: int = 50, threshold: float = 1e-6,
                        reweight: float = 0.5, max_iter: int = 2000, time_limit: float | None = None,
                        seed_pairs: tuple[np.ndarray, np.ndarray] | None = None,
                        prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """Fully unsupervised self-learning in the manner of vecmap.

    Problem: find orthogonal maps of two embedding spaces into a shared one, and the dictionary
    they induce, with no bilingual signal: ``max_{W, D} Σ_{(i,j) ∈ D} (x_i W) · z_j`` by
    alternating Procrustes and CSLS dictionary induction. The steps (vecmap's labels):

    1. Normalise both spaces (unit, centre, unit).
    2. Initial dictionary: :func:`similarity_init` (or identical strings with ``init="identical"``;
       or, *no longer unsupervised*, a seed dictionary's index pairs with ``init="seed"`` and
       ``seed_pairs`` — vecmap's ``--semi_supervised``, which also uses ``keep_prob=1``).
    3. Repeat: W = Procrustes(dictionary); new dictionary = CSLS matches of ``xW`` and ``z`` in both
       directions (of ``cos + prior`` when a ``prior`` is given), each similarity kept with
       probability ``keep_prob``. When the objective (mean best
       cosine) has not improved by ``threshold`` for ``patience`` iterations, ``keep_prob`` is
       multiplied by ``keep_multiplier``; once it has reached 1 and stalled again, stop.
       With ``time_limit`` (not in vecmap: ~5 h per run on CPU), ``patience`` is shrunk after the
       first iteration so the whole schedule fits the budget, and a run cut off before ``keep_prob``
       reaches 1 ends with 5 dropout-free iterations; ``info`` says which happened.
    4. Final map on the last dictionary (Artetxe et al. 2018, AAAI, "Generalizing and improving
       bilingual word embedding mappings..."): whiten both sides, orthogonal map, re-weight each side
       by ``s ** reweight`` (s = singular values of the cross-covariance), de-whiten each side.

    Parameters
    ----------
    x : (n, d) source embeddings, z : (m, d) target embeddings, rows in frequency order.
    seed : seed of the stochastic dictionary induction. init : ``similarity`` | ``identical`` | ``seed``.
    src_words, tgt_words : word lists (``identical`` init). seed_pairs : index pairs (``seed`` init).
    prior : (n, m) evidence kept inside self-learning, added to the cosines of every dictionary step
        (Dou et al. 2015: a weak prior stays in the model rather than being a start it can forget;
        with spelling it is *weakly supervised*, no longer unsupervised); None for vecmap's method.
    init_vocab, csls_k, keep_prob, keep_multiplier, patience, threshold, reweight, max_iter : vecmap's
        ``--unsupervised`` settings. time_limit : seconds (see step 3).

    Returns
    -------
    xw (n, d), zw (m, d) the mapped spaces, and ``info`` (iterations, objective, dictionary size,
    final keep_prob, ``converged``, seconds). Warns (RuntimeWarning) when the loop stops before
    converging (``max_iter`` or ``time_limit``).

    Reference: Artetxe, Labaka & Agirre (2018), "A robust self-learning method for fully
    unsupervised cross-lingual mappings of word embeddings" (ACL).
    """
    _check(x, z)
    if prior is not None:
        prior = np.asarray(prior, dtype=np.float32)
        if prior.shape != (len(x), len(z)):
            raise LangindError(f"the prior is {prior.shape}, not (source words, target words) = {(len(x), len(z))}")
    t0 = time.time()
    rng = np.random.default_rng(seed)
    # float32 for the n×m similarity work (about 2× faster on CPU; rankings are unaffected)
    x, z = normalize(x).astype(np.float32), normalize(z).astype(np.float32)
    if init == "similarity":
        src, trg = similarity_init(x, z, init_vocab, csls_k)
    elif init == "identical":
        if src_words is None or tgt_words is None:
            raise LangindError("init='identical' needs the two word lists")
        src, trg = identical_pairs(src_words, tgt_words)
    elif init == "seed":
        if seed_pairs is None or len(seed_pairs[0]) == 0:
            raise LangindError("init='seed' needs seed_pairs (see dictionary_pairs)")
        src, trg = (np.asarray(a) for a in seed_pairs)
    else:
        check_choice("init", init, VECMAP_INITS)
    best, last_improvement, it, objective = -np.inf, 0, 0, -np.inf
    converged = False
    while it < max_iter:
        it += 1
        if it - last_improvement > patience:
            if keep_prob >= 1.0:
                converged = True
                break
            keep_prob = min(1.0, keep_multiplier * keep_prob)
            last_improvement = it
        w = procrustes(x, z, src, trg)
        src, trg, objective = csls_dictionary(x @ w, z, csls_k, keep_prob, rng, prior)
        if objective - best >= threshold:
            last_improvement, best = it, objective
        if time_limit and it == 1:
            # Fit the whole keep-prob schedule (0.1 → 0.2 → ... → 1, ~5 doublings) into the budget:
            # with vecmap's patience of 50 a short budget would end while 90% of the candidate
            # pairs are still being dropped, and the final map would be fitted to that noise.
            per_iter = time.time() - t0
            steps = max(1, math.ceil(math.log(1.0 / keep_prob, keep_multiplier)) + 1)
            patience = max(3, min(patience, int(time_limit / (per_iter * steps * 1.5))))
        if time_limit and time.time() - t0 > time_limit:
            break
    finish = 0
    if not converged:
        warnings.warn(f"vecmap self-learning stopped before converging ({it} iterations, keep_prob "
                      f"{keep_prob:g}); raise time_limit or max_iter", RuntimeWarning, stacklevel=2)
    if not converged and keep_prob < 1.0:
        # cut off by the budget: end on dictionaries induced without dropout
        for finish in range(1, 6):
            w = procrustes(x, z, src, trg)
            src, trg, objective = csls_dictionary(x @ w, z, csls_k, 1.0, rng, prior)
    xw, zw = _whiten_map_reweight(x.astype(np.float64), z.astype(np.float64), src, trg, reweight)
    return xw, zw, {"iterations": it, "objective": float(objective), "dictionary": int(len(src)),
                    "keep_prob": keep_prob, "converged": converged, "patience": patience,
                    "finishing_iterations": finish, "seconds": round(time.time() - t0, 1)}


def _whiten_map_reweight(x, z, src, trg, reweight: float):
    def whitening(m):
        _, s, vt = np.linalg.svd(m, full_matrices=False)
        return vt.T @ np.diag(1 / s) @ vt

    wx1, wz1 = whitening(x[src]), whitening(z[trg])
    xw, zw = x @ wx1, z @ wz1
    wx2, s, wz2t = np.linalg.svd(xw[src].T @ zw[trg])
    wz2 = wz2t.T
    xw, zw = xw @ wx2 * s ** reweight, zw @ wz2 * s ** reweight
    xw = xw @ (wx2.T @ np.linalg.inv(wx1) @ wx2)
    zw = zw @ (wz2.T @ np.linalg.inv(wz1) @ wz2)
    return xw, zw


def refine_procrustes(x: np.ndarray, z: np.ndarray, src: np.ndarray, trg: np.ndarray, n_iter: int = 5,
                      vocab: int = 5000, csls_k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """MUSE's refinement: Procrustes, then a new dictionary of mutual CSLS nearest neighbours among
    the ``vocab`` most frequent words, ``n_iter`` times.

    Parameters: x (n, d), z (m, d) normalised spaces; src, trg (p,) the starting pairs. Returns the
    final src, trg index arrays. Reference: Conneau, Lample, Ranzato, Denoyer & Jégou (2018), "Word
    Translation Without Parallel Data" (ICLR), section 2.2.
    """
    for _ in range(n_iter):
        w = procrustes(x, z, src, trg)
        xs, zs = x[:vocab] @ w, z[:vocab]
        mutual, matched = mutual_nn(csls_both_ways(xs @ zs.T, csls_k))
        if len(mutual) < 2:
            break
        src, trg = mutual, matched
    return src, trg


def gromov_wasserstein_procrustes(x: np.ndarray, z: np.ndarray, seed: int = 0, n: int = 1000,
                                  epsilon: float = 1e-3, max_iter: int = 100, refine_iter: int = 5,
                                  refine_vocab: int = 5000) -> tuple[np.ndarray, np.ndarray, dict]:
    """Entropic Gromov-Wasserstein seed dictionary + Procrustes refinement (Alvarez-Melis & Jaakkola 2018).

    GW looks for a coupling T (uniform marginals) between the ``n`` most frequent words of each
    language that preserves intra-language distances: ``min_T Σ (C1[i,k] − C2[j,l])² T[i,j] T[k,l]
    − ε H(T)``, with C the cosine distances (scaled to mean 1). Solved with
    ``ot.gromov.entropic_gromov_wasserstein`` (POT, Flamary et al. 2021). The argmax of each row
    and column of T is the seed dictionary; :func:`refine_procrustes` then fits the orthogonal map.

    Parameters
    ----------
    x : (n_x, d), z : (n_z, d) embeddings in frequency order. seed : seed of the starting coupling.
    n : words per side in the GW problem. epsilon : entropic regularisation (retried ×5 and ×25 when
        POT's Sinkhorn overflows, with a RuntimeWarning). max_iter : GW outer iterations.
    refine_iter, refine_vocab : :func:`refine_procrustes` settings.

    Returns
    -------
    xw (n_x, d), zw (n_z, d) mapped spaces and ``info`` (seed pairs, dictionary size, epsilon used, seconds).
    """
    import ot  # POT; imported here because only this baseline needs it

    _check(x, z)
    t0 = time.time()
    x, z = normalize(x), normalize(z)
    n = min(n, len(x), len(z))
    c1, c2 = 1 - x[:n] @ x[:n].T, 1 - z[:n] @ z[:n].T
    c1, c2 = c1 / c1.mean(), c2 / c2.mean()
    p = q = np.full(n, 1.0 / n)
    rng = np.random.default_rng(seed)
    # a random (nearly uniform) starting coupling: GW is non-convex, the seed picks the basin
    g0 = np.outer(p, q) * (1 + 0.1 * rng.random((n, n)))
    g0 /= g0.sum()
    # POT's inner Sinkhorn is not log-domain: with a small ε on poorly spread spaces (e.g. a barely
    # trained LM) it under/overflows. A larger ε is a blurrier but finite coupling, so we retry with it.
    for eps in (epsilon, 5 * epsilon, 25 * epsilon):
        with np.errstate(all="ignore"):
            t = ot.gromov.entropic_gromov_wasserstein(c1, c2, p, q, "square_loss", epsilon=eps, G0=g0,
                                                      max_iter=max_iter, tol=1e-9)
        if np.isfinite(t).all() and t.sum() > 0:
            break
        warnings.warn(f"Gromov-Wasserstein diverged with epsilon {eps:g}; retrying with a larger one",
                      RuntimeWarning, stacklevel=2)
    else:
        raise LangindError(f"Gromov-Wasserstein diverged (non-finite coupling) for epsilon up to {eps:g}; "
                           "pass a larger epsilon")
    src, trg = both_way_pairs(t)
    seed_pairs = len(src)
    src, trg = refine_procrustes(x, z, src, trg, refine_iter, refine_vocab)
    w = procrustes(x, z, src, trg)
    return x @ w, z, {"seed_pairs": int(seed_pairs), "dictionary": int(len(src)), "epsilon": eps,
                      "seconds": round(time.time() - t0, 1)}
