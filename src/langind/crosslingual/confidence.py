"""Did it work? An estimate of a lexicon's quality that needs no dictionary.

A user who induces a lexicon between two texts of their own has no test dictionary, and a failed
alignment prints a word list that looks like any other. What the user does have, for two languages
written in one alphabet, is a small set of pairs that are almost certainly right: words spelled
(nearly) the same on both sides and each other's best spelling match — names, numbers, loans and
close cognates (*israel*, *historia*/*history*, *música*/*music*). They are the **anchors**.

The estimate is a held-out check: a fixed fifth of the anchors (chosen by a hash of the word, never
by the dictionary) is *hidden* from the run — methods that use spelling get no spelling evidence for
those source words — and the estimate is the fraction of the hidden anchors whose first translation
is their anchor. A method that never looks at spelling (coocmap, vecmap) is checked the same way
without anything to hide. An alignment that has failed puts the hidden anchors anywhere (≈ 0); a
working one puts many of them back. A run that found no alignment may still know some words —
spelling's anchors, the frequent words a decipherment placed — so the run *warns* only when its
estimate (below) is under :data:`WARN_ESTIMATE`, and otherwise says, in a note, which entries are
likely right.

Where spelling is no evidence — two scripts, texts written in codes, units with no spelling — there
are no anchors, and the check is a **split-half** one instead (:func:`split_half`): the robust aligner
is run again on each text's odd sentences and on its even sentences, two independent "raters" of the
pair. If a lexicon ``L`` and the two halves' lexicons ``H1``, ``H2`` are each right on a word
independently, with probabilities ``p_L``, ``p_1``, ``p_2``, their first choices agree on a word beyond
chance with probability about ``p_L·p_1``, ``p_L·p_2`` and ``p_1·p_2``, so
``p_L ≈ sqrt(a(L, H1) · a(L, H2) / a(H1, H2))``. An alignment that has failed on the halves agrees with
nothing beyond chance (≈ 0), whatever co-occurrence structure it preserved.

Tried and rejected (measured; README): the target LM's preference for the source text read through
the lexicon over frequency-matched shuffles of it ("context gain") rates a failed coocmap alignment
of two different stories as highly as a right lexicon — co-occurrence matching preserves which words
go together even when it maps them to the wrong words — and mutual nearest-neighbour agreement does
the same.
"""

from __future__ import annotations

import collections
import hashlib

import numpy as np

from langind.crosslingual.lexicon import CONTEXT, SPELLED
from langind.similarity import mutual_nn

# Below this fraction of hidden anchors put back — or, with no anchors, below this split-half estimate —
# no alignment was found beyond what spelling gives (``auto`` then falls back to the decipherment).
FAILED_AGREEMENT = 0.10
# Below this estimate the run warns that its lexicon is most likely noise: the failure line for
# P@1 (0.05) applied to the run's own estimate of it. Between the two lines a run found no alignment
# but knows some words (spelling, decipherment): it says which, in a note, not a warning.
WARN_ESTIMATE = 0.05
ANCHOR_SIM = 0.8  # spelling similarity of an anchor pair (after folding accents)
ANCHOR_MIN_LEN = 5  # letters; shorter identical strings are too often false friends
HELD_OUT_EVERY = 5  # one anchor in five is hidden from the run


def is_hidden(word: str) -> bool:
    """Whether an anchor whose source word is ``word`` is hidden from the run (a fixed fifth, by hash)."""
    return hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()[0] % HELD_OUT_EVERY == 0


def anchors(src_words: list[str], tgt_words: list[str], spelling: np.ndarray) -> list[tuple[int, int]]:
    """Mutual best spelling matches with similarity ≥ :data:`ANCHOR_SIM` between words of at least
    :data:`ANCHOR_MIN_LEN` letters. ``spelling`` (n_src, n_tgt) is
    :func:`langind.crosslingual.orthography.spelling_similarity`. Returns (source row, target row)."""
    return [(int(i), int(j)) for i, j in zip(*mutual_nn(spelling))
            if spelling[i, j] >= ANCHOR_SIM and len(src_words[i]) >= ANCHOR_MIN_LEN
            and len(tgt_words[j]) >= ANCHOR_MIN_LEN]


def hidden_anchors(src_words: list[str], tgt_words: list[str], spelling: np.ndarray) -> list[tuple[int, int]]:
    """The anchors hidden from the run (a fixed fifth, by a hash of the source word)."""
    return [(i, j) for i, j in anchors(src_words, tgt_words, spelling) if is_hidden(src_words[i])]


