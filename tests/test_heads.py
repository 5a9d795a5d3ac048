"""Mapping heads, Sinkhorn, readouts, and an end-to-end recovery on a synthetic language."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from langind.errors import LangindError
from langind.lm.model import LMConfig, WordLM
from langind.mapping import readout
from langind.mapping.fit import head_loss
from langind.mapping.heads import (
    HEADS,
    INITS,
    count_matching,
    log_sinkhorn,
    make_head,
    normalize_embeddings,
)


@pytest.mark.parametrize("n,m", [(6, 6), (40, 40), (12, 8)])
def test_sinkhorn_rows_and_columns_sum_to_one(n, m):
    torch.manual_seed(0)
    p = log_sinkhorn(torch.randn(n, m) * 3, n_iter=200).exp()
    torch.testing.assert_close(p.sum(1), torch.ones(n), atol=1e-5, rtol=0)
    torch.testing.assert_close(p.sum(0), torch.full((m,), n / m), atol=1e-4, rtol=0)


def test_sinkhorn_low_temperature_approaches_a_permutation():
    torch.manual_seed(0)
    perm = torch.randperm(20)
    logits = torch.randn(20, 20) * 0.1
    logits[torch.arange(20), perm] += 1.0
    p = log_sinkhorn(logits / 0.01, n_iter=50).exp()
    assert torch.equal(p.argmax(1), perm) and p.max(1).values.min() > 0.99


def test_assignment_recovers_planted_permutation_from_noisy_scores():
    rng = np.random.default_rng(0)
    n = 300
    perm = rng.permutation(n)
    scores = rng.normal(size=(n, n))
    scores[np.arange(n), perm] += 5.0  # true pairs 5 sigma above the rest: argmax still errs
    greedy = readout.argmax(scores)
    exact = readout.assignment(scores)
    assert (exact == perm).mean() == 1.0
    assert (greedy == perm).mean() < 1.0  # the one-to-one constraint is what fixes the rest


def test_assignment_rectangular_and_restricted():
    s = np.array([[1.0, 0.0, 0.2], [0.9, 0.8, 0.0]])
    assert list(readout.assignment(s)) == [0, 1]
    assert list(readout.assignment(s, rows=np.array([1]), cols=np.array([0, 2]))) == [-1, 0]
    assert list(readout.topk(s, 2)[0]) == [0, 2]


def test_count_matching_pairs_frequency_ranks():
    src = torch.tensor([5, 50, 1, 20])
    tgt = torch.tensor([100, 40, 30, 2])
    assert count_matching(src, tgt).tolist() == [2, 0, 3, 1]


def test_normalize_embeddings_is_centred_and_unit_length():
    w = normalize_embeddings(torch.randn(50, 8) + 3)
    torch.testing.assert_close(w.norm(dim=1), torch.ones(50))
    assert w.mean(0).abs().max() < 0.2


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("mode", ["input", "both"])
def test_every_head_runs_forward_and_backward(head, mode):
    torch.manual_seed(0)
    lm = WordLM(LMConfig(vocab_size=30, emb_dim=8, hidden_dim=16)).freeze()
    match = torch.randperm(30)
    for init in INITS:
        h = make_head(head, lm.input_table, lm.out_bias, 30, init=init, match=match)
        x = torch.randint(0, 30, (4, 7))
        loss, _ = head_loss(lm, h, x, x, mode)
        loss = loss + h.penalty()
        loss.backward()
        grads = [p.grad for p in h.parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)
        assert all(p.grad is None for p in lm.parameters())
        assert h.scores().shape == (30, 30)


def test_mixing_heads_compute_only_batch_rows():
    lm = WordLM(LMConfig(vocab_size=30, emb_dim=8, hidden_dim=16)).freeze()
    h = make_head("softmax", lm.input_table, lm.out_bias, 30)
    x = torch.tensor([[3, 3, 7]])
    h.vectors(x).sum().backward()
    touched = (h.logits.grad.abs().sum(1) > 0).nonzero().flatten().tolist()
    assert touched == [3, 7]


def test_unknown_head_and_init():
    lm = WordLM(LMConfig(vocab_size=10, emb_dim=4, hidden_dim=8))
    with pytest.raises(LangindError, match="unknown head"):
        make_head("nope", lm.input_table, lm.out_bias, 10)
    with pytest.raises(LangindError, match="unknown init"):
        make_head("vector", lm.input_table, lm.out_bias, 10, init="zeros")
