"""Orthographic evidence: spelling as free (weak) supervision for related languages.

When two languages share an alphabet and a history (Spanish and English share Latin and French
loans), a word and its translation are often spelled alike: *nación*/*nation*, *historia*/*history*,
*música*/*music*. Riley & Gildea (2018), "Orthographic features for bilingual lexicon induction"
(ACL), add such features to embedding-based induction; Søgaard, Ruder & Vulić (2018), "On the
limitations of unsupervised bilingual dictionary induction" (ACL), show that a seed of *identical
strings* rescues alignments that fully unsupervised methods lose when the two corpora differ.

This module measures it once, for every other method to use:

* :func:`spelling_similarity` — an (n_src, n_tgt) matrix of normalised string similarity
  ``1 − Levenshtein(a, b) / max(|a|, |b|)`` (rapidfuzz) after :func:`langind.corpus.fold_accents`
  and lower-casing, 0 for pairs with a word shorter than ``min_len`` letters (short words match by
  chance: *son*/*son*, *a*/*a*), 1 for identical numerals;
* :func:`cognate_similarity` — the same after learning, from the two vocabularies themselves, the
  suffix correspondences of the language pair (*-ción*/*-tion*, *-dad*/*-ty*, *-o*/*-*): each word
  is also compared with the target words after each learned rewrite of its ending (the best
  similarity counts). The rules come from the mutual best spelling matches, not from a dictionary;
* :func:`with_rank_ties` — a ranking by spelling with frequency-rank proximity breaking ties and
  ordering the targets of words spelling cannot place;
* :func:`spelling_meaning` — whether a text's spelling is evidence at all: do its words spelled
  alike also occur in like contexts? (A text written in codes, or in units with no spelling,
  answers no, and spelling is then no evidence between it and any other text.)

A method that uses this is **weakly supervised by spelling**, not fully unsupervised; the
benchmark keeps the two kinds apart (family ``orthography``).
"""

from __future__ import annotations

import collections

import numpy as np

from langind.corpus import fold_accents
from langind.errors import LangindError
from langind.similarity import mutual_nn

MIN_LEN = 4  # words shorter than this get no spelling evidence (chance matches dominate)


def _folded(words: list[str]) -> list[str]:
    return [fold_accents(w).lower() for w in words]


def shared_letters(src_words: list[str], tgt_words: list[str], top: int = 500) -> float:
    """Fraction of the letters used by the ``top`` first source words that the ``top`` first target
    words also use (after folding accents): near 1 for two Latin-script languages, near 0 for two
    scripts, where spelling is no evidence."""
    a = {c for w in _folded(src_words[:top]) for c in w if c.isalpha()}
    b = {c for w in _folded(tgt_words[:top]) for c in w if c.isalpha()}
    return len(a & b) / max(len(a), 1)


MEANING_PAIRS_MIN = 20  # fewer look-alike pairs than this: too few to tell; spelling is no evidence
MEANING_Z = 5.0  # the look-alikes' context similarity this many null standard deviations above chance


def _ppmi(counts, rows, cols) -> np.ndarray:
    """Positive PMI of the co-occurrence ``counts`` (sparse or dense, (n, n)) for the given rows and
    columns, the marginals taken over the whole matrix. Returns a dense (len(rows), len(cols)) array."""
    from scipy import sparse

    c = sparse.csr_matrix(counts, dtype=np.float64)
    total, marginal = c.sum(), np.asarray(c.sum(axis=1)).ravel()
    sub = c[rows][:, cols].toarray()
    with np.errstate(divide="ignore"):
        pmi = np.log(np.where(sub > 0, sub, 1.0) * total / np.maximum(np.outer(marginal[rows], marginal[cols]), 1e-12))
    return np.where(sub > 0, np.maximum(pmi, 0.0), 0.0)


def _z(observed: float, null: np.ndarray) -> float:
    """How many standard deviations of the ``null`` draws ``observed`` lies above their mean."""
    return (observed - float(null.mean())) / max(float(null.std()), 1e-9)


