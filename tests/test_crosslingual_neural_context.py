"""langind.crosslingual.neural_context: the frozen neural target LM re-ranks candidates in context."""

from __future__ import annotations

import numpy as np
import pytest

from langind.crosslingual.neural_context import NeuralContextConfig, neural_rerank, source_stream
from langind.errors import LangindError
from langind.mapping.fit import load_frozen_lm
from langind.mapping.readout import topk


def test_source_stream_maps_words_symbols_and_the_rest(pair):
    lm, vocab, _ = load_frozen_lm(str(pair / "lm-b"), "cpu")
    ids, fixed = source_stream(str(pair / "a.txt"), ["w0", "w1"], vocab)
    n = len(fixed)
    assert set(np.unique(ids)) <= set(range(n)) and (fixed[:2] == -1).all()
    assert fixed[n - 2] == vocab.stoi["<unk>"] and fixed[n - 1] == vocab.eos_id
    assert (ids == n - 1).sum() == sum(1 for line in (pair / "a.txt").read_text().splitlines() if line.strip())


def test_the_lm_picks_the_planted_translation_among_two_equal_candidates(pair, target_lm):
    """Each source word wI has candidates vI and one wrong target, scored alike: only the target LM
    reading the source text can tell them apart (either body)."""
    lm, vocab, _ = load_frozen_lm(str(target_lm), "cpu")
    n = 40
    sw, tw = [f"w{i}" for i in range(n)], [f"v{i}" for i in range(n)]
    rng = np.random.default_rng(0)
    wrong = (np.arange(n) + rng.integers(1, n, size=n)) % n
    scores = np.zeros((n, n), dtype=np.float32)
    scores[np.arange(n), wrong] = 0.5 + 1e-4  # the wrong one first, by a hair
    scores[np.arange(n), np.arange(n)] = 0.5
    cfg = NeuralContextConfig(k=2, beta=1.0, rounds=3, max_tokens=20_000)
    rows = topk(scores, 10)
    ranked, info, share = neural_rerank(lm, vocab, str(pair / "a.txt"), str(pair / "b.txt"), sw, tw, rows,
                                        np.take_along_axis(scores, rows, axis=1), cfg, echo=lambda m: None)
    assert ranked.shape == (n, 10) and info["rounds"] == 3
    assert (ranked[:, 0] == np.arange(n)).mean() >= 0.7


@pytest.fixture(scope="module")
def right_lm(pair):
    """A right-to-left LM of the target language: the same recipe as ``lm-b``, on ``reversed:b.txt``."""
    from conftest import PAIR_LM

    from langind.lm.train import TrainConfig, train_lm

    out = pair / "lm-b-reversed"
    if not out.exists():
        train_lm(out, TrainConfig(corpus=f"reversed:{pair / 'b.txt'}", max_vocab=None, epochs=3, batch_size=16, bptt=20,
                                  lr=1e-2, threads=1, progress=False, checkpoint_every=10**6), PAIR_LM)
    return out


def test_a_right_to_left_lm_adds_the_other_side(pair, right_lm):
    """The planted pair again, read by both directions: the right-to-left LM, reading the source text
    reversed, adds its evidence, and the two together still pick the planted translations."""
    lm, vocab, _ = load_frozen_lm(str(pair / "lm-b"), "cpu")
    rlm, rvocab, _ = load_frozen_lm(str(right_lm), "cpu")
    n = 40
    sw, tw = [f"w{i}" for i in range(n)], [f"v{i}" for i in range(n)]
    wrong = (np.arange(n) + np.random.default_rng(0).integers(1, n, size=n)) % n
    scores = np.zeros((n, n), dtype=np.float32)
    scores[np.arange(n), wrong] = 0.5 + 1e-4
    scores[np.arange(n), np.arange(n)] = 0.5
    rows = topk(scores, 10)
    cfg = NeuralContextConfig(k=2, beta=1.0, rounds=3, max_tokens=20_000)
    args = (str(pair / "a.txt"), str(pair / "b.txt"), sw, tw, rows, np.take_along_axis(scores, rows, axis=1), cfg)
    ranked, info, share = neural_rerank(lm, vocab, *args, echo=lambda m: None, right=(rlm, rvocab))
    assert info["directions"] == 2 and share.shape == (n, 2)
    assert (ranked[:, 0] == np.arange(n)).mean() >= 0.7
    # the right-to-left LM alone, reading the reversed source text, picks most of them too
    alone, _, _ = neural_rerank(rlm, rvocab, f"reversed:{pair / 'a.txt'}", str(pair / "b.txt"), *args[2:],
                                echo=lambda m: None)
    assert (alone[:, 0] == np.arange(n)).mean() >= 0.65


