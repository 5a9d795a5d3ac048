"""Solvers of the mapping layer, as plain functions (POT style): Sinkhorn normalisation and
frequency-rank (count) matching."""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch


def _warn_unconverged(err: float, tol: float, n_iter: int) -> None:
    if err > tol:
        warnings.warn(f"Sinkhorn did not converge in {n_iter} iterations (column error {err:.2e}); "
                      "raise n_iter or the temperature", RuntimeWarning, stacklevel=3)


class _LogSinkhorn(torch.autograd.Function):
    """The rounds of :func:`log_sinkhorn`, differentiated without storing them.

    Every round subtracts a potential from the columns and one from the rows, so round ``t``'s
    matrices are the input minus the running sums of the potentials: the forward pass keeps only the
    input and 2 · ``n_iter`` potential vectors, and the backward pass rebuilds each round's matrix
    from them, in reverse. Memory is a few n × m matrices whatever ``n_iter`` (autograd through the
    plain loop keeps every round's: ~25 GB for the dense Sinkhorn head at n = m = 16,000). The
    gradient is the unrolled loop's, exactly (tested against autograd through the loop).
    """

    @staticmethod
    def forward(ctx, log_alpha: torch.Tensor, n_iter: int) -> torch.Tensor:
        n, m = log_alpha.shape
        col_target = math.log(n / m)
        x = log_alpha.detach().clone()
        cols = x.new_empty(n_iter, m)  # round t's column potential: logsumexp over rows − log(n/m)
        rows = x.new_empty(n_iter, n)  # round t's row potential
        for t in range(n_iter):
            torch.sub(torch.logsumexp(x, dim=0), col_target, out=cols[t])
            x -= cols[t]
            torch.logsumexp(x, dim=1, out=rows[t])
            x -= rows[t][:, None]
        ctx.save_for_backward(log_alpha, cols.cumsum(0), rows.cumsum(0))
        return x

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad: torch.Tensor):
        log_alpha, cols, rows = ctx.saved_tensors  # running sums of the potentials
        n, m = log_alpha.shape
        col_target = math.log(n / m)
        g = grad.clone()
        buf = torch.empty_like(log_alpha)
        for t in reversed(range(cols.shape[0])):
            # row step x_t = y_t − logsumexp_rows(y_t): dy = g − softmax_rows(y_t) · rowsum(g), softmax_rows(y_t) = exp(x_t)
            torch.sub(log_alpha, cols[t], out=buf)
            buf -= rows[t][:, None]
            buf.exp_()
            buf *= g.sum(dim=1, keepdim=True)
            g -= buf
            # column step y_t = x_{t−1} − logsumexp_cols(x_{t−1}) + log(n/m):
            # dx = dy − softmax_cols(x_{t−1}) · colsum(dy), softmax_cols(x_{t−1}) = exp(y_t − log(n/m))
            torch.sub(log_alpha, cols[t] + col_target, out=buf)
            if t:
                buf -= rows[t - 1][:, None]
            buf.exp_()
            buf *= g.sum(dim=0, keepdim=True)
            g -= buf
        return g, None


def log_sinkhorn(log_alpha: torch.Tensor, n_iter: int = 20, tol: float | None = None) -> torch.Tensor:
    """Log-domain Sinkhorn normalisation.

    Solves, for a positive matrix ``K = exp(log_alpha)``, the matrix scaling problem: find
    ``P = diag(u) K diag(v)`` with rows summing to 1 and columns summing to n/m (1 when square) —
    the limit of the Sinkhorn–Knopp iteration, which is the matrix of those marginals closest to
    ``K`` in KL divergence. Working with logs avoids the under/overflow that plain Sinkhorn hits at
    low temperature. The last step normalises rows, so rows are exact; columns are exact in the limit.
    Differentiable (the gradient of the ``n_iter`` unrolled rounds) in a few n × m matrices of memory,
    whatever ``n_iter``: the rounds are rebuilt from their potentials in the backward pass.

    Parameters
    ----------
    log_alpha : (n, m) tensor of log-scores (any real values).
    n_iter : number of (column, row) normalisation rounds.
    tol : if given, warn when the column sums still deviate from n/m by more than ``tol`` after
        ``n_iter`` rounds (the iteration did not converge).

    Returns
    -------
    (n, m) tensor ``log P``.

    References
    ----------
    Sinkhorn (1964), "A relationship between arbitrary positive matrices and doubly stochastic
    matrices"; Mena, Belanger, Linderman & Snoek (2018), "Learning Latent Permutations with
    Gumbel-Sinkhorn Networks" (ICLR), who use it as a differentiable relaxation of a permutation.
    """
    n, m = log_alpha.shape
    log_p = _LogSinkhorn.apply(log_alpha, n_iter)
    if tol is not None:
        err = float((torch.logsumexp(log_p.detach(), dim=0).exp() - n / m).abs().max())
        _warn_unconverged(err, tol, n_iter)
    return log_p


