"""The language model: a word LM as a plain ``torch.nn.Module``, with an AWD-LSTM body or a transformer one.

Merity, Keskar & Socher (2018), "Regularizing and Optimizing LSTM Language Models":
embedding dropout (drop whole word types), locked ("variational") dropout on inputs, between layers
and on outputs, DropConnect on the hidden-to-hidden weights ("weight drop"), tied input/output
embeddings, and activation regularisation (AR/TAR).

The model is deliberately split in three parts, because later rooms swap the first and last:

* ``embedding`` — the word→vector table (V×E). This *is* the mapping that the recovery
  experiments wipe and learn back;
* ``body`` — the stacked LSTM (or, with ``arch="transformer"``, the decoder-only stack of
  :mod:`langind.lm.transformer`) that turns a sequence of vectors into features (B×T×E);
* the output layer — ``features @ table.T + bias``; with tied weights the table is the embedding.

``forward(ids)`` is the usual LM; ``forward_vectors(x, out_table=...)`` runs the same network on
vectors produced by anything else (a mapping head), scoring against any output table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

from langind.errors import LangindError

Hidden = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass
class LMConfig:
    """Shape and regularisation of :class:`WordLM` — everything but the vocabulary size, which
    comes from the data (``WordLM(config, vocab_size)``). Saved as JSON beside every checkpoint."""

    emb_dim: int = 128
    hidden_dim: int = 384
    n_layers: int = 2
    emb_dropout: float = 0.05  # probability of dropping a whole word type from the table
    input_dropout: float = 0.25  # locked dropout on the embedded input
    hidden_dropout: float = 0.15  # locked dropout between LSTM layers
    output_dropout: float = 0.25  # locked dropout on the last layer's output
    weight_dropout: float = 0.2  # DropConnect on every layer's hidden-to-hidden matrix (transformer: on attention)
    tie_weights: bool = True
    arch: str = "lstm"  # the body: lstm (AWD-LSTM) or transformer (lm.transformer; emb_dim is its width)
    n_heads: int = 4  # transformer: attention heads (emb_dim / n_heads must be even: rotary positions)
    context: int = 64  # transformer: input vectors carried from one window to the next (its "hidden")

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise LangindError(f"unknown LM architecture {self.arch!r}; choose one of {', '.join(ARCHS)}")
        if self.arch == "transformer" and (self.n_heads < 1 or self.emb_dim % self.n_heads
                                           or (self.emb_dim // self.n_heads) % 2):
            raise LangindError(f"a transformer's emb_dim ({self.emb_dim}) must split into n_heads ({self.n_heads}) "
                               "heads of an even size")
        if self.context < 0:
            raise LangindError(f"context must be >= 0, got {self.context}")
        if self.emb_dim < 1 or self.hidden_dim < 1:
            raise LangindError(f"emb_dim and hidden_dim must be >= 1, got {self.emb_dim} and {self.hidden_dim}")
        if self.n_layers < 1:
            raise LangindError(f"n_layers must be >= 1, got {self.n_layers}")
        for name in DROPOUTS:
            p = getattr(self, name)
            if not 0.0 <= p < 1.0:
                raise LangindError(f"{name} must be in [0, 1), got {p}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "LMConfig":
        """From a saved dict; keys of other versions (e.g. 0.1's ``vocab_size``) are ignored."""
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    def scaled_dropout(self, scale: float) -> "LMConfig":
        """The same shape with every dropout rate multiplied by ``scale`` (0 turns dropout off)."""
        return replace(self, **{k: getattr(self, k) * scale for k in DROPOUTS})


DROPOUTS = ("emb_dropout", "input_dropout", "hidden_dropout", "output_dropout", "weight_dropout")
ARCHS = ("lstm", "transformer")


def locked_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout with one mask per sequence, shared over time (x is B×T×D)."""
    if not training or p == 0.0:
        return x
    mask = x.new_empty(x.size(0), 1, x.size(2)).bernoulli_(1 - p) / (1 - p)
    return x * mask


def embedding_dropout(table: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Drop whole rows (word types) of an embedding table, rescaling the rest."""
    if not training or p == 0.0:
        return table
    mask = table.new_empty(table.size(0), 1).bernoulli_(1 - p) / (1 - p)
    return table * mask


class LSTMBody(nn.Module):
    """Stacked single-layer LSTMs with locked dropout between them and weight drop inside.

    The last layer's hidden size is ``out_dim`` (the embedding size when weights are tied), so its
    output can be scored directly against the embedding table.
    """

    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, n_layers: int,
                 hidden_dropout: float, output_dropout: float, weight_dropout: float):
        super().__init__()
        dims = [in_dim] + [hidden_dim] * (n_layers - 1) + [out_dim]
        self.layers = nn.ModuleList(
            nn.LSTM(dims[i], dims[i + 1], batch_first=True) for i in range(n_layers)
        )
        self.hidden_dropout = hidden_dropout
        self.output_dropout = output_dropout
        self.weight_dropout = weight_dropout

    def _run_layer(self, layer: nn.LSTM, x: torch.Tensor, h):
        # Weight drop without monkey-patching nn.LSTM: call the layer with a dropped copy of its
        # recurrent matrix substituted for the parameter, for this call only. Gradients still
        # reach the real parameter through the dropout.
        if self.training and self.weight_dropout > 0:
            w = F.dropout(layer.weight_hh_l0, self.weight_dropout, training=True)
            return functional_call(layer, {"weight_hh_l0": w}, (x, h))
        return layer(x, h)

    def forward(self, x: torch.Tensor, hidden: Hidden | None = None):
        """x: B×T×E → (dropped output B×T×out_dim, raw output, new hidden state)."""
        new_hidden: Hidden = []
        raw = x
        for i, layer in enumerate(self.layers):
            h = None if hidden is None else hidden[i]
            raw, h_new = self._run_layer(layer, x, h)
            new_hidden.append(h_new)
            last = i == len(self.layers) - 1
            x = locked_dropout(raw, self.output_dropout if last else self.hidden_dropout, self.training)
        return x, raw, new_hidden


