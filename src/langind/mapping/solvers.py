"""Solvers of the mapping layer, as plain functions (POT style): Sinkhorn normalisation and
frequency-rank (count) matching."""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch


def log_sinkhorn(log_alpha: torch.Tensor, n_iter: int = 20, tol: float | None = None) -> torch.Tensor:
    """Log-domain Sinkhorn normalisation.

    Solves, for a positive matrix ``K = exp(log_alpha)``, the matrix scaling problem: find
    ``P = diag(u) K diag(v)`` with rows summing to 1 and columns summing to n/m (1 when square) —
    the limit of the Sinkhorn–Knopp iteration, which is the matrix of those marginals closest to
    ``K`` in KL divergence. Working with logs avoids the under/overflow that plain Sinkhorn hits at
    low temperature. The last step normalises rows, so rows are exact; columns are exact in the limit.

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
    col_target = math.log(n / m)
    for _ in range(n_iter):
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=0, keepdim=True) + col_target
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    if tol is not None:
        err = float((torch.logsumexp(log_alpha, dim=0).exp() - n / m).abs().max())
        if err > tol:
            warnings.warn(f"Sinkhorn did not converge in {n_iter} iterations (column error {err:.2e}); "
                          "raise n_iter or the temperature", RuntimeWarning, stacklevel=2)
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
