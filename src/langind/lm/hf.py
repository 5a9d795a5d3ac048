"""Hugging Face interop (the optional ``hf`` extra: ``pip install langind[hf]``).

A langind transformer LM (``langind lm train --arch transformer``) is a Llama-family decoder
(:mod:`langind.lm.transformer`), so :func:`export_hf` writes it as a directory that
``transformers.AutoModelForCausalLM.from_pretrained`` loads — weights renamed, nothing re-trained —
with a word-level tokenizer over its vocabulary (``AutoTokenizer.from_pretrained`` loads it too; it
splits on whitespace, as the LM's text was tokenized by :func:`langind.corpus.tokenize`).
"""

from __future__ import annotations

from pathlib import Path

from langind.errors import LangindError
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.transformer import NORM_EPS, ROPE_THETA
from langind.runs import atomic_write_json, ensure_dir
from langind.vocab import SPECIALS, UNK

MAX_POSITIONS = 4096  # what the exported config declares; rotary positions have no learned table to outgrow


def require_transformers():
    """The ``transformers`` module, or a one-line error saying how to install it."""
    try:
        import transformers
    except ImportError:
        raise LangindError("Hugging Face interop needs the optional extra: pip install 'langind[hf]' "
                           "(transformers)") from None
    return transformers


def export_hf(run: str | Path, out: str | Path, which: str = "best") -> Path:
    """Write the transformer LM of run ``run`` (its ``which`` checkpoint) as a Hugging Face
    ``LlamaForCausalLM`` directory ``out``: ``config.json``, ``model.safetensors`` (tied embeddings)
    and a word-level tokenizer. Returns ``out``. An LSTM LM has no Hugging Face counterpart: a
    one-line error."""
    require_transformers()
    from safetensors.torch import save_file
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    model, vocab = load_lm(lm_run_checkpoint(run, which))
    c = model.config
    if c.arch != "transformer":
        raise LangindError(f"{run} is an {c.arch.upper()} LM; only a transformer (lm train --arch transformer) "
                           "exports to Hugging Face")
    out = ensure_dir(Path(out))
    weights = {"model.embed_tokens.weight": model.input_table, "model.norm.weight": model.body.norm.weight}
    for i, layer in enumerate(model.body.layers):
        for name, p in layer.named_parameters():
            weights[f"model.layers.{i}.{name}"] = p
    if not c.tie_weights:
        weights["lm_head.weight"] = model.output_table
    save_file({k: v.detach().cpu().contiguous() for k, v in weights.items()}, str(out / "model.safetensors"),
              metadata={"format": "pt"})
    eos = vocab.stoi[SPECIALS[1]]
    atomic_write_json(out / "config.json", {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": len(vocab),
        "hidden_size": c.emb_dim, "intermediate_size": c.hidden_dim, "num_hidden_layers": c.n_layers,
        "num_attention_heads": c.n_heads, "num_key_value_heads": c.n_heads, "hidden_act": "silu",
        "max_position_embeddings": MAX_POSITIONS, "rms_norm_eps": NORM_EPS, "rope_theta": ROPE_THETA,
        "tie_word_embeddings": c.tie_weights, "attention_bias": False, "mlp_bias": False,
        "attention_dropout": 0.0, "bos_token_id": eos, "eos_token_id": eos, "torch_dtype": "float32"})
    tok = Tokenizer(models.WordLevel(vocab=dict(vocab.stoi), unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=UNK, eos_token=SPECIALS[1]).save_pretrained(str(out))
    return out
