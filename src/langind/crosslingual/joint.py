"""Cross-lingual lexicon induction with a joint multilingual LM (Wada & Iwata 2018/2019).

Wada & Iwata, "Unsupervised Cross-lingual Word Embedding by Multilingual Neural Language Models"
(arXiv 1809.02306) and "Unsupervised Multilingual Word Embedding with Limited Resources using Neural
Language Models" (ACL 2019): one LSTM body is shared by all languages, each language has its own
embedding table (tied to its own output layer) and output bias. The body must serve both
languages with one set of weights, which pushes words that play the same role in their sentences
to the same region of the shared input space — so the two embedding tables end up aligned, with no
dictionary and no parallel text. Translations are read out by CSLS between the tables.

Training alternates one batch per language per step (losses summed), on each corpus's own
train split; no verse alignment, no dictionary — the dictionary is used only by the evaluation.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as safetensors_bytes
from tqdm import tqdm

from langind import data
from langind.corpus import CorpusSource
from langind.crosslingual.lexicon import score_and_write
from langind.errors import LangindError
from langind.evaluation.bli import load_dictionary
from langind.lm.batching import batchify, evaluate_ids, one_cycle, sample_bptt, window
from langind.lm.device import pick_device
from langind.lm.model import (
    LMConfig,
    LSTMBody,
    detach_hidden,
    embedding_dropout,
    locked_dropout,
)
from langind.runs import RunDir, atomic_write_bytes, atomic_write_json, read_json
from langind.vocab import Vocab, encode_to_npy, load_ids, top_words


class MultilingualLM(nn.Module):
    """A shared LSTM body with one embedding table (tied input/output) and bias per language."""

    def __init__(self, config: LMConfig, vocab_sizes: dict[str, int]):
        super().__init__()
        self.config = config
        c = config
        self.langs = sorted(vocab_sizes)
        self.embeddings = nn.ModuleDict({lg: nn.Embedding(v, c.emb_dim) for lg, v in vocab_sizes.items()})
        self.out_biases = nn.ParameterDict({lg: nn.Parameter(torch.zeros(v)) for lg, v in vocab_sizes.items()})
        self.body = LSTMBody(c.emb_dim, c.hidden_dim, c.emb_dim, c.n_layers,
                             c.hidden_dropout, c.output_dropout, c.weight_dropout)
        for e in self.embeddings.values():
            nn.init.uniform_(e.weight, -0.1, 0.1)

    def forward(self, ids: torch.Tensor, lang: str, hidden=None):
        table = embedding_dropout(self.embeddings[lang].weight, self.config.emb_dropout, self.training)
        x = locked_dropout(F.embedding(ids, table), self.config.input_dropout, self.training)
        dropped, raw, hidden = self.body(x, hidden)
        return F.linear(dropped, self.embeddings[lang].weight, self.out_biases[lang]), hidden, (dropped, raw)

    def monolingual_view(self, lang: str) -> "_LangView":
        return _LangView(self, lang)


class _LangView(nn.Module):
    """One language of a MultilingualLM, with the WordLM calling convention (for evaluate_ids)."""

    def __init__(self, model: MultilingualLM, lang: str):
        super().__init__()
        self.model, self.lang = model, lang

    def forward(self, ids, hidden=None):
        return self.model(ids, self.lang, hidden)


@dataclass
class JointConfig:
    """The joint LM run: the two corpora, vocabularies, budget, model shape and optimisation."""

    src: str = "es"
    tgt: str = "en"
    src_corpus: str = "rv1909"
    tgt_corpus: str = "web"
    max_vocab: int = 10000
    min_freq: int = 2
    valid_fraction: float = 0.02
    minutes: float | None = 10.0
    epochs: int = 3
    batch_size: int = 32
    bptt: int = 35
    lr: float = 4e-3  # peak of the one-cycle schedule
    pct_start: float = 0.25
    weight_decay: float = 0.01
    clip: float = 0.25
    ar_alpha: float = 2.0  # activation regularisation (as in LM training)
    tar_beta: float = 1.0  # temporal activation regularisation
    model: LMConfig = field(default_factory=lambda: LMConfig(emb_dim=128, hidden_dim=384))
    seed: int = 0
    threads: int | None = None
    device: str = "auto"
    progress: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.model, dict):
            self.model = LMConfig.from_dict(self.model)
        if self.src == self.tgt:
            raise LangindError(f"source and target languages must differ (both are {self.src!r})")
        if self.epochs < 1 or self.batch_size < 1 or self.bptt < 2:
            raise LangindError("epochs and batch size must be >= 1 and bptt >= 2")
        if self.minutes is not None and self.minutes <= 0:
            raise LangindError(f"minutes must be > 0, got {self.minutes}")
        if not 0.0 < self.valid_fraction < 1.0:
            raise LangindError(f"valid fraction must be in (0, 1), got {self.valid_fraction}")


def train_joint(cfg: JointConfig, out: str | Path, log=print) -> dict:
    """Train the shared-body LM on both corpora; saves weights, vocabs and perplexities in ``out``."""
    run = RunDir(out)
    run.write_config({"command": "induce cross (joint-lm)", **asdict(cfg)})
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = pick_device(cfg.device)
    specs = {cfg.src: cfg.src_corpus, cfg.tgt: cfg.tgt_corpus}
    vocabs, train_ids, valid_ids = {}, {}, {}
    for lang, spec in specs.items():
        src = CorpusSource(spec)
        vocabs[lang] = Vocab.build(src.split("train", cfg.valid_fraction, cfg.seed), cfg.max_vocab, cfg.min_freq)
        vocabs[lang].save(run / f"vocab.{lang}.json")
        encode_to_npy(src.split("train", cfg.valid_fraction, cfg.seed), vocabs[lang], run / "data" / f"{lang}.train.npy")
        encode_to_npy(src.split("valid", cfg.valid_fraction, cfg.seed), vocabs[lang], run / "data" / f"{lang}.valid.npy")
        train_ids[lang] = load_ids(run / "data" / f"{lang}.train.npy")
        valid_ids[lang] = load_ids(run / "data" / f"{lang}.valid.npy")
        log(f"{lang}: {src.name}, vocab {len(vocabs[lang])}, {len(train_ids[lang]):,} training tokens")
    model = MultilingualLM(cfg.model, {lg: len(v) for lg, v in vocabs.items()}).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=cfg.weight_decay)
    rows = {lg: batchify(ids, cfg.batch_size) for lg, ids in train_ids.items()}
    longest = max(r.shape[1] for r in rows.values())
    total_steps = cfg.epochs * max(1, longest // cfg.bptt)
    rng = np.random.default_rng(cfg.seed)
    pos = dict.fromkeys(rows, 0)
    hidden: dict = dict.fromkeys(rows)
    t0 = time.time()
    step = 0

    def progress() -> float:
        p = step / total_steps
        return max(p, (time.time() - t0) / (cfg.minutes * 60)) if cfg.minutes else p

    bar = tqdm(total=total_steps, disable=not cfg.progress, dynamic_ncols=True, unit="step")
    model.train()
    while progress() < 1.0:
        seq_len = sample_bptt(rng, cfg.bptt)
        lr = one_cycle(progress(), cfg.lr, cfg.pct_start)
        for g in opt.param_groups:
            g["lr"] = lr * seq_len / cfg.bptt
        opt.zero_grad(set_to_none=True)
        losses = {}
        for lang in model.langs:
            if pos[lang] >= rows[lang].shape[1] - 2:
                pos[lang], hidden[lang] = 0, None
            x, y = window(rows[lang], pos[lang], seq_len, device)
            pos[lang] += x.size(1)
            logits, h, (dropped, raw) = model(x, lang, detach_hidden(hidden[lang]))
            hidden[lang] = h
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            reg = cfg.ar_alpha * dropped.pow(2).mean() + cfg.tar_beta * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
            (loss + reg).backward()
            losses[lang] = loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        step += 1
        bar.update(1)
        bar.set_postfix({f"ppl_{lg}": f"{math.exp(v):.0f}" for lg, v in losses.items()}, refresh=False)
    bar.close()
    seconds = time.time() - t0
    model.eval()
    ppl = {lg: math.exp(evaluate_ids(model.monolingual_view(lg), valid_ids[lg], device)) for lg in model.langs}
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    atomic_write_bytes(run / "model.safetensors", safetensors_bytes(weights))
    atomic_write_json(run / "model_config.json", {"lm": cfg.model.to_dict(),
                                                  "vocab_sizes": {lg: len(v) for lg, v in vocabs.items()}})
    log(f"trained {step} steps in {seconds:.0f}s; validation perplexity " + ", ".join(f"{lg} {p:.1f}" for lg, p in ppl.items()))
    return {"steps": step, "seconds": round(seconds, 1), "valid_ppl": ppl}


def load_joint(run: str | Path) -> tuple[MultilingualLM, dict[str, Vocab]]:
    run = Path(run)
    meta = read_json(run / "model_config.json", "joint model config")
    vocabs = {lg: Vocab.load(run / f"vocab.{lg}.json") for lg in meta["vocab_sizes"]}
    for lg, v in vocabs.items():
        if len(v) != meta["vocab_sizes"][lg]:
            raise LangindError(f"{run}/vocab.{lg}.json does not match the model ({len(v)} vs {meta['vocab_sizes'][lg]} words)")
    model = MultilingualLM(LMConfig.from_dict(meta["lm"]), meta["vocab_sizes"])
    try:
        model.load_state_dict(load_file(str(run / "model.safetensors")))
    except (SafetensorError, OSError, RuntimeError, ValueError) as exc:  # missing, damaged or misfitting
        raise LangindError(f"{run}/model.safetensors: corrupted or does not fit ({str(exc).splitlines()[0]})") from None
    return model.eval(), vocabs


def word_table(model: MultilingualLM, vocab: Vocab, lang: str, top: int | None = None) -> tuple[list[str], np.ndarray]:
    """The ``top`` most frequent words of a language (no specials, no punctuation) and their vectors."""
    return top_words(vocab, model.embeddings[lang].weight.detach().cpu().numpy(), top)


def evaluate_joint(run: str | Path, src: str, tgt: str, dictionary: str | Path | None = None,
                   top: int = 5000) -> dict:
    """P@k (NN, CSLS, accent-folded CSLS) between the two tables; writes the lexicon TSV into ``run``."""
    model, vocabs = load_joint(run)
    sw, sv = word_table(model, vocabs[src], src, top)
    tw, tv = word_table(model, vocabs[tgt], tgt, top)
    d = load_dictionary(dictionary if dictionary else data.dictionary_path(src, tgt))
    return score_and_write(Path(run), src, tgt, sw, sv, tw, tv, d)
