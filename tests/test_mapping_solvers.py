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


def test_sparse_sinkhorn_equals_the_dense_one_when_every_column_is_a_candidate():
    import warnings

    from langind.mapping.solvers import sparse_log_sinkhorn

    torch.manual_seed(0)
    la = torch.randn(12, 12) * 3
    perm = torch.stack([torch.randperm(12) for _ in range(12)])  # candidates in any order per row
    sparse = sparse_log_sinkhorn(torch.gather(la, 1, perm), perm, 12, n_iter=30)
    dense = torch.gather(log_sinkhorn(la, n_iter=30), 1, perm)
    torch.testing.assert_close(sparse, dense, rtol=1e-4, atol=1e-5)
    # restricted: rows sum to one over their candidates; used columns approach n/m
    cand = torch.stack([torch.randperm(40)[:6] for _ in range(20)])
    p = sparse_log_sinkhorn(torch.randn(20, 6), cand, 40, n_iter=200).exp()
    torch.testing.assert_close(p.sum(1), torch.ones(20))
    cols = torch.zeros(40).index_add(0, cand.reshape(-1), p.reshape(-1))
    used = torch.zeros(40, dtype=torch.bool)
    used[cand.reshape(-1)] = True
    assert (cols[~used] == 0).all()
    with pytest.warns(RuntimeWarning, match="did not converge"):
        sparse_log_sinkhorn(torch.randn(20, 6) * 10, cand, 40, n_iter=1, tol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sparse_log_sinkhorn(la, torch.arange(12).repeat(12, 1), 12, n_iter=200, tol=1e-3)


def _unrolled_log_sinkhorn(la: torch.Tensor, n_iter: int) -> torch.Tensor:
    """The plain loop, differentiated by autograd (it keeps every round): the reference."""
    n, m = la.shape
    for _ in range(n_iter):
        la = la - torch.logsumexp(la, dim=0, keepdim=True) + torch.log(torch.tensor(n / m, dtype=la.dtype))
        la = la - torch.logsumexp(la, dim=1, keepdim=True)
    return la


@pytest.mark.parametrize("n,m,n_iter", [(7, 7, 1), (7, 7, 10), (9, 5, 6), (5, 9, 6)])
def test_sinkhorn_gradient_is_the_unrolled_loops_without_keeping_its_rounds(n, m, n_iter):
    torch.manual_seed(n * m + n_iter)
    la = (torch.randn(n, m, dtype=torch.float64) * 2).requires_grad_()
    before = la.detach().clone()
    out = log_sinkhorn(la, n_iter=n_iter)
    assert torch.equal(la.detach(), before)  # the input is left as it was
    ref = _unrolled_log_sinkhorn(la, n_iter)
    torch.testing.assert_close(out, ref)
    w = torch.randn(n, m, dtype=torch.float64)  # a loss that weighs every entry of P differently
    (g,) = torch.autograd.grad((out.exp() * w).sum(), la)
    (g_ref,) = torch.autograd.grad((ref.exp() * w).sum(), la)
    torch.testing.assert_close(g, g_ref)
    assert torch.autograd.gradcheck(lambda x: log_sinkhorn(x, n_iter=n_iter), (la,))
    # the forward pass under no_grad gives the same matrix
    with torch.no_grad():
        torch.testing.assert_close(log_sinkhorn(la, n_iter=n_iter), ref.detach())
