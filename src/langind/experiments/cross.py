"""The ``induce cross`` pipeline: unsupervised lexicon induction from two monolingual corpora.

One library function, :func:`induce_cross`, runs any method end to end — training whatever LM it
needs with a named recipe (:mod:`langind.lm.recipes`) — so the CLI, the benchmarks and the tests
call the same code:

* ``joint-lm`` — the shared-body multilingual LM (:mod:`langind.crosslingual.joint`);
* ``decipher`` / ``swap`` — the source text read by a frozen target LM
  (:mod:`langind.crosslingual.transfer`);
* ``hybrid`` — decipher started from a lexicon: ``init_lexicon`` if given, else the joint LM's;
* ``coocmap``, ``coocmap-clip``, ``coocmap-drop``, ``coocmap-grow`` — co-occurrence matching with no
  LM (:mod:`langind.crosslingual.coocmap`); ``-drop`` is the strongest on parallel text, ``-grow``
  (frequent words first) the one that does not collapse on non-parallel text;
* ``vecmap`` — gensim word2vec on each corpus, then vecmap-style self-learning
  (:mod:`langind.crosslingual.align`);
* ``incontext`` — an aligner's top-k candidates (``candidates``) re-ranked by a bigram LM of the
  target text reading the source text (:mod:`langind.crosslingual.incontext`).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from langind import data
from langind.corpus import CorpusSource
from langind.crosslingual import align
from langind.crosslingual.coocmap import coocmap_variant, corpus_cooccurrence
from langind.crosslingual.embeddings import train_word2vec
from langind.crosslingual.incontext import BigramLM, InContextConfig, UnigramLM, rerank
from langind.crosslingual.joint import JointConfig, evaluate_joint, train_joint
from langind.crosslingual.lexicon import score_and_write, write_lexicon
from langind.crosslingual.transfer import TransferConfig, transfer
from langind.errors import LangindError, check_choice
from langind.evaluation.bli import (
    bli_precision,
    load_dictionary,
    ranked_precision,
    retrieval_scores,
)
from langind.lm.recipes import train_recipe
from langind.mapping.fit import FitConfig
from langind.runs import RunDir
from langind.similarity import unit_rows
from langind.vocab import SPECIALS, Vocab, alphabetic_words

LM_METHODS = ("joint-lm", "decipher", "hybrid", "swap")
ALIGNMENT_METHODS = ("coocmap", "coocmap-clip", "coocmap-drop", "coocmap-grow", "vecmap")
CROSS_METHODS = LM_METHODS + ALIGNMENT_METHODS + ("incontext",)


def bundled_corpus(lang: str) -> str:
    """The bundled corpus of a language (``en`` → ``web``, ``es`` → ``rv1909``)."""
    for name, (lg, _) in data.CORPORA.items():
        if lg == lang:
            return name
    raise LangindError(f"no bundled corpus for language {lang!r}; give --src-corpus/--tgt-corpus")


@dataclass
class CrossConfig:
    """Everything ``induce cross`` needs; validated before any run directory is made."""

    src: str = "es"
    tgt: str = "en"
    method: str = "joint-lm"
    src_corpus: str | None = None  # default: the bundled corpus of ``src``
    tgt_corpus: str | None = None  # default: the bundled corpus of ``tgt`` (when a method needs it)
    dictionary: str | None = None  # evaluation only; default: the bundled FreeDict of the pair
    minutes: float = 10.0  # budget of the method (hybrid: of each of its two stages)
    lm: str | None = None  # frozen target LM run (default: train the ``reference`` recipe)
    src_lm: str | None = None  # swap: source LM run (default: train the ``reference`` recipe)
    init_lexicon: str | None = None  # hybrid: start here instead of training the joint LM
    anchor: float = FitConfig.anchor
    lm_minutes: float = 16.0  # budget of each LM trained because none was given
    joint: JointConfig = field(default_factory=JointConfig)  # joint-lm settings (src/tgt/corpora/minutes filled in)
    top: int = 5000  # evaluate and translate the N most frequent words of each side
    window: int = 5  # coocmap: co-occurrence window
    w2v_epochs: int = 20  # vecmap: word2vec epochs (small corpora need many; README, word2vec settings)
    candidates: str = "coocmap-grow"  # incontext: the aligner whose top-k candidates the LM re-ranks
    incontext: InContextConfig = field(default_factory=InContextConfig)
    seed: int = 0
    threads: int | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        check_choice("method", self.method, CROSS_METHODS)
        check_choice("candidate aligner", self.candidates, ALIGNMENT_METHODS)
        if self.src == self.tgt:
            raise LangindError(f"source and target languages must differ (both are {self.src!r})")
        if self.minutes <= 0 or self.lm_minutes <= 0:
            raise LangindError("budgets (--minutes, --lm-minutes) must be > 0")
        if self.anchor < 0:
            raise LangindError(f"anchor must be >= 0, got {self.anchor}")
        if self.method == "swap" and self.anchor:
            raise LangindError("--anchor applies to decipher and hybrid (learned vectors), not swap")
        if self.dictionary is None and (self.src, self.tgt) not in data.DICTIONARIES:
            raise LangindError(f"no bundled {self.src}-{self.tgt} dictionary; pass --dictionary FILE for evaluation")
        self.src_corpus = self.src_corpus or bundled_corpus(self.src)
        if self.needs_target_text:
            self.tgt_corpus = self.tgt_corpus or bundled_corpus(self.tgt)

    @property
    def aligns_corpora(self) -> bool:
        return self.method in ALIGNMENT_METHODS or self.method == "incontext"

    @property
    def trains_joint(self) -> bool:
        return self.method == "joint-lm" or (self.method == "hybrid" and self.init_lexicon is None)

    @property
    def needs_target_text(self) -> bool:
        return self.trains_joint or self.aligns_corpora or (self.method != "joint-lm" and self.lm is None)

    @property
    def dictionary_path(self):
        return self.dictionary if self.dictionary is not None else data.dictionary_path(self.src, self.tgt)


def induce_cross(cfg: CrossConfig, out: str | Path, echo: Callable[[str], None] = print) -> dict:
    """Run ``cfg.method`` into run directory ``out``; returns ``{"joint-lm": ..., METHOD: ...}``
    (each a metrics dict with ``nn``, ``csls``, ``csls_folded`` P@k and a lexicon ``sample``)."""
    out = Path(out)
    run = RunDir(out)
    if cfg.method == "incontext":
        run.write_config({"command": "induce cross (incontext)", **asdict(cfg)})
        return {cfg.method: incontext_result(cfg, run, echo)}
    if cfg.aligns_corpora:
        return {cfg.method: align_corpora(cfg, run, echo)}
    results: dict = {}
    init_lexicon = cfg.init_lexicon
    if cfg.trains_joint:
        joint_dir = out if cfg.method == "joint-lm" else out / "joint-lm"
        jcfg = replace(cfg.joint, src=cfg.src, tgt=cfg.tgt, src_corpus=cfg.src_corpus, tgt_corpus=cfg.tgt_corpus,
                       minutes=cfg.minutes, seed=cfg.seed, threads=cfg.threads, progress=cfg.progress)
        trained = train_joint(jcfg, joint_dir, log=echo)
        res = evaluate_joint(joint_dir, cfg.src, cfg.tgt, cfg.dictionary_path, top=cfg.top)
        res["training"] = trained
        RunDir(joint_dir).write_metrics(res)
        results["joint-lm"] = res
        init_lexicon = str(joint_dir / f"lexicon.{cfg.src}-{cfg.tgt}.tsv")
    if cfg.method == "joint-lm":
        return results

    lm, src_lm = cfg.lm, cfg.src_lm
    if lm is None:
        lm = str(out / f"lm-{cfg.tgt}")
        echo(f"training the frozen {cfg.tgt} LM on {cfg.tgt_corpus} ({cfg.lm_minutes:g} min) into {lm}")
        train_recipe("reference", cfg.tgt_corpus, lm, max_minutes=cfg.lm_minutes, seed=cfg.seed,
                     threads=cfg.threads, progress=cfg.progress)
    if cfg.method == "swap" and src_lm is None:
        src_lm = str(out / f"lm-{cfg.src}")
        echo(f"training the {cfg.src} LM on {cfg.src_corpus} ({cfg.lm_minutes:g} min) into {src_lm}")
        train_recipe("reference", cfg.src_corpus, src_lm, max_minutes=cfg.lm_minutes, seed=cfg.seed,
                     threads=cfg.threads, progress=cfg.progress)
    fit = FitConfig(mode="both", minutes=cfg.minutes, eval_every=1e9, anchor=cfg.anchor, progress=cfg.progress)
    tcfg = TransferConfig(method=cfg.method, lm=lm, src_corpus=cfg.src_corpus, src_lm=src_lm,
                          init_lexicon=init_lexicon, fit=fit, seed=cfg.seed, threads=cfg.threads)
    results[cfg.method] = transfer(tcfg, out, cfg.src, cfg.tgt, cfg.dictionary_path, top=cfg.top, echo=echo)
    return results


def aligned_spaces(cfg: CrossConfig, method: str, echo: Callable[[str], None] = print):
    """Two aligned spaces of the ``top`` alphabetic words of each corpus, from a dictionary-free
    alignment method: coocmap (any variant) or word2vec + vecmap-style. Returns (sw, sv, tw, tv, info)."""
    if method.startswith("coocmap"):
        echo(f"{method}: co-occurrence counts (window {cfg.window}) of the {cfg.top} most frequent tokens of "
             f"{cfg.src_corpus} and {cfg.tgt_corpus}")
        src_words, counts_src = corpus_cooccurrence(cfg.src_corpus, cfg.top, cfg.window)
        tgt_words, counts_tgt = corpus_cooccurrence(cfg.tgt_corpus, cfg.top, cfg.window)
        xw, zw, info = coocmap_variant(counts_src, counts_tgt, method)
        (sw, sv), (tw, tv) = alphabetic_words(src_words, xw), alphabetic_words(tgt_words, zw)
    else:
        echo(f"vecmap: word2vec ({cfg.w2v_epochs} epochs) on {cfg.src_corpus} and {cfg.tgt_corpus}, then "
             f"vecmap-style self-learning (at most {cfg.minutes:g} min)")
        sw, sv = alphabetic_words(*train_word2vec(cfg.src_corpus, epochs=cfg.w2v_epochs, seed=cfg.seed), cfg.top)
        tw, tv = alphabetic_words(*train_word2vec(cfg.tgt_corpus, epochs=cfg.w2v_epochs, seed=cfg.seed), cfg.top)
        sv, tv, info = align.vecmap_unsupervised(sv, tv, seed=cfg.seed, time_limit=cfg.minutes * 60)
    return sw, sv, tw, tv, info


def align_corpora(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """A dictionary-free alignment method end to end from the two corpora: writes config, lexicon,
    metrics into ``run``; returns the metrics."""
    run.write_config({"command": f"induce cross ({cfg.method})", **asdict(cfg)})
    t0 = time.time()
    sw, sv, tw, tv, info = aligned_spaces(cfg, cfg.method, echo)
    d = load_dictionary(cfg.dictionary_path)
    result = {"method": cfg.method, "src": cfg.src, "tgt": cfg.tgt, "info": info,
              "seconds": round(time.time() - t0, 1),
              **score_and_write(run.path, cfg.src, cfg.tgt, sw, sv, tw, tv, d)}
    run.write_metrics(result)
    return result


def token_sentences(spec: str, index: dict[str, int]) -> list[np.ndarray]:
    """A corpus as id arrays over ``index`` (word → id); a word outside it ends the current piece,
    so every piece is a run of words the model has candidates for."""
    pieces: list[np.ndarray] = []
    for _, toks in CorpusSource(spec):
        cur: list[int] = []
        for w in toks:
            i = index.get(w)
            if i is None:
                if cur:
                    pieces.append(np.array(cur))
                cur = []
            else:
                cur.append(i)
        if cur:
            pieces.append(np.array(cur))
    return pieces


def incontext_from_spaces(cfg: CrossConfig, sw: list[str], sv: np.ndarray, tw: list[str], tv: np.ndarray,
                          unigram: bool = False, echo: Callable[[str], None] = print) -> tuple[list[str], np.ndarray, dict]:
    """Candidates from two aligned spaces (CSLS top-k), re-ranked by the target LM reading the source
    text (:func:`langind.crosslingual.incontext.rerank`). Returns the target words, the ranked target
    rows per source word (n_src, ≥10) and the re-ranking's info. ``unigram`` is the ablation."""
    inc = cfg.incontext
    x, z = unit_rows(np.asarray(sv, dtype=np.float64)), unit_rows(np.asarray(tv, dtype=np.float64))
    scores = retrieval_scores(x, x, z, "csls")
    depth = max(inc.k, 10)
    ranked = np.argsort(-scores, axis=1)[:, :depth]
    cand = ranked[:, :inc.k].copy()
    cand_scores = np.take_along_axis(scores, cand, axis=1) / 2  # CSLS is 2·cos − …: back to cosine scale
    # punctuation and numerals spelled alike on both sides are context too: one candidate, themselves
    src_index = {w: i for i, w in enumerate(sw)}
    tgt_index = {w: j for j, w in enumerate(tw)}
    tgt_frequent = _frequent_tokens(cfg.tgt_corpus, cfg.top)
    shared = [w for w in _frequent_tokens(cfg.src_corpus, cfg.top) if w not in src_index and w in tgt_frequent
              and not any(ch.isalpha() for ch in w)]
    for w in shared:
        tgt_index.setdefault(w, len(tgt_index))
    n_tgt = len(tgt_index)
    extra = np.array([[tgt_index[w]] + [-1] * (inc.k - 1) for w in shared], dtype=np.int64).reshape(-1, inc.k)
    for w in shared:
        src_index[w] = len(src_index)
    cand_all = np.concatenate([cand, extra])
    scores_all = np.concatenate([cand_scores, np.where(extra >= 0, 1.0, 0.0)])
    src_sents = token_sentences(cfg.src_corpus, src_index)
    tgt_sents = token_sentences(cfg.tgt_corpus, tgt_index)
    lm = (UnigramLM if unigram else BigramLM)(tgt_sents, n_tgt)
    echo(f"in-context: {len(src_sents):,} source pieces, {sum(map(len, src_sents)):,} tokens; top-{inc.k} candidates "
         f"of {len(sw)} words; {'unigram (ablation)' if unigram else 'bigram'} LM of {sum(map(len, tgt_sents)):,} "
         "target tokens")
    # a unigram LM ignores the forward/backward mixture: one λ, not the same lattices twice
    order, info = rerank(src_sents, cand_all, scores_all, lm, n_tgt, replace(inc, lams=(1.0,)) if unigram else inc,
                         log=echo)
    order = order[:len(sw)]
    new_top = np.take_along_axis(cand, order, axis=1)
    ranked = np.concatenate([new_top, ranked[:, inc.k:]], axis=1)
    return tw, ranked, info


