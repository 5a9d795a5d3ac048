"""The Sinkhorn heads that keep each row's ``k`` best candidate columns (``sinkhorn-sparse``,
``sinkhorn-lowrank``): O(V·k) per step instead of O(V²) (:mod:`langind.mapping.heads`)."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.errors import LangindError
from langind.mapping.solvers import sparse_log_sinkhorn
from langind.similarity import unit_rows
from langind.mapping.head_base import MappingHead, _Tempered


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
