"""Room 4 — mapping heads: learnable, relaxed assignments from source words to a frozen LM's vectors.

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

  ``linear`` and ``softmax`` compute only the rows of words in the batch (``|batch| × n_tgt × E``
  work per step, linear in V). Sinkhorn must normalise the full ``V × V`` matrix every step, so its
  step time grows with V² — that is its honest cost, measured by ``benchmarks/head_scaling.py``.

* **Vector head** (``vector``) learns a free vector ``X[s]`` per source word (``V × E`` parameters
  instead of ``V × V``) and feeds it to the frozen body directly; the mapping is read out by cosine
  similarity of ``X`` against ``W``. Per step it touches only the batch's rows (input) and the
  ``V × E`` table (output), so its cost is linear in V.

Initialisations: ``random``, ``uniform`` (every word starts at the same mixture / the mean vector)
and ``counts`` (word ``s`` starts at the LM word with the same frequency rank — a legitimate
unsupervised signal, always reported beside the count-only accuracy).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.errors import LangindError

HEADS = ("linear", "softmax", "sinkhorn", "gumbel-sinkhorn", "vector")
INITS = ("random", "uniform", "counts")


# -- solvers (plain functions, POT style) ---------------------------------------------------------
def log_sinkhorn(log_alpha: torch.Tensor, n_iter: int = 20) -> torch.Tensor:
    """Log-domain Sinkhorn normalisation.

    Alternately subtracts row and column log-sum-exps from ``log_alpha`` (n × m) so that
    ``exp(result)`` has rows summing to 1 and columns summing to n/m (1 for square matrices):
    the Sinkhorn–Knopp iteration, whose limit is the doubly-stochastic matrix closest to
    ``exp(log_alpha)`` in KL (Sinkhorn 1964; Mena et al. 2018 use it as a differentiable
    relaxation of a permutation). Working with logs avoids the under/overflow that plain
    Sinkhorn hits at low temperature. The last step normalises rows, so rows are exact.
    """
    n, m = log_alpha.shape
    col_target = math.log(n / m)
    for _ in range(n_iter):
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=0, keepdim=True) + col_target
        log_alpha = log_alpha - torch.logsumexp(log_alpha, dim=1, keepdim=True)
    return log_alpha


def sample_gumbel(shape, generator: torch.Generator | None = None, device=None, eps: float = 1e-20) -> torch.Tensor:
    """Standard Gumbel noise ``-log(-log U)``, U ~ Uniform(0, 1)."""
    u = torch.rand(shape, generator=generator, device=device)
    return -torch.log(-torch.log(u + eps) + eps)


def count_matching(src_counts: torch.Tensor, tgt_counts: torch.Tensor) -> torch.Tensor:
    """Pair the i-th most frequent source word with the i-th most frequent target word.

    Returns ``match`` with ``match[s]`` the target id for source id ``s`` (ties broken by id).
    Extra source words (when n_src > n_tgt) wrap around the least frequent targets.
    """
    src_order = torch.argsort(-src_counts.double() + torch.arange(len(src_counts)) * 1e-9)
    tgt_order = torch.argsort(-tgt_counts.double() + torch.arange(len(tgt_counts)) * 1e-9)
    match = torch.empty(len(src_counts), dtype=torch.long)
    idx = torch.arange(len(src_counts)).clamp(max=len(tgt_counts) - 1)
    match[src_order] = tgt_order[idx]
    return match


def normalize_embeddings(w: torch.Tensor) -> torch.Tensor:
    """Unit length, mean-centre, unit length again (Artetxe et al. 2018, "A robust self-learning
    method for fully unsupervised cross-lingual mappings of word embeddings")."""
    w = F.normalize(w, dim=1)
    w = w - w.mean(dim=0, keepdim=True)
    return F.normalize(w, dim=1)


def anneal(progress: float, start: float, end: float) -> float:
    """Geometric schedule from ``start`` (progress 0) to ``end`` (progress 1)."""
    p = min(max(progress, 0.0), 1.0)
    return start * (end / start) ** p


# -- heads ------------------------------------------------------------------------------------------
class MappingHead(nn.Module):
    """Maps source word ids to vectors in a frozen LM's embedding space.

    Parameters shared by every head:
      table: the frozen input table ``W`` (n_tgt × E); out_bias: the frozen output bias (n_tgt);
      n_src: number of source words; init: ``random`` | ``uniform`` | ``counts``;
      match: for ``counts`` init, ``match[s]`` = target id to start source word ``s`` at.
    """

    name = "base"
    mixes = True  # the mapping is a matrix over target words

    def __init__(self, table: torch.Tensor, out_bias: torch.Tensor, n_src: int, init: str = "random",
                 match: torch.Tensor | None = None, normalize: bool = False):
        super().__init__()
        if init not in INITS:
            raise LangindError(f"unknown init {init!r}; choose one of {INITS}")
        if init == "counts" and match is None:
            raise LangindError("counts initialisation needs source word counts")
        self.n_src, self.n_tgt = n_src, table.shape[0]
        self.init_name = init
        table = table.detach()
        if normalize:
            # keep the LM's scale: the body was trained on vectors of this average norm
            table = normalize_embeddings(table) * table.norm(dim=1).mean()
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

    def penalty(self) -> torch.Tensor:
        return self.table.new_zeros(())

    @torch.no_grad()
    def scores(self) -> torch.Tensor:
        """Association scores (n_src × n_tgt), higher = more likely the same word."""
        raise NotImplementedError

    def set_progress(self, progress: float) -> None:
        """Called by the training loop with progress in [0, 1] (for annealed temperatures)."""
        self.progress = progress


class MixingHead(MappingHead):
    """Base of heads that learn an ``n_src × n_tgt`` mixing matrix over the frozen table."""

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 init_scale: float = 10.0):
        super().__init__(table, out_bias, n_src, init, match, normalize)
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