def make_body(c: LMConfig, out_dim: int) -> nn.Module:
    """The body ``config.arch`` names, with the calling convention
    ``body(x, hidden) → (dropped features, raw features, new hidden)``."""
    if c.arch == "transformer":
        from langind.lm.transformer import TransformerBody

        return TransformerBody(c.emb_dim, c.n_layers, c.n_heads, c.hidden_dim, c.context,
                               c.hidden_dropout, c.output_dropout, c.weight_dropout)
    return LSTMBody(c.emb_dim, c.hidden_dim, out_dim, c.n_layers, c.hidden_dropout, c.output_dropout, c.weight_dropout)


class WordLM(nn.Module):
    """Word-level language model with a replaceable word→vector mapping; its body an AWD-LSTM or a
    transformer (``config.arch``), the rest the same."""

    def __init__(self, config: LMConfig, vocab_size: int):
        super().__init__()
        if vocab_size < 3:
            raise LangindError(f"vocab_size must be >= 3, got {vocab_size}")
        self.config, self.vocab_size = config, vocab_size
        c = config
        self.embedding = nn.Embedding(vocab_size, c.emb_dim)
        out_dim = c.emb_dim if c.tie_weights or c.arch == "transformer" else c.hidden_dim
        self.body = make_body(c, out_dim)
        self.out_weight = None if c.tie_weights else nn.Parameter(torch.empty(vocab_size, out_dim))
        if c.arch == "transformer":  # a Llama-style LM has no output bias: a fixed zero keeps it exportable
            self.register_buffer("out_bias", torch.zeros(vocab_size))
        else:
            self.out_bias = nn.Parameter(torch.zeros(vocab_size))
        self._init_weights()

    def _init_weights(self) -> None:
        for table in (self.embedding.weight, self.out_weight):
            if table is None:
                continue
            if self.config.arch == "transformer":
                nn.init.normal_(table, 0.0, 0.02)  # GPT-2's
            else:
                nn.init.uniform_(table, -0.1, 0.1)

    # -- the three parts ------------------------------------------------------------------------
    @property
    def input_table(self) -> torch.Tensor:
        """The V×E word→vector table fed to the body."""
        return self.embedding.weight

    @property
    def output_table(self) -> torch.Tensor:
        """The V×E' table the body's features are scored against (the input table when tied)."""
        return self.embedding.weight if self.out_weight is None else self.out_weight

    def logits(self, features: torch.Tensor, out_table: torch.Tensor | None = None,
               out_bias: torch.Tensor | None = None) -> torch.Tensor:
        table = self.output_table if out_table is None else out_table
        bias = self.out_bias if out_bias is None else out_bias
        return F.linear(features, table, bias)

    # -- running ------------------------------------------------------------------------------
    def forward(self, ids: torch.Tensor, hidden: Hidden | None = None):
        """ids: B×T word ids → (logits B×T×V, new hidden, (dropped, raw) last-layer outputs)."""
        table = embedding_dropout(self.input_table, self.config.emb_dropout, self.training)
        x = locked_dropout(F.embedding(ids, table), self.config.input_dropout, self.training)
        dropped, raw, hidden = self.body(x, hidden)
        return self.logits(dropped), hidden, (dropped, raw)

    def forward_vectors(self, x: torch.Tensor, hidden: Hidden | None = None,
                        out_table: torch.Tensor | None = None,
                        out_bias: torch.Tensor | None = None):
        """Run the body on given input vectors (B×T×E) and score against ``out_table``."""
        x = locked_dropout(x, self.config.input_dropout, self.training)
        dropped, _, hidden = self.body(x, hidden)
        return self.logits(dropped, out_table, out_bias), hidden

    def freeze(self) -> "WordLM":
        """Stop gradients to every LM weight and switch dropout off (for mapping recovery)."""
        for p in self.parameters():
            p.requires_grad_(False)
        return self.eval()

    @torch.no_grad()
    def generate(self, prefix_ids: list[int], n_words: int, temperature: float = 1.0,
                 top_k: int | None = None, generator: torch.Generator | None = None,
                 banned: list[int] | None = None) -> list[int]:
        """Sample ``n_words`` continuation ids after ``prefix_ids`` (eval mode, no dropout)."""
        if not prefix_ids:
            raise LangindError("generation needs at least one prefix word")
        if temperature <= 0:
            raise LangindError(f"temperature must be > 0, got {temperature}")
        was_training = self.training
        self.eval()
        device = self.out_bias.device
        ids = torch.tensor([prefix_ids], device=device)
        logits, hidden, _ = self(ids)
        out: list[int] = []
        for _ in range(n_words):
            step = logits[0, -1] / temperature
            if banned:
                step[banned] = float("-inf")
            if top_k is not None and top_k < step.numel():
                kth = torch.topk(step, top_k).values[-1]
                step = step.masked_fill(step < kth, float("-inf"))
            probs = torch.softmax(step, dim=-1)
            nxt = int(torch.multinomial(probs.cpu(), 1, generator=generator))
            out.append(nxt)
            logits, hidden, _ = self(torch.tensor([[nxt]], device=device), hidden)
        self.train(was_training)
        return out