def spelling_meaning(words: list[str], counts, context_words: int = 500, sim: float = 0.8,
                     permutations: int = 50, seed: int = 0) -> dict:
    """Whether a text's spelling carries meaning: words spelled alike share contexts.

    In a real language, the word most like another in spelling is usually a form of it or of its
    family (*dijo*/*dije*, *nation*/*nations*) and occurs in like contexts; in a text written in
    codes (``coded:SEED:TEXT``, or units of animal calls numbered arbitrarily), look-alikes are
    unrelated. The test: each word's best spelling look-alike in the same vocabulary (similarity
    ≥ ``sim``, ties broken at random), the mean cosine of the two words' context vectors (PPMI with
    the ``context_words`` most frequent tokens), against the same mean for random pairings of the
    same words (``permutations`` draws): ``z`` = (observed − null mean) / null std. Spelling is
    evidence when ``z`` ≥ :data:`MEANING_Z` over at least :data:`MEANING_PAIRS_MIN` pairs.

    Parameters
    ----------
    words : the text's tokens in frequency order (n), the rows and columns of ``counts``.
    counts : (n, n) symmetric co-occurrence counts (:func:`langind.crosslingual.coocmap.corpus_cooccurrence`),
        sparse or dense.

    Returns
    -------
    dict
        ``pairs`` (look-alike pairs tested), ``cosine`` (their mean context cosine), ``null`` (the
        random pairs' mean), ``z`` and ``meaningful`` (``z`` ≥ :data:`MEANING_Z`).
    """
    from langind.similarity import unit_rows

    vectors = unit_rows(_ppmi(counts, np.arange(len(words)), np.arange(min(context_words, len(words)))))
    idx = [i for i, w in enumerate(words) if len(w) >= MIN_LEN and any(ch.isalpha() for ch in w)]
    out = {"pairs": 0, "cosine": None, "null": None, "z": None, "meaningful": False}
    if len(idx) < 2:
        return out
    rng = np.random.default_rng(seed)
    alike = spelling_similarity([words[i] for i in idx], [words[i] for i in idx])
    np.fill_diagonal(alike, 0.0)
    alike += rng.random(alike.shape, dtype=np.float32) * 1e-4  # ties at random, not to the more frequent word
    best = alike.argmax(axis=1)
    rows = np.flatnonzero(alike[np.arange(len(idx)), best] >= sim)
    if len(rows) < MEANING_PAIRS_MIN:
        return {**out, "pairs": int(len(rows))}
    v = vectors[idx]
    observed = float((v[rows] * v[best[rows]]).sum(axis=1).mean())
    null = np.array([(v[rows] * v[rng.choice(len(idx), len(rows))]).sum(axis=1).mean() for _ in range(permutations)])
    z = _z(observed, null)
    return {"pairs": int(len(rows)), "cosine": round(observed, 4), "null": round(float(null.mean()), 4),
            "z": round(float(z), 2), "meaningful": bool(z >= MEANING_Z)}


def spelling_links(src_words: list[str], tgt_words: list[str], src_counts, tgt_counts, permutations: int = 50,
                   seed: int = 0) -> dict:
    """Whether spelling links two texts: do their spelling anchors keep company alike?

    The anchors (:func:`langind.crosslingual.confidence.anchors`: mutual best look-alikes, ties
    broken at random) of two related languages are mostly translations, so two anchors that occur
    together on one side tend to occur together on the other; anchors of two texts written in
    codes are random pairs. The statistic: the correlation, over pairs of anchors, of their PPMI
    association in the source text with that of their partners in the target text (a Mantel test),
    against the same with the partners permuted (``permutations`` draws): ``z`` = (observed − null
    mean) / null std. Spelling links the texts when ``z`` ≥ :data:`MEANING_Z`.

    Parameters
    ----------
    src_words, tgt_words : each text's tokens in frequency order (n, m).
    src_counts, tgt_counts : their (n, n) / (m, m) co-occurrence counts (sparse or dense).

    Returns ``{"anchors", "r", "null", "z", "linked"}``.
    """
    from langind.crosslingual.confidence import anchors

    rng = np.random.default_rng(seed)
    alike = spelling_similarity(src_words, tgt_words)
    alike += rng.random(alike.shape, dtype=np.float32) * 1e-4
    pairs = anchors(src_words, tgt_words, alike)
    out = {"anchors": len(pairs), "r": None, "null": None, "z": None, "linked": False}
    if len(pairs) < MEANING_PAIRS_MIN:
        return out
    i, j = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
    a, b = _ppmi(src_counts, i, i), _ppmi(tgt_counts, j, j)
    upper = np.triu_indices(len(i), 1)

    def correlation(order: np.ndarray) -> float:
        x, y = a[upper], b[np.ix_(order, order)][upper]
        seen = (x > 0) | (y > 0)
        if seen.sum() < 3 or x[seen].std() == 0 or y[seen].std() == 0:
            return 0.0
        return float(np.corrcoef(x[seen], y[seen])[0, 1])
    observed = correlation(np.arange(len(i)))
    null = np.array([correlation(rng.permutation(len(i))) for _ in range(permutations)])
    z = _z(observed, null)
    return {"anchors": len(pairs), "r": round(observed, 4), "null": round(float(null.mean()), 4),
            "z": round(float(z), 2), "linked": bool(z >= MEANING_Z)}


