"""EM decipherment with a frozen target bigram (langind.crosslingual.cipher)."""

import itertools

import numpy as np
import pytest
import torch

from langind.crosslingual.bigram import BigramLM, UnigramLM
from langind.crosslingual.cipher import (
    CipherConfig,
    baum_welch_emissions,
    decipher,
    forward_backward_counts,
    posterior_ranking,
)
from langind.errors import LangindError


def test_sparse_chain_matches_its_dense_form_and_is_a_distribution():
    rng = np.random.default_rng(0)
    sents = [rng.integers(0, 6, size=rng.integers(1, 8)) for _ in range(40)]
    chain = BigramLM(sents, 6).chain()
    P = chain.dense()
    np.testing.assert_allclose(P.sum(axis=1) + chain.end, 1.0, atol=1e-9)
    assert chain.start.sum() == pytest.approx(1.0)
    t = chain.to_torch()
    v = torch.rand(3, 6)
    np.testing.assert_allclose(t.step_forward(v).numpy(), v.numpy() @ P, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.step_backward(v).numpy(), v.numpy() @ P.T, rtol=1e-5, atol=1e-6)


def test_forward_backward_counts_equal_brute_force_over_all_paths():
    """Expected emission counts and log-likelihood of a padded batch equal the enumeration of every
    hidden path of each sentence."""
    rng = np.random.default_rng(1)
    E, S = 3, 4
    chain = BigramLM([rng.integers(0, E, size=5) for _ in range(10)], E).chain()
    emit = rng.random((E, S))
    emit /= emit.sum(axis=1, keepdims=True)
    sents = [np.array([0, 2, 1]), np.array([3]), np.array([1, 1, 0, 2])]
    L = max(map(len, sents))
    x = np.zeros((len(sents), L), dtype=np.int64)
    mask = np.zeros_like(x, dtype=bool)
    for r, s in enumerate(sents):
        x[r, :len(s)], mask[r, :len(s)] = s, True
    counts, ll = forward_backward_counts(torch.as_tensor(x), torch.as_tensor(mask), chain.to_torch(),
                                         torch.as_tensor(emit, dtype=torch.float32))
    P = chain.dense()
    want, want_ll = np.zeros((E, S)), 0.0
    for s in sents:
        z, acc = 0.0, np.zeros((E, S))
        for path in itertools.product(range(E), repeat=len(s)):
            p = chain.start[path[0]] * chain.end[path[-1]]
            for t, (e, f) in enumerate(zip(path, s)):
                p *= emit[e, f] * (P[path[t - 1], e] if t else 1.0)
            z += p
            for e, f in zip(path, s):
                acc[e, f] += p
        want += acc / z
        want_ll += np.log(z)
    np.testing.assert_allclose(counts.numpy(), want, rtol=1e-4, atol=1e-5)
    assert ll == pytest.approx(want_ll, rel=1e-4)


@pytest.mark.filterwarnings("ignore:decipherment EM did not converge")  # tol=0: run every iteration on purpose
def test_baum_welch_never_lowers_the_likelihood_and_keeps_the_fixed_key():
    rng = np.random.default_rng(2)
    E = S = 4
    chain = BigramLM([rng.integers(0, E, size=6) for _ in range(30)], E).chain()
    allowed = np.ones((E, S), dtype=bool)
    allowed[3, :], allowed[:, 3], allowed[3, 3] = False, False, True
    sents = [rng.integers(0, S, size=6) for _ in range(30)]
    emit, counts, info = baum_welch_emissions(sents, chain, np.ones((E, S)), allowed, iterations=15, tol=0.0)
    ll = info["loglik_per_token"]
    assert all(b >= a - 1e-5 for a, b in zip(ll, ll[1:]))
    assert emit[3, 3] == pytest.approx(1.0) and np.all(emit[:3, 3] == 0)


