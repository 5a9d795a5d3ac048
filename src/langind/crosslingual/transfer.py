"""Cross-lingual transfer through a frozen LM: embedding swap, decipherment and the hybrid.

One language's LM (the *target*, e.g. English) is frozen; the other language's text (the *source*,
e.g. Spanish) is read through it with a learnable mapping from source words to the target LM's
input space, in ``both`` mode (:mod:`langind.mapping.fit`): the mapping gives the input vectors *and*
the output layer, so the frozen body must predict the next Spanish word. Nothing bilingual is used —
the dictionary only scores the result. Three ways to parameterise and start the mapping:

* ``swap`` — the earlier exploration's idea, reproduced: a source-language LM's own embedding
  table ``E_s`` is fed to the target LM through a learnable linear map, ``x_s = E_s[s] A``
  (:class:`langind.mapping.heads.EmbeddingMapHead`; ``A`` starts at the identity: the plain swap).
  Separately trained LMs do not share coordinates, so the identity start is useless; ``A`` is
  learned through the frozen body (input and tied output).
* ``decipher`` — a free vector per source word (:class:`langind.mapping.heads.VectorHead`), started at the
  target word with the same frequency rank (a legitimate unsupervised signal). This is Wada &
  Iwata's shared-body idea with the body frozen on the target language: each source word's vector
  is fitted to the contexts in which the target-language body expects it.
* ``hybrid`` — the same vector head, started from an induced lexicon (any TSV ``source, target,
  score``, e.g. the joint LM's or an alignment baseline's): source word ``s`` starts at the target
  vector of its induced translation, and the LM loss refines it. Words the lexicon does not cover
  start from frequency rank as in ``decipher``.

Translations are read out by CSLS between the learned source vectors and the target LM's table
(:func:`langind.induction.transfer.transfer`: the pipeline with run directory, lexicon and report).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from langind.corpus import CorpusSource
from langind.crosslingual.lexicon import read_lexicon
from langind.errors import LangindError, check_choice
from langind.lm.batching import evaluate_ids
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.model import WordLM
from langind.mapping.fit import FitConfig, ThroughHead, fit_head, load_frozen_lm
from langind.mapping.heads import EmbeddingMapHead, MappingHead, make_head
from langind.mapping.solvers import word_count_match
from langind.vocab import Vocab, encode_sentences

METHODS = ("swap", "decipher", "hybrid")


def _default_fit() -> FitConfig:
    # the source text is read in both mode; no learning-curve callbacks
    return FitConfig(scramble="both", eval_every=None)


def check_anchor(method: str, anchor: float) -> None:
    """The anchor pulls *learned vectors* towards their start: decipher and hybrid have them, swap
    does not (its range ≥ 0 is :class:`FitConfig`'s check)."""
    if anchor and method == "swap":
        raise LangindError("--anchor applies to decipher and hybrid (learned vectors), not swap")


@dataclass
class TransferConfig:
    """A frozen-LM transfer run: method, the two LMs, the source text, and how the head is fitted."""

    method: str = "decipher"
    lm: str = ""  # the frozen target-language LM (run directory)
    src_corpus: str = "rv1909"
    src_lm: str | None = None  # source-language LM run: its vocab (and, for swap, its table)
    init_lexicon: str | None = None  # hybrid: TSV lexicon (source, target, score) to start from
    init: str = "counts"  # decipher: "counts" (frequency-rank match) or "random"
    max_vocab: int = 6000  # source vocabulary size when no src_lm is given
    min_freq: int = 2
    fit: FitConfig = field(default_factory=_default_fit)
    seed: int = 0
    threads: int | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)
        check_choice("init", self.init, ("counts", "random"))
        if not self.lm:
            raise LangindError(f"method {self.method} needs the frozen target-language LM (--tgt-lm RUN)")
        if self.method == "swap" and not self.src_lm:
            raise LangindError("method swap needs a source-language LM (--src-lm RUN) whose embeddings are swapped in")
        if self.method == "hybrid" and not self.init_lexicon:
            raise LangindError("method hybrid needs a lexicon to start from (--init-lexicon FILE.tsv)")
        check_anchor(self.method, self.fit.anchor)
        if self.fit.scramble != "both":
            raise LangindError("cross-lingual transfer reads the source text in both mode")


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


@dataclass
class Transferred:
    """What :func:`fit_transfer` learned: the two vocabularies, the source vectors before and after
    the fit (the head's output table, (V_src, E)), the frozen LM's table (V_tgt, E), the fit's
    history, the frozen LM's loss on the source text read through the mapping, and notes."""

    src_vocab: Vocab
    tgt_vocab: Vocab
    start_table: np.ndarray
    learned: np.ndarray
    tgt_table: np.ndarray
    history: list[dict]
    source_text_loss: float
    source_tokens: int
    info: dict


def fit_transfer(cfg: TransferConfig, src: str = "es", tgt: str = "en", echo=print) -> Transferred:
    """Learn a vector for every source word in the frozen target LM's input space by reading the
    source text through it (``swap``: a linear map of the source LM's table; ``decipher`` /
    ``hybrid``: free vectors from a frequency-rank or lexicon start). ``src``/``tgt`` only name the
    languages in messages. Run directories and reports are :mod:`langind.induction.transfer`'s."""
    lm, tgt_vocab, device = load_frozen_lm(cfg.lm, cfg.device, cfg.seed, cfg.threads)
    corpus = CorpusSource(cfg.src_corpus)
    src_lm: WordLM | None = None
    if cfg.src_lm:
        src_lm, src_vocab = load_lm(lm_run_checkpoint(cfg.src_lm), device)
    else:
        src_vocab = Vocab.build(corpus.sentences(), cfg.max_vocab, cfg.min_freq)
    if src_vocab.n_specials != tgt_vocab.n_specials:
        raise LangindError("source and target vocabularies use different special tokens")
    src_ids = encode_sentences(corpus.sentences(), src_vocab).astype(np.int64)
    if len(src_ids) < cfg.fit.batch_size * (cfg.fit.bptt + 2):
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
         f"{tgt} LM ({len(tgt_vocab)} words), "
         + (f"{cfg.fit.minutes:g} min" if cfg.fit.minutes else f"{cfg.fit.max_steps} steps"))

    start_table = head.out_table().detach().cpu().numpy().copy()
    history = fit_head(lm, head, src_ids, src_ids, cfg.fit, device=device)
    # how well the frozen LM reads the source text through the mapping (lower = better fit)
    n_eval = min(len(src_ids), 50_000)
    loss = evaluate_ids(ThroughHead(lm, head), src_ids[-n_eval:], device)
    return Transferred(src_vocab, tgt_vocab, start_table, head.out_table().detach().cpu().numpy(),
                       lm.input_table.detach().cpu().numpy(), history, loss, int(len(src_ids)), info)
