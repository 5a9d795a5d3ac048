"""langind.lm.hf, inward: a local Hugging Face causal LM as the frozen LM of ``induce self``.

The models are tiny, randomly initialised (or exported from a langind transformer) and written by the
tests themselves: nothing is downloaded."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from conftest import hide_transformers, make_markov_language, one_line_error, run_cli

from langind.errors import LangindError
from langind.experiments.self_recovery import RecoveryConfig, recover_self
from langind.lm.batching import evaluate_ids
from langind.lm.model import LMConfig
from langind.lm.train import TrainConfig, train_lm
from langind.mapping.fit import FitConfig

transformers = pytest.importorskip("transformers")

WORDS = [f"w{i}" for i in range(40)]


def write_tokenizer(out: Path, words: list[str]) -> int:
    """A word-level fast tokenizer over ``words`` (ids 0, 1: ``<unk>``, ``</s>``) saved in ``out``;
    returns its size."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"<unk>": 0, "</s>": 1, **{w: i + 2 for i, w in enumerate(words)}}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    transformers.PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="</s>").save_pretrained(str(out))
    return len(vocab)


def write_tiny_model(out: Path, family: str, tokenizer: bool = True, tie: bool = True) -> Path:
    """A randomly initialised GPT-2 or Llama of a few thousand weights (and its tokenizer) in ``out``."""
    torch.manual_seed(0)
    n = len(WORDS) + 2
    if family == "gpt2":
        cfg = transformers.GPT2Config(vocab_size=n, n_positions=128, n_embd=16, n_layer=2, n_head=2,
                                      bos_token_id=1, eos_token_id=1, tie_word_embeddings=tie)
        model = transformers.GPT2LMHeadModel(cfg)
    else:
        cfg = transformers.LlamaConfig(vocab_size=n, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                                       num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
                                       bos_token_id=1, eos_token_id=1, tie_word_embeddings=tie)
        model = transformers.LlamaForCausalLM(cfg)
    model.save_pretrained(str(out))
    if tokenizer:
        write_tokenizer(out, WORDS)
    return out


