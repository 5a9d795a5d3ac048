"""Hugging Face interop (the optional ``hf`` extra: ``pip install langind[hf]``), both ways.

Out: a langind transformer LM (``langind lm train --arch transformer``) is a Llama-family decoder
(:mod:`langind.lm.transformer`), so :func:`export_hf` writes it as a directory that
``transformers.AutoModelForCausalLM.from_pretrained`` loads — weights renamed, nothing re-trained —
with a word-level tokenizer over its vocabulary (``AutoTokenizer.from_pretrained`` loads it too; it
splits on whitespace, as the LM's text was tokenized by :func:`langind.corpus.tokenize`).

In: a local causal LM directory (weights, ``config.json`` and its tokenizer) becomes a frozen LM of
``induce self`` through :func:`load_hf_word_lm`. Its vocabulary (often 30k–150k subword tokens) is
far larger than a V×V mapping head can hold, so it is read as a word LM over the ``max_vocab``
tokens most frequent in the user's text (:class:`HFWordLM`): those are wiped and recovered; every
other token stays itself, merged into ``<unk>`` — whose probability is the exact sum of theirs, so the
reduced LM's probabilities of the kept tokens are the model's own.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.corpus import CorpusSource
from langind.errors import LangindError
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.model import LMConfig
from langind.lm.transformer import NORM_EPS, ROPE_THETA
from langind.runs import atomic_write_json, ensure_dir, read_json
from langind.vocab import SPECIALS, UNK, Vocab, encode_sentences

MAX_POSITIONS = 4096
# what a saved tokenizer leaves in a model directory (one of them at least)
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "vocab.txt")  # what the exported config declares; rotary positions have no learned table to outgrow


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
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
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
    if _trained_lowercase(run):  # the vocabulary is lower-cased words: so is what the tokenizer reads
        tok.normalizer = normalizers.Lowercase()
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=UNK, eos_token=SPECIALS[1]).save_pretrained(str(out))
    return out


def _trained_lowercase(run: str | Path) -> bool:
    """Whether run ``run``'s text was lower-cased (its config says; a bare checkpoint: the default)."""
    cfg = Path(run) / "config.json"
    return bool(read_json(cfg, "run config").get("train", {}).get("lowercase", True)) if cfg.exists() else True


# -- a Hugging Face causal LM as a frozen word LM ----------------------------------------------------
def is_hf_model_dir(path: str | Path) -> bool:
    """A Hugging Face model directory (``config.json`` naming a ``model_type``), not a langind run."""
    cfg = Path(path) / "config.json"
    if not cfg.is_file():
        return False
    try:
        return "model_type" in json.loads(cfg.read_text())
    except (OSError, ValueError):
        return False


def load_hf_causal_lm(path: str | Path):
    """``(model, tokenizer)`` of the causal LM in directory ``path`` (float32, eval mode), or a one-line
    error: the extra missing, a masked (encoder) model, no tokenizer, weights that do not load."""
    transformers = require_transformers()
    transformers.utils.logging.disable_progress_bar()  # langind's own progress lines are enough
    path = Path(path)
    try:
        config = transformers.AutoConfig.from_pretrained(str(path))
    except (OSError, ValueError, KeyError) as exc:
        raise LangindError(f"{path}: not a readable Hugging Face model config ({str(exc).splitlines()[0]})") from None
    archs = getattr(config, "architectures", None) or []
    masked = any(a.endswith(("ForMaskedLM", "ForPreTraining")) for a in archs) or (
        not archs and config.model_type in transformers.models.auto.modeling_auto.MODEL_FOR_MASKED_LM_MAPPING_NAMES
        and not getattr(config, "is_decoder", False))
    if masked or getattr(config, "is_encoder_decoder", False):
        raise LangindError(f"{path} holds a {config.model_type} {'masked' if masked else 'encoder-decoder'} model "
                           f"({', '.join(archs) or 'no architectures listed'}); induce self needs a causal "
                           "(left-to-right) LM, e.g. GPT-2 or Llama")
    tokenizer = None
    if any((path / f).exists() for f in TOKENIZER_FILES):  # else transformers may build an empty one
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
        except (OSError, ValueError, TypeError, KeyError):
            pass
    if tokenizer is None:
        raise LangindError(f"{path} has no tokenizer (tokenizer.json / tokenizer_config.json); save the model's "
                           "tokenizer beside it: tokenizer.save_pretrained(DIR)")
    if tokenizer.eos_token_id is None:
        raise LangindError(f"the tokenizer of {path} has no end-of-sequence token; langind ends every line with one")
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(str(path))
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise LangindError(f"{path}: the causal LM does not load ({str(exc).strip().splitlines()[0]})") from None
    return model.float().eval(), tokenizer  # float32 whatever it was saved in: the heads learn in float32


