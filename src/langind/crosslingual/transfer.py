"""Cross-lingual transfer through a frozen LM: embedding swap, decipherment and the hybrid.

One language's LM (the *target*, e.g. English) is frozen; the other language's text (the *source*,
e.g. Spanish) is read through it with a learnable mapping from source words to the target LM's
input space, in ``both`` mode (:mod:`langind.mapping.fit`): the mapping gives the input vectors *and*
the output layer, so the frozen body must predict the next Spanish word. Nothing bilingual is used —
the dictionary only scores the result. Three ways to parameterise and start the mapping:

* ``swap`` — the earlier exploration's idea, reproduced: a source-language LM's own embedding
  table ``E_s`` is fed to the target LM through a learnable linear map, ``x_s = E_s[s] A``
  (``A`` starts at the identity: the plain swap). ``A`` has only E×E parameters, so it can only
  rotate/scale one space onto the other. Separately trained LMs do not share coordinates, so the
  identity start is useless (P@1 0.003 es→en); learning ``A`` through the frozen body (input and
  tied output) nevertheless reaches P@1 ~0.12 in two CPU minutes (README, BLI benchmark).
* ``decipher`` — a free vector per source word (:class:`langind.mapping.heads.VectorHead`), started at the
  target word with the same frequency rank (a legitimate unsupervised signal). This is Wada &
  Iwata's shared-body idea with the body frozen on the target language: each source word's vector
  is fitted to the contexts in which the target-language body expects it.
* ``hybrid`` — the same vector head, started from an induced lexicon (any TSV ``source, target,
  score``, e.g. the joint LM's or an alignment baseline's): source word ``s`` starts at the target
  vector of its induced translation, and the LM loss refines it. Words the lexicon does not cover
  start from frequency rank as in ``decipher``.

Translations are read out by CSLS between the learned source vectors and the target LM's table.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.corpus import CorpusSource
from langind.crosslingual.embeddings import write_word2vec
from langind.crosslingual.lexicon import (
    induce_lexicon,
    load_dictionary,
    read_lexicon,
    write_lexicon,
)
from langind.errors import LangindError
from langind.evaluation.metrics import bli_precision
from langind.experiments.self_recovery import word_count_match
from langind.lm.checkpoint import load_lm
from langind.lm.model import WordLM
from langind.lm.train import evaluate_ids, lm_run_checkpoint
from langind.mapping.fit import DecipherConfig, ThroughHead, load_frozen_lm, train_head
from langind.mapping.heads import MappingHead, make_head
from langind.runs import RunDir, atomic_write_text
from langind.vocab import Vocab, alphabetic_words, encode_sentences

METHODS = ("swap", "decipher", "hybrid")

# Adam step sizes that worked on the bundled corpora (vector head as in self-recovery).
DEFAULT_LR = {"swap": 1e-3, "decipher": 1e-2, "hybrid": 1e-2}


class EmbeddingMapHead(MappingHead):
    """``x_s = E_s[s] A``: a source LM's embedding table mapped linearly into the target LM's space.

    ``A`` (E_s × E_t) starts at the identity when the dimensions agree (the plain embedding swap) and
    at a random orthogonal matrix otherwise. In ``both`` mode the output bias starts at the source
    LM's own bias and is learned. Read-out: cosine of ``E_s A`` against the target table.
    """

    name = "embedding-map"
    mixes = False

    def __init__(self, table: torch.Tensor, out_bias: torch.Tensor, src_table: torch.Tensor,
                 src_bias: torch.Tensor):
        super().__init__(table, out_bias, src_table.shape[0])
        self.register_buffer("src_table", src_table.detach().clone())
        d_s, d_t = src_table.shape[1], table.shape[1]
        a = torch.eye(d_s, d_t) if d_s == d_t else nn.init.orthogonal_(torch.empty(d_s, d_t))
        # keep the target LM's vector scale: the frozen body was trained on inputs of that norm
        scale = table.norm(dim=1).mean() / src_table.norm(dim=1).mean().clamp_min(1e-8)
        self.a = nn.Parameter(a * scale)
        self.bias = nn.Parameter(src_bias.detach().clone())

    def vectors(self, src_ids):
        return F.embedding(src_ids, self.src_table) @ self.a

    def out_table(self):
        return self.src_table @ self.a

    def out_bias(self):
        return self.bias

    @torch.no_grad()
    def scores(self):
        return F.normalize(self.out_table(), dim=1) @ F.normalize(self.table, dim=1).T


@dataclass
class TransferConfig:
    method: str = "decipher"
    lm: str = ""  # the frozen target-language LM (run directory)
    src_corpus: str = "rv1909"
    src_lm: str | None = None  # source-language LM run: its vocab (and, for swap, its table)
    init_lexicon: str | None = None  # hybrid: TSV lexicon (source, target, score) to start from
    init: str = "counts"  # decipher: "counts" (frequency-rank match) or "random"
    max_vocab: int = 6000  # source vocabulary size when no src_lm is given
    min_freq: int = 2
    minutes: float | None = 5.0
    max_steps: int | None = None
    lr: float | None = None
    anchor: float = 0.0  # decipher/hybrid: pull vectors towards their start (DecipherConfig.anchor)
    batch_size: int = 32
    bptt: int = 35
    seed: int = 0
    threads: int | None = None
    device: str = "auto"
    progress: bool = True

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise LangindError(f"unknown method {self.method!r}; choose one of {METHODS}")
        if not self.lm:
            raise LangindError(f"method {self.method} needs the frozen target-language LM (--lm RUN)")
        if self.method == "swap" and not self.src_lm:
            raise LangindError("method swap needs a source-language LM (--src-lm RUN) whose embeddings are swapped in")
        if self.method == "hybrid" and not self.init_lexicon:
            raise LangindError("method hybrid needs a lexicon to start from (--init-lexicon FILE.tsv)")
        if self.anchor and self.method == "swap":
            raise LangindError("--anchor applies to decipher and hybrid (learned vectors), not swap")
        if self.init not in ("counts", "random"):
            raise LangindError(f"unknown init {self.init!r}; choose counts or random")


def alpha_words(vocab: Vocab, vectors: np.ndarray, top: int | None) -> tuple[list[str], np.ndarray]:
    """The ``top`` most frequent words of ``vocab`` (no specials, no punctuation) and their vectors."""
    return alphabetic_words(vocab.itos, vectors, top, start=vocab.n_specials)


def lexicon_match(lexicon: list[tuple[str, str, float]], src_vocab: Vocab, tgt_vocab: Vocab,
                  fallback: np.ndarray) -> tuple[np.ndarray, int]:
    """Start points for ``hybrid``: ``match[s]`` = target id of s's induced translation.

    Source words missing from the lexicon (or whose translation is not in the target vocab) keep
    ``fallback[s]`` (the frequency-rank match). Returns the match and how many words it covers.
    """
    match = fallback.copy()
    used = 0
    seen: set[str] = set()
    for s, t, _ in lexicon:
        if s in seen:  # first (best) row wins
            continue
        seen.add(s)
        i, j = src_vocab.stoi.get(s), tgt_vocab.stoi.get(t)
        if i is not None and j is not None and i >= src_vocab.n_specials:
            match[i] = j
            used += 1
    if used == 0:
        raise LangindError("the initial lexicon shares no word pair with the two vocabularies; "
                           "check its languages and direction (source<TAB>target<TAB>score)")
    return match, used


def transfer(cfg: TransferConfig, out: str | Path, src: str = "es", tgt: str = "en",
             dictionary: str | Path | None = None, top: int = 5000, echo=print) -> dict:
    """Learn source-word vectors in the frozen target LM's space; evaluate, write lexicon and report."""
    run = RunDir(out)
    run.write_config({"command": f"induce cross ({cfg.method})", "src": src, "tgt": tgt, **asdict(cfg)})
    lm, tgt_vocab, device = load_frozen_lm(cfg.lm, cfg.device, cfg.seed, cfg.threads)
    d = load_dictionary(dictionary) if dictionary else None
    corpus = CorpusSource(cfg.src_corpus)
    src_lm: WordLM | None = None
    if cfg.src_lm:
        src_lm, src_vocab = load_lm(lm_run_checkpoint(cfg.src_lm), device)
    else:
        src_vocab = Vocab.build((t for _, t in corpus), cfg.max_vocab, cfg.min_freq)
    if src_vocab.n_specials != tgt_vocab.n_specials:
        raise LangindError("source and target vocabularies use different special tokens")
    src_ids = encode_sentences((t for _, t in corpus), src_vocab).astype(np.int64)
    if len(src_ids) < cfg.batch_size * (cfg.bptt + 2):
        raise LangindError(f"source text has only {len(src_ids)} tokens; give a longer text")
    ns = src_vocab.n_specials
    src_counts = np.bincount(src_ids, minlength=len(src_vocab))
    by_rank = word_count_match(src_counts, np.asarray(tgt_vocab.counts, dtype=np.int64), ns)

    info: dict = {}
    if cfg.method == "swap":
        head: MappingHead = EmbeddingMapHead(lm.input_table, lm.out_bias, src_lm.input_table, src_lm.out_bias)
    else:
        match = by_rank
        if cfg.method == "hybrid":
            match, used = lexicon_match(read_lexicon(cfg.init_lexicon), src_vocab, tgt_vocab, by_rank)
            info["init_lexicon_words"] = used
        init = "random" if cfg.method == "decipher" and cfg.init == "random" else "counts"
        head = make_head("vector", lm.input_table, lm.out_bias, len(src_vocab), init=init,
                         match=torch.as_tensor(match))
    echo(f"{cfg.method}: reading {len(src_ids):,} {src} tokens ({len(src_vocab)} word types) through the frozen "
         f"{tgt} LM ({len(tgt_vocab)} words), " + (f"{cfg.minutes:g} min" if cfg.minutes else f"{cfg.max_steps} steps"))

    start_table = head.out_table().detach().cpu().numpy().copy()
    dcfg = DecipherConfig(mode="both", minutes=cfg.minutes, max_steps=cfg.max_steps, batch_size=cfg.batch_size,
                          bptt=cfg.bptt, lr=cfg.lr if cfg.lr is not None else DEFAULT_LR[cfg.method],
                          eval_every=1e9, progress=cfg.progress, anchor=cfg.anchor)
    history = train_head(lm, head, src_ids, src_ids, dcfg, device=device)
    learned = head.out_table().detach().cpu().numpy()
    # how well the frozen LM reads the source text through the mapping (lower = better fit)
    n_eval = min(len(src_ids), 50_000)
    loss = evaluate_ids(ThroughHead(lm, head), src_ids[-n_eval:], device)

    sw, sv = alpha_words(src_vocab, learned, top)
    tw, tv = alpha_words(tgt_vocab, lm.input_table.detach().cpu().numpy(), top)
    result: dict = {"method": cfg.method, "src": src, "tgt": tgt, "seconds": history[-1]["seconds"],
                    "steps": history[-1]["step"], "source_tokens": int(len(src_ids)),
                    "src_vocab": len(src_vocab), "tgt_vocab": len(tgt_vocab), "source_text_ppl": math.exp(min(loss, 50)),
                    **info}
    if d is not None:
        for retrieval in ("nn", "csls"):
            result[retrieval] = bli_precision(sw, sv, tw, tv, d, retrieval)
        result["csls_folded"] = bli_precision(sw, sv, tw, tv, d, "csls", fold=True)
        s0w, s0v = alpha_words(src_vocab, start_table, top)
        result["start_csls"] = bli_precision(s0w, s0v, tw, tv, d, "csls")
    lexicon = induce_lexicon(sw, sv, tw, tv)
    write_lexicon(run / f"lexicon.{src}-{tgt}.tsv", lexicon)
    write_word2vec(run / f"vectors.{src}.vec", sw, sv, skip_specials=False)
    write_word2vec(run / f"vectors.{tgt}.vec", tw, tv, skip_specials=False)
    result["sample"] = [(s, t) for s, t, _ in lexicon[:30]]
    run.write_metrics(result)
    atomic_write_text(run / "report.md", transfer_report(result))
    return result


def transfer_report(r: dict) -> str:
    lines = [f"# Cross-lingual {r['src']}→{r['tgt']} through a frozen {r['tgt']} LM: `{r['method']}`", "",
             f"{r['source_tokens']:,} source tokens, {r['src_vocab']} source word types, {r['steps']} steps in "
             f"{r['seconds']:.0f} s; the frozen LM reads the source text at perplexity {r['source_text_ppl']:.1f}.", ""]
    if "csls" in r:
        lines += ["| retrieval | P@1 | P@5 | P@10 | test words |", "|---|---:|---:|---:|---:|"]
        for name in ("start_csls", "nn", "csls", "csls_folded"):
            m = r[name]
            label = {"start_csls": "csls, before training"}.get(name, name)
            lines.append(f"| {label} | {m['P@1']:.3f} | {m['P@5']:.3f} | {m['P@10']:.3f} | {m['evaluated']} |")
        lines.append("")
    lines += ["Sample (most frequent source words, CSLS best):", "",
              ", ".join(f"{a}→{b}" for a, b in r["sample"]), ""]
    return "\n".join(lines)