def test_bad_settings_and_shapes_are_errors(pair):
    with pytest.raises(LangindError, match="beta"):
        NeuralContextConfig(beta=0)
    lm, vocab, _ = load_frozen_lm(str(pair / "lm-b"), "cpu")
    with pytest.raises(LangindError, match="do not match"):
        neural_rerank(lm, vocab, str(pair / "a.txt"), str(pair / "b.txt"), ["w0"], ["v0", "v1"],
                      np.zeros((2, 2), dtype=np.int64), np.zeros((2, 2)), echo=lambda m: None)


def test_reversed_positions_pair_each_word_with_its_place_in_the_reversed_sentence():
    from langind.crosslingual.neural_context import reversed_positions

    eos = 9
    ids = np.array([1, 2, 3, eos, 4, eos, eos, 5, 6, eos])  # sentences "1 2 3", "4", "", "5 6"
    m = reversed_positions(ids, eos)
    assert m.tolist() == [2, 1, 0, 3, 4, 5, 6, 8, 7, 9]
    assert (m[m] == np.arange(len(ids))).all()  # an involution
    rev = np.array([3, 2, 1, eos, 4, eos, eos, 6, 5, eos])  # the same stream, every sentence reversed
    assert (rev[m] == ids).all()
    with pytest.raises(LangindError, match="end marker"):
        reversed_positions(np.array([1, 2]), eos)


def test_a_word_the_text_never_shows_keeps_its_prior_and_shares_sum_to_one(pair):
    """Expected counts with the prior as one more occurrence: a source word absent from the text keeps
    the aligner's order and its prior as its shares; every word's shares sum to 1."""
    lm, vocab, _ = load_frozen_lm(str(pair / "lm-b"), "cpu")
    sw, tw = ["w0", "w1", "absent"], [f"v{i}" for i in range(12)]
    rows = np.tile(np.arange(10), (3, 1))
    scores = np.tile(np.linspace(0.5, 0.0, 10), (3, 1))
    cfg = NeuralContextConfig(k=3, beta=10.0, rounds=1, max_tokens=5_000)
    ranked, info, share = neural_rerank(lm, vocab, str(pair / "a.txt"), str(pair / "b.txt"), sw, tw, rows, scores,
                                        cfg, echo=lambda m: None)
    assert np.allclose(share.sum(axis=1), 1.0)
    q = np.exp(10 * scores[2, :3]) / np.exp(10 * scores[2, :3]).sum()
    assert ranked[2].tolist() == list(range(10)) and np.allclose(share[2], q)


def test_the_proposals_channel_discounts_a_target_word_every_source_word_proposes(pair, monkeypatch):
    """With the LM silent (its evidence 0 everywhere), only the channel speaks: a hub target word that
    every source word proposes first, by a hair, loses to each word's own candidate under the proposals'
    marginal Σ_f' q(e | f') p(f') — the soft one-to-one constraint the bigram HMM has too."""
    from langind.crosslingual import neural_context

    monkeypatch.setattr(neural_context, "occurrence_evidence",
                        lambda model, ids, decode, cand, *a, **k: np.zeros((len(ids), cand.shape[1]), dtype=np.float32))
    lm, vocab, _ = load_frozen_lm(str(pair / "lm-b"), "cpu")
    n = 20
    sw, tw = [f"w{i}" for i in range(n)], [f"v{i}" for i in range(n + 1)]
    rows = np.stack([np.full(n, n), np.arange(n)], axis=1)  # the hub v{n} first, each word's own second
    rows = np.concatenate([rows, np.tile(np.arange(n + 1, n + 9) % (n + 1), (n, 1))], axis=1)[:, :10]
    scores = np.tile(np.array([0.5 + 1e-3, 0.5] + [0.0] * 8), (n, 1))
    cfg = NeuralContextConfig(k=2, beta=10.0, rounds=1, max_tokens=20_000)
    args = (lm, vocab, str(pair / "a.txt"), str(pair / "b.txt"), sw, tw, rows, scores)
    ranked, _, _ = neural_rerank(*args, cfg, echo=lambda m: None)
    seen = [i for i in range(n) if f"w{i}" in (pair / "a.txt").read_text().split()]
    assert len(seen) >= n // 2 and (ranked[seen, 0] == np.array(seen)).all()
    with pytest.raises(LangindError, match="channel"):
        NeuralContextConfig(channel="marginal")