def sparse_log_sinkhorn(log_alpha: torch.Tensor, cols: torch.Tensor, n_cols: int, n_iter: int = 20,
                        tol: float | None = None) -> torch.Tensor:
    """Log-domain Sinkhorn normalisation of a matrix known only on each row's candidate columns.

    The problem of :func:`log_sinkhorn` with ``K`` zero outside the candidates: row ``i`` of the
    (n, n_cols) matrix has entries only at columns ``cols[i]``, so a step costs O(n · k), not
    O(n · n_cols) — what lets a Sinkhorn head run at vocabularies where the dense matrix does not
    fit (candidate-restricted Sinkhorn). Columns no row proposes stay empty. With ``k = n_cols`` and
    every row proposing every column it equals :func:`log_sinkhorn` (tested).

    Parameters
    ----------
    log_alpha : (n, k) log-scores of the candidates.
    cols : (n, k) long, the column of each candidate (distinct within a row).
    n_cols : m, the number of columns.
    n_iter : number of (column, row) normalisation rounds.
    tol : if given, warn when the sums of the non-empty columns still deviate from n/m by more
        than ``tol`` after ``n_iter`` rounds.

    Returns (n, k) ``log P`` at the candidates: rows sum to 1 exactly, columns to n/m in the limit.
    """
    n, k = log_alpha.shape
    col_target = math.log(n / n_cols)
    flat_cols = cols.reshape(-1)

    def col_lse(la: torch.Tensor) -> torch.Tensor:
        flat = la.reshape(-1)
        # a per-column shift for stability (no gradient needed: it cancels)
        top = torch.full((n_cols,), -torch.inf, device=la.device, dtype=la.dtype)
        top = top.scatter_reduce(0, flat_cols, flat.detach(), reduce="amax")
        top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
        total = torch.zeros(n_cols, device=la.device, dtype=la.dtype).index_add(0, flat_cols, (flat - top[flat_cols]).exp())
        return top + total.clamp_min(1e-30).log()

    for _ in range(n_iter):
        log_alpha = log_alpha - col_lse(log_alpha)[cols] + col_target
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    if tol is not None:
        used = torch.zeros(n_cols, dtype=torch.bool, device=cols.device)
        used[flat_cols] = True
        err = float((col_lse(log_alpha)[used].exp() - n / n_cols).abs().max())
        _warn_unconverged(err, tol, n_iter)
    return log_alpha


def sample_gumbel(shape, generator: torch.Generator | None = None, device=None, eps: float = 1e-20) -> torch.Tensor:
    """Standard Gumbel noise ``-log(-log U)``, U ~ Uniform(0, 1), of the given shape."""
    u = torch.rand(shape, generator=generator, device=device)
    return -torch.log(-torch.log(u + eps) + eps)


def count_matching(src_counts: torch.Tensor, tgt_counts: torch.Tensor) -> torch.Tensor:
    """Pair the i-th most frequent source word with the i-th most frequent target word.

    Parameters
    ----------
    src_counts : (n_src,) occurrence counts of the source words.
    tgt_counts : (n_tgt,) occurrence counts of the target words.

    Returns
    -------
    (n_src,) long tensor ``match`` with ``match[s]`` the target index for source index ``s`` (ties
    broken by index). Extra source words (when n_src > n_tgt) wrap onto the least frequent target.
    """
    src_order = torch.argsort(-src_counts.double() + torch.arange(len(src_counts)) * 1e-9)
    tgt_order = torch.argsort(-tgt_counts.double() + torch.arange(len(tgt_counts)) * 1e-9)
    match = torch.empty(len(src_counts), dtype=torch.long)
    idx = torch.arange(len(src_counts)).clamp(max=len(tgt_counts) - 1)
    match[src_order] = tgt_order[idx]
    return match


def word_count_match(src_counts: np.ndarray, tgt_counts: np.ndarray, n_specials: int) -> np.ndarray:
    """:func:`count_matching` over two vocabularies whose first ``n_specials`` ids are the special
    tokens (which map to themselves): the ``counts`` start of every head, and the count-only baseline.

    Parameters: src_counts (V_src,), tgt_counts (V_tgt,) integer counts. Returns (V_src,) target ids.
    """
    match = np.arange(len(src_counts))
    m = count_matching(torch.as_tensor(src_counts[n_specials:]), torch.as_tensor(tgt_counts[n_specials:]))
    match[n_specials:] = m.numpy() + n_specials
    return match