def assess(first: np.ndarray, hidden: list[tuple[int, int]], uses_spelling: bool = False,
           final: np.ndarray | None = None, every: list[tuple[int, int]] = (), in_context: int = 0) -> dict:
    """The ``confidence`` block of a run checked on hidden spelling anchors.

    The estimate is ``a + (1 − a) · v``: the share of hidden anchors the run put back without their
    spelling (what it knows beyond spelling), plus what the anchors vouch for of the rest — one number
    that orders failed alignments, spelling-only lexicons and working alignments.

    Parameters
    ----------
    first : numpy.ndarray
        (n_src,) each source row's first translation (a target row) as chosen without the hidden
        anchors' spelling.
    hidden : list
        The hidden anchors, (source row, target row) pairs (:func:`hidden_anchors`).
    uses_spelling : bool
        The run used spelling; its agreement then says what it knows *beyond* spelling.
    final : numpy.ndarray, optional
        (n_src,) the first translations of the lexicon written (default: ``first``).
    every : list
        All anchors, hidden or not (:func:`anchors`; default: ``hidden`` only).
    in_context : int
        How many first choices the target LM in context vouches for (the lexicon's ``context``
        evidence, e.g. the frequent words a decipherment placed): the hidden anchors, long words,
        cannot check those, so a failed check says so instead of "nothing beyond spelling".

    Returns
    -------
    dict
        ``anchor_agreement`` a (the fraction of hidden anchors put back; None without anchors),
        ``hidden_anchors`` (how many), ``vouched`` v (the fraction of source words whose final
        translation is their anchor), ``estimate``, ``failed`` (the estimate below
        :data:`WARN_ESTIMATE`: the run warns) and a one-line ``message`` (:func:`verdict` where a is
        below :data:`FAILED_AGREEMENT`).
    """
    if not hidden:
        return {"anchor_agreement": None, "hidden_anchors": 0, "vouched": None, "estimate": None, "failed": None,
                "message": "no spelling anchors between these vocabularies: no estimate of the lexicon's quality"}
    agreement = float(np.mean([first[i] == j for i, j in hidden]))
    final = first if final is None else final
    vouched = sum(final[i] == j for i, j in (every or hidden)) / max(len(final), 1)
    estimate = agreement + (1.0 - agreement) * vouched
    failed = warns(estimate)
    low = agreement < FAILED_AGREEMENT
    put_back = (f"{agreement:.0%} of {len(hidden)} hidden spelling anchors put back"
                + (f" (< {FAILED_AGREEMENT:.0%})" if low else "")
                + f", {vouched:.0%} of the words given their anchor (estimate {estimate:.2f}"
                + (f" < {WARN_ESTIMATE})" if failed else ")"))
    msg = f"{put_back}: {verdict(failed, uses_spelling, in_context)}" if low else put_back
    return {"anchor_agreement": round(agreement, 4), "hidden_anchors": len(hidden), "vouched": round(float(vouched), 4),
            "estimate": round(float(estimate), 4), "failed": failed, "message": msg}


SPLIT_HALF_OFFSETS = (1, 2, 3)  # frequency neighbours the chance agreement is read from (split_half)


