"""Heads that learn vectors instead of mixtures: a free vector per source word (``vector``) and a
source LM's table through a learned E×E map (the cross-lingual ``swap``; :mod:`langind.mapping.heads`)."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.similarity import normalize as normalize_rows
from langind.similarity import unit_rows
from langind.mapping.candidate_heads import start_vectors
from langind.mapping.head_base import MappingHead


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
