"""What every mapping head shares (:mod:`langind.mapping.heads` has the heads themselves): the
:class:`MappingHead` interface, the mixing heads' base, the temperature schedule and the penalties."""

from __future__ import annotations

import torch
import torch.nn as nn

from langind.errors import LangindError, check_choice
from langind.mapping.solvers import sample_gumbel
from langind.similarity import normalize as normalize_rows


HEADS = ("linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "sinkhorn-sparse", "sinkhorn-lowrank", "vector")
INITS = ("random", "uniform", "counts")
PENALTIES = ("sum", "l1-l2")
# the penalties each head takes where it is not every one (the sparse head has no dense column sums to pin to 1)
HEAD_PENALTIES = {"sinkhorn-sparse": ("l1-l2",), "sinkhorn-lowrank": ("l1-l2",)}


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
EARLIER_PENALTY_WEIGHT = 5 / 2000  # the earlier exploration's s
