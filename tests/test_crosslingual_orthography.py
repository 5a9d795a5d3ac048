"""langind.crosslingual.orthography: spelling similarity and candidates."""

from __future__ import annotations

import numpy as np
import pytest

from langind.crosslingual.orthography import (
    cognate_similarity,
    rank_proximity,
    rule_trust,
    shared_letters,
    spelling_similarity,
    with_rank_ties,
)
from langind.errors import LangindError


def test_similarity_folds_accents_and_ignores_short_words():
    s = spelling_similarity(["nación", "música", "sol", "1984", "perro"], ["nation", "music", "sol", "1984", "dog"])
    assert s[0, 0] == pytest.approx(1 - 1 / 6)  # nacion ↔ nation: one substitution in six letters
    assert s[1, 1] == pytest.approx(1 - 1 / 6)  # accents folded: musica ↔ music, one deletion in six
    assert s[2].max() == 0.0 and s[:, 2].max() == 0.0  # three letters: no spelling evidence
    assert s[3, 3] == 1.0  # identical numerals count whatever their length
    assert s[4, 4] < 0.3 and s.dtype == np.float32 and s.shape == (5, 5)


def test_similarity_needs_words():
    with pytest.raises(LangindError, match="non-empty"):
        spelling_similarity([], ["a"])


def test_candidates_rank_by_spelling_then_by_frequency_rank():
    src, tgt = ["historia", "zzzzqq"], ["history", "house", "story", "other"]
    sims = spelling_similarity(src, tgt)
    cand = np.argsort(-with_rank_ties(sims), axis=1)[:, :3]
    scores = np.take_along_axis(sims, cand, axis=1)
    assert cand.shape == (2, 3) and cand[0, 0] == 0 and scores[0, 0] == scores.max()
    assert cand[1, 0] == 2  # no spelling evidence: the closest frequency rank (rank 1 of 2 ↔ rank 2 of 4)
    assert rank_proximity(3, 3)[1, 1] == 0.0 and rank_proximity(3, 3)[0, 2] < rank_proximity(3, 3)[0, 1]


def test_shared_letters_tells_one_alphabet_from_two():
    assert shared_letters(["casa", "perro"], ["house", "dog", "caps"]) > 0.5
    assert shared_letters(["дом", "собака"], ["house", "dog"]) == 0.0


def test_learned_suffix_rewrites_bring_regular_cognates_closer():
    from langind.crosslingual.orthography import cognate_similarity, learn_suffix_rules

    stems = ["nat", "pos", "relat", "direc", "ac", "sec", "fun", "mo", "op", "condi"]
    src = [f"{s}ción" for s in stems] + ["información"]
    tgt = [f"{s}tion" for s in stems] + ["information"]
    plain = spelling_similarity(src, tgt)
    rules = learn_suffix_rules(src, tgt, plain)
    assert ("cion", "tion", len(stems)) in rules or any(a.endswith("cion") and b.endswith("tion") for a, b, _ in rules)
    learned, _ = cognate_similarity(src, tgt)
    assert learned[0, 0] == 1.0 > plain[0, 0] and (learned >= plain).all()


def test_spelling_evidence_keeps_only_confident_mutual_matches():
    from langind.crosslingual.orthography import EVIDENCE_FLOOR, spelling_evidence

    sims = np.array([[0.9, 0.4, 0.3], [0.85, 0.45, 0.2], [0.1, 0.2, 0.45]], dtype=np.float32)
    ev = spelling_evidence(sims)
    assert ev[0, 0] == pytest.approx((0.9 - EVIDENCE_FLOOR) / (1 - EVIDENCE_FLOOR))
    assert (ev[1] == 0).all()  # its best match belongs to word 0
    assert ev[2, 2] == 0.0  # mutual, but below the floor


def test_a_rarely_seen_rewrite_does_not_tie_a_word_with_its_translations_plural():
    rules = [("o", "", 40), ("o", "s", 4)]  # -o→∅ seen 40 times, -o→-s 4 times
    sims, _ = cognate_similarity(["argumento"], ["argument", "arguments"], rules=rules)
    assert sims[0, 0] == pytest.approx(1.0) and sims[0, 1] < sims[0, 0]
    assert rule_trust(40, 40) == 1.0 and rule_trust(4, 40) == pytest.approx(0.1 ** 0.5)
    # the rare rule still counts for something: more than no rewrite at all
    plain, _ = cognate_similarity(["argumento"], ["arguments"], rules=[])
    assert sims[0, 1] > plain[0, 0]


def test_a_three_letter_word_is_evidence_only_where_a_rewrite_lands_on_it_exactly():
    rules = [("o", "", 40), ("e", "", 10), ("ar", "", 10)]
    src, tgt = ["sexo", "aire", "mayor", "con", "robar"], ["sex", "air", "may", "con", "rob"]
    sims, _ = cognate_similarity(src, tgt, rules=rules)
    assert sims[0, 0] == pytest.approx(1.0)  # sexo -o→∅ sex, the commonest rewrite: full trust
    assert sims[1, 1] == pytest.approx(rule_trust(10, 40))  # aire -e→∅ air, at the rewrite's trust
    assert sims[2, 2] == 0.0  # mayor/may: alike, but no rewrite lands on it
    assert sims[3, 3] == 0.0  # two 3-letter words, identical or not, stay no evidence (con/con)
    assert sims[4, 4] == pytest.approx(rule_trust(10, 40))  # robar -ar→∅ rob
    # without rules nothing changes: short pairs get nothing
    plain, _ = cognate_similarity(src, tgt, rules=[])
    assert (plain == 0).all()


def test_spelling_means_something_in_a_language_and_nothing_in_codes():
    """In English, a word's best look-alike (houses/house) shares its contexts; written in codes
    (u01234/u01235) it does not. Between two related texts the look-alikes keep company alike."""
    from langind.crosslingual.coocmap import corpus_cooccurrence
    from langind.crosslingual.orthography import spelling_links, spelling_meaning

    words, counts = corpus_cooccurrence("web:odd-books", 2000)
    plain = spelling_meaning(words, counts)
    assert plain["meaningful"] and plain["z"] > 10 and plain["pairs"] >= 100
    cwords, ccounts = corpus_cooccurrence("coded:1:web:odd-books", 2000)
    coded = spelling_meaning(cwords, ccounts)
    assert not coded["meaningful"] and abs(coded["z"]) < 4 and coded["pairs"] >= 100
    other, other_counts = corpus_cooccurrence("web:even-books", 2000)
    assert spelling_links(words, other, counts, other_counts)["linked"]
    cother, cother_counts = corpus_cooccurrence("coded:2:web:even-books", 2000)
    links = spelling_links(cwords, cother, ccounts, cother_counts)
    assert links["anchors"] >= 20 and not links["linked"]  # look-alike codes: anchors by chance, no link
