"""langind.mapping.heads: every head runs, learns only what it should, fails clearly."""

from __future__ import annotations

import pytest
import torch

from langind.errors import LangindError
from langind.lm.model import LMConfig, WordLM
from langind.mapping.fit import head_loss
from langind.mapping.heads import HEADS, INITS, make_head


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("mode", ["input", "both"])
@pytest.mark.parametrize("normalize", [False, True])
def test_every_head_runs_forward_and_backward(head, mode, normalize):
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    match = torch.randperm(30)
    for init in INITS:
        h = make_head(head, lm.input_table, lm.out_bias, 30, init=init, match=match, normalize=normalize)
        x = torch.randint(0, 30, (4, 7))
        loss, _ = head_loss(lm, h, x, x, mode)
        loss = loss + h.penalty()
        loss.backward()
        grads = [p.grad for p in h.parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)
        assert all(p.grad is None for p in lm.parameters())
        assert h.scores().shape == (30, 30)


def test_mixing_heads_compute_only_batch_rows():
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    h = make_head("softmax", lm.input_table, lm.out_bias, 30)
    x = torch.tensor([[3, 3, 7]])
    h.vectors(x).sum().backward()
    touched = (h.logits.grad.abs().sum(1) > 0).nonzero().flatten().tolist()
    assert touched == [3, 7]


def test_unknown_head_and_init():
    lm = WordLM(LMConfig(emb_dim=4, hidden_dim=8), 10)
    with pytest.raises(LangindError, match="unknown head"):
        make_head("nope", lm.input_table, lm.out_bias, 10)
    with pytest.raises(LangindError, match="unknown init"):
        make_head("vector", lm.input_table, lm.out_bias, 10, init="zeros")