def detach_hidden(hidden: Hidden | torch.Tensor | None) -> Hidden | torch.Tensor | None:
    """Cut the graph between BPTT windows while keeping the state values (an LSTM's (h, c) per layer,
    or a transformer's memory tensor)."""
    if hidden is None:
        return None
    if isinstance(hidden, torch.Tensor):
        return hidden.detach()
    return [(h.detach(), c.detach()) for h, c in hidden]


def select_hidden(hidden: Hidden | torch.Tensor | None, rows: torch.Tensor) -> Hidden | torch.Tensor | None:
    """The carried state of batch rows ``rows`` (a beam's surviving hypotheses): an LSTM's (h, c)
    hold the batch in dimension 1, a transformer's memory in dimension 0."""
    if hidden is None:
        return None
    if isinstance(hidden, torch.Tensor):
        return hidden[rows]
    return [(h[:, rows], c[:, rows]) for h, c in hidden]


def hidden_tensors(hidden: Hidden | torch.Tensor | None) -> dict[str, torch.Tensor]:
    """A carried state as named tensors (what a resumable checkpoint stores); :func:`hidden_from_tensors`
    reads them back."""
    if hidden is None:
        return {}
    if isinstance(hidden, torch.Tensor):
        return {"memory": hidden}
    return {f"{k}/{part}": t for k, (h, c) in enumerate(hidden) for part, t in (("h", h), ("c", c))}


def hidden_from_tensors(tensors: dict[str, torch.Tensor]) -> Hidden | torch.Tensor | None:
    if not tensors:
        return None
    if "memory" in tensors:
        return tensors["memory"]
    return [(tensors[f"{k}/h"], tensors[f"{k}/c"]) for k in range(len(tensors) // 2)]
