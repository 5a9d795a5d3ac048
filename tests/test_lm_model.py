"""langind.lm.model: the AWD-LSTM word LM."""

from __future__ import annotations

import pytest
import torch

from langind.errors import LangindError
from langind.lm.model import LMConfig, WordLM, locked_dropout


def small_model(**kw) -> WordLM:
    torch.manual_seed(0)
    return WordLM(LMConfig(emb_dim=8, hidden_dim=16, n_layers=2, **kw), 50)


def test_shapes_and_tied_weights():
    m = small_model()
    logits, hidden, (dropped, raw) = m(torch.randint(0, 50, (3, 7)))
    assert logits.shape == (3, 7, 50) and raw.shape == (3, 7, 8) and len(hidden) == 2
    assert m.output_table.data_ptr() == m.input_table.data_ptr()
    untied = WordLM(LMConfig(emb_dim=8, hidden_dim=16, tie_weights=False), 50)
    assert untied(torch.randint(0, 50, (2, 4)))[0].shape == (2, 4, 50)


def test_forward_vectors_equals_forward_in_eval():
    m = small_model().eval()
    ids = torch.randint(0, 50, (2, 5))
    a = m(ids)[0]
    b = m.forward_vectors(m.input_table[ids])[0]
    torch.testing.assert_close(a, b)


def test_weight_drop_is_active_only_in_training_and_reaches_the_parameter():
    m = small_model()
    ids = torch.randint(0, 50, (2, 6))
    m.eval()
    assert torch.equal(m(ids)[0], m(ids)[0])
    m.train()
    out = m(ids)[0]
    assert not torch.equal(out, m(ids)[0])
    out.sum().backward()
    assert m.body.layers[0].weight_hh_l0.grad.abs().sum() > 0


def test_locked_dropout_shares_mask_over_time():
    x = torch.ones(4, 10, 6)
    y = locked_dropout(x, 0.5, True)
    assert torch.equal(y[:, 0], y[:, 5])


def test_freeze_stops_gradients():
    m = small_model().freeze()
    assert not any(p.requires_grad for p in m.parameters()) and not m.training


def test_generate_is_seeded():
    m = small_model()
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert m.generate([3, 4], 10, generator=g1) == m.generate([3, 4], 10, generator=g2)
    with pytest.raises(LangindError):
        m.generate([], 3)


def test_config_validation():
    with pytest.raises(LangindError, match="input_dropout"):
        LMConfig(input_dropout=1.5)