def spelling_similarity(src_words: list[str], tgt_words: list[str], min_len: int = MIN_LEN,
                        workers: int = 1) -> np.ndarray:
    """Normalised Levenshtein similarity of every source word to every target word.

    Parameters
    ----------
    src_words : n source words; tgt_words : m target words.
    min_len : pairs where either folded word is shorter get 0 (identical numerals excepted).
    workers : rapidfuzz threads.

    Returns
    -------
    (n, m) float32 in [0, 1]: ``1 − lev(a, b) / max(|a|, |b|)`` of the accent-folded, lower-cased
    words (rapidfuzz ``Levenshtein.normalized_similarity``).
    """
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    if not src_words or not tgt_words:
        raise LangindError("spelling similarity needs two non-empty word lists")
    fs, ft = _folded(src_words), _folded(tgt_words)
    sims = cdist(fs, ft, scorer=Levenshtein.normalized_similarity, dtype=np.float32, workers=workers)
    short_s = np.array([len(w) < min_len for w in fs])
    short_t = np.array([len(w) < min_len for w in ft])
    sims[short_s, :] = 0.0
    sims[:, short_t] = 0.0
    num_t = {w: j for j, w in enumerate(ft) if w.isdigit()}
    for i, w in enumerate(fs):
        if w.isdigit() and w in num_t:
            sims[i, num_t[w]] = 1.0
    return sims


def learn_suffix_rules(src_words: list[str], tgt_words: list[str], sims: np.ndarray, min_sim: float = 0.6,
                       max_suffix: int = 4, min_stem: int = 3, min_count: int = 3, top: int = 40
                       ) -> list[tuple[str, str, int]]:
    """Suffix rewrites ``(source ending, target ending, count)`` read off the mutual best spelling
    matches: for every pair with similarity ≥ ``min_sim`` and a common prefix of ≥ ``min_stem``
    letters, the two remainders (at most ``max_suffix`` letters each) are one observation; the
    ``top`` most frequent rewrites seen at least ``min_count`` times are returned.

    Parameters: src_words, tgt_words (n, m words); sims (n, m) :func:`spelling_similarity`."""
    fs, ft = _folded(src_words), _folded(tgt_words)
    fwd, bwd = sims.argmax(axis=1), sims.argmax(axis=0)
    counts: collections.Counter = collections.Counter()
    for i, j in enumerate(fwd):
        if bwd[j] != i or sims[i, j] < min_sim:
            continue
        a, b = fs[i], ft[j]
        p = 0
        while p < min(len(a), len(b)) and a[p] == b[p]:
            p += 1
        ra, rb = a[p:], b[p:]
        if p >= min_stem and (ra or rb) and len(ra) <= max_suffix and len(rb) <= max_suffix:
            counts[(ra, rb)] += 1
    return [(ra, rb, c) for (ra, rb), c in counts.most_common(top) if c >= min_count]


def rule_trust(count: int, most: int) -> float:
    """How far a suffix rewrite seen ``count`` times is trusted when the commonest was seen ``most``
    times: ``sqrt(count / most)``. Measured (README, fortunes and Bible pairs): es→en spelling alone
    0.163 → 0.182 P@1 with it, en→es 0.135 → 0.131; full trust in every rule lets rare, accidental
    rewrites (-o→-s, -o→-t) tie a word with its translation's plural or a look-alike."""
    return float(np.sqrt(count / max(most, 1)))


