"""langind.similarity: one normalisation and one CSLS, and every room that retrieves ranks alike."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from langind.crosslingual import align
from langind.crosslingual.lexicon import induce_lexicon
from langind.errors import LangindError
from langind.evaluation.bli import retrieval_scores
from langind.similarity import csls, csls_scores, normalize, topk_mean, unit_rows


def test_normalize_embeddings_is_centred_and_unit_length():
    w = normalize(torch.randn(50, 8) + 3)
    torch.testing.assert_close(w.norm(dim=1), torch.ones(50))
    assert w.mean(0).abs().max() < 0.2
    x = np.random.default_rng(0).normal(size=(50, 8)) + 3
    np.testing.assert_allclose(normalize(x), normalize(torch.as_tensor(x)).numpy(), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(unit_rows(x), axis=1), 1.0)


def test_csls_is_the_textbook_formula():
    rng = np.random.default_rng(1)
    x, z = unit_rows(rng.normal(size=(7, 5))), unit_rows(rng.normal(size=(9, 5)))
    sims = x @ z.T
    k = 3
    by_hand = np.array([[2 * sims[i, j] - np.sort(sims[i])[-k:].mean() - np.sort(sims[:, j])[-k:].mean()
                         for j in range(9)] for i in range(7)])
    np.testing.assert_allclose(csls(sims, topk_mean(sims, k), topk_mean(sims.T, k)), by_hand, atol=1e-12)
    np.testing.assert_allclose(csls_scores(x, z, k), by_hand, atol=1e-12)


def test_evaluation_lexicon_and_alignment_rank_alike():
    """The same two spaces: evaluation's retrieval, the lexicon's first choice and the alignment's
    forward dictionary induction pick the same target for every source word."""
    rng = np.random.default_rng(2)
    x, z = rng.normal(size=(40, 6)), rng.normal(size=(50, 6))
    xu, zu = unit_rows(x), unit_rows(z)
    best_eval = retrieval_scores(xu, xu, zu, "csls").argmax(axis=1)
    full = csls_scores(x, z).argmax(axis=1)
    lexicon = induce_lexicon([f"s{i}" for i in range(40)], x, [f"t{j}" for j in range(50)], z)
    best_lex = np.array([int(t[1:]) for _, t, _ in lexicon])
    src, trg, _ = align.csls_dictionary(xu, zu, k=10)
    best_align = trg[:40][np.argsort(src[:40])]
    assert (best_eval == full).all() and (best_lex == full).all() and (best_align == full).all()


def test_mutual_neighbours_and_the_union_dictionary():
    from langind.similarity import both_way_pairs, csls_both_ways, mutual_nn

    s = np.array([[0.9, 0.1, 0.0],    # row 0 ↔ col 0: mutual
                  [0.8, 0.2, 0.1],    # row 1's best is col 0, whose best is row 0: not mutual
                  [0.0, 0.3, 0.7]])   # row 2 ↔ col 2: mutual
    rows, cols = mutual_nn(s)
    assert rows.tolist() == [0, 2] and cols.tolist() == [0, 2]
    src, tgt = both_way_pairs(s)
    assert list(zip(src.tolist(), tgt.tolist())) == [(0, 0), (1, 0), (2, 2), (0, 0), (2, 1), (2, 2)]
    np.testing.assert_allclose(csls_both_ways(s, 2), csls(s, topk_mean(s, 2), topk_mean(s.T, 2)))
    x, z = np.random.default_rng(1).normal(size=(7, 4)), np.random.default_rng(2).normal(size=(9, 4))
    np.testing.assert_allclose(csls_scores(x, z, 3), csls_both_ways(unit_rows(x) @ unit_rows(z).T, 3))


def test_blocked_csls_topk_equals_the_dense_ranking():
    """csls_topk never holds the (n, m) matrix; its result is the dense CSLS's, block size aside."""
    from langind.mapping.readout import topk
    from langind.similarity import csls, csls_topk, topk_mean, unit_rows

    rng = np.random.default_rng(0)
    x, z = unit_rows(rng.normal(size=(50, 8))).astype(np.float32), unit_rows(rng.normal(size=(37, 8))).astype(np.float32)
    e = rng.random((50, 37)).astype(np.float32) * 0.3
    cos = x @ z.T
    r_t = topk_mean(cos.T, 10)
    for extra in (None, e):
        sims = cos if extra is None else cos + extra
        dense = csls(sims, None, r_t)
        for block in (7, 64):
            got = csls_topk(x, z, 5, extra=None if extra is None else (lambda idx: e[idx]), block=block)
            np.testing.assert_array_equal(got["ranked"], topk(dense, 5))
            np.testing.assert_allclose(got["scores"], np.take_along_axis(dense, topk(dense, 5), axis=1), atol=1e-5)
            np.testing.assert_array_equal(got["nn"], topk(sims, 5))
            np.testing.assert_array_equal(got["first"], csls(cos, None, r_t).argmax(axis=1))
    rows = np.array([3, 10, 49])
    sub = csls_topk(x, z, 5, rows=rows, block=2)  # r_T still comes from all 50 rows
    np.testing.assert_array_equal(sub["ranked"], topk(csls(cos, None, r_t), 5)[rows])
    with pytest.raises(LangindError, match="one width"):
        csls_topk(x, z[:, :4])


def test_normalize_in_place_matches_the_copy():
    from langind.similarity import normalize

    x = np.random.default_rng(1).normal(size=(20, 6)).astype(np.float32)
    ref = normalize(x)
    y = x.copy()
    out = normalize(y, copy=False)
    assert out is y and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