def max_positions(config) -> int | None:
    """The longest sequence a model's config admits (GPT-2's ``n_positions``, Llama's
    ``max_position_embeddings``), or None."""
    return getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)


class HFBody(nn.Module):
    """A Hugging Face decoder stack with the langind body calling convention
    ``body(x B×T×E, hidden) → (features, features, new hidden)``: like :class:`TransformerBody`, its
    hidden is a memory of the last ``context`` input vectors, read again before each window."""

    def __init__(self, base: nn.Module, context: int, max_positions: int | None = None):
        super().__init__()
        self.base, self.context, self.max_positions = base, context, max_positions

    def forward(self, x: torch.Tensor, hidden: torch.Tensor | None = None):
        T = x.size(1)
        if self.max_positions and T > self.max_positions:
            raise LangindError(f"windows of {T} tokens exceed the model's {self.max_positions} positions; lower --bptt")
        seq = x if hidden is None else torch.cat([hidden.to(x.dtype), x], dim=1)
        if self.max_positions:  # a learned position table (GPT-2) ends there: drop the oldest memory
            seq = seq[:, -self.max_positions:]
        h = self.base(inputs_embeds=seq, use_cache=False).last_hidden_state[:, -T:]
        memory = seq[:, -self.context:] if self.context > 0 else None
        return h, h, memory


class HFWordLM(nn.Module):
    """A Hugging Face causal LM read as a word LM over a reduced vocabulary (:class:`WordLM`'s
    interface: ``input_table``, ``output_table``, ``out_bias``, ``logits``, ``forward``,
    ``forward_vectors``, ``freeze``).

    Reduced id ``i`` is model token ``hf_ids[i]`` (``<eos>`` the tokenizer's end of sequence);
    ``<unk>`` stands for every other token: its input vector is their mean weighted by their counts
    in the text, its logit the log-sum-exp of theirs — so ``log_softmax`` of the reduced logits equals
    the model's own log-probability of every kept token, and of "some other token".
    """

    def __init__(self, model: nn.Module, hf_ids: torch.Tensor, unk_vector: torch.Tensor, context: int):
        super().__init__()
        inp, out = model.get_input_embeddings(), model.get_output_embeddings()
        if out is None:
            raise LangindError(f"{type(model).__name__} has no output embeddings; a causal LM head is needed")
        self.tied = out.weight is inp.weight or out.weight.data_ptr() == inp.weight.data_ptr()
        self.vocab_size = V = len(hf_ids)
        unk = SPECIALS.index(UNK)
        table = inp.weight.detach()[hf_ids].clone()
        table[unk] = unk_vector
        self.embedding = nn.Embedding.from_pretrained(table, freeze=True)
        full_bias = out.bias.detach() if getattr(out, "bias", None) is not None else torch.zeros(out.weight.shape[0])
        self.register_buffer("out_weight", out.weight.detach()[hf_ids].clone())
        self.register_buffer("out_bias", full_bias[hf_ids].clone())
        rest = torch.ones(out.weight.shape[0], dtype=torch.bool)
        rest[hf_ids[torch.arange(V) != unk]] = False
        self.register_buffer("rest_weight", out.weight.detach()[rest].clone())
        self.register_buffer("rest_bias", full_bias[rest].clone())
        self.unk = unk
        self.body = HFBody(model.base_model, context, max_positions(model.config))

    @property
    def input_table(self) -> torch.Tensor:
        return self.embedding.weight

    @property
    def output_table(self) -> torch.Tensor:
        return self.out_weight

    def logits(self, features: torch.Tensor, out_table: torch.Tensor | None = None,
               out_bias: torch.Tensor | None = None) -> torch.Tensor:
        table = self.output_table if out_table is None else out_table
        bias = self.out_bias if out_bias is None else out_bias
        z = F.linear(features, table, bias)
        other = torch.logsumexp(F.linear(features, self.rest_weight, self.rest_bias), dim=-1, keepdim=True)
        return torch.cat([z[..., :self.unk], other, z[..., self.unk + 1:]], dim=-1)

    def forward_vectors(self, x: torch.Tensor, hidden=None, out_table: torch.Tensor | None = None,
                        out_bias: torch.Tensor | None = None):
        features, _, hidden = self.body(x, hidden)
        return self.logits(features, out_table, out_bias), hidden

    def forward(self, ids: torch.Tensor, hidden=None):
        logits, hidden = self.forward_vectors(self.embedding(ids), hidden)
        return logits, hidden, (None, None)

    def freeze(self) -> "HFWordLM":
        for p in self.parameters():
            p.requires_grad_(False)
        return self.eval()


