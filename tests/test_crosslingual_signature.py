"""langind.crosslingual.signature: neighbour signatures carried across languages by anchors."""

from __future__ import annotations

import collections

import numpy as np
import pytest
from conftest import make_language_pair

from langind.crosslingual.signature import (
    SignatureConfig,
    neighbour_signatures,
    rerank_with_signatures,
    signature_similarity,
)
from langind.errors import LangindError


def test_neighbour_signatures_count_left_and_right_context_words():
    sents = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"]]
    words = ["the", "sat", "cat", "dog", "a"]
    sig = neighbour_signatures(sents, words, context_words=2)  # context: the, sat, + the boundary
    assert sig.shape == (5, 2 * 3)
    left, right = sig[:, :3] ** 2, sig[:, 3:] ** 2  # back to relative frequencies
    # cat: left "the" once, "a" (not a context word) once → only "the" counted; right "sat", boundary
    assert np.allclose(left[2], [1, 0, 0]) and np.allclose(right[2], [0, 0.5, 0.5])
    assert np.allclose(left[0], [0, 0, 1]) and np.allclose(right[0], [0, 0, 0])  # "the": boundary, then cat/dog
    assert np.allclose(right[1], [0, 0, 1])  # "sat" ends both its sentences
    assert np.allclose(sig[4, 3:], 0)  # "a" is followed only by "cat", not a context word


def test_signatures_mapped_through_anchors_find_translations_across_renamed_texts():
    # two texts of one grammar, different sentences, every word renamed (w… / v…) and some word order
    # noise: a map learned on 20 anchor pairs carries the other words' signatures to their translations
    a, b, _ = make_language_pair(40, 6000, seed=3)
    sa, sb = [l.split() for l in a], [l.split() for l in b]

    def by_freq(sents):
        return [w for w, _ in collections.Counter(t for s in sents for t in s).most_common()]

    wa, wb = by_freq(sa), by_freq(sb)
    truth = {i: wb.index("v" + w[1:]) for i, w in enumerate(wa)}
    src, tgt = neighbour_signatures(sa, wa, 8), neighbour_signatures(sb, wb, 8)
    anchors = [(i, truth[i]) for i in range(0, 40, 2)]
    sims = signature_similarity(src, tgt, anchors, ridge=0.01)
    assert sims.shape == (len(wa), len(wb)) and sims.dtype == np.float32
    rest = [i for i in truth if i % 2]
    hits = np.mean([sims[i].argmax() == truth[i] for i in rest])
    assert hits > 0.3, hits  # chance: 1/40
    with pytest.raises(LangindError, match="anchor pairs"):
        signature_similarity(src, tgt, [])
    with pytest.raises(LangindError, match="different sizes"):
        signature_similarity(src, tgt[:, :4], anchors)


def test_rerank_moves_a_candidate_whose_signature_agrees():
    rows = np.array([[3, 1, 2], [0, 2, 1]])
    scores = np.array([[0.50, 0.48, 0.1], [0.9, 0.2, 0.1]])
    sims = np.zeros((2, 4), dtype=np.float32)
    sims[0, 1] = 1.0  # word 0's second candidate has the agreeing neighbours
    sims[1, 2] = 1.0  # word 1's second candidate too, but spelling is far surer of the first
    new_rows, new_scores = rerank_with_signatures(rows, scores, sims, weight=0.2)
    assert new_rows.tolist() == [[1, 3, 2], [0, 2, 1]]
    assert new_scores[0, 0] == pytest.approx(0.68) and new_scores[1, 0] == pytest.approx(0.9)
    same, _ = rerank_with_signatures(rows, scores, sims, weight=0.0)
    assert (same == rows).all()


def test_signature_config_is_validated():
    with pytest.raises(LangindError, match="weight"):
        SignatureConfig(weight=-1)
    with pytest.raises(LangindError, match="context word"):
        SignatureConfig(context_words=0)
    with pytest.raises(LangindError, match="ridge"):
        SignatureConfig(ridge=0)
    with pytest.raises(LangindError, match="ridge"):
        signature_similarity(np.ones((2, 4)), np.ones((3, 4)), [(0, 0)], ridge=-1.0)
