"""langind.mapping.solvers: Sinkhorn and count matching."""

from __future__ import annotations

import pytest
import torch

from langind.mapping.solvers import count_matching, log_sinkhorn


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


def test_count_matching_pairs_frequency_ranks():
    src = torch.tensor([5, 50, 1, 20])
    tgt = torch.tensor([100, 40, 30, 2])
    assert count_matching(src, tgt).tolist() == [2, 0, 3, 1]
