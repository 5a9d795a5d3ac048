"""langind.crosslingual.incontext: the target LM chooses among candidate translations in context."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import make_markov_language

from langind.crosslingual.incontext import (
    NEG,
    BigramLM,
    InContextConfig,
    build_lattice,
    forward_backward,
    rerank,
)
from langind.errors import LangindError


@pytest.mark.parametrize("lam", [1.0, 0.5])
def test_forward_backward_equals_brute_force_enumeration(lam):
    rng = np.random.default_rng(0)
    V = 5
    lm = BigramLM([rng.integers(0, V, size=rng.integers(2, 7)) for _ in range(40)], V)
    cand = np.array([[0, 1], [2, 3], [4, -1], [1, 2]])  # source word 2 has one candidate only
    log_emit = np.log(rng.random(cand.shape) + 0.1)
    log_emit[cand < 0] = NEG
    sentences = [np.array([0, 2, 1]), np.array([3, 0]), np.array([1])]
    lat = build_lattice(sentences, cand, lm, lam)
    gamma, loglik = forward_backward(lat, log_emit)
    brute_ll = 0.0
    for s_i, sent in enumerate(sentences):
        paths, weights = [], []
        for ks in itertools.product(range(2), repeat=len(sent)):
            if any(cand[f, k] < 0 for f, k in zip(sent, ks)):
                continue
            es = [cand[f, k] for f, k in zip(sent, ks)]
            lp = lm.logp(np.array(lm.boundary), np.array(es[0]), lam)
            lp += sum(lm.logp(np.array(a), np.array(b), lam) for a, b in zip(es, es[1:]))
            lp += lm.logp(np.array(es[-1]), np.array(lm.boundary), lam)
            lp += sum(log_emit[f, k] for f, k in zip(sent, ks))
            paths.append(ks)
            weights.append(np.exp(lp))
        z = sum(weights)
        brute_ll += np.log(z)
        # build_lattice keeps the sentences' order, so sentence s_i is row s_i
        for t in range(len(sent)):
            for k in range(2):
                marg = sum(w for p, w in zip(paths, weights) if p[t] == k) / z
                assert gamma[s_i, t, k] == pytest.approx(marg, abs=1e-6)  # transitions are stored as float32
    assert loglik == pytest.approx(brute_ll, rel=1e-6)
    assert gamma[2, 1:].sum() == 0  # padding carries no mass


@pytest.mark.parametrize("em_rounds,floor", [(0, 0.6), (3, 0.9)])
def test_a_planted_cipher_with_local_reordering_is_deciphered_from_noisy_candidates(em_rounds, floor):
    """No candidate list puts the right word first; the LM in context alone lifts most words, and
    EM re-estimation of the channel deciphers ≥ 0.9 of them."""
    n, K = 30, 5
    lines = make_markov_language(n, 6000, seed=3, fanout=3)
    ids = [np.array([int(w[1:]) for w in line.split()]) for line in lines]
    target, source_true = ids[:3000], ids[3000:]  # same grammar, different sentences: not parallel
    rng = np.random.default_rng(0)
    perm = rng.permutation(n)  # source word perm[e] stands for target word e
    source = []
    for s in source_true:
        s = perm[s].copy()
        for i in range(len(s) - 1):  # local reordering, as between languages
            if rng.random() < 0.15:
                s[i], s[i + 1] = s[i + 1], s[i]
        source.append(s)
    truth = np.argsort(perm)  # truth[f] = the target word source word f stands for
    cand = np.empty((n, K), dtype=np.int64)
    for f in range(n):
        others = rng.choice(np.setdiff1d(np.arange(n), [truth[f]]), size=K - 1, replace=False)
        slot = rng.integers(1, K)  # the right answer is never the aligner's first choice
        cand[f] = np.insert(others, slot, truth[f])
    scores = np.tile(np.linspace(1.0, 0.6, K), (n, 1)) + 0.05 * rng.random((n, K))
    lm = BigramLM(target, n)
    order, info, share = rerank(source, cand, scores, lm, n, InContextConfig(k=K, em_rounds=em_rounds),
                                echo=lambda m: None)
    np.testing.assert_allclose(share.sum(axis=1)[share.sum(axis=1) > 0], 1.0)
    top1 = cand[np.arange(n), order[:, 0]]
    assert np.mean(top1 == truth) >= floor, (np.mean(top1 == truth), info)
    assert np.mean(cand[:, 0] == truth) == 0.0
    assert {"beta", "lam", "trials"} <= set(info)


def test_bad_configs_are_clear_errors():
    with pytest.raises(LangindError, match="lam"):
        InContextConfig(lams=(2.0,))
    with pytest.raises(LangindError, match="at least one sentence"):
        BigramLM([], 3)


def test_unigram_channel_divides_by_the_target_frequency():
    """p0(f | e) = q(e | f) p(f) / p(e): with equal aligner scores, the rarer target gets the larger
    emission (the LM's liking for a frequent word is cancelled, not doubled)."""
    from langind.crosslingual.incontext import prior_emissions

    cand = np.array([[0, 1], [1, -1]])
    scores = np.array([[0.5, 0.5], [1.0, 0.0]])
    log_uni = np.log(np.array([0.7, 0.2, 0.1]))  # target 0 frequent, 1 rarer, boundary
    e = prior_emissions(cand, scores, 1.0, np.array([10.0, 10.0]), 2, log_uni)
    assert e[0, 1] > e[0, 0] and e[1, 1] == NEG
    assert e[0, 0] == pytest.approx(np.log(0.5) + np.log(0.5) - np.log(0.7))
    with pytest.raises(LangindError, match="channel"):
        InContextConfig(channel="magic")


def test_the_bigram_lm_read_pointwise_and_as_a_chain_is_one_model():
    """The re-ranking reads p(b | a) pointwise, the decipherment as a sparse transition matrix: the same
    Kneser-Ney numbers, each row (with the sentence end) a distribution."""
    rng = np.random.default_rng(3)
    V = 7
    lm = BigramLM([rng.integers(0, V, size=rng.integers(1, 9)) for _ in range(60)], V)
    chain = lm.chain()
    a, b = np.meshgrid(np.arange(V), np.arange(V), indexing="ij")
    np.testing.assert_allclose(chain.dense(), np.exp(lm.logp(a, b)), rtol=1e-9)
    np.testing.assert_allclose(chain.end, np.exp(lm.logp(np.arange(V), np.full(V, lm.boundary))), rtol=1e-9)
    np.testing.assert_allclose(chain.dense().sum(axis=1) + chain.end, 1.0, atol=1e-9)
    start = np.exp(lm.logp(np.full(V, lm.boundary), np.arange(V)))
    np.testing.assert_allclose(chain.start, start / start.sum(), rtol=1e-9)
    with pytest.raises(LangindError, match="discount"):
        BigramLM([np.array([0, 1])], 2, discount=1.5)
