"""Room 7 — evaluation: how good is a recovered mapping, and what do its mistakes look like.

Self-recovery (the LM's own vocabulary scrambled) is scored by **hit@k** — the true word is among
the k best-scored targets of its row — and by the accuracy of the one-to-one **assignment**, over
frequency-rank bands. A word's rank is its 0-based position among the vocab's non-special words
(the vocab is ordered by training frequency), so band ``10-110`` is the 100 words ranked 10..109,
the earlier exploration's band. ``all`` is every word that occurs in the recovery text (a word the
text never shows cannot be recovered from it; how many there are is reported as coverage).

Mistakes are classified with WordNet (read from Debian's ``wordnet-base`` files by the small reader
below: no download, no global state): same lemma (``has``→``have``), synonyms (share a synset),
co-hyponyms (share a direct hypernym, e.g. ``two``→``three``), or unrelated.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from langind.errors import LangindError
from langind.mapping import readout

DEFAULT_BANDS = ("10-110", "10-1010", "all")
WORDNET_DIR = Path("/usr/share/wordnet")


def parse_band(band: str, n_words: int) -> tuple[int, int]:
    """``"10-110"`` → (10, 110) as a half-open rank range; ``"all"`` → (0, n_words)."""
    if band == "all":
        return 0, n_words
    try:
        lo, hi = (int(x) for x in band.split("-"))
    except ValueError:
        raise LangindError(f"bad band {band!r}; write it as LOW-HIGH (e.g. 10-110) or 'all'") from None
    if not 0 <= lo < hi:
        raise LangindError(f"bad band {band!r}: need 0 <= LOW < HIGH")
    return lo, min(hi, n_words)


def recovery_metrics(scores, truth: np.ndarray, ranks: np.ndarray, present: np.ndarray,
                     assign: np.ndarray | None = None, bands=DEFAULT_BANDS, ks=(1, 5, 10)) -> dict:
    """hit@k and assignment accuracy per band.

    scores: n_src × n_tgt; truth[s]: the correct target of source word s (-1 = not evaluated);
    ranks[s]: frequency rank of s's true word; present[s]: s occurs in the recovery text;
    assign[s]: one-to-one readout (-1 = unmatched).
    """
    top = readout.topk(scores, max(ks))
    hits = {k: (top[:, :k] == truth[:, None]).any(axis=1) for k in ks}
    n_words = int(ranks[truth >= 0].max()) + 1 if (truth >= 0).any() else 0
    out = {}
    for band in bands:
        lo, hi = parse_band(band, n_words)
        sel = (truth >= 0) & present & (ranks >= lo) & (ranks < hi)
        n = int(sel.sum())
        res = {"words": n}
        for k in ks:
            res[f"hit@{k}"] = float(hits[k][sel].mean()) if n else None
        if assign is not None:
            res["assign"] = float((assign[sel] == truth[sel]).mean()) if n else None
        out[band] = res
    return out


# -- WordNet, read from the Debian files ----------------------------------------------------------
_POS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_RULES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}


class WordNet:
    """Minimal WordNet 3.0 reader: lemmas → synsets, synset → direct hypernyms, morphology.

    Parses ``index.*``, ``data.*`` and ``*.exc`` from a WordNet ``dict`` directory (Debian
    package ``wordnet-base`` installs it at /usr/share/wordnet).
    """

    def __init__(self, root: str | Path = WORDNET_DIR):
        root = Path(root)
        if not (root / "data.noun").exists():
            raise LangindError(f"WordNet not found in {root}; install it with `apt-get install wordnet-base`")
        self.index: dict[str, set[str]] = {}  # lemma -> synset ids ("n:00012345")
        self.hypernyms: dict[str, set[str]] = {}
        self.exceptions: dict[str, set[str]] = {}
        for pos, name in _POS.items():
            if not (root / f"index.{name}").exists() or not (root / f"data.{name}").exists():
                continue
            for line in (root / f"index.{name}").read_text(encoding="latin-1").splitlines():
                if line.startswith(" "):
                    continue
                f = line.split()
                lemma, n_syn = f[0], int(f[2])
                self.index.setdefault(lemma, set()).update(f"{pos}:{o}" for o in f[-n_syn:])
            for line in (root / f"data.{name}").read_text(encoding="latin-1").splitlines():
                if line.startswith(" "):
                    continue
                f = line.split(" | ")[0].split()
                offset, w_cnt = f[0], int(f[3], 16)
                i = 4 + 2 * w_cnt
                p_cnt = int(f[i])
                hyp = set()
                for j in range(p_cnt):
                    sym, off, ppos = f[i + 1 + 4 * j: i + 4 + 4 * j]
                    if sym in ("@", "@i"):
                        hyp.add(f"{'a' if ppos == 's' else ppos}:{off}")
                self.hypernyms[f"{pos}:{offset}"] = hyp
            exc = root / f"{name}.exc"
            if exc.exists():
                for line in exc.read_text(encoding="latin-1").splitlines():
                    f = line.split()
                    if len(f) >= 2:
                        self.exceptions.setdefault(f[0], set()).update(f[1:])

    @lru_cache(maxsize=None)
    def lemmas(self, word: str) -> frozenset[str]:
        """Base forms of ``word`` known to WordNet (itself included when it is a lemma)."""
        out = set()
        if word in self.index:
            out.add(word)
        out |= {b for b in self.exceptions.get(word, ()) if b in self.index}
        for rules in _RULES.values():
            for suf, rep in rules:
                if word.endswith(suf) and len(word) > len(suf):
                    base = word[: -len(suf)] + rep
                    if base in self.index:
                        out.add(base)
        return frozenset(out)

    def synsets(self, word: str) -> set[str]:
        return set().union(*(self.index[lem] for lem in self.lemmas(word))) if self.lemmas(word) else set()

    def relation(self, a: str, b: str) -> str:
        """How two words relate: ``same-lemma``, ``synonym``, ``co-hyponym``, ``unknown`` or ``none``."""
        la, lb = self.lemmas(a), self.lemmas(b)
        if not la or not lb:
            return "unknown"
        if la & lb:
            return "same-lemma"
        sa, sb = self.synsets(a), self.synsets(b)
        if sa & sb:
            return "synonym"
        ha = set().union(*(self.hypernyms.get(s, set()) for s in sa))
        hb = set().union(*(self.hypernyms.get(s, set()) for s in sb))
        if ha & hb or ha & sb or hb & sa:
            return "co-hyponym"
        return "none"


def error_analysis(pairs: list[tuple[str, str]], wordnet: WordNet | None) -> dict:
    """Share of top-1 errors (true, predicted) per WordNet relation."""
    kinds = ["same-lemma", "synonym", "co-hyponym", "none", "unknown"]
    counts = dict.fromkeys(kinds, 0)
    if wordnet is None:
        return {"errors": len(pairs), "wordnet": False}
    for a, b in pairs:
        counts[wordnet.relation(a, b)] += 1
    n = len(pairs)
    judged = n - counts["unknown"]
    related = counts["same-lemma"] + counts["synonym"] + counts["co-hyponym"]
    return {"errors": n, "wordnet": True, "counts": counts,
            "related_share": related / judged if judged else None,
            "synonym_or_hypernym_share": (counts["synonym"] + counts["co-hyponym"]) / judged if judged else None}


def load_wordnet(root: str | Path = WORDNET_DIR) -> WordNet | None:
    """The WordNet reader, or None (analysis skipped, and said so) when it is not installed."""
    try:
        return WordNet(root)
    except LangindError:
        return None


# -- bilingual lexicon induction ------------------------------------------------------------------
RETRIEVALS = ("nn", "csls")


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(n == 0, 1, n)


def topk_mean(sims: np.ndarray, k: int, batch: int = 2048) -> np.ndarray:
    """Mean of the ``k`` largest entries of each row (the CSLS neighbourhood density)."""
    k = min(k, sims.shape[1])
    out = np.empty(sims.shape[0], dtype=np.float64)
    for i in range(0, sims.shape[0], batch):
        part = sims[i:i + batch]
        out[i:i + batch] = np.partition(part, -k, axis=1)[:, -k:].mean(axis=1)
    return out


def retrieval_scores(query: np.ndarray, src_all: np.ndarray, tgt_all: np.ndarray, retrieval: str = "csls",
                     k: int = 10) -> np.ndarray:
    """Scores of every target for each query row (rows of ``src_all`` already unit length).

    ``nn``: cosine similarity. ``csls`` (Conneau et al. 2018, "Word Translation Without Parallel
    Data"): ``2·cos(x, y) − r_T(x) − r_S(y)``, where ``r_S(y)`` is the mean cosine of target ``y``
    to its ``k`` nearest source words (all of ``src_all``) and ``r_T(x)`` likewise for ``x``; the
    ``r_T(x)`` term is constant along a row, so it is dropped (rankings, hence P@k, are unchanged —
    vecmap's ``eval_translation.py`` does the same).
    """
    if retrieval not in RETRIEVALS:
        raise LangindError(f"unknown retrieval {retrieval!r}; choose one of {RETRIEVALS}")
    sims = query @ tgt_all.T
    if retrieval == "csls":
        r_tgt = topk_mean(tgt_all @ src_all.T, k)
        sims = 2 * sims - r_tgt[None, :]
    return sims


def bli_precision(src_words: list[str], src_emb: np.ndarray, tgt_words: list[str], tgt_emb: np.ndarray,
                  dictionary: dict[str, list[str]], retrieval: str = "csls", ks=(1, 5, 10),
                  fold: bool = False, csls_k: int = 10, src_ranks: tuple[int, int] | None = None) -> dict:
    """P@k of translating dictionary source words by retrieval in the target embedding space.

    A dictionary source word is *evaluable* when it is in the source vocabulary and at least one of
    its translations is in the target vocabulary; it counts as correct at k when any of those
    translations is among its k best-scored targets (vecmap's ``eval_translation.py`` protocol).
    ``coverage`` = evaluable / (dictionary source words that appear in the dictionary at all).
    With ``fold``, words are compared after :func:`langind.lexicon.fold_accents` on both sides.
    ``src_ranks=(lo, hi)`` restricts to source words at vocabulary positions lo..hi-1.
    """
    from langind.crosslingual.lexicon import fold_accents

    if len(src_words) != len(src_emb) or len(tgt_words) != len(tgt_emb):
        raise LangindError("embedding rows and word lists differ in length")
    key = fold_accents if fold else (lambda w: w)
    src_pos: dict[str, int] = {}
    for i, w in enumerate(src_words):
        src_pos.setdefault(key(w), i)  # vocab is frequency-ordered: the most frequent form wins
    tgt_pos: dict[str, list[int]] = {}
    for j, w in enumerate(tgt_words):
        tgt_pos.setdefault(key(w), []).append(j)
    merged: dict[str, set[str]] = {}
    for s, targets in dictionary.items():  # folding may merge entries ("fué"/"fue")
        merged.setdefault(key(s), set()).update(key(t) for t in targets)
    gold: dict[int, set[int]] = {}
    for s, targets in merged.items():
        i = src_pos.get(s)
        if i is None or (src_ranks and not src_ranks[0] <= i < src_ranks[1]):
            continue
        js = {j for t in targets for j in tgt_pos.get(t, [])}
        if js:
            gold[i] = js
    total = len(merged)
    if not gold:
        raise LangindError("no dictionary pair has both words in the vocabularies (zero overlap); "
                           "check the languages and the dictionary direction")
    x, z = _unit(np.asarray(src_emb, dtype=np.float64)), _unit(np.asarray(tgt_emb, dtype=np.float64))
    rows = np.array(sorted(gold))
    scores = retrieval_scores(x[rows], x, z, retrieval, csls_k)
    kmax = min(max(ks), scores.shape[1])
    top = np.argpartition(-scores, kmax - 1, axis=1)[:, :kmax]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    top = np.take_along_axis(top, order, axis=1)
    res: dict = {"evaluated": len(rows), "dictionary_source_words": total,
                 "coverage": len(rows) / total if total else 0.0, "retrieval": retrieval, "fold_accents": fold}
    for k in ks:
        res[f"P@{k}"] = float(np.mean([bool(set(top[r, :k]) & gold[i]) for r, i in enumerate(rows)]))
    return res