def load_hf_word_lm(path: str | Path, text: str, max_vocab: int, min_freq: int = 2,
                    context: int = LMConfig.context) -> tuple[HFWordLM, Vocab, np.ndarray]:
    """A local Hugging Face causal LM as a frozen word LM over the tokens most frequent in a text.

    Each line of the corpus is its tokens joined by spaces (case kept), split by the model's
    tokenizer and ended with its end-of-sequence token. The ``max_vocab`` entries (two specials
    included) are the tokens seen at least ``min_freq`` times, most frequent first; every other
    token is ``<unk>`` (:class:`HFWordLM`).

    Parameters
    ----------
    path : directory with the model (``config.json``, weights) and its tokenizer.
    text : a file or corpus spec (:class:`langind.corpus.CorpusSource`).
    max_vocab : reduced vocabulary size, specials included.
    min_freq : least count of a kept token in the text.
    context : input vectors the body re-reads before each window (its memory).

    Returns
    -------
    lm : the reduced LM (CPU, frozen).
    vocab : token strings as the tokenizer writes them, in the text's frequency order; ``counts`` are
        the *model's* frequencies, as a langind LM's are its training counts (what the ``counts``
        start and the count-only baseline match the text against): a model on disk carries none, so
        they are counted in text it writes (:func:`sampled_counts`).
    ids : (T,) the text in reduced ids.

    Raises
    ------
    LangindError : the ``hf`` extra missing, no tokenizer, a masked or encoder-decoder model, too
        little text.
    """
    model, tokenizer = load_hf_causal_lm(path)
    src = CorpusSource(text, lowercase=False)
    lines = [tokenizer.convert_ids_to_tokens(tokenizer(" ".join(words), add_special_tokens=False)["input_ids"])
             for words in src.sentences()]
    vocab = Vocab.build(lines, max_size=max_vocab, min_freq=min_freq)
    if len(vocab) <= len(SPECIALS) + 1:
        raise LangindError(f"{src.name}: fewer than two tokens occur {min_freq}+ times under {path}'s tokenizer; "
                           "give a longer text")
    hf_ids = torch.tensor([tokenizer.eos_token_id if w == SPECIALS[1] else
                           (tokenizer.convert_tokens_to_ids(w) if w != UNK else 0) for w in vocab.itos])
    emb = model.get_input_embeddings().weight.detach()
    others = Counter(t for line in lines for t in line if t not in vocab.stoi)
    if others:
        ids = torch.tensor(tokenizer.convert_tokens_to_ids(list(others)))
        weights = torch.tensor(list(others.values()), dtype=emb.dtype)
        unk_vector = (weights[:, None] * emb[ids]).sum(0) / weights.sum()
    else:
        unk_vector = emb.mean(0)
    ids = encode_sentences(lines, vocab).astype(np.int64)
    vocab = Vocab(vocab.itos, sampled_counts(model, tokenizer.eos_token_id, hf_ids))
    return HFWordLM(model, hf_ids, unk_vector, context).freeze(), vocab, ids


@torch.no_grad()
def sampled_counts(model: nn.Module, eos_id: int, hf_ids: torch.Tensor, n_rows: int = 32, length: int = 256,
                   seed: int = 0) -> list[int]:
    """How often the model writes each of ``hf_ids`` in ``n_rows`` texts of ``length`` tokens sampled
    from it (from the end-of-sequence token, temperature 1, no top-k/top-p cut: its own distribution),
    plus one; specials (the first two) 0. The model's word frequencies, estimated without its
    training text."""
    torch.manual_seed(seed)
    limit = max_positions(model.config) or length + 1
    start = torch.full((n_rows, 1), eos_id, dtype=torch.long)
    out = model.generate(input_ids=start, attention_mask=torch.ones_like(start), do_sample=True,
                         max_new_tokens=min(length, limit - 1), min_new_tokens=min(length, limit - 1),
                         top_k=0, top_p=1.0, temperature=1.0, pad_token_id=eos_id)
    written = torch.bincount(out[:, 1:].reshape(-1), minlength=int(hf_ids.max()) + 1)
    counts = (written[hf_ids] + 1).tolist()
    n_specials = len(SPECIALS)
    return [0] * n_specials + counts[n_specials:]