def cognate_similarity(src_words: list[str], tgt_words: list[str], min_len: int = MIN_LEN, workers: int = 1,
                       rules: list[tuple[str, str, int]] | None = None) -> tuple[np.ndarray, list[tuple[str, str, int]]]:
    """:func:`spelling_similarity` with learned suffix rewrites (:func:`learn_suffix_rules`): each
    source word is also compared, after each rewrite of its ending, with every target word, and the
    best similarity counts — a rewrite's gain weighted by :func:`rule_trust`. A pair with a word one
    letter shorter than ``min_len`` (and the other at least ``min_len``) gets evidence only where a
    rewrite turns the source word into the target word exactly (*sexo*/*sex*, *aire*/*air*), at the
    rewrite's trust. ``rules``: rewrites learned before (e.g. on the frequent words, to score
    rarer ones a block at a time); None learns them from these two lists. Returns ((n, m) float32,
    the rules)."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist

    sims = spelling_similarity(src_words, tgt_words, min_len, workers)
    if rules is None:
        rules = learn_suffix_rules(src_words, tgt_words, sims)
    fs, ft = _folded(src_words), _folded(tgt_words)
    best = sims.copy()
    most = max((c for *_, c in rules), default=1)
    tgt_index = {w: j for j, w in enumerate(ft)}
    exact_short: dict[tuple[int, int], float] = {}
    for ra, rb, count in rules:
        trust = rule_trust(count, most)
        rows = [i for i, w in enumerate(fs) if w.endswith(ra) and len(w) - len(ra) >= 3]
        if rows:
            rewritten = [fs[i][:len(fs[i]) - len(ra)] + rb for i in rows]
            # a word one letter shorter than min_len gets evidence only where a rewrite lands on it
            # exactly (sexo -o→∅ sex, aire -e→∅ air): short look-alikes match by chance, exact rewrites less
            for i, r in zip(rows, rewritten):
                j = tgt_index.get(r)
                if j is not None and min(len(fs[i]), len(r)) == min_len - 1 and max(len(fs[i]), len(r)) >= min_len:
                    exact_short[i, j] = max(exact_short.get((i, j), 0.0), trust)
            after = cdist(rewritten, ft, scorer=Levenshtein.normalized_similarity, dtype=np.float32, workers=workers)
            # a rewrite is trusted as far as it was seen: what it gains counts in full for the commonest
            # rule and by sqrt(count / commonest) for rarer ones, so a rewrite seen 4 times (-o→-s) does
            # not tie a word with the plural of its translation as the 40 sightings of -o→∅ do
            best[rows] = np.maximum(best[rows], sims[rows] + trust * np.maximum(after - sims[rows], 0))
    best[[len(w) < min_len for w in fs]] = 0.0
    best[:, [len(w) < min_len for w in ft]] = 0.0
    for (i, j), v in exact_short.items():
        best[i, j] = max(best[i, j], v)
    return np.maximum(best, sims), rules


EVIDENCE_FLOOR = 0.5  # spelling similarity below this is no evidence beside another method's


def spelling_evidence(sims: np.ndarray, mutual: bool = True) -> np.ndarray:
    """Spelling similarity turned into evidence to add to another method's similarity: each
    source word's *mutual* best spelling match (``mutual=False``: its best match), if its similarity
    is at least :data:`EVIDENCE_FLOOR`, keeps ``(s − floor) / (1 − floor)``; every other pair gets 0. Most word pairs are a little alike by
    chance (0.2–0.5), and added as they are those small similarities swamp a good alignment
    (measured: coocmap-grow on the parallel Bible falls from 0.566 to 0.212 es→en; keeping the top 1%
    of pairs instead, 0.268)."""
    rows, cols = mutual_nn(sims) if mutual else (np.arange(len(sims)), sims.argmax(axis=1))
    out = np.zeros_like(sims, dtype=np.float32)
    out[rows, cols] = np.maximum(sims[rows, cols] - EVIDENCE_FLOOR, 0.0) / (1.0 - EVIDENCE_FLOOR)
    return out


def rank_proximity(n: int, m: int) -> np.ndarray:
    """(n, m) closeness of frequency ranks, ``−|log(1 + i) − log(1 + j · n / m)|``: the weakest
    evidence there is (a frequent word translates to a frequent word), used to break ties."""
    i = np.log1p(np.arange(n, dtype=np.float32))[:, None]
    j = np.log1p(np.arange(m, dtype=np.float32) * (n / m))[None, :]
    return -np.abs(i - j)


def with_rank_ties(sims: np.ndarray) -> np.ndarray:
    """``sims`` (n, m) plus a tiny frequency-rank-proximity term (at most 1e-3): a ranking by spelling
    whose ties — and the rows with no spelling evidence at all — go to the closest frequency rank."""
    return sims + 1e-3 * (1.0 + rank_proximity(*sims.shape) / 20.0)