class LinearHead(MixingHead):
    """``M = P``, a free matrix: the earlier exploration's head, reproduced as the reference.

    Init ``random`` is kaiming-normal as in the original; its loss is
    ``(1-s)·CE + s·(Σ_cols|1-Σ_rows|P|| + Σ_rows|1-Σ_cols|P||)`` with s = 5/2000.
    """

    name = "linear"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 penalty_weight: float = 5 / 2000):
        super().__init__(table, out_bias, n_src, init, match, normalize, init_scale=1.0)
        with torch.no_grad():
            if init == "random":
                nn.init.kaiming_normal_(self.logits)
            elif init == "uniform":
                self.logits.fill_(1.0 / self.n_tgt)
        self.penalty_weight = penalty_weight

    def mix(self, rows=None):
        return self.logits if rows is None else self.logits[rows]

    def penalty(self):
        a = self.logits.abs()
        return (1 - a.sum(dim=0)).abs().sum() + (1 - a.sum(dim=1)).abs().sum()


class SoftmaxHead(MixingHead):
    """``M = softmax(L/τ)`` row-wise: each source word is a distribution over target words."""

    name = "softmax"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 temperature: float = 1.0):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        self.temperature = temperature

    def mix(self, rows=None):
        lg = self.logits if rows is None else self.logits[rows]
        return torch.softmax(lg / self.temperature, dim=1)


class SinkhornHead(MixingHead):
    """``M = exp(Sinkhorn((L + g)/τ))``: a relaxed permutation (doubly stochastic when square).

    ``g`` is Gumbel noise (scaled by ``noise``) during training in the Gumbel-Sinkhorn variant and 0
    otherwise; τ is annealed geometrically from ``tau_start`` to ``tau_end`` over the run. The full
    matrix is normalised at every step (once per step, shared by input and output).
    """

    name = "sinkhorn"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False,
                 tau_start: float = 1.0, tau_end: float = 0.05, n_iter: int = 10, noise: float = 0.0):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        self.tau_start, self.tau_end, self.n_iter, self.noise = tau_start, tau_end, n_iter, noise
        self._cache: torch.Tensor | None = None

    @property
    def tau(self) -> float:
        return anneal(self.progress, self.tau_start, self.tau_end)

    def full(self) -> torch.Tensor:
        lg = self.logits
        if self.training and self.noise > 0:
            lg = lg + self.noise * sample_gumbel(lg.shape, device=lg.device)
        return log_sinkhorn(lg / self.tau, self.n_iter).exp()

    def begin_step(self) -> None:
        """Normalise once per optimisation step; input and output reuse the same matrix."""
        self._cache = self.full()

    def end_step(self) -> None:
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
    name = "gumbel-sinkhorn"

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False, **kw):
        kw.setdefault("noise", 1.0)
        super().__init__(table, out_bias, n_src, init, match, normalize, **kw)


class VectorHead(MappingHead):
    """A free vector per source word, fed straight to the frozen body; V×E parameters.

    The read-out compares ``X`` with the frozen table by cosine similarity. In ``both`` mode the
    source words' output bias is learned too (initialised from the count-matched LM bias, which
    only uses word frequencies observable in the text).
    """

    name = "vector"
    mixes = False

    def __init__(self, table, out_bias, n_src, init="random", match=None, normalize=False):
        super().__init__(table, out_bias, n_src, init, match, normalize)
        self.normalize = normalize
        w = self.table
        if init == "random":
            x = torch.randn(n_src, w.shape[1]) * w.std(dim=0, keepdim=True) + w.mean(dim=0, keepdim=True)
        elif init == "uniform":
            x = w.mean(dim=0, keepdim=True).repeat(n_src, 1) + 1e-3 * torch.randn(n_src, w.shape[1])
        else:
            x = w[match].clone()
        self.x = nn.Parameter(x)
        # the start point, kept so training can be anchored to it (DecipherConfig.anchor)
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
            return normalize_embeddings(self.x) @ normalize_embeddings(self.table).T
        return F.normalize(self.x, dim=1) @ F.normalize(self.table, dim=1).T


def make_head(name: str, table: torch.Tensor, out_bias: torch.Tensor, n_src: int, init: str = "random",
              match: torch.Tensor | None = None, normalize: bool = False, **kw) -> MappingHead:
    """Build a head by name; see the module docstring for what each one learns."""
    classes = {"linear": LinearHead, "softmax": SoftmaxHead, "sinkhorn": SinkhornHead,
               "gumbel-sinkhorn": GumbelSinkhornHead, "vector": VectorHead}
    if name not in classes:
        raise LangindError(f"unknown head {name!r}; choose one of {HEADS}")
    return classes[name](table, out_bias, n_src, init=init, match=match, normalize=normalize, **kw)