@pytest.fixture(scope="module")
def text(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("hftext") / "text.txt"
    p.write_text("\n".join(make_markov_language(40, 400, seed=3)) + "\n")
    return p


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_the_reduced_word_lm_gives_the_models_own_log_probabilities(family, text, tmp_path):
    """Over the kept tokens the reduced LM's log-probabilities are the model's; ``<unk>`` carries the
    rest of the mass (the log-sum-exp of every other token's)."""
    from langind.lm.hf import load_hf_word_lm

    path = write_tiny_model(tmp_path / family, family)
    few = tmp_path / "ten-words.txt"  # 10 of the tokenizer's 40 words: all kept, the other 30 are <unk>'s
    few.write_text("\n".join(make_markov_language(10, 200, seed=4)) + "\n")
    lm, vocab, ids = load_hf_word_lm(path, str(few), max_vocab=12)
    assert len(vocab) == 12 and vocab.itos[:2] == ["<unk>", "<eos>"] and lm.tied
    assert sum(vocab.counts[2:]) > 10 * 12  # the model's own frequencies, counted in text it wrote
    model = transformers.AutoModelForCausalLM.from_pretrained(str(path)).eval()
    tok = transformers.AutoTokenizer.from_pretrained(str(path))
    hf_ids = torch.tensor([1 if w == "<eos>" else tok.convert_tokens_to_ids(w) for w in vocab.itos[1:]])
    x = torch.tensor(ids[:20])[None]
    words = [tok.eos_token_id if i == 1 else tok.convert_tokens_to_ids(vocab.itos[i]) for i in ids[:20]]
    assert vocab.unk_id not in x  # a text of kept tokens only: the model reads exactly what it is given
    with torch.no_grad():
        ours = torch.log_softmax(lm(x)[0], dim=-1)
        theirs = torch.log_softmax(model(input_ids=torch.tensor([words])).logits, dim=-1)
    torch.testing.assert_close(ours[..., 1:], theirs[..., hf_ids], rtol=0, atol=1e-5)
    rest = torch.ones(theirs.shape[-1], dtype=torch.bool)
    rest[hf_ids] = False
    torch.testing.assert_close(ours[..., 0], torch.logsumexp(theirs[..., rest], dim=-1), rtol=0, atol=1e-5)
    # a long text in windows with the memory carried: GPT-2's 128 learned positions hold 70 + 64 no
    # longer, so the oldest memory is dropped (a cross-entropy of ~log 12 says the reading is sane)
    assert 1.0 < evaluate_ids(lm, ids, torch.device("cpu")) < 2 * math.log(12)


def test_a_tiny_hugging_face_model_recovers_its_own_wiped_embeddings(tmp_path):
    """A transformer trained on a Markov language, exported to Hugging Face and read back through
    ``--lm HF_DIR``: its wiped embeddings are recovered on text it never saw, far above matching
    words by frequency (its frequencies counted in text it writes)."""
    from langind.lm.hf import export_hf

    lines = make_markov_language(40, 9000, seed=1, fanout=3)
    (tmp_path / "train.txt").write_text("\n".join(lines[:6000]) + "\n")
    (tmp_path / "heldout.txt").write_text("\n".join(lines[6000:]) + "\n")
    train_lm(tmp_path / "lm", TrainConfig(corpus=str(tmp_path / "train.txt"), epochs=3, batch_size=16, bptt=20, lr=1e-2,
                                          threads=1, progress=False),
             LMConfig(arch="transformer", emb_dim=32, hidden_dim=64, n_layers=2, n_heads=2, context=16))
    hf = export_hf(tmp_path / "lm", tmp_path / "hf")
    fit = FitConfig(scramble="both", minutes=None, max_steps=600, batch_size=16, bptt=20, progress=False, eval_every=None)
    cfg = RecoveryConfig(lm=str(hf), head="vector", init="counts", text=str(tmp_path / "heldout.txt"), fit=fit, threads=1)
    r = recover_self(cfg, tmp_path / "rec", echo=lambda m: None)
    assert r["vocab_size"] == 42 and r["words_in_text"] == 40
    assert r["bands"]["all"]["assign"] >= r["count_only"]["all"]["assign"] + 0.2, (r["bands"], r["count_only"])
    assert r["bands"]["all"]["hit@1"] >= 0.4


def test_bad_hugging_face_directories_are_one_line_errors(text, tmp_path, monkeypatch):
    from langind.lm.hf import load_hf_causal_lm

    fit = FitConfig(scramble="both", minutes=None, max_steps=2, progress=False, eval_every=None)
    no_tok = write_tiny_model(tmp_path / "notok", "gpt2", tokenizer=False)
    r = run_cli("induce", "self", "--lm", str(no_tok), "--corpus", str(text), "--max-steps", "2", "--quiet",
                "--out", str(tmp_path / "r1"))
    one_line_error(r, "has no tokenizer")
    assert not (tmp_path / "r1").exists()
    masked = tmp_path / "bert"
    transformers.BertForMaskedLM(transformers.BertConfig(vocab_size=42, hidden_size=16, num_hidden_layers=1,
                                                         num_attention_heads=2, intermediate_size=32)).save_pretrained(str(masked))
    write_tokenizer(masked, WORDS)
    with pytest.raises(LangindError, match="masked model .* needs a causal"):
        load_hf_causal_lm(masked)
    llama = write_tiny_model(tmp_path / "llama", "llama")
    with pytest.raises(LangindError, match="no held-out split"):
        recover_self(RecoveryConfig(lm=str(llama), fit=fit), tmp_path / "r2")
    with pytest.raises(LangindError, match="does not apply to a Hugging Face"):
        recover_self(RecoveryConfig(lm=str(llama), text=str(text), fit=fit, pipeline="head+context",
                                    right_lm=str(llama)), tmp_path / "r3")
    untied = write_tiny_model(tmp_path / "untied", "llama", tie=False)
    with pytest.raises(LangindError, match="use --scramble input"):
        recover_self(RecoveryConfig(lm=str(untied), text=str(text), fit=fit), tmp_path / "r4")
    r = recover_self(RecoveryConfig(lm=str(untied), text=str(text), max_vocab=20, head="linear", init="random",
                                    fit=FitConfig(scramble="input", minutes=None, max_steps=2, progress=False,
                                                  eval_every=None)), tmp_path / "r5", echo=lambda m: None)
    assert r["vocab_size"] == 20  # an untied model recovers its input table
    hide_transformers(monkeypatch)
    with pytest.raises(LangindError, match=r"pip install 'langind\[hf\]'"):
        recover_self(RecoveryConfig(lm=str(llama), text=str(text), fit=fit), tmp_path / "r6")
