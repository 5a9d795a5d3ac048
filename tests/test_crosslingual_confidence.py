"""langind.crosslingual.confidence: the run's own, dictionary-free quality estimate."""

from __future__ import annotations

import numpy as np

from langind.crosslingual import confidence
from langind.crosslingual.confidence import assess_split_half, split_half
from langind.crosslingual.orthography import spelling_similarity


def test_anchors_are_mutual_close_spellings_of_long_words():
    src = ["presidente", "música", "nación", "perro", "casa"]
    tgt = ["president", "music", "nation", "dog", "case"]
    found = confidence.anchors(src, tgt, spelling_similarity(src, tgt))
    assert (0, 0) in found and (1, 1) in found and (2, 2) in found
    assert all(len(src[i]) >= confidence.ANCHOR_MIN_LEN for i, _ in found) and (4, 4) not in found


def test_hidden_anchors_are_a_fixed_fraction_chosen_by_the_word():
    words = [f"palabra{i:03d}" for i in range(400)]
    sims = np.eye(400, dtype=np.float32)
    hidden = confidence.hidden_anchors(words, words, sims)
    assert 40 < len(hidden) < 130  # about one in five
    assert hidden == confidence.hidden_anchors(words, words, sims)  # deterministic


def test_assess_warns_on_a_lexicon_that_puts_no_anchor_back():
    hidden = [(0, 0), (1, 1), (2, 2), (3, 3)]
    good = confidence.assess(np.array([0, 1, 2, 9]), hidden)
    bad = confidence.assess(np.array([5, 6, 7, 8]), hidden)
    assert good["anchor_agreement"] == 0.75 and not good["failed"]
    assert bad["anchor_agreement"] == 0.0 and bad["failed"] and "failed" in bad["message"]
    none = confidence.assess(np.array([0]), [])
    assert none["anchor_agreement"] is None and none["failed"] is None and "no estimate" in none["message"]


def test_the_estimate_credits_what_spelling_vouches_for_beyond_the_hidden_check():
    hidden = [(0, 0), (1, 1)]
    every = hidden + [(2, 2), (3, 3)]
    # spelling alone: the hidden anchors are missed (their spelling was taken away), the lexicon
    # written gives all four anchors their match: 4 of 10 source words vouched for
    first = np.array([5, 6, 7, 8, 4, 4, 4, 4, 4, 4])
    final = np.array([0, 1, 2, 3, 4, 4, 4, 4, 4, 4])
    spelling = confidence.assess(first, hidden, uses_spelling=True, final=final, every=every)
    assert spelling["anchor_agreement"] == 0.0 and "nothing beyond spelling" in spelling["message"]
    assert spelling["vouched"] == 0.4 and spelling["estimate"] == 0.4
    # no alignment, but spelling vouches for 40% of the words: a note on which entries to trust, not a warning
    assert not spelling["failed"] and "noise" not in spelling["message"]
    # with the frequent words deciphered, the check does not claim that nothing was learned
    cipher = confidence.assess(first, hidden, uses_spelling=True, final=final, every=every, in_context=3)
    assert not cipher["failed"] and "nothing beyond spelling" not in cipher["message"]
    assert "the 3 words the target LM placed in context" in cipher["message"]
    # spelling that vouches for 1 word in 40 (estimate 0.025 < WARN_ESTIMATE): a warning
    few = confidence.assess(np.full(40, 5), hidden, uses_spelling=True, final=np.r_[0, np.full(39, 5)], every=every)
    assert few["estimate"] == 0.025 and few["failed"] and "noise" in few["message"]
    # a failed alignment gets no anchor right anywhere: below spelling alone
    failed = confidence.assess(np.array([9] * 10), hidden, final=np.array([9] * 10), every=every)
    assert failed["estimate"] == 0.0 < spelling["estimate"] and failed["failed"] and "failed" in failed["message"]
    # an aligner that put back too few hidden anchors but still gives 1 word in 10 its anchor: weak, not failed
    weak = confidence.assess(np.array([5, 6, 7, 8, 4, 4, 4, 4, 4, 4]), hidden,
                             final=np.array([0, 6, 7, 8, 4, 4, 4, 4, 4, 4]), every=every)
    assert weak["estimate"] == 0.1 and not weak["failed"] and "weak alignment" in weak["message"]
    # a working alignment: half of the rest known beyond spelling
    works = confidence.assess(final, hidden, final=final, every=every)
    assert works["anchor_agreement"] == 1.0 and works["estimate"] == 1.0
    half = confidence.assess(np.array([0, 6, 2, 3, 4, 4, 4, 4, 4, 4]), hidden, final=final, every=every)
    assert half["estimate"] == 0.5 + 0.5 * 0.4


def test_split_half_estimates_p_at_1_from_three_lexicons_that_agree_beyond_chance():
    """Lexicons right on each word independently (L: 60%, the halves: 50%) and wrong at random: the
    estimate recovers L's P@1; lexicons that agree only as chance has them agree (a collapsed
    alignment's hubs) get about 0."""
    rng = np.random.default_rng(0)
    n = 3000
    words = [f"s{i}" for i in range(n)]

    def lexicon(p):
        return {w: (f"t{i}" if rng.random() < p else f"t{rng.integers(n)}") for i, w in enumerate(words)}
    est = split_half(lexicon(0.6), lexicon(0.5), lexicon(0.5))
    assert abs(est["estimate"] - 0.6) < 0.06 and est["words"] == n

    def hubs():  # every word to one of five frequent targets, as a collapsed alignment does
        return {w: f"t{rng.integers(5)}" for w in words}
    failed = split_half(hubs(), hubs(), hubs())
    assert failed["estimate"] < 0.05 and min(failed["chance"]) > 0.15  # they agree on ~20% of the words, by chance
    conf = assess_split_half(failed)
    assert conf["failed"] and "treat this lexicon as noise" in conf["message"] and conf["hidden_anchors"] == 0