def _cipher_texts(seed=0, n=1500):
    """A toy language — a Markov chain over nine words in which each word has its own few likely
    successors — and the same language enciphered by a fixed substitution, with different sentences
    (independent samples) on the two sides."""
    rng = np.random.default_rng(42)
    en_words = ["the", "a", "dog", "cat", "man", "house", "runs", "sleeps", "eats"]
    key = dict(zip(en_words, ["el", "un", "perro", "gato", "hombre", "casa", "corre", "duerme", "come"]))
    V = len(en_words)
    trans = rng.random((V, V)) ** 6  # peaked rows: a word's context gives it away
    trans /= trans.sum(axis=1, keepdims=True)

    def sents(r, k):
        out = []
        for _ in range(k):
            w, s = int(r.integers(0, V)), []
            while len(s) < 12:
                s.append(en_words[w])
                if r.random() < 0.15:
                    break
                w = int(r.choice(V, p=trans[w]))
            out.append(s + ["."])
        return out
    en = sents(np.random.default_rng(seed), n)
    es = [[key.get(w, w) for w in s] for s in sents(np.random.default_rng(seed + 1), n)]
    return es, en, key


def _by_frequency(sents):
    c = {}
    for s in sents:
        for w in s:
            if w.isalpha():
                c[w] = c.get(w, 0) + 1
    return sorted(c, key=lambda w: -c[w])


@pytest.mark.filterwarnings("ignore:decipherment EM did not converge")  # tol=0: run every iteration on purpose
def test_decipher_recovers_a_substitution_key_from_different_sentences():
    """The start key (frequency ranks) is made wrong on purpose — four pairs of source words swapped —
    and EM repairs it from the context alone: it starts with 2 of 9 right, ends with all."""
    es, en, key = _cipher_texts()
    sw, tw = _by_frequency(es), _by_frequency(en)
    sw = [sw[1], sw[0], sw[3], sw[2], sw[5], sw[4], sw[7], sw[6], sw[8]]
    inverse = {v: k for k, v in key.items()}

    def right(iterations):
        counts, info = decipher(es, en, sw, tw, cfg=CipherConfig(src_words=20, tgt_words=20, iterations=iterations,
                                                                 tol=0.0))
        rows, share = posterior_ranking(counts, 3)
        assert np.all(share[:, 0] >= share[:, 1]) and info["shared_marks"] == 1  # "." is the fixed part of the key
        return sum(tw[rows[i, 0]] == inverse[w] for i, w in enumerate(sw) if rows[i, 0] < len(tw))
    with pytest.warns(RuntimeWarning, match="did not converge"):
        assert right(1) <= 3
    assert right(60) == len(sw)


@pytest.mark.filterwarnings("ignore:decipherment EM did not converge")  # tol=0: run every iteration on purpose
def test_decipher_spelling_prior_and_edges():
    es, en, key = _cipher_texts(seed=3, n=300)
    sw, tw = _by_frequency(es), _by_frequency(en)
    ev = np.zeros((len(sw), len(tw)))
    i, j = sw.index("gato"), tw.index("cat")
    ev[i, j] = 1.0
    counts, info = decipher(es, en, sw, tw, ev, CipherConfig(prior=5.0, iterations=5, tol=0.0))
    assert info["spelling_prior"] and counts[i].argmax() == j
    with pytest.raises(LangindError):
        decipher(es, en, [], tw)


@pytest.mark.filterwarnings("ignore:decipherment EM did not converge")  # tol=0: run every iteration on purpose
def test_unigram_chain_has_no_context_and_cannot_repair_the_key():
    es, en, key = _cipher_texts()
    sw, tw = _by_frequency(es), _by_frequency(en)
    chain = BigramLM([np.array([0, 1, 2, 1])], 3).chain()
    uni = UnigramLM([np.array([0, 1, 2, 1])], 3).chain()
    P = uni.dense()
    np.testing.assert_allclose(P + uni.end[:, None] * 0, np.tile(P[0], (3, 1)))  # every row the same
    np.testing.assert_allclose(P.sum(axis=1) + uni.end, 1.0)
    assert not np.allclose(chain.dense(), P)
    sw = [sw[1], sw[0], sw[3], sw[2], sw[5], sw[4], sw[7], sw[6], sw[8]]
    inverse = {v: k for k, v in key.items()}
    counts, info = decipher(es, en, sw, tw, cfg=CipherConfig(src_words=20, tgt_words=20, iterations=60, tol=0.0,
                                                             unigram=True))
    rows, _ = posterior_ranking(counts, 1)
    assert info["lm"] == "unigram"
    assert sum(tw[rows[i, 0]] == inverse[w] for i, w in enumerate(sw) if rows[i, 0] < len(tw)) <= 4
