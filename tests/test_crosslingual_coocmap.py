"""langind.crosslingual.coocmap: co-occurrence matching recovers planted word correspondences."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_markov_language

from langind.crosslingual.coocmap import (
    clip_percentiles,
    cooc_features,
    cooccurrence,
    coocmap,
    coocmap_grow,
    coocmap_variant,
    drop_top_singular,
)
from langind.errors import LangindError
from langind.similarity import csls_scores


def test_cooccurrence_counts_a_symmetric_window_and_skips_negative_ids():
    ids = np.array([0, 1, 2, -1, 0])
    c = cooccurrence(ids, 3, window=1)
    # pairs at distance 1: (0,1) (1,2); (2,-1) and (-1,0) are skipped
    assert c.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    c2 = cooccurrence(ids, 3, window=4)
    # 0 (first) and 0 (last) are 4 apart; 2 sits 2 from each of them
    assert c2[0, 0] == 2 and c2[0, 2] == 2 and c2[1, 2] == 1 and (c2 == c2.T).all()
    with pytest.raises(LangindError):
        cooccurrence(ids, 3, window=0)


def test_clip_and_drop_do_what_they_say():
    x = np.random.default_rng(0).normal(size=(200, 50))
    c = clip_percentiles(x, 99, 99)
    assert c.max() < x.max() and c.min() > x.min() and np.mean(c != x) < 0.05
    d = drop_top_singular(x, 3)
    s_x, s_d = np.linalg.svd(x, compute_uv=False), np.linalg.svd(d, compute_uv=False)
    np.testing.assert_allclose(np.sort(s_d)[::-1][:len(s_x) - 3], s_x[3:], rtol=1e-8)


@pytest.fixture(scope="module")
def planted():
    """Two halves of one Markov language's text (same grammar, different sentences), the second
    with its word ids permuted: the planted mapping is ``perm``."""
    n = 60
    lines = make_markov_language(n, 8000, seed=5, fanout=3)

    def to_ids(part):
        return np.array([int(w[1:]) for line in part for w in line.split()])

    a, b = to_ids(lines[:4000]), to_ids(lines[4000:])
    perm = np.random.default_rng(1).permutation(n)
    return cooccurrence(a, n), cooccurrence(perm[b], n), perm


@pytest.mark.parametrize("variant", ["coocmap", "coocmap-clip", "coocmap-drop"])
def test_every_variant_recovers_a_planted_permutation(planted, variant):
    ca, cb, perm = planted
    xw, zw, info = coocmap_variant(ca, cb, variant, drop=1)  # the paper drops 20 of 5,000; 1 of 60 here
    found = csls_scores(xw, zw).argmax(axis=1)
    assert np.mean(found == perm) >= 0.9, (variant, np.mean(found == perm), info)
    assert info["converged"]


def test_a_random_start_gets_nowhere_but_the_sorted_init_does(planted):
    import warnings

    ca, cb, perm = planted
    x, z = cooc_features(ca), cooc_features(cb)
    xw, zw, _ = coocmap(x, z)
    assert np.mean(csls_scores(xw, zw).argmax(axis=1) == perm) >= 0.9
    for seed in range(3):  # self-learning from a random similarity stays near chance (1/60)
        noise = np.random.default_rng(seed).random(x.shape).astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            xw, zw, _ = coocmap(x, z, init=noise)
        assert np.mean(csls_scores(xw, zw).argmax(axis=1) == perm) <= 0.2, seed
    with pytest.warns(RuntimeWarning, match="without converging"):
        coocmap(x, z, max_iter=1)


def test_grow_matches_frequent_cores_first_and_keeps_the_planted_mapping(planted):
    ca, cb, perm = planted
    # grow reads rows in frequency order (as a vocabulary is): sort each side by frequency
    oa, ob = np.argsort(-ca.sum(1), kind="stable"), np.argsort(-cb.sum(1), kind="stable")
    truth = np.argsort(ob)[perm[oa]]  # source row i (word oa[i]) ↔ target row of perm[oa[i]]
    xw, zw, info = coocmap_grow(ca[oa][:, oa], cb[ob][:, ob], sizes=(20, 40))
    assert [s["words"] for s in info["stages"]] == [[20, 20], [40, 40], [60, 60]]
    assert np.mean(csls_scores(xw, zw).argmax(axis=1) == truth) >= 0.9


def test_a_prior_kept_in_every_step_carries_the_matching():
    """Two copies of one space started from a random dictionary: a prior naming a third of the true
    pairs, kept in every dictionary step, leads self-learning to all of them."""
    import warnings

    from langind.crosslingual.coocmap import coocmap

    rng = np.random.default_rng(0)
    x = rng.random((60, 60)).astype(np.float32) ** 4
    noise = rng.random((60, 60)).astype(np.float32)
    prior = np.zeros((60, 60), dtype=np.float32)
    prior[np.arange(20), np.arange(20)] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        xw, zw, _ = coocmap(x, x.copy(), init=noise, prior=prior, max_iter=10)
    assert ((xw @ zw.T).argmax(axis=1) == np.arange(60)).mean() >= 0.95


def test_counting_in_chunks_equals_counting_the_whole_stream():
    """Pairs that straddle two chunks are counted once, however the stream is cut (pieces shorter
    than the window included)."""
    from langind.crosslingual.coocmap import count_cooccurrence

    ids = np.random.default_rng(0).integers(-1, 30, size=3000)
    whole = cooccurrence(ids, 30, window=5)
    for cuts in ([1000, 2000], [3, 4, 6, 1500], list(range(0, 3000, 7))[1:]):
        pieces = np.split(ids, cuts)
        chunked = count_cooccurrence(pieces, 30, window=5)
        assert chunked.dtype == np.float32 and chunked.format == "csr"
        np.testing.assert_array_equal(chunked.toarray(), whole)


def test_corpus_counts_are_streamed_in_chunks(tmp_path, monkeypatch):
    from langind.crosslingual import coocmap as cm

    lines = [" ".join(f"w{(i * 7 + j) % 23}" for j in range(9)) for i in range(400)]
    (tmp_path / "t.txt").write_text("\n".join(lines) + "\n")
    words, whole = cm.corpus_cooccurrence(str(tmp_path / "t.txt"), top=30)
    monkeypatch.setattr(cm, "CHUNK_TOKENS", 17)  # ~200 chunks
    words2, chunked = cm.corpus_cooccurrence(str(tmp_path / "t.txt"), top=30)
    assert words == words2 and len(words) == 23
    np.testing.assert_array_equal(whole.toarray(), chunked.toarray())


def test_the_tail_is_placed_through_the_core_pairs(planted):
    """coocmap on the 30 most frequent words only; the other 30 of each side are then described by
    their co-occurrences with the core's mutual pairs, and most of them find their translation."""
    from langind.crosslingual.coocmap import tail_spaces
    from langind.similarity import csls_topk

    ca, cb, perm = planted
    oa, ob = np.argsort(-ca.sum(1), kind="stable"), np.argsort(-cb.sum(1), kind="stable")
    truth = np.argsort(ob)[perm[oa]]
    a, b = ca[oa][:, oa], cb[ob][:, ob]
    xw, zw, _ = coocmap_grow(a[:30, :30], b[:30, :30], sizes=(20,))
    from scipy import sparse

    fs, ft, info = tail_spaces(sparse.csr_matrix(a), sparse.csr_matrix(b), xw, zw)
    assert fs.shape[0] == 60 and ft.shape[0] == 60 and fs.shape[1] == ft.shape[1] == info["dictionary"] >= 15
    np.testing.assert_allclose(np.linalg.norm(fs, axis=1), 1, rtol=1e-5)
    found = csls_topk(fs, ft, 1, rows=np.arange(30, 60))["ranked"][:, 0]
    assert np.mean(found == truth[30:]) >= 0.6, np.mean(found == truth[30:])
