"""Bilingual lexicon induction metrics: test dictionaries and P@k of two aligned spaces.

Dictionaries use the MUSE format (Conneau et al. 2018): one ``source target`` pair per line,
whitespace-separated, a source word may have several lines. Malformed lines stop with the file and
line number. P@k follows vecmap's ``eval_translation.py`` protocol.

Spelling: RV1909 writes 1909 accents ("fué", "á") while FreeDict is modern. Evaluation never folds
accents silently; :func:`langind.corpus.fold_accents` is applied only when asked for, and reported
separately.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from langind.corpus import codebook, fold_accents, iter_lines, parse_coded
from langind.errors import LangindError, check_choice
from langind.mapping.readout import topk
from langind.similarity import csls, topk_mean, unit_rows

RETRIEVALS = ("nn", "csls")


def load_dictionary(path: str | Path, lowercase: bool = True) -> dict[str, list[str]]:
    """Read a MUSE-format dictionary into ``{source: [targets...]}`` (order of first appearance)."""
    pairs: dict[str, list[str]] = {}
    n = 0
    for lineno, line in enumerate(iter_lines(path), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2:
            raise LangindError(
                f"{path}:{lineno}: expected two words 'source target', got {len(fields)} field(s): {line[:60]!r}")
        src, tgt = (unicodedata.normalize("NFC", f) for f in fields)
        if lowercase:
            src, tgt = src.lower(), tgt.lower()
        targets = pairs.setdefault(src, [])
        if tgt not in targets:
            targets.append(tgt)
        n += 1
    if n == 0:
        raise LangindError(f"{path}: no dictionary pairs found")
    return pairs


def coded_dictionary(dictionary: dict[str, list[str]], src_spec: str, tgt_spec: str) -> dict[str, list[str]]:
    """A plain pair's dictionary rewritten for the same texts written in codes: each side that is a
    ``coded:SEED:TEXT`` corpus spec maps its words through that spec's codebook
    (:func:`langind.corpus.codebook`), a plain side stays as it is. Pairs with a word the text never
    uses are dropped (a codebook holds the text's own tokens only)."""
    books = [codebook(spec) if parse_coded(spec) else None for spec in (src_spec, tgt_spec)]

    def code(book, word):
        return word if book is None else book.get(word)
    coded: dict[str, list[str]] = {}
    for src, targets in dictionary.items():
        s = code(books[0], src)
        ts = [t for t in (code(books[1], t) for t in targets) if t is not None]
        if s is not None and ts:
            coded.setdefault(s, []).extend(t for t in ts if t not in coded.get(s, []))
    return coded


def retrieval_scores(query: np.ndarray, src_all: np.ndarray, tgt_all: np.ndarray, retrieval: str = "csls",
                     k: int = 10) -> np.ndarray:
    """Scores of every target for each query row.

    Parameters
    ----------
    query : (q, d) unit-length source rows to translate (usually a subset of ``src_all``).
    src_all : (n, d) every source row, unit length (the population of the target densities).
    tgt_all : (m, d) every target row, unit length.
    retrieval : ``nn`` (cosine) or ``csls`` (:func:`langind.similarity.csls`; the source density is
        constant along a row, so it is dropped — rankings, hence P@k, are unchanged, as in vecmap's
        ``eval_translation.py``).

    Returns (q, m) scores, higher = better.
    """
    check_choice("retrieval", retrieval, RETRIEVALS)
    sims = query @ tgt_all.T
    if retrieval == "csls":
        sims = csls(sims, r_tgt=topk_mean(tgt_all @ src_all.T, k))
    return sims


def gold_pairs(src_words: list[str], tgt_words: list[str], dictionary: dict[str, list[str]], fold: bool = False,
               src_ranks: tuple[int, int] | None = None) -> tuple[dict[int, set[int]], int]:
    """The evaluable test pairs as indices: ``{source row: {target rows of its translations}}``, and
    the number of dictionary source words (the coverage denominator).

    A dictionary source word is *evaluable* when it is in the source list and at least one of its
    translations is in the target list (vecmap's ``eval_translation.py`` protocol). With ``fold``,
    words are compared after :func:`langind.corpus.fold_accents`; ``src_ranks=(lo, hi)`` keeps
    source rows lo..hi-1 only.
    """
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
    if not gold:
        raise LangindError("no dictionary pair has both words in the vocabularies (zero overlap); "
                           "check the languages and the dictionary direction")
    return gold, len(merged)


def precision_at_k(ranked: np.ndarray, gold: dict[int, set[int]], rows: np.ndarray, ks=(1, 5, 10)) -> dict:
    """P@k of ranked candidate lists: ``ranked[r]`` (best first) are the target rows guessed for
    source row ``rows[r]``; correct at k when one of the first k is in ``gold[rows[r]]``."""
    return {f"P@{k}": float(np.mean([bool(set(ranked[r, :k].tolist()) & gold[i]) for r, i in enumerate(rows)]))
            for k in ks}


def bli_precision(src_words: list[str], src_emb: np.ndarray, tgt_words: list[str], tgt_emb: np.ndarray,
                  dictionary: dict[str, list[str]], retrieval: str = "csls", ks=(1, 5, 10),
                  fold: bool = False, csls_k: int = 10, src_ranks: tuple[int, int] | None = None) -> dict:
    """P@k of translating dictionary source words by retrieval in the target embedding space.

    Test pairs as in :func:`gold_pairs`; a word counts as correct at k when any of its translations is
    among its k best-scored targets. ``coverage`` = evaluable / dictionary source words.
    """
    if len(src_words) != len(src_emb) or len(tgt_words) != len(tgt_emb):
        raise LangindError("embedding rows and word lists differ in length")
    gold, total = gold_pairs(src_words, tgt_words, dictionary, fold, src_ranks)
    x = unit_rows(np.asarray(src_emb, dtype=np.float64))
    z = unit_rows(np.asarray(tgt_emb, dtype=np.float64))
    rows = np.array(sorted(gold))
    scores = retrieval_scores(x[rows], x, z, retrieval, csls_k)
    top = topk(scores, max(ks))
    return {"evaluated": len(rows), "dictionary_source_words": total, "coverage": len(rows) / total,
            "retrieval": retrieval, "fold_accents": fold, **precision_at_k(top, gold, rows, ks)}


def ranked_precision(src_words: list[str], tgt_words: list[str], ranked: np.ndarray,
                     dictionary: dict[str, list[str]], ks=(1, 5, 10), fold: bool = False) -> dict:
    """P@k of a method that outputs ranked candidate lists instead of vectors (``ranked``: (n_src, ≥k)
    target rows, best first) — the same test pairs and protocol as :func:`bli_precision`."""
    gold, total = gold_pairs(src_words, tgt_words, dictionary, fold)
    rows = np.array(sorted(gold))
    return {"evaluated": len(rows), "dictionary_source_words": total, "coverage": len(rows) / total,
            "retrieval": "ranked", "fold_accents": fold, **precision_at_k(ranked[rows], gold, rows, ks)}


def grouped_precision(first: np.ndarray, gold: dict[int, set[int]], groups: list[str]) -> dict[str, dict]:
    """P@1 within each group of source rows — e.g. the rows whose first choice a kind of evidence
    vouches for — so that a label a method prints can be checked against a dictionary.

    Parameters: first (n_src,) each source row's first target row; gold from :func:`gold_pairs`;
    groups (n_src,) a label per source row. Returns ``{label: {"words", "evaluated", "P@1"}}``
    (``P@1`` None where no word of the group is evaluable)."""
    out: dict[str, dict] = {}
    for label in sorted(set(groups)):
        rows = [i for i, g in enumerate(groups) if g == label]
        test = [i for i in rows if i in gold]
        out[label] = {"words": len(rows), "evaluated": len(test),
                      "P@1": round(sum(int(first[i]) in gold[i] for i in test) / len(test), 4) if test else None}
    return out
