"""langind.lm.transformer: the decoder-only body behind WordLM's interface."""

from __future__ import annotations

import pytest
import torch
from conftest import hide_transformers, tiny_cfg

from langind.errors import LangindError
from langind.lm.checkpoint import load_lm
from langind.lm.model import LMConfig, WordLM, detach_hidden, hidden_from_tensors, hidden_tensors
from langind.lm.train import train_lm

TRANSFORMER = LMConfig(arch="transformer", emb_dim=16, hidden_dim=32, n_layers=2, n_heads=2, context=8)


def small(**kw) -> WordLM:
    torch.manual_seed(0)
    return WordLM(LMConfig(**{**TRANSFORMER.to_dict(), **kw}), 50)


def test_the_transformer_has_the_lstm_lms_interface():
    m = small()
    ids = torch.randint(0, 50, (3, 7))
    logits, memory, (dropped, raw) = m(ids)
    assert logits.shape == (3, 7, 50) and raw.shape == (3, 7, 16) and memory.shape == (3, 7, 16)
    assert m.output_table.data_ptr() == m.input_table.data_ptr()  # tied
    m.eval()
    torch.testing.assert_close(m(ids)[0], m.forward_vectors(m.input_table[ids])[0])


def test_attention_is_causal():
    m = small().eval()
    ids = torch.randint(0, 50, (2, 9))
    changed = ids.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 50
    torch.testing.assert_close(m(ids)[0][:, :5], m(changed)[0][:, :5])
    assert not torch.allclose(m(ids)[0][:, 5:], m(changed)[0][:, 5:])


def test_the_memory_carries_context_across_windows_like_one_long_window():
    """Reading a text in two windows with the memory carried gives the second window what reading it
    whole gives, while the memory covers the first window (rotary positions: only offsets matter)."""
    m = small(context=8).eval()
    ids = torch.randint(0, 50, (2, 10))
    whole = m(ids)[0]
    _, memory, _ = m(ids[:, :6])
    second = m(ids[:, 6:], memory)[0]
    torch.testing.assert_close(second, whole[:, 6:], rtol=1e-4, atol=1e-5)
    assert m(ids[:, :6])[1].shape[1] == 6 and m(ids)[1].shape[1] == 8  # at most `context` vectors kept
    assert detach_hidden(memory).requires_grad is False
    torch.testing.assert_close(hidden_from_tensors(hidden_tensors(memory)), memory)


def test_a_bad_transformer_shape_is_a_one_line_error():
    with pytest.raises(LangindError, match="even size"):
        LMConfig(arch="transformer", emb_dim=12, n_heads=4)  # heads of 3: rotary positions need pairs
    with pytest.raises(LangindError, match="lstm, transformer"):
        LMConfig(arch="gru")
    assert LMConfig.from_dict({"emb_dim": 8}).arch == "lstm"  # checkpoints written before the transformer


def test_a_transformer_learns_the_toy_language_and_reloads(toy_corpus, tmp_path):
    out = tmp_path / "tlm"
    metrics = train_lm(out, tiny_cfg(toy_corpus), TRANSFORMER)
    assert metrics["best_valid_ppl"] < 8.0, metrics  # 21 word types; the grammar allows far fewer choices
    model, vocab = load_lm(out / "checkpoints" / "best")
    assert model.config.arch == "transformer" and len(vocab) == metrics["vocab_size"]


def test_a_transformer_exports_to_hugging_face_with_equal_log_probabilities(toy_corpus, tmp_path):
    transformers = pytest.importorskip("transformers")
    from langind.lm.hf import export_hf

    out = tmp_path / "tlm"
    train_lm(out, tiny_cfg(toy_corpus, epochs=1, max_steps=5), TRANSFORMER)
    model, vocab = load_lm(out / "checkpoints" / "best")
    hf_dir = export_hf(out, tmp_path / "hf")
    hf = transformers.AutoModelForCausalLM.from_pretrained(str(hf_dir)).eval()
    ids = torch.randint(0, len(vocab), (2, 12))
    with torch.no_grad():
        ours = torch.log_softmax(model.eval()(ids)[0], dim=-1)
        theirs = torch.log_softmax(hf(input_ids=ids).logits, dim=-1)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-5)
    tok = transformers.AutoTokenizer.from_pretrained(str(hf_dir))
    assert tok("the dog")["input_ids"] == vocab.encode(["the", "dog"])


def test_only_a_transformer_exports_and_the_extra_is_named_when_missing(trained, tmp_path, monkeypatch):
    pytest.importorskip("transformers")
    from langind.lm.hf import export_hf

    with pytest.raises(LangindError, match="only a transformer"):
        export_hf(trained[0], tmp_path / "x")
    hide_transformers(monkeypatch)
    with pytest.raises(LangindError, match=r"pip install 'langind\[hf\]'"):
        export_hf(trained[0], tmp_path / "y")
