"""Recovery metrics: how good is a recovered word mapping, per frequency band.

Self-recovery (the LM's own vocabulary scrambled) is scored by **hit@k** — the true word is among
the k best-scored targets of its row — and by the accuracy of the one-to-one **assignment**, over
frequency-rank bands. A word's rank is its 0-based position among the vocab's non-special words
(the vocab is ordered by training frequency), so band ``10-110`` is the 100 words ranked 10..109,
the earlier exploration's band. ``freq5`` is every word that occurs at least 5 times in the recovery
text (``freqN`` for any N): the words the text gives enough evidence to learn. ``all`` is every word
that occurs in the recovery text at all (a word the text never shows cannot be recovered from it; how
many there are is reported as coverage).
The count-only baseline ranks targets by closeness of frequency rank alone.
"""

from __future__ import annotations

import numpy as np

from langind.errors import LangindError
from langind.mapping import readout

DEFAULT_BANDS = ("10-110", "10-1010", "freq5", "all")


def min_count(band: str) -> int | None:
    """``"freq5"`` → 5 (a band of words seen at least 5 times in the text); None for a rank band."""
    if not band.startswith("freq"):
        return None
    try:
        n = int(band[4:])
    except ValueError:
        raise LangindError(f"bad band {band!r}; write a count band as freqN (e.g. freq5)") from None
    if n < 1:
        raise LangindError(f"bad band {band!r}: N must be >= 1")
    return n


def parse_band(band: str, n_words: int) -> tuple[int, int]:
    """``"10-110"`` → (10, 110) as a half-open rank range; ``"all"`` and ``"freqN"`` → (0, n_words)
    (a count band selects by occurrences, not rank: :func:`min_count`)."""
    if band == "all" or min_count(band) is not None:
        return 0, n_words
    try:
        lo, hi = (int(x) for x in band.split("-"))
    except ValueError:
        raise LangindError(f"bad band {band!r}; write it as LOW-HIGH (e.g. 10-110), freqN or 'all'") from None
    if not 0 <= lo < hi:
        raise LangindError(f"bad band {band!r}: need 0 <= LOW < HIGH")
    return lo, min(hi, n_words)


def band_mask(band: str, ranks: np.ndarray, text_counts: np.ndarray, n_words: int) -> np.ndarray:
    """Which words (by their frequency ``ranks`` and occurrences in the text, ``text_counts``) are in
    ``band`` (a rank band ``LOW-HIGH``, a count band ``freqN`` or ``all``)."""
    lo, hi = parse_band(band, n_words)
    ranks, text_counts = np.asarray(ranks), np.asarray(text_counts)
    return (ranks >= lo) & (ranks < hi) & (text_counts >= (min_count(band) or 0))


def recovery_metrics(scores, truth: np.ndarray, ranks: np.ndarray, text_counts: np.ndarray,
                     assign: np.ndarray | None = None, bands=DEFAULT_BANDS, ks=(1, 5, 10)) -> dict:
    """hit@k and assignment accuracy per band.

    scores: n_src × n_tgt; truth[s]: the correct target of source word s (-1 = not evaluated);
    ranks[s]: frequency rank of s's true word; text_counts[s]: occurrences of s in the recovery text
    (words with none are never scored); assign[s]: one-to-one readout (-1 = unmatched).
    """
    text_counts = np.asarray(text_counts)
    present = text_counts > 0
    top = readout.topk(scores, max(ks))
    hits = {k: (top[:, :k] == truth[:, None]).any(axis=1) for k in ks}
    n_words = int(ranks[truth >= 0].max()) + 1 if (truth >= 0).any() else 0
    out = {}
    for band in bands:
        sel = (truth >= 0) & present & band_mask(band, ranks, text_counts, n_words)
        n = int(sel.sum())
        res = {"words": n}
        for k in ks:
            res[f"hit@{k}"] = float(hits[k][sel].mean()) if n else None
        if assign is not None:
            res["assign"] = float((assign[sel] == truth[sel]).mean()) if n else None
        out[band] = res
    return out


def count_only_scores(src_counts: np.ndarray, tgt_counts: np.ndarray, n_specials: int) -> np.ndarray:
    """Scores (n_src, n_tgt) that rank targets by closeness of frequency rank (the count-only hit@k)."""
    def rank_of(c):
        order = np.argsort(-c[n_specials:], kind="stable")
        r = np.empty(len(order), dtype=np.float32)
        r[order] = np.arange(len(order))
        return r
    rs, rt = rank_of(src_counts), rank_of(tgt_counts)
    s = np.full((len(src_counts), len(tgt_counts)), -1e9, dtype=np.float32)
    s[n_specials:, n_specials:] = -np.abs(rs[:, None] - rt[None, :])
    return s