def _frequent_tokens(spec: str, top: int) -> set[str]:
    return set(Vocab.build((t for _, t in CorpusSource(spec)), max_size=top + len(SPECIALS)).itos[len(SPECIALS):])


def incontext_result(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print,
                     unigram: bool = False) -> dict:
    """The ``incontext`` method end to end: candidates from ``cfg.candidates``, re-ranked by the
    target LM (``unigram``: the ablation); writes lexicon and metrics into ``run``."""
    t0 = time.time()
    sw, sv, tw, tv, align_info = aligned_spaces(cfg, cfg.candidates, echo)
    t1 = time.time()
    tw, ranked, info = incontext_from_spaces(cfg, sw, sv, tw, tv, unigram, echo)
    d = load_dictionary(cfg.dictionary_path)
    start = bli_precision(sw, sv, tw, tv, d)
    result = {"method": "incontext", "candidates": cfg.candidates, "start": start, "lm": "unigram" if unigram else "bigram",
              "src": cfg.src, "tgt": cfg.tgt, "rerank": info, "candidates_info": align_info,
              "seconds": round(time.time() - t0, 1), "rerank_seconds": round(time.time() - t1, 1),
              "csls": ranked_precision(sw, tw, ranked, d), "csls_folded": ranked_precision(sw, tw, ranked, d, fold=True)}
    result["nn"] = result["csls"]  # one ranking: the LM's
    lexicon = [(s, tw[ranked[i, 0]], 1.0) for i, s in enumerate(sw)]
    write_lexicon(run / f"lexicon.{cfg.src}-{cfg.tgt}.tsv", lexicon)
    result["sample"] = [(s, t) for s, t, _ in lexicon[:30]]
    run.write_metrics(result)
    return result