def split_half(first: dict[str, str], half1: dict[str, str], half2: dict[str, str]) -> dict:
    """The split-half estimate of a lexicon's P@1, for texts with no spelling anchors.

    Two lexicons also agree where they err alike: an alignment that has failed still maps a frequent
    word to a frequent word, and hubs to hubs. Each agreement is therefore corrected for chance as
    Cohen's kappa is, ``a* = (a − c) / (1 − c)``, with ``c`` the larger of Cohen's chance term (the
    two lexicons' choices drawn independently from their own target frequencies: hubs) and the rate at
    which one lexicon's choice for a word equals the other's for a word of nearby frequency
    (:data:`SPLIT_HALF_OFFSETS` positions away: frequency matching) — what a failed alignment gives,
    and a right lexicon does not (two words rarely share a translation). The estimate is
    ``sqrt(a*(L, H1) · a*(L, H2) / a*(H1, H2))`` (module doc).

    Parameters
    ----------
    first : dict
        Each source word's first translation in the lexicon to assess (word → word), the source words
        in frequency order (dict order).
    half1, half2 : dict
        The same from the robust aligner run on the two halves of each text (``half:1:TEXT``,
        ``half:2:TEXT``), each on its own half's vocabulary.

    Returns
    -------
    dict
        ``agreement`` (a*(L, H1), a*(L, H2), a*(H1, H2) over the source words all three translate),
        ``chance`` (their ``c``), ``words`` (how many) and ``estimate``, clipped to [0, 1]; 0 when the
        halves agree with each other on no more than 0.25% of the words beyond chance (no alignment
        found in the halves).
    """
    words = [w for w in first if w in half1 and w in half2]
    if len(words) < 2:
        return {"agreement": None, "chance": None, "words": len(words), "estimate": 0.0}

    def corrected(x: dict[str, str], y: dict[str, str]) -> tuple[float, float]:
        a = float(np.mean([x[w] == y[w] for w in words]))
        near = float(np.mean([x[words[i]] == y[words[i + d]] for d in SPLIT_HALF_OFFSETS for i in range(len(words) - d)]
                             + [x[words[i + d]] == y[words[i]] for d in SPLIT_HALF_OFFSETS for i in range(len(words) - d)]))
        px, py = collections.Counter(x[w] for w in words), collections.Counter(y[w] for w in words)
        hubs = sum(n * py[t] for t, n in px.items()) / len(words) ** 2  # Cohen's chance: the two choices' marginals
        c = max(near, hubs)
        return max(0.0, (a - c) / (1.0 - c)) if c < 1 else 0.0, c
    (a1, c1), (a2, c2), (halves, ch) = corrected(first, half1), corrected(first, half2), corrected(half1, half2)
    estimate = min(1.0, float(np.sqrt(a1 * a2 / halves))) if halves > 0.0025 else 0.0
    return {"agreement": [round(a1, 4), round(a2, 4), round(halves, 4)], "chance": [round(c1, 4), round(c2, 4), round(ch, 4)],
            "words": len(words), "estimate": round(estimate, 4)}


def assess_split_half(check: dict) -> dict:
    """The ``confidence`` block of a run checked by :func:`split_half` (``check``: its result) instead
    of spelling anchors: the same keys as :func:`assess`, ``split_half`` added."""
    estimate = check["estimate"]
    failed = warns(estimate)
    a = check["agreement"]
    said = (f"split-half check: beyond chance, the lexicon agrees with the two halves' on {a[0]:.0%} / {a[1]:.0%} "
            f"of {check['words']} words, the halves with each other on {a[2]:.0%} (estimate {estimate:.2f}"
            if a else "split-half check: the halves share no words (estimate 0.00")
    said += f" < {WARN_ESTIMATE})" if failed else ")"
    if failed:
        said += ": the alignment has most likely failed; treat this lexicon as noise"
    return {"anchor_agreement": None, "hidden_anchors": 0, "vouched": None, "estimate": estimate, "failed": failed,
            "message": said, "split_half": check}


def warns(estimate: float) -> bool:
    """Whether a run whose estimate (:func:`assess`) is ``estimate`` warns that its lexicon is most
    likely noise: below :data:`WARN_ESTIMATE`."""
    return bool(estimate < WARN_ESTIMATE)


def verdict(failed: bool, uses_spelling: bool, in_context: int = 0) -> str:
    """What a run that put back fewer than :data:`FAILED_AGREEMENT` of its hidden anchors tells its
    user: that the lexicon is most likely noise (``failed``: the estimate is below
    :data:`WARN_ESTIMATE`; a warning), or, for a run whose estimate is above it, which of its entries
    are likely right (a note). ``uses_spelling`` and ``in_context`` as in :func:`assess`."""
    known = f"evidence '{SPELLED}'" + (f" and '{CONTEXT}'" if in_context else "")
    if not uses_spelling:
        if failed:
            return "the alignment has most likely failed; treat this lexicon as noise"
        return ("a weak alignment; most entries are likely wrong, those marked "
                f"{known} in the lexicon the likeliest right")
    if failed:
        return ("nothing beyond spelling was learned and "
                f"spelling vouches for few words; treat this lexicon as noise but for the entries marked {known}")
    if in_context:
        return ("no alignment beyond spelling; the likely right words are those spelled "
                f"like their translation and the {in_context} words the target LM placed in context ({known} in the "
                "lexicon; the anchors cannot check the latter)")
    return ("nothing beyond spelling was learned; only the words spelled like their "
            f"translation are likely right ({known} in the lexicon)")
