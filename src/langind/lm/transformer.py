"""The transformer body: a decoder-only stack, the second architecture of :class:`langind.lm.model.WordLM`.

Every modern anchor of "freeze the body, relearn the embeddings" is a transformer (Artetxe, Ruder &
Yogatama 2020; de Vries & Nissim 2021), so the body a mapping head is fitted through can be one. Only
the body differs from the LSTM's: the word→vector table, the tied output layer and everything a
consumer calls (``forward``, ``forward_vectors``, ``logits``) are :class:`~langind.lm.model.WordLM`'s.

The stack is the Llama family's (Touvron et al. 2023), so that a trained body is a Hugging Face
``LlamaForCausalLM`` after renaming its weights. Read top to bottom:

* **pre-norm** blocks, ``x + attn(norm(x))`` then ``x + mlp(norm(x))``, RMSNorm (Zhang & Sennrich
  2019), and a final norm — stable without warm-up tricks at small sizes;
* **rotary positions** (Su et al. 2021, "RoFormer"): queries and keys rotated by their position, so
  attention sees relative offsets only — which is what lets the body carry a *memory* across windows;
* a **SwiGLU** MLP (Shazeer 2020), ``down(silu(gate(x)) · up(x))``, no biases anywhere;
* **a memory instead of a hidden state**: as an LSTM's state is carried from one BPTT window to the
  next, the body returns the last ``context`` input vectors as its "hidden", and the next window
  attends to them (Dai et al. 2019, "Transformer-XL", without its cached keys: the memory is
  re-encoded, which costs ``context`` extra positions a window and keeps the code plain);
* causal attention by :func:`torch.nn.functional.scaled_dot_product_attention`.

Dropout follows :class:`~langind.lm.model.LMConfig`'s rates: ``hidden_dropout`` on each residual branch,
``weight_dropout`` on the attention weights (the transformer's counterpart of the LSTM's DropConnect),
``output_dropout`` (locked) on the final features.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.lm.model import locked_dropout  # model.py imports this module only inside make_body: no cycle

NORM_EPS = 1e-5  # RMSNorm's epsilon (exported as the Hugging Face config's rms_norm_eps)
ROPE_THETA = 10000.0  # rotary base (exported as rope_theta)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x1, x2) → (−x2, x1) over the two halves of the last dimension."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rotary(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Rotate ``x`` (B×H×T×D, D even) by ``position · θ_i``, θ_i = ROPE_THETA^(−2i/D), channel ``i``
    paired with channel ``i + D/2`` (the Llama convention)."""
    d = x.size(-1)
    inv_freq = 1.0 / ROPE_THETA ** (torch.arange(0, d, 2, device=x.device, dtype=torch.float32) / d)
    angle = positions.to(torch.float32)[:, None] * inv_freq[None, :]  # T×D/2
    angle = torch.cat((angle, angle), dim=-1)
    return x * angle.cos().to(x.dtype) + rotate_half(x) * angle.sin().to(x.dtype)


class Attention(nn.Module):
    """Causal multi-head self-attention with rotary positions."""

    def __init__(self, dim: int, n_heads: int, attn_dropout: float):
        super().__init__()
        self.n_heads, self.attn_dropout = n_heads, attn_dropout
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(dim, dim, bias=False) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, T, self.n_heads, D // self.n_heads).transpose(1, 2)  # B×H×T×Dh
        pos = torch.arange(T, device=x.device)
        q, k, v = rotary(heads(self.q_proj(x)), pos), rotary(heads(self.k_proj(x)), pos), heads(self.v_proj(x))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                           dropout_p=self.attn_dropout if self.training else 0.0)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, D))


class MLP(nn.Module):
    """SwiGLU: ``down(silu(gate(x)) · up(x))``."""

    def __init__(self, dim: int, ff_dim: int):
        super().__init__()
        self.gate_proj, self.up_proj = nn.Linear(dim, ff_dim, bias=False), nn.Linear(dim, ff_dim, bias=False)
        self.down_proj = nn.Linear(ff_dim, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    """One pre-norm block: attention, then the MLP, each on a residual branch."""

    def __init__(self, dim: int, n_heads: int, ff_dim: int, dropout: float, attn_dropout: float):
        super().__init__()
        self.input_layernorm = nn.RMSNorm(dim, eps=NORM_EPS)
        self.self_attn = Attention(dim, n_heads, attn_dropout)
        self.post_attention_layernorm = nn.RMSNorm(dim, eps=NORM_EPS)
        self.mlp = MLP(dim, ff_dim)
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + F.dropout(self.self_attn(self.input_layernorm(x)), self.dropout, self.training)
        return x + F.dropout(self.mlp(self.post_attention_layernorm(x)), self.dropout, self.training)


class TransformerBody(nn.Module):
    """A decoder-only stack with the LSTM body's calling convention:
    ``body(x B×T×E, hidden) → (dropped features, raw features, new hidden)``, ``hidden`` being the
    memory (B×M×E input vectors of the windows before, M ≤ ``context``) or None."""

    def __init__(self, dim: int, n_layers: int, n_heads: int, ff_dim: int, context: int,
                 hidden_dropout: float, output_dropout: float, attn_dropout: float):
        super().__init__()
        self.layers = nn.ModuleList(Block(dim, n_heads, ff_dim, hidden_dropout, attn_dropout) for _ in range(n_layers))
        self.norm = nn.RMSNorm(dim, eps=NORM_EPS)
        self.context, self.output_dropout = context, output_dropout
        for name, p in self.named_parameters():  # GPT-2's initialisation: small weights, residual outputs scaled down
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layers) if name.endswith(("o_proj.weight", "down_proj.weight"))
                                else 0.02)

    def forward(self, x: torch.Tensor, hidden: torch.Tensor | None = None):
        T = x.size(1)
        seq = x if hidden is None else torch.cat([hidden.to(x.dtype), x], dim=1)
        h = seq
        for layer in self.layers:
            h = layer(h)
        raw = self.norm(h)[:, -T:]  # the memory's own positions are context, not predictions
        memory = seq[:, -self.context:] if self.context > 0 else None
        return locked_dropout(raw, self.output_dropout, self.training), raw, memory
