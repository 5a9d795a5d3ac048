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
from langind.mapping.solvers import log_sinkhorn, sample_gumbel, sparse_log_sinkhorn
from langind.similarity import normalize as normalize_rows
from langind.similarity import unit_rows

HEADS = ("linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "sinkhorn-sparse", "sinkhorn-lowrank", "vector")
INITS = ("random", "uniform", "counts")
PENALTIES = ("sum", "l1-l2")
# the penalties each head takes where it is not every one (the sparse head has no dense column sums to pin to 1)
HEAD_PENALTIES = {"sinkhorn-sparse": ("l1-l2",), "sinkhorn-lowrank": ("l1-l2",)}
_PENALTY = {"penalty", "penalty_weight"}
# the options a user may set per head (``induce self --temperature/--penalty/--penalty-weight/--sparse-k/--row-update``)
HEAD_OPTIONS = {"linear": _PENALTY | {"row_update"}, "softmax": _PENALTY | {"temperature"}, "sinkhorn": _PENALTY,
                "gumbel-sinkhorn": _PENALTY, "sinkhorn-sparse": _PENALTY | {"k"},
                "sinkhorn-lowrank": _PENALTY | {"k"}, "vector": set()}
EARLIER_PENALTY_WEIGHT = 5 / 2000  # the earlier exploration's s


def sum_penalty(p: torch.Tensor) -> torch.Tensor:
    """The earlier exploration's row/column penalty ``Σ_j |1 − Σ_i |P_ij|| + Σ_i |1 − Σ_j |P_ij||`` of
    ``p`` (n, m): zero when every row and column of ``|P|`` sums to 1."""
    a = p.abs()
    return (1 - a.sum(dim=0)).abs().sum() + (1 - a.sum(dim=1)).abs().sum()


def l1_l2_penalty(p: torch.Tensor) -> torch.Tensor:
    """AutoShuffleNet's exact penalty of ``p`` (n, m): ``Σ_i (‖P_i·‖₁ − ‖P_i·‖₂) + Σ_j (‖P_·j‖₁ − ‖P_·j‖₂)``.

    Non-negative, Lipschitz, zero exactly when every row and column has at most one non-zero; on
    doubly stochastic matrices, zero exactly on the permutations (Lyu, Zhang, Qi & Xin 2020,
    "AutoShuffleNet: Learning Permutation Matrices via an Exact Lipschitz Continuous Penalty in Deep
    Convolutional Neural Networks", KDD; arXiv 1901.08624)."""
    a = p.abs()
    return (a.sum(dim=1) - a.norm(dim=1)).sum() + (a.sum(dim=0) - a.norm(dim=0)).sum()


def anneal(progress: float, start: float, end: float) -> float:
    """Geometric schedule from ``start`` (progress 0) to ``end`` (progress 1)."""
    p = min(max(progress, 0.0), 1.0)
    return start * (end / start) ** p


# -- heads ------------------------------------------------------------------------------------------
class MappingHead(nn.Module):
    """Maps source word ids to vectors in a frozen LM's embedding space.

    Parameters (shared by every head)
    ----------
    table : (n_tgt, E) the frozen LM's input table ``W``.
    out_bias : (n_tgt,) the frozen LM's output bias.
    n_src : number of source words.
    init : ``random`` | ``uniform`` | ``counts``.
    match : (n_src,) long, for ``counts`` init: ``match[s]`` = target id to start source word ``s`` at.
    normalize : use the unit/centre/unit table (:func:`langind.similarity.normalize`), rescaled to
        the table's mean norm.

    Interface: ``vectors(ids)`` (…, E) input vectors; ``out_table()`` (n_src, E) and ``out_bias()``
    (n_src,) the output layer in ``both`` mode; ``penalty()`` a scalar added to the loss;
    ``scores()`` (n_src, n_tgt) association scores for the readouts, higher = better.
    """

    name = "base"
    mixes = True  # the mapping is a matrix over target words

    def __init__(self, table: torch.Tensor, out_bias: torch.Tensor, n_src: int, init: str = "random",
                 match: torch.Tensor | None = None, normalize: bool = False):
        super().__init__()
        check_choice("init", init, INITS)
        if init == "counts" and match is None:
            raise LangindError("counts initialisation needs source word counts")
        self.n_src, self.n_tgt = n_src, table.shape[0]
        self.init_name = init
        table = table.detach()
        if normalize:
            # keep the LM's scale: the body was trained on vectors of this average norm
            table = normalize_rows(table) * table.norm(dim=1).mean()
        self.register_buffer("table", table)
        self.register_buffer("tgt_bias", out_bias.detach().clone())
        self.progress = 0.0

    # the three things the LM needs
    def vectors(self, src_ids: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def out_table(self) -> torch.Tensor:
        """Vectors of every source word (n_src × E), the output layer in ``both`` mode."""
        return self.vectors(torch.arange(self.n_src, device=self.table.device))

    def out_bias(self) -> torch.Tensor:
        raise NotImplementedError

    # the loss is (1 − s)·CE + s·penalty() with s = penalty_weight (0: no penalty)
    penalty_name: str | None = None
    penalty_weight = 0.0

    def set_penalty(self, penalty: str | None, weight: float | None) -> None:
        """Choose the head's penalty (None: none) and its weight s (default: the earlier exploration's)."""
        if penalty is not None:
            check_choice(f"penalty of the {self.name} head", penalty, HEAD_PENALTIES.get(self.name, PENALTIES))
        self.penalty_name = penalty
        self.penalty_weight = 0.0 if penalty is None else (EARLIER_PENALTY_WEIGHT if weight is None else weight)

    def penalty(self) -> torch.Tensor:
        return self.table.new_zeros(())

    def begin_step(self) -> None:
        """Called before each optimisation step (heads that normalise once per step do it here)."""

    def end_step(self, opt: torch.optim.Optimizer | None = None) -> None:
        """Called after each optimisation step, with the optimiser (heads that change their
        parameters' meaning, e.g. refreshed candidates, reset its state there)."""

    @torch.no_grad()
    def scores(self) -> torch.Tensor:
        """Association scores (n_src × n_tgt), higher = more likely the same word."""
        raise NotImplementedError

    @torch.no_grad()
    def context_prior(self) -> torch.Tensor:
        """The scores the context stage turns into the head's log-probabilities
        (:func:`langind.mapping.context.refine_in_context`, at ``ContextConfig.head_temperature``,
        which was set on the vector head's cosines): :meth:`scores` unless a head's scores are on
        another scale."""
        return self.scores()

    def set_progress(self, progress: float) -> None:
        """Called by the training loop with progress in [0, 1] (for annealed temperatures)."""
        self.progress = progress


class MixingHead(MappingHead):
    """Base of heads that learn an ``n_src × n_tgt`` mixing matrix over the frozen table."""

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 init_scale: float = 10.0, penalty: str | None = None, penalty_weight: float | None = None):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        self.set_penalty(penalty, penalty_weight)
        shape = (n_src, self.n_tgt)
        if init == "random":
            logits = torch.randn(shape)
        elif init == "uniform":
            logits = torch.zeros(shape)
        else:
            logits = torch.zeros(shape)
            logits[torch.arange(n_src), match] = init_scale
        self.logits = nn.Parameter(logits)

    def mix(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        """Rows of the mixing matrix (all rows when ``rows`` is None)."""
        raise NotImplementedError

    def vectors(self, src_ids):
        flat = src_ids.reshape(-1)
        uniq, inverse = torch.unique(flat, return_inverse=True)
        vec = self.mix(uniq) @ self.table  # only the rows of words present in the batch
        return vec[inverse].reshape(*src_ids.shape, -1)

    def out_table(self):
        return self.mix() @ self.table

    def out_bias(self):
        return self.mix() @ self.tgt_bias

    @torch.no_grad()
    def scores(self):
        return self.mix().detach()

    def penalty(self):
        if self.penalty_name is None:
            return self.table.new_zeros(())
        return (sum_penalty if self.penalty_name == "sum" else l1_l2_penalty)(self.mix())


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


class _Tempered:
    """The Sinkhorn heads' schedule: τ annealed geometrically from ``tau_start`` to ``tau_end`` over the
    run, Gumbel noise (scaled by ``noise``) on the logits while training."""

    @property
    def tau(self) -> float:
        return anneal(self.progress, self.tau_start, self.tau_end)

    def noisy_logits(self, lg: torch.Tensor | None = None) -> torch.Tensor:
        lg = self.logits if lg is None else lg
        if self.training and self.noise > 0:
            lg = lg + self.noise * sample_gumbel(lg.shape, device=lg.device)
        return lg


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


class _CandidateSinkhorn(_Tempered, MappingHead):
    """Base of the Sinkhorn heads whose rows live on ``k`` candidate target words (``cand`` (n_src, k)).

    What they share: ``M = exp(Sinkhorn((L + g)/τ))`` at the candidates only, normalised by
    :func:`langind.mapping.solvers.sparse_log_sinkhorn` (O(n_src · k) per round, nothing V×V
    stored); input vectors and output table as weighted bags of the candidates' rows
    (``F.embedding_bag``); AutoShuffleNet's L1−L2 penalty on the sparse matrix; a candidate refresh
    every ``refresh_every`` steps. Subclasses say where the candidate logits ``L`` come from
    (:meth:`candidate_logits`) and how candidates are refreshed (:meth:`refresh`)."""

    def _candidate_count(self, k: int) -> int:
        """``k`` capped at the number of target words (``k = n_tgt`` is the dense head); at least 1."""
        if k < 1:
            raise LangindError(f"{self.name} needs k >= 1, got {k}")
        self.k = min(k, self.n_tgt)
        return self.k

    def _setup_candidates(self, cand: torch.Tensor, tau_start: float, tau_end: float, n_iter: int, noise: float,
                          refresh_every: int, penalty: str | None, penalty_weight: float | None) -> None:
        self.set_penalty(penalty, penalty_weight)
        self.tau_start, self.tau_end, self.n_iter, self.noise = tau_start, tau_end, n_iter, noise
        self.refresh_every, self.steps = refresh_every, 0
        self.register_buffer("cand", cand)
        self._cache: torch.Tensor | None = None

    def candidate_logits(self) -> torch.Tensor:
        """L at the candidates (n_src, k), before noise and temperature."""
        raise NotImplementedError

    def refresh(self, opt: torch.optim.Optimizer | None = None) -> int:
        """Move candidates; returns how many changed."""
        raise NotImplementedError

    def log_mix(self) -> torch.Tensor:
        """log M at the candidates (n_src, k)."""
        return sparse_log_sinkhorn(self.noisy_logits(self.candidate_logits()) / self.tau, self.cand, self.n_tgt,
                                   self.n_iter)

    def begin_step(self) -> None:
        self._cache = self.log_mix().exp()

    def mix_rows(self, rows: torch.Tensor | None = None) -> torch.Tensor:
        m = self._cache if self._cache is not None else self.log_mix().exp()
        return m if rows is None else m[rows]

    def vectors(self, src_ids):
        flat = src_ids.reshape(-1)
        uniq, inverse = torch.unique(flat, return_inverse=True)
        vec = F.embedding_bag(self.cand[uniq], self.table, per_sample_weights=self.mix_rows(uniq), mode="sum")
        return vec[inverse].reshape(*src_ids.shape, -1)

    def out_table(self):
        return F.embedding_bag(self.cand, self.table, per_sample_weights=self.mix_rows(), mode="sum")

    def out_bias(self):
        return (self.mix_rows() * self.tgt_bias[self.cand]).sum(dim=1)

    def penalty(self):
        if self.penalty_name is None:
            return self.table.new_zeros(())
        m = self.mix_rows()
        flat = self.cand.reshape(-1)
        col_l1 = torch.zeros(self.n_tgt, device=m.device).index_add(0, flat, m.reshape(-1))
        col_sq = torch.zeros(self.n_tgt, device=m.device).index_add(0, flat, m.reshape(-1) ** 2)
        return (m.sum(dim=1) - m.norm(dim=1)).sum() + (col_l1 - col_sq.clamp_min(1e-30).sqrt()).sum()

    def end_step(self, opt=None) -> None:
        self._cache = None
        self.steps += 1
        if self.refresh_every and self.steps % self.refresh_every == 0 and self.k < self.n_tgt:
            self.refresh(opt)

    @torch.no_grad()
    def scores(self):
        was = self.training
        self.eval()
        lm = sparse_log_sinkhorn(self.candidate_logits() / self.tau, self.cand, self.n_tgt, self.n_iter)
        self.train(was)
        out = torch.full((self.n_src, self.n_tgt), float(lm.min()) - 1e3, device=lm.device)
        return out.scatter_(1, self.cand, lm)


class SparseSinkhornHead(_CandidateSinkhorn):
    """The Sinkhorn head with each source word restricted to ``k`` candidate target words.

    Problem: that of :class:`SinkhornHead`, ``min_L CE(LM(M W))`` with ``M = exp(Sinkhorn((L + g)/τ))``,
    over matrices that are zero outside each row's candidates (``cand`` (n_src, k)), normalised by
    :func:`langind.mapping.solvers.sparse_log_sinkhorn`: a step costs O(n_src · k · (n_iter + E))
    instead of O(n_src · n_tgt · n_iter), and nothing V×V is stored. The input vectors and the output
    table are ``M W`` computed as weighted bags of the candidates' rows (``F.embedding_bag``).

    Candidates start at the ``k`` target words nearest in frequency rank to the count match (langind
    vocabularies are frequency-ordered; with ``random``/``uniform`` init, nearest to the word's own
    rank), and every ``refresh_every`` steps each row keeps its ``k // 2`` heaviest candidates and
    takes the rest from the target words nearest (cosine) to its current vector; replaced entries
    start at the row's lowest logit with fresh optimiser state. ``k = n_tgt`` is the dense head.

    Parameters: those of :class:`MappingHead`; ``k``; ``tau_start``, ``tau_end``, ``n_iter``, ``noise``
    as :class:`SinkhornHead`; ``refresh_every`` (steps; 0 never); ``penalty`` (None or ``l1-l2``) and
    ``penalty_weight``. Learned: ``logits`` (n_src, k). Scores: ``log M`` at the candidates, far
    below every candidate elsewhere.
    """

    name = "sinkhorn-sparse"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False, k: int = 64,
                 tau_start: float = 1.0, tau_end: float = 0.05, n_iter: int = 10, noise: float = 0.0,
                 refresh_every: int = 200, penalty: str | None = None, penalty_weight: float | None = None,
                 init_scale: float = 10.0):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        k = self._candidate_count(k)
        centre = torch.as_tensor(match) if match is not None else torch.arange(n_src).clamp(max=self.n_tgt - 1)
        start = (centre - k // 2).clamp(0, self.n_tgt - k)
        cand = start[:, None] + torch.arange(k)[None, :]
        self._setup_candidates(cand, tau_start, tau_end, n_iter, noise, refresh_every, penalty, penalty_weight)
        if init == "random":
            logits = torch.randn(n_src, k)
        else:
            logits = torch.zeros(n_src, k)
            if init == "counts":
                logits[cand == centre[:, None]] = init_scale
        self.logits = nn.Parameter(logits)

    def candidate_logits(self) -> torch.Tensor:
        return self.logits

    @torch.no_grad()
    def refresh(self, opt: torch.optim.Optimizer | None = None, block: int = 4096) -> int:
        """Keep each row's ``k // 2`` heaviest candidates; fill the rest with the target words nearest
        to the row's current vector that are not already candidates. Returns how many changed."""
        keep = self.k // 2
        order = torch.argsort(self.logits, dim=1, descending=True)
        kept = torch.gather(self.cand, 1, order[:, :keep])
        vec = unit_rows(self.out_table())
        tab = unit_rows(self.table)
        new_cand, new_logits = self.cand.clone(), self.logits.detach().clone()
        changed = torch.zeros_like(self.cand, dtype=torch.bool)
        for i in range(0, self.n_src, block):
            rows = slice(i, min(i + block, self.n_src))
            sims = vec[rows] @ tab.T
            sims.scatter_(1, kept[rows], -torch.inf)  # not twice
            near = torch.topk(sims, self.k - keep, dim=1).indices
            cand = torch.cat([kept[rows], near], dim=1)
            old = self.cand[rows]
            same = (cand[:, :, None] == old[:, None, :])  # (b, k, k): where each new column was before
            was = torch.where(same.any(dim=2), same.float().argmax(dim=2), -1)
            lg = self.logits[rows]
            floor = lg.min(dim=1, keepdim=True).values.expand(-1, self.k)
            new_logits[rows] = torch.where(was >= 0, torch.gather(lg, 1, was.clamp_min(0)), floor)
            new_cand[rows] = cand
            changed[rows] = was < 0
        self.cand.copy_(new_cand)
        self.logits.copy_(new_logits)
        state = opt.state.get(self.logits) if opt is not None else None
        if state:  # the optimiser's moments of replaced entries are for other words
            for key in ("exp_avg", "exp_avg_sq"):
                if key in state:
                    state[key][changed] = 0.0
        return int(changed.sum())


def nearest_rows(x: torch.Tensor, table: torch.Tensor, k: int, block: int = 4096) -> torch.Tensor:
    """The ``k`` rows of ``table`` (m, E) nearest (cosine) to each row of ``x`` (n, E), best first,
    computed a block of ``x`` at a time so that no (n, m) matrix is held: (n, k) long."""
    tab = unit_rows(table)
    out = [torch.topk(unit_rows(x[i:i + block]) @ tab.T, k, dim=1).indices for i in range(0, len(x), block)]
    return torch.cat(out) if out else torch.empty(0, k, dtype=torch.long, device=x.device)


def start_vectors(table: torch.Tensor, n_src: int, init: str, match: torch.Tensor | None) -> torch.Tensor:
    """Where a head with a free vector per source word starts (n_src, E): ``random`` draws each from
    the table's per-dimension mean and std, ``uniform`` puts every word at the mean vector (plus a
    1e-3 jitter that breaks ties), ``counts`` at its frequency-rank match's row."""
    if init == "random":
        return torch.randn(n_src, table.shape[1]) * table.std(dim=0, keepdim=True) + table.mean(dim=0, keepdim=True)
    if init == "uniform":
        return table.mean(dim=0, keepdim=True).repeat(n_src, 1) + 1e-3 * torch.randn(n_src, table.shape[1])
    return table[match].clone()


def table_gap(unit_table: torch.Tensor, block: int = 4096) -> float:
    """Median over the rows of a unit-row table (m, E) of 1 − the cosine with the nearest other row
    (a block at a time); floored at 1e-3 so that a table of duplicates still gives a usable scale."""
    nearest = []
    for i in range(0, len(unit_table), block):
        sims = unit_table[i:i + block] @ unit_table.T
        sims[torch.arange(len(sims)), torch.arange(i, i + len(sims))] = -2.0  # not itself
        nearest.append(sims.max(dim=1).values)
    return max(float(1.0 - torch.cat(nearest).median()), 1e-3) if nearest else 1.0


class LowRankSinkhornHead(_CandidateSinkhorn):
    """A Sinkhorn head whose logits are cosines of a learned vector per source word: rank ≤ E.

    Problem: ``min_X CE(LM(M W))`` with ``M = exp(Sinkhorn((L + g)/τ))`` and ``L_ij = cos(x_i, W_j)``
    at each row's ``k`` candidates (zero elsewhere), normalised by
    :func:`langind.mapping.solvers.sparse_log_sinkhorn`. The parameters are the vector head's
    (``X``, n_src × E, instead of an n_src × n_tgt logit matrix): a gradient step moves ``x_i`` and
    with it the whole row ``L_i`` — every candidate's logit at once, as the vector head moves its
    vector — while the column normalisation keeps two source words from sharing a target word,
    which the vector head cannot express. This is the factorised (low-rank) form of the issue's
    Sinkhorn head; the dense :class:`SinkhornHead` is its reference (equal when ``k = n_tgt``, tested).
    The temperature is measured in units of the table's own granularity, ``gap`` = the median over
    target words of (1 − the cosine with their nearest other word): an LM's word vectors sit close
    together (median nearest-neighbour cosine 0.89 in the reference LM), so on the raw cosine scale
    a fixed τ would blend a word with its neighbours in one table and not in another. The default
    anneals τ from 1 · gap (a word's nearest neighbour weighs e⁻¹ of the word itself; the counts
    start puts a median 0.16 of each row on its own word in the reference LM) to 0.1 · gap. Measured
    and rejected (README): 0.25 → 0.05 gap (a median 0.86 on its own word) saturates and does not
    learn; 0.05 → 0.01 on the raw cosine learns slowly.

    Candidates are the ``k`` target words nearest (cosine) to ``x_i``, recomputed every
    ``refresh_every`` steps as the vectors move (a block at a time: O(n_src · n_tgt · E) time, no
    V×V memory). Initialisation as :class:`VectorHead` (:func:`start_vectors`).

    Parameters: those of :class:`MappingHead`; ``k``; ``tau_start``, ``tau_end``, ``n_iter``,
    ``noise``; ``refresh_every`` (steps; 0 never); ``penalty`` (None or ``l1-l2``) and
    ``penalty_weight``. Learned: ``x`` (n_src, E). Scores: ``log M`` at the candidates, far below
    every candidate elsewhere.
    """

    name = "sinkhorn-lowrank"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False, k: int = 64,
                 tau_start: float = 1.0, tau_end: float = 0.1, n_iter: int = 10, noise: float = 0.0,
                 refresh_every: int = 50, penalty: str | None = None, penalty_weight: float | None = None):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        k = self._candidate_count(k)
        self.register_buffer("unit_table", unit_rows(self.table))
        self.gap = table_gap(self.unit_table)
        x = start_vectors(self.table, n_src, init, match)
        self._setup_candidates(nearest_rows(x, self.unit_table, k), tau_start, tau_end, n_iter, noise, refresh_every,
                               penalty, penalty_weight)
        self.x = nn.Parameter(x)
        self._near: tuple[torch.Tensor, torch.Tensor] | None = None  # (the candidates it was gathered for, rows)

    def near_rows(self) -> torch.Tensor:
        """The candidates' unit rows (n_src, k, E): n_src · k · E floats (200 MB at V = 6,000, k = 64),
        gathered again only when the candidates change (a refresh, or a snapshot's candidates loaded):
        gathering them every step cost as much as the rest of the head."""
        if self._near is None or self._near[0].device != self.cand.device or not torch.equal(self._near[0], self.cand):
            self._near = (self.cand.clone(), F.embedding(self.cand, self.unit_table))
        return self._near[1]

    def candidate_logits(self) -> torch.Tensor:
        return torch.einsum("ne,nke->nk", unit_rows(self.x), self.near_rows()) / self.gap

    @torch.no_grad()
    def context_prior(self):
        # the cosines its logits are made of, over every target word: the scale the context stage's
        # temperature was set on (the vector head's scores). Its own scores, log M at τ = 0.1 gap, are
        # ~1/(0.1 · gap) ≈ 95× sharper per unit of cosine and -1e3 off the candidates, so with them
        # the stage could move almost no word (measured: 24–64 words changed, 10-1010 0.592 → 0.588)
        return unit_rows(self.x) @ self.unit_table.T

    @torch.no_grad()
    def refresh(self, opt: torch.optim.Optimizer | None = None) -> int:
        """Every row's candidates become the ``k`` target words nearest its current vector."""
        cand = nearest_rows(self.x, self.unit_table, self.k)
        changed = int((torch.sort(cand, dim=1).values != torch.sort(self.cand, dim=1).values).sum())
        self.cand.copy_(cand)
        return changed


class VectorHead(MappingHead):
    """A free vector per source word, fed straight to the frozen body; V×E parameters.

    Problem: ``min_{X, b} CE(LM(X), out = (X, b)) [+ anchor · drift(X)]`` — the decipherment of
    Wada & Iwata's shared-body idea with the body frozen (Wada & Iwata 2018, arXiv 1809.02306).

    Parameters: those of :class:`MappingHead`. ``random`` init draws each vector from the table's
    per-dimension mean and std, ``uniform`` starts every word at the mean vector, ``counts`` at the
    frequency-rank match's vector. Learned: ``x`` (n_src, E) and, in ``both`` mode, the output
    bias ``bias`` (n_src,), started at the matched LM bias (only frequencies seen in the text).
    Scores: cosine of ``x`` against the frozen table (n_src, n_tgt).
    """

    name = "vector"
    mixes = False

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        self.normalize = normalize
        x = start_vectors(self.table, n_src, init, match)
        self.x = nn.Parameter(x)
        # the start point, kept so training can be anchored to it (FitConfig.anchor)
        self.register_buffer("x0", x.detach().clone())
        if match is None:
            bias = out_bias.detach().mean().repeat(n_src)
        else:
            bias = out_bias.detach()[match].clone()
        self.bias = nn.Parameter(bias)

    def vectors(self, src_ids):
        return F.embedding(src_ids, self.x)

    def drift(self, src_ids):
        """Mean squared distance of the batch's source vectors from their start, relative to the
        table's mean squared norm (so an anchor weight means the same for any embedding scale)."""
        d = F.embedding(src_ids, self.x) - F.embedding(src_ids, self.x0)
        return d.pow(2).sum(-1).mean() / self.table.pow(2).sum(-1).mean()

    def out_table(self):
        return self.x

    def out_bias(self):
        return self.bias

    @torch.no_grad()
    def scores(self):
        if self.normalize:
            return normalize_rows(self.x) @ normalize_rows(self.table).T
        return unit_rows(self.x) @ unit_rows(self.table).T


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


class EmbeddingMapHead(MappingHead):
    """``x_s = E_s[s] A``: a source LM's embedding table mapped linearly into the target LM's space.

    Problem: ``min_{A, b} CE(LM(E_s A), out = (E_s A, b))`` — the earlier exploration's embedding
    swap with a learned E_s × E_t map; ``A`` can only rotate/scale one space onto the other.

    Parameters: ``table`` (n_tgt, E_t) and ``out_bias`` (n_tgt,) of the frozen target LM;
    ``src_table`` (n_src, E_s) and ``src_bias`` (n_src,) of a source-language LM. ``A`` starts at
    the identity when the dimensions agree (the plain swap) and at a random orthogonal matrix
    otherwise, scaled to the target table's mean norm; the bias starts at the source LM's own.
    Scores: cosine of ``E_s A`` against the target table (n_src, n_tgt).
    """

    name = "embedding-map"
    mixes = False

    def __init__(self, table: torch.Tensor, out_bias: torch.Tensor, src_table: torch.Tensor,
                 src_bias: torch.Tensor):
        super().__init__(table, out_bias, src_table.shape[0])
        self.register_buffer("src_table", src_table.detach().clone())
        d_s, d_t = src_table.shape[1], table.shape[1]
        a = torch.eye(d_s, d_t) if d_s == d_t else nn.init.orthogonal_(torch.empty(d_s, d_t))
        # keep the target LM's vector scale: the frozen body was trained on inputs of that norm
        scale = table.norm(dim=1).mean() / src_table.norm(dim=1).mean().clamp_min(1e-8)
        self.a = nn.Parameter(a * scale)
        self.bias = nn.Parameter(src_bias.detach().clone())

    def vectors(self, src_ids):
        return F.embedding(src_ids, self.src_table) @ self.a

    def out_table(self):
        return self.src_table @ self.a

    def out_bias(self):
        return self.bias

    @torch.no_grad()
    def scores(self):
        return unit_rows(self.out_table()) @ unit_rows(self.table).T
