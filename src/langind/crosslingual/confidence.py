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

Tried and rejected (measured; README): the target LM's preference for the source text read through
the lexicon over frequency-matched shuffles of it ("context gain") rates a failed coocmap alignment
of two different stories as highly as a right lexicon — co-occurrence matching preserves which words
go together even when it maps them to the wrong words — and mutual nearest-neighbour agreement does
the same.
"""

from __future__ import annotations

import hashlib

import numpy as np

from langind.crosslingual.lexicon import CONTEXT, SPELLED
from langind.similarity import mutual_nn

# Below this fraction of hidden anchors put back, no alignment was found beyond what spelling gives
# (``auto`` then falls back to spelling and the decipherment).
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
    """The ``confidence`` block of a run.

    Parameters
    ----------
    first : (n_src,) each source row's first translation (a target row) as chosen without the
        hidden anchors' spelling.
    hidden : the hidden anchors, (source row, target row) pairs (:func:`hidden_anchors`).
    uses_spelling : the run used spelling; its agreement then says what it knows *beyond* spelling.
    final : (n_src,) the first translations of the lexicon written (default: ``first``).
    every : all anchors, hidden or not (:func:`anchors`; default: ``hidden`` only).
    in_context : how many first choices the target LM in context vouches for (the lexicon's
        ``context`` evidence, e.g. the frequent words a decipherment placed): the hidden anchors, long
        words, cannot check those, so a failed check says so instead of "nothing beyond spelling".

    Returns ``anchor_agreement`` a (fraction of hidden anchors put back, None without anchors),
    ``hidden_anchors`` (how many), ``vouched`` v (fraction of the source words whose final translation
    is their anchor: what spelling vouches for in the lexicon), ``estimate`` = a + (1 − a) · v (the
    share the run knows beyond spelling, plus what the anchors vouch for of the rest: one number that
    orders failed alignments, spelling-only lexicons and working alignments; benchmark, README),
    ``failed`` (the estimate below :data:`WARN_ESTIMATE`: the run warns) and a one-line ``message``
    (:func:`verdict` where a is below :data:`FAILED_AGREEMENT`).
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
