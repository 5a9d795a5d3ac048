"""The multilingual LM: one body (LSTM or transformer) shared by every language, one embedding table per language.

Wada & Iwata, "Unsupervised Cross-lingual Word Embedding by Multilingual Neural Language Models"
(arXiv 1809.02306): each language has its own embedding table (tied to its own output layer) and
output bias; the body must serve all languages with one set of weights, which pushes words that
play the same role in their sentences to the same region of the shared input space. It is trained
by the same loop as the monolingual LM (:class:`langind.lm.train.LMTrainer`, one window per
language per step, losses summed) and saved in the same checkpoint format
(:mod:`langind.lm.checkpoint`); :mod:`langind.crosslingual.joint` reads the tables out as a lexicon.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.errors import LangindError
from langind.lm.model import LMConfig, embedding_dropout, locked_dropout, make_body


class MultilingualLM(nn.Module):
    """A shared body with one embedding table (tied input/output) and bias per language."""

    def __init__(self, config: LMConfig, vocab_sizes: dict[str, int]):
        super().__init__()
        if len(vocab_sizes) < 2:
            raise LangindError(f"a multilingual LM needs at least two languages, got {sorted(vocab_sizes)}")
        self.config, self.vocab_sizes = config, dict(vocab_sizes)
        c = config
        self.langs = sorted(vocab_sizes)
        self.embeddings = nn.ModuleDict({lg: nn.Embedding(v, c.emb_dim) for lg, v in vocab_sizes.items()})
        self.out_biases = nn.ParameterDict({lg: nn.Parameter(torch.zeros(v)) for lg, v in vocab_sizes.items()})
        self.body = make_body(c, c.emb_dim)
        for e in self.embeddings.values():
            nn.init.uniform_(e.weight, -0.1, 0.1)

    def forward(self, ids: torch.Tensor, lang: str, hidden=None):
        table = embedding_dropout(self.embeddings[lang].weight, self.config.emb_dropout, self.training)
        x = locked_dropout(F.embedding(ids, table), self.config.input_dropout, self.training)
        dropped, raw, hidden = self.body(x, hidden)
        return F.linear(dropped, self.embeddings[lang].weight, self.out_biases[lang]), hidden, (dropped, raw)

    def monolingual_view(self, lang: str) -> "LangView":
        return LangView(self, lang)

    def freeze(self) -> "MultilingualLM":
        for p in self.parameters():
            p.requires_grad_(False)
        return self.eval()


class LangView(nn.Module):
    """One language of a :class:`MultilingualLM` with the :class:`~langind.lm.model.WordLM` calling
    convention ``(logits, hidden, extras) = view(ids, hidden)``, so the training loop and
    :func:`langind.lm.batching.evaluate_ids` treat it like any LM."""

    def __init__(self, model: MultilingualLM, lang: str):
        super().__init__()
        self.model, self.lang = model, lang

    def forward(self, ids, hidden=None):
        return self.model(ids, self.lang, hidden)
