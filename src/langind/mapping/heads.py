"""Mapping heads: learnable, relaxed assignments from source words to a frozen LM's vectors.

A head replaces the LM's input lookup (and, in ``both`` mode, its output layer). It maps each of
``n_src`` source word ids to a vector in the frozen LM's embedding space, and exposes a score matrix
``S`` (``n_src × n_tgt``, higher = more likely) that the readouts of :mod:`langind.mapping.readout` turn into
top-k lists or a hard one-to-one assignment.

Two families, one interface (:class:`MappingHead`):

* **Mixing heads** learn a matrix ``M`` (``n_src × n_tgt``) and feed ``M[s] @ W`` for source word
  ``s``, where ``W`` is the frozen embedding table:

  - ``linear`` — ``M = P`` free (the earlier exploration's head, reproduced with its penalty
    ``Σ_cols|1-Σ|P|| + Σ_rows|1-Σ|P||`` mixed into the loss with weight ``s``);
  - ``softmax`` — ``M = softmax(L/τ)`` per row;
  - ``sinkhorn`` — ``M = exp(Sinkhorn(L/τ))``, rows *and* columns normalised in the log domain
    (Adams & Zemel 2011; Mena et al. 2018, "Learning Latent Permutations with Gumbel-Sinkhorn
    Networks");
  - ``gumbel-sinkhorn`` — the same with Gumbel noise added to ``L`` while training (Mena et al. 2018).

  Every mixing head takes ``penalty="l1-l2"``: AutoShuffleNet's exact penalty (Lyu, Zhang, Qi & Xin,
  "AutoShuffleNet", KDD 2020, arXiv 1901.08624), the difference of the L1 and L2 norms of every row
  and column, zero exactly on permutation matrices among the (doubly) stochastic ones; for the free
  linear head it is added to the sum penalty above, so that zero again means a (signed) permutation.

* **Sparse Sinkhorn head** (``sinkhorn-sparse``): the Sinkhorn head with each row restricted to its
  ``k`` best candidate columns — at the start the ``k`` target words nearest in frequency rank to the
  count match, refreshed during training from the current vectors' nearest words — normalised by
  :func:`langind.mapping.solvers.sparse_log_sinkhorn` in O(V·k) per step instead of O(V²).

  ``linear`` and ``softmax`` compute only the rows of words in the batch (``|batch| × n_tgt × E``
  work per step, linear in V). Sinkhorn must normalise the full ``V × V`` matrix every step, so its
  step time grows with V² — that is its honest cost, measured by ``benchmarks/head_scaling.py``.

* **Low-rank Sinkhorn head** (``sinkhorn-lowrank``): the sparse Sinkhorn head whose logits are
  not free but ``L_ij = cos(x_i, W_j)`` of a learned vector per source word (the vector head's
  parameters, rank ≤ E), at each row's ``k`` nearest target words; a step moves a whole row.

* **Vector head** (``vector``) learns a free vector ``X[s]`` per source word (``V × E`` parameters
  instead of ``V × V``) and feeds it to the frozen body directly; the mapping is read out by cosine
  similarity of ``X`` against ``W``. Per step it touches only the batch's rows (input) and the
  ``V × E`` table (output), so its cost is linear in V.

* **Embedding-map head** (:class:`EmbeddingMapHead`, the cross-lingual ``swap``) feeds a source
  LM's own table through a learned E×E map.

Initialisations: ``random``, ``uniform`` (every word starts at the same mixture / the mean vector)
and ``counts`` (word ``s`` starts at the LM word with the same frequency rank — a legitimate
unsupervised signal, always reported beside the count-only accuracy).
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.errors import LangindError, check_choice
# every head is importable from here: its family's module holds its code
from langind.mapping.candidate_heads import (  # noqa: F401
    LowRankSinkhornHead,
    SparseSinkhornHead,
    nearest_rows,
    start_vectors,
    table_gap,
)
from langind.mapping.head_base import (  # noqa: F401
    EARLIER_PENALTY_WEIGHT,
    HEAD_PENALTIES,
    HEADS,
    INITS,
    PENALTIES,
    MappingHead,
    MixingHead,
    _Tempered,
    anneal,
    l1_l2_penalty,
    sum_penalty,
)
from langind.mapping.solvers import log_sinkhorn
from langind.mapping.vector_heads import EmbeddingMapHead, VectorHead  # noqa: F401

_PENALTY = {"penalty", "penalty_weight"}
# the options a user may set per head (``induce self --temperature/--penalty/--penalty-weight/--sparse-k/--row-update``)
HEAD_OPTIONS = {"linear": _PENALTY | {"row_update"}, "softmax": _PENALTY | {"temperature"}, "sinkhorn": _PENALTY,
                "gumbel-sinkhorn": _PENALTY, "sinkhorn-sparse": _PENALTY | {"k"},
                "sinkhorn-lowrank": _PENALTY | {"k"}, "vector": set()}


class LinearHead(MixingHead):
    """``M = P``, a free matrix: the earlier exploration's head, reproduced as the reference.

    Problem: ``min_P (1−s)·CE(LM(P W)) + s·(Σ_j |1 − Σ_i |P_ij|| + Σ_i |1 − Σ_j |P_ij||)``, a soft
    push towards a (signed) permutation; s = ``penalty_weight`` = 5/2000 as in the original. With
    ``penalty="l1-l2"`` AutoShuffleNet's :func:`l1_l2_penalty` is added to it.

    With ``row_update`` (``input`` mode), a step changes only the rows of the batch's words: their
    gradient is sparse, SparseAdam updates only them (lazy Adam), and the penalty is evaluated as a
    function of those rows with the column sums of all the others kept in buffers — its gradient on
    the batch's rows is exact, and the step costs O(|batch| · V) instead of a dense V×V update.

    Parameters: those of :class:`MappingHead`; ``penalty_weight`` the s above; ``penalty`` ``sum``
    (the original's) or ``l1-l2``; ``row_update``. ``random`` init is
    kaiming-normal (the original's), ``uniform`` is 1/n_tgt everywhere, ``counts`` one-hot at the
    frequency-rank match. Learned: ``logits`` = P (n_src, n_tgt). Scores: P itself.
    """

    name = "linear"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 penalty_weight: float = EARLIER_PENALTY_WEIGHT, penalty: str = "sum", row_update: bool = False):
        super().__init__(table, out_bias, n_src, init, match, normalize, init_scale=1.0, penalty=penalty,
                         penalty_weight=penalty_weight)
        with torch.no_grad():
            if init == "random":
                nn.init.kaiming_normal_(self.logits)
            elif init == "uniform":
                self.logits.fill_(1.0 / self.n_tgt)
        # row_update: each step changes only the batch's rows (sparse gradients, SparseAdam); the column
        # sums the penalty needs are kept up to date in these buffers instead of recomputed from V² entries
        self.row_update = row_update
        a = self.logits.detach().abs()
        self.register_buffer("col_abs", a.sum(dim=0).double())
        self.register_buffer("col_sq", a.pow(2).sum(dim=0).double())
        self._rows: torch.Tensor | None = None
        self._old: tuple[torch.Tensor, torch.Tensor] | None = None

    def mix(self, rows=None):
        if rows is None:
            return self.logits
        if self.row_update and self.training:
            self._rows = rows
            return F.embedding(rows, self.logits, sparse=True)
        return self.logits[rows]

    def penalty(self):
        if not (self.row_update and self.training and self._rows is not None):
            p = sum_penalty(self.logits)
            return p + l1_l2_penalty(self.logits) if self.penalty_name == "l1-l2" else p
        # the penalty as a function of the batch's rows, every other row held where it is: its gradient
        # on those rows is the full penalty's, at O(|batch| · V) instead of O(V²)
        a = F.embedding(self._rows, self.logits, sparse=True).abs()
        old_abs, old_sq = a.detach().sum(dim=0), a.detach().pow(2).sum(dim=0)
        self._old = (old_abs, old_sq)
        col_abs = self.col_abs.float() - old_abs + a.sum(dim=0)
        p = (1 - a.sum(dim=1)).abs().sum() + (1 - col_abs).abs().sum()
        if self.penalty_name == "l1-l2":
            col_sq = (self.col_sq.float() - old_sq + a.pow(2).sum(dim=0)).clamp_min(1e-30)
            p = p + (a.sum(dim=1) - a.norm(dim=1)).sum() + (col_abs - col_sq.sqrt()).sum()
        return p

    def end_step(self, opt=None) -> None:
        if self.row_update and self._rows is not None and self._old is not None:
            with torch.no_grad():  # the batch's rows moved: bring the column sums with them
                a = self.logits[self._rows].abs()
                self.col_abs += (a.sum(dim=0) - self._old[0]).double()
                self.col_sq += (a.pow(2).sum(dim=0) - self._old[1]).double()
        self._rows, self._old = None, None


class SoftmaxHead(MixingHead):
    """``M = softmax(L/τ)`` row-wise: each source word is a distribution over target words.

    Problem: ``min_L CE(LM(softmax(L/τ) W))``. Parameters: those of :class:`MappingHead`;
    ``temperature`` τ. Learned: ``logits`` L (n_src, n_tgt). Scores: ``softmax(L/τ)``.
    """

    name = "softmax"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 temperature: float = 1.0, **penalty):
        super().__init__(table, out_bias, n_src, init, match, normalize, **penalty)
        self.temperature = temperature

    def mix(self, rows=None):
        lg = self.logits if rows is None else self.logits[rows]
        return torch.softmax(lg / self.temperature, dim=1)


class SinkhornHead(_Tempered, MixingHead):
    """``M = exp(Sinkhorn((L + g)/τ))``: a relaxed permutation (doubly stochastic when square).

    Problem: ``min_L CE(LM(M W))`` over the Birkhoff polytope's interior, with
    :func:`langind.mapping.solvers.log_sinkhorn` as the differentiable projection. ``g`` is Gumbel
    noise (scaled by ``noise``) during training in the Gumbel-Sinkhorn variant and 0 otherwise; τ
    is annealed geometrically from ``tau_start`` to ``tau_end`` over the run. The full matrix is
    normalised once per step (shared by input and output), so a step costs O(n_src · n_tgt · n_iter).

    Parameters: those of :class:`MappingHead`; ``tau_start``, ``tau_end``, ``n_iter`` (Sinkhorn
    rounds), ``noise``. Learned: ``logits`` L (n_src, n_tgt). Scores: ``log M`` at the final τ, noise-free.

    Reference: Mena, Belanger, Linderman & Snoek (2018), "Learning Latent Permutations with
    Gumbel-Sinkhorn Networks" (ICLR).
    """

    name = "sinkhorn"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 tau_start: float = 1.0, tau_end: float = 0.05, n_iter: int = 10, noise: float = 0.0, **penalty):
        super().__init__(table, out_bias, n_src, init, match, normalize, **penalty)
        self.tau_start, self.tau_end, self.n_iter, self.noise = tau_start, tau_end, n_iter, noise
        self._cache: torch.Tensor | None = None

    def full(self) -> torch.Tensor:
        return log_sinkhorn(self.noisy_logits() / self.tau, self.n_iter).exp()

    def begin_step(self) -> None:
        """Normalise once per optimisation step; input and output reuse the same matrix."""
        self._cache = self.full()

    def end_step(self, opt=None) -> None:
        self._cache = None

    def mix(self, rows=None):
        m = self._cache if self._cache is not None else self.full()
        return m if rows is None else m[rows]

    @torch.no_grad()
    def scores(self):
        # noise-free, at the final temperature: what the head has converged to
        was = self.training
        self.eval()
        s = log_sinkhorn(self.logits / self.tau, self.n_iter)
        self.train(was)
        return s


class GumbelSinkhornHead(SinkhornHead):
    """:class:`SinkhornHead` with Gumbel noise (``noise=1``) while training (Mena et al. 2018)."""

    name = "gumbel-sinkhorn"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False, **kw):
        kw.setdefault("noise", 1.0)
        super().__init__(table, out_bias, n_src, init, match, normalize, **kw)


def check_head_options(name: str, options: dict, internal: bool = False) -> None:
    """One-line errors for an unknown head or an option the head does not take (:data:`HEAD_OPTIONS`;
    ``internal`` also allows the schedule settings code may pass)."""
    check_choice("head", name, HEADS)
    allowed = HEAD_OPTIONS[name] | ({"tau_start", "tau_end", "n_iter", "noise", "refresh_every", "init_scale"}
                                    if internal and name not in ("linear", "softmax", "vector") else set())
    wrong = sorted(set(options) - allowed)
    if wrong:
        raise LangindError(f"the {name} head takes no option {', '.join(wrong)} "
                           f"(it takes: {', '.join(sorted(HEAD_OPTIONS[name])) or 'none'})")
    if options.get("penalty") is not None:
        check_choice(f"penalty of the {name} head", options["penalty"], HEAD_PENALTIES.get(name, PENALTIES))


def make_head(name: str, table: torch.Tensor, out_bias: torch.Tensor, n_src: int, init: str = "random",
              match: torch.Tensor | None = None, normalize: bool = False, **kw) -> MappingHead:
    """Build a head by name; see the module docstring for what each one learns. ``kw``: the head's
    options (:data:`HEAD_OPTIONS`; an option another head takes is a one-line error)."""
    check_head_options(name, kw, internal=True)
    classes = {"linear": LinearHead, "softmax": SoftmaxHead, "sinkhorn": SinkhornHead,
               "gumbel-sinkhorn": GumbelSinkhornHead, "sinkhorn-sparse": SparseSinkhornHead,
               "sinkhorn-lowrank": LowRankSinkhornHead, "vector": VectorHead}
    return classes[name](table, out_bias, n_src, init=init, match=match, normalize=normalize, **kw)
