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
  target text reading the source text (:mod:`langind.crosslingual.incontext`);
  With ``lm`` (a frozen target LM run) the neural LM re-ranks instead
  (:mod:`langind.crosslingual.neural_context`: the self-recovery context stage's reading, cross-lingually,
  each occurrence's posterior summed as in the HMM's E-step);
* ``orthography`` — spelling alone (:mod:`langind.crosslingual.orthography`): each source word's
  most similarly spelled target words;
* ``cipher`` — the most frequent source words deciphered by EM with a bigram LM of the target text
  reading the source text (:mod:`langind.crosslingual.cipher`), spelling as a prior inside the model;
  every other word by spelling (``--no-orthography``: by frequency rank, fully unsupervised).

``orthography`` (on by default where the two texts share an alphabet, ``--no-orthography`` to turn
off) adds spelling evidence to the corpus-level methods' final similarity, weighted by what the
aligner was found to know without it (:func:`aligned_scores`), and so to the candidates that
``incontext`` re-ranks. A run with it is *weakly supervised by spelling*, not fully unsupervised.

Every corpus-level run ends with an unsupervised estimate of its own quality
(:mod:`langind.crosslingual.confidence`) in ``metrics.json`` (``confidence``) and on screen, and
warns in one line when the estimate says the lexicon is most likely noise (a run that found no
alignment but knows some words says which, in a note).
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from langind import data
from langind.corpus import HALF, CorpusSource
from langind.crosslingual import align, confidence
from langind.crosslingual.cipher import CipherConfig, decipher, posterior_ranking
from langind.crosslingual.coocmap import coocmap_variant, corpus_cooccurrence, tail_spaces
from langind.crosslingual.embeddings import train_word2vec
from langind.crosslingual.incontext import BigramLM, InContextConfig, UnigramLM, rerank
from langind.crosslingual.joint import JointConfig, evaluate_joint, train_joint
from langind.crosslingual.lexicon import CONTEXT, NO_EVIDENCE, SPELLED, write_lexicon
from langind.crosslingual.neural_context import NeuralContextConfig, neural_rerank
from langind.crosslingual.orthography import (
    cognate_similarity,
    rank_proximity,
    shared_letters,
    spelling_evidence,
    spelling_links,
    spelling_meaning,
    spelling_similarity,
    with_rank_ties,
)
from langind.crosslingual.signature import (
    SignatureConfig,
    neighbour_signatures,
    rerank_with_signatures,
    signature_similarity,
)
from langind.crosslingual.transfer import TransferConfig, check_anchor
from langind.errors import LangindError, check_choice
from langind.evaluation.bli import gold_pairs, grouped_precision, load_dictionary, ranked_precision, retrieval_scores
from langind.experiments.transfer import transfer
from langind.lm.checkpoint import check_direction
from langind.lm.device import pick_device
from langind.lm.recipes import train_recipe
from langind.mapping.fit import FitConfig, load_frozen_lm
from langind.mapping.readout import topk
from langind.runs import RunDir
from langind.similarity import csls, csls_topk, topk_mean, unit_rows
from langind.vocab import SPECIALS, Vocab, alphabetic_words

LM_METHODS = ("joint-lm", "decipher", "hybrid", "swap")
ALIGNMENT_METHODS = ("coocmap", "coocmap-clip", "coocmap-drop", "coocmap-grow", "vecmap")
CANDIDATE_METHODS = ALIGNMENT_METHODS + ("orthography",)  # what may propose incontext's candidates
CROSS_METHODS = ("auto",) + LM_METHODS + CANDIDATE_METHODS + ("incontext", "cipher")
# what ``auto`` tries, each checked by its own confidence: the robust aligner first, then the one that is
# stronger on parallel text but collapses on non-parallel text, tried only where the first found an alignment
AUTO_ALIGNERS = ("coocmap-grow", "coocmap-drop")
LEXICON_ROWS = 10  # rows per source word in a corpus-level method's lexicon TSV
MIN_SHARED_LETTERS = 0.5  # --orthography needs the two sides to share at least this much of an alphabet


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
    method: str = "auto"  # one pipeline for any pair (auto_result); the others are its parts and its rivals
    src_corpus: str | None = None  # default: the bundled corpus of ``src``
    tgt_corpus: str | None = None  # default: the bundled corpus of ``tgt`` (when a method needs it)
    dictionary: str | None = None  # evaluation only; default: the bundled FreeDict of the pair, if any (else unscored)
    minutes: float = 10.0  # budget of the method (hybrid: of each of its two stages)
    lm: str | None = None  # frozen target LM run (default: train the ``reference`` recipe)
    src_lm: str | None = None  # swap: source LM run (default: train the ``reference`` recipe)
    right_lm: str | None = None  # incontext / auto with ``lm``: a right-to-left target LM run (trained on reversed:TEXT)
    init_lexicon: str | None = None  # hybrid: start here instead of training the joint LM
    anchor: float = FitConfig.anchor
    lm_minutes: float = 16.0  # budget of each LM trained because none was given
    joint: JointConfig = field(default_factory=JointConfig)  # joint-lm settings (pair, budget, seed filled in)
    top: int = 5000  # evaluate and translate the N most frequent words of each side
    # coocmap: the full matching runs on the N most frequent tokens of each side; rarer words up to
    # ``top`` are placed through the core's pairs (coocmap.tail_spaces) — memory ~ top·core, not top²
    core: int = 5000
    window: int = 5  # coocmap: co-occurrence window
    w2v_epochs: int = 20  # vecmap: word2vec epochs (small corpora need many; README, word2vec settings)
    candidates: str = "coocmap-grow"  # incontext: the aligner whose top-k candidates the LM re-ranks
    # spelling evidence for the corpus-level methods (weak supervision; see module doc): None = on when the
    # two texts share an alphabet, off (with a note) when they do not; True insists (error if they do not)
    orthography: bool | None = None
    spelling_weight: float = 1.0  # weight of the spelling similarity beside the aligner's cosine
    incontext: InContextConfig = field(default_factory=InContextConfig)
    neural: NeuralContextConfig = field(default_factory=NeuralContextConfig)  # incontext with --lm
    cipher: CipherConfig = field(default_factory=CipherConfig)  # cipher, and auto's fall-back
    # cipher and auto's fall-back, with spelling: neighbour signatures re-rank spelling's candidates
    signature: SignatureConfig = field(default_factory=SignatureConfig)
    seed: int = 0
    threads: int | None = None
    device: str = "auto"  # where the LMs, coocmap's loop and the blocked ranking run: auto = CUDA when present
    progress: bool = True

    def __post_init__(self) -> None:
        check_choice("method", self.method, CROSS_METHODS)
        check_choice("candidate aligner", self.candidates, CANDIDATE_METHODS)
        if self.spelling_weight < 0:
            raise LangindError(f"spelling weight must be >= 0, got {self.spelling_weight}")
        if "orthography" in (self.method, self.method == "incontext" and self.candidates) and self.orthography is False:
            raise LangindError("orthography is spelling alone; it cannot run with --no-orthography")
        if self.src == self.tgt:
            raise LangindError(f"source and target languages must differ (both are {self.src!r})")
        if self.top < 1 or self.core < 10:
            raise LangindError(f"--top must be >= 1 and --core >= 10, got {self.top} and {self.core}")
        if self.right_lm is not None and (self.lm is None or self.method not in ("incontext", "auto")):
            raise LangindError("--right-lm adds a right-to-left LM to the neural in-context re-ranking: it needs "
                               "--lm (the left-to-right LM) and --method incontext or auto")
        if self.minutes <= 0 or self.lm_minutes <= 0:
            raise LangindError("budgets (--minutes, --lm-minutes) must be > 0")
        check_anchor(self.method, self.fit_config.anchor)  # FitConfig checks the anchor's range
        self.src_corpus = self.src_corpus or bundled_corpus(self.src)
        if self.needs_target_text:
            self.tgt_corpus = self.tgt_corpus or bundled_corpus(self.tgt)

    @property
    def fit_config(self) -> FitConfig:
        """How decipher/hybrid fit their vectors through the frozen LM (validated with this config)."""
        return FitConfig(scramble="both", minutes=self.minutes, eval_every=None, anchor=self.anchor, progress=self.progress)

    @property
    def aligns_corpora(self) -> bool:
        return self.method in CANDIDATE_METHODS or self.method in ("incontext", "auto", "cipher")

    @property
    def family(self) -> str:
        """The benchmark's family of this run: ``orthography`` when spelling is used at all."""
        if self.method == "orthography" or (self.orthography and self.aligns_corpora):
            return "orthography"
        return "lm" if self.method in LM_METHODS or self.method in ("incontext", "cipher") else "alignment"

    @property
    def trains_joint(self) -> bool:
        return self.method == "joint-lm" or (self.method == "hybrid" and self.init_lexicon is None)

    @property
    def needs_target_text(self) -> bool:
        return self.trains_joint or self.aligns_corpora or (self.method != "joint-lm" and self.lm is None)

    @property
    def dense_words(self) -> int:
        """How many words a side the method compares all-against-all (the V² part of its memory)."""
        return min(self.top, self.core) if self.method_aligner.startswith("coocmap") else self.top

    @property
    def method_aligner(self) -> str:
        """The aligner that computes this run's similarities (``incontext``: its candidates' aligner)."""
        if self.method == "auto":
            return AUTO_ALIGNERS[0]
        if self.method == "cipher":
            return "orthography"  # its ranking beyond the deciphered words: spelling's (or frequency's) all-against-all
        return self.candidates if self.method == "incontext" else self.method

    @property
    def depth(self) -> int:
        """Ranked target rows kept per source word: the lexicon's rows and the re-rankers' candidates."""
        return max(LEXICON_ROWS, self.incontext.k, self.neural.k)

    @property
    def dictionary_path(self):
        """The test dictionary this run is scored with: ``dictionary``, else the bundled one of the
        pair (the language codes are free labels: a pair with neither is induced and not scored)."""
        if self.dictionary is not None:
            return self.dictionary
        return data.dictionary_path(self.src, self.tgt) if (self.src, self.tgt) in data.DICTIONARIES else None


def induce_cross(cfg: CrossConfig, out: str | Path, echo: Callable[[str], None] = print) -> dict:
    """Run ``cfg.method`` into run directory ``out``; returns ``{"joint-lm": ..., METHOD: ...}``
    (each a metrics dict with ``nn``, ``csls``, ``csls_folded`` P@k and a lexicon ``sample``)."""
    out = Path(out)
    if cfg.aligns_corpora:
        check_pair(cfg, echo)
        resolve_orthography(cfg, echo)
    if cfg.dictionary_path is None:
        echo(f"note: no dictionary for {cfg.src}-{cfg.tgt} (none bundled, no --dictionary): the lexicon is induced "
             "and not scored")
    else:
        check_dictionary(cfg)
    if cfg.method in ("incontext", "auto") and cfg.lm is not None:  # before minutes of aligning, not after
        check_direction(cfg.lm, reversed_=False)
        if cfg.right_lm is not None:
            check_direction(cfg.right_lm, reversed_=True)
    run = RunDir(out)
    if cfg.method in ("incontext", "auto", "cipher"):
        run.write_config({"command": f"induce cross ({cfg.method})", **asdict(cfg)})
        step = {"incontext": incontext_result, "auto": auto_result, "cipher": cipher_result}[cfg.method]
        return {cfg.method: step(cfg, run, echo)}
    if cfg.aligns_corpora:
        return {cfg.method: align_corpora(cfg, run, echo)}
    results: dict = {}
    init_lexicon = cfg.init_lexicon
    if cfg.trains_joint:
        joint_dir = out if cfg.method == "joint-lm" else out / "joint-lm"
        jcfg = replace(cfg.joint, src=cfg.src, tgt=cfg.tgt, src_corpus=cfg.src_corpus, tgt_corpus=cfg.tgt_corpus,
                       train=replace(cfg.joint.train, minutes=cfg.minutes, seed=cfg.seed, threads=cfg.threads,
                                     device=cfg.device, progress=cfg.progress))
        trained = train_joint(jcfg, joint_dir, echo=echo)
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
        train_recipe("reference", cfg.tgt_corpus, lm, minutes=cfg.lm_minutes, seed=cfg.seed, device=cfg.device,
                     threads=cfg.threads, progress=cfg.progress)
    if cfg.method == "swap" and src_lm is None:
        src_lm = str(out / f"lm-{cfg.src}")
        echo(f"training the {cfg.src} LM on {cfg.src_corpus} ({cfg.lm_minutes:g} min) into {src_lm}")
        train_recipe("reference", cfg.src_corpus, src_lm, minutes=cfg.lm_minutes, seed=cfg.seed, device=cfg.device,
                     threads=cfg.threads, progress=cfg.progress)
    tcfg = TransferConfig(method=cfg.method, lm=lm, src_corpus=cfg.src_corpus, src_lm=src_lm,
                          init_lexicon=init_lexicon, fit=cfg.fit_config, seed=cfg.seed, threads=cfg.threads,
                          device=cfg.device)
    results[cfg.method] = transfer(tcfg, out, cfg.src, cfg.tgt, cfg.dictionary_path, top=cfg.top, echo=echo)
    return results


def aligned_spaces(cfg: CrossConfig, method: str, echo: Callable[[str], None] = print):
    """Two aligned spaces of the ``top`` alphabetic words of each corpus, from a dictionary-free
    alignment method: coocmap (any variant) or word2vec + vecmap-style. Spelling never enters here
    (see :func:`aligned_scores`).

    Returns (sw, sv, tw, tv, info, tail): the word lists (frequency order), the aligned vectors of
    their first ``len(sv)`` / ``len(tv)`` words, and ``tail`` — None, or, when coocmap's vocabulary
    is larger than ``cfg.core``, both sides' every word described through the core's pairs
    (:func:`langind.crosslingual.coocmap.tail_spaces`: (fs (len(sw), p), ft (len(tw), p)))."""
    tail = None
    if method.startswith("coocmap"):
        echo(f"{method}: co-occurrence counts (window {cfg.window}) of the {cfg.top} most frequent tokens of "
             f"{cfg.src_corpus} and {cfg.tgt_corpus}")
        src_words, counts_src = corpus_cooccurrence(cfg.src_corpus, cfg.top, cfg.window)
        tgt_words, counts_tgt = corpus_cooccurrence(cfg.tgt_corpus, cfg.top, cfg.window)
        nc, mc = min(cfg.core, len(src_words)), min(cfg.core, len(tgt_words))
        xw, zw, info = coocmap_variant(counts_src[:nc, :nc].toarray(), counts_tgt[:mc, :mc].toarray(), method,
                                       device=pick_device(cfg.device))
        (sw, sv), (tw, tv) = alphabetic_words(src_words[:nc], xw), alphabetic_words(tgt_words[:mc], zw)
        if len(src_words) > nc or len(tgt_words) > mc:
            t0 = time.time()
            fs, ft, tail_info = tail_spaces(counts_src, counts_tgt, xw, zw)
            (sw, fs), (tw, ft) = alphabetic_words(src_words, fs), alphabetic_words(tgt_words, ft)
            tail = (fs, ft)
            info = {**info, "tail": {**tail_info, "core": [nc, mc], "words": [len(sw), len(tw)],
                                     "seconds": round(time.time() - t0, 1)}}
            echo(f"{method}: the {len(sw) - len(sv)} + {len(tw) - len(tv)} words beyond the core of {cfg.core} "
                 f"placed through its {tail_info['dictionary']} mutual pairs")
    else:
        echo(f"vecmap: word2vec ({cfg.w2v_epochs} epochs) on {cfg.src_corpus} and {cfg.tgt_corpus}, then "
             f"vecmap-style self-learning (at most {cfg.minutes:g} min)")
        sw, sv = alphabetic_words(*train_word2vec(cfg.src_corpus, epochs=cfg.w2v_epochs, seed=cfg.seed), cfg.top)
        tw, tv = alphabetic_words(*train_word2vec(cfg.tgt_corpus, epochs=cfg.w2v_epochs, seed=cfg.seed), cfg.top)
        sv, tv, info = align.vecmap_unsupervised(sv, tv, seed=cfg.seed, time_limit=cfg.minutes * 60)
    return sw, sv, tw, tv, info, tail


@dataclass
class Ranked:
    """What a corpus-level method thinks of each source word: its best target rows, best first.
    Every consumer (the lexicon, P@k, the in-context re-rankers) reads only these, so no method
    needs to hold an (n_src, n_tgt) matrix beyond its core."""

    rows: np.ndarray  # (n_src, depth) target rows by the method's ranking (CSLS)
    scores: np.ndarray  # (n_src, depth) their scores
    nn: np.ndarray  # (n_src, depth) target rows by plain similarity
    checked: np.ndarray  # (n_src,) first choices made without spelling: what the confidence is measured on
    # (source row, target row) pairs the target LM reading the source text chose with at least half the
    # source word's posterior (the decipherment's): the lexicon's ``context`` evidence
    in_context: frozenset = frozenset()

    @classmethod
    def from_dense(cls, sims: np.ndarray, scores: np.ndarray, checked: np.ndarray, depth: int) -> "Ranked":
        rows = topk(scores, depth)
        return cls(rows, np.take_along_axis(scores, rows, axis=1), topk(sims, depth), np.asarray(checked))

    def extended(self, more: "Ranked") -> "Ranked":
        """These rows followed by ``more``'s (the tail's words after the core's)."""
        d = min(self.rows.shape[1], more.rows.shape[1])
        return Ranked(*(np.concatenate([a[:, :d] if a.ndim == 2 else a, b[:, :d] if b.ndim == 2 else b])
                        for a, b in ((self.rows, more.rows), (self.scores, more.scores), (self.nn, more.nn),
                                     (self.checked, more.checked))))


def top_words_of(spec: str, top: int) -> tuple[str, ...]:
    """The ``top`` most frequent alphabetic words of a corpus, in frequency order. A run asks for them
    several times (checks, anchors, spelling), so they are read once per corpus state: the key holds
    a file's size and modification time."""
    return _top_words(spec, top, _stamp(spec))


@functools.lru_cache(maxsize=16)
def _top_words(spec: str, top: int, stamp) -> tuple[str, ...]:
    vocab = Vocab.build(CorpusSource(spec).sentences(), max_size=top * 2 + len(SPECIALS))
    return tuple([w for w in vocab.itos[vocab.n_specials:] if any(ch.isalpha() for ch in w)][:top])


# this much of the SAME_LANGUAGE_WORDS most frequent words spelled the same on both sides: one language. The
# frequent words are the function words, which two texts of one language share whatever their stories
# and styles (measured on the bundled texts: English fortunes / KJV 0.61, fortunes / WEB 0.66, Spanish
# fortunes / RV1909 0.48, WEB / KJV 0.88), and two languages rarely do (es / en 0.03-0.05 on every
# pairing of the bundled texts); among the 1,000 most frequent, the rarer words of two stories differ
# (0.43, 0.48, 0.44: the check used to miss all three at 0.5)
SAME_LANGUAGE_WORDS = 100
SAME_LANGUAGE_OVERLAP = 0.35


# Peak memory of a corpus-level run, measured (benchmarks/vocab_scale.py, README): ~90 bytes per word
# pair of the all-against-all part (coocmap's core; vecmap's and spelling's whole vocabulary), ~20 bytes
# per word × core word for the tier, and the interpreter, LM-free, on top.
DENSE_BYTES_PER_PAIR = 90
TAIL_BYTES_PER_PAIR = 20
BASE_GB = 0.6


def machine_memory_gb() -> float:
    """Physical memory of this machine in GB (what a run must fit in)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def estimated_peak_gb(cfg: CrossConfig) -> float:
    """The peak memory a corpus-level run of ``cfg`` is expected to need (GB)."""
    dense = cfg.dense_words ** 2 * DENSE_BYTES_PER_PAIR
    tail = cfg.top * cfg.dense_words * TAIL_BYTES_PER_PAIR if cfg.top > cfg.dense_words else 0
    return BASE_GB + max(dense, tail) / 2**30


def check_fits(cfg: CrossConfig) -> None:
    """A vocabulary that would not fit this machine's memory is refused before any long computation,
    naming the largest size that fits."""
    have = 0.9 * machine_memory_gb()
    need = estimated_peak_gb(cfg)
    if need <= have:
        return
    room = max(have - BASE_GB, 0.0) * 2**30
    largest_dense = int((room / DENSE_BYTES_PER_PAIR) ** 0.5)
    if cfg.method_aligner.startswith("coocmap") and cfg.dense_words <= largest_dense:
        largest = int(room / (TAIL_BYTES_PER_PAIR * cfg.dense_words))
        raise LangindError(f"--top {cfg.top} with --core {cfg.core} needs about {need:.0f} GB, this machine has "
                           f"{have / 0.9:.0f} GB: the largest --top that fits is about {largest}")
    what = "--core" if cfg.method_aligner.startswith("coocmap") else "--top"
    hint = "" if what == "--core" else " (coocmap methods go further: their --core bounds the all-against-all part)"
    raise LangindError(f"{what} {cfg.dense_words} needs about {need:.0f} GB, this machine has {have / 0.9:.0f} GB: "
                       f"the largest {what} that fits is about {largest_dense}{hint}")


def check_pair(cfg: CrossConfig, echo: Callable[[str], None] = print) -> None:
    """Before a corpus-level run: one text given twice, or a vocabulary too large for this machine,
    is an error; two texts in one language, or a text with fewer words than ``top``, get a one-line
    warning."""
    if cfg.src_corpus == cfg.tgt_corpus:
        raise LangindError(f"source and target are the same text ({cfg.src_corpus}); give one text per language")
    sw, tw = top_words_of(cfg.src_corpus, cfg.top), top_words_of(cfg.tgt_corpus, cfg.top)
    # the memory a run needs is that of the words the texts have, not of a --top larger than both
    used = max(len(sw), len(tw))
    check_fits(cfg if used >= cfg.top else replace(cfg, top=max(used, 1), core=max(min(cfg.core, used), 10)))
    n = SAME_LANGUAGE_WORDS
    overlap = len(set(sw[:n]) & set(tw[:n])) / max(1, min(len(sw[:n]), len(tw[:n])))
    if overlap >= SAME_LANGUAGE_OVERLAP:
        echo(f"warning: {overlap:.0%} of the {n} most frequent words are the same on both sides: "
             f"{cfg.src_corpus} and {cfg.tgt_corpus} look like one language, not {cfg.src} and {cfg.tgt}")
    for spec, words in ((cfg.src_corpus, sw), (cfg.tgt_corpus, tw)):
        if len(words) < cfg.top:
            echo(f"warning: {spec} has only {len(words)} distinct words, fewer than --top {cfg.top}; "
                 "all of them are used")


def check_dictionary(cfg: CrossConfig) -> dict[str, list[str]]:
    """The run's test dictionary, loaded and checked against the two texts before any long step: one
    with no pair between them, or one that fits the pair the other way round far better, is a
    dictionary for another pair (a one-line error)."""
    d = load_dictionary(cfg.dictionary_path)
    if cfg.tgt_corpus is None:  # an LM method given its target LM: the target text is not read
        return d
    sw, tw = list(top_words_of(cfg.src_corpus, cfg.top)), list(top_words_of(cfg.tgt_corpus, cfg.top))
    def evaluable(pairs: dict[str, list[str]]) -> int:
        try:
            return len(gold_pairs(sw, tw, pairs)[0])
        except LangindError:  # no pair at all between the two vocabularies
            return 0
    backward: dict[str, list[str]] = {}
    for a, bs in d.items():
        for b in bs:
            backward.setdefault(b, []).append(a)
    forward, reverse = evaluable(d), evaluable(backward)
    if forward == 0 or reverse > 3 * forward:
        what = (f"it fits {cfg.tgt}-{cfg.src} ({reverse} pairs) better than {cfg.src}-{cfg.tgt} ({forward})" if reverse
                else f"none of its pairs has the source word in {cfg.src_corpus} and the target in {cfg.tgt_corpus}")
        raise LangindError(f"{cfg.dictionary_path}: not a {cfg.src}-{cfg.tgt} dictionary for these texts: {what}")
    return d


def _stamp(spec: str):
    """A corpus file's size and modification time (None for a bundled text): a cache key part, so a
    file rewritten between two runs of one process is read again."""
    path = Path(spec)
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.is_file() else None


SPELLING_TEST_WORDS = 3000  # tokens a side the spelling test reads (the test takes about a second a side)


def spelling_is_evidence(src_corpus: str, tgt_corpus: str) -> tuple[bool, str]:
    """Whether spelling is evidence between two texts, and why (one line). It is when they share an
    alphabet (:func:`shared_letters`) and either their spelling anchors keep company alike
    (:func:`langind.crosslingual.orthography.spelling_links`: the look-alikes are translations) or
    in each text words spelled alike occur in like contexts (:func:`spelling_meaning_of`: spelling
    carries meaning on both sides, as in two related languages that tell different stories). Two
    texts written in codes fail both. Spelling anchors, the confidence's check, exist only where it is."""
    return _spelling_is_evidence(src_corpus, tgt_corpus, _stamp(src_corpus), _stamp(tgt_corpus))


@functools.lru_cache(maxsize=8)
def _spelling_is_evidence(src_corpus: str, tgt_corpus: str, *stamps) -> tuple[bool, str]:
    share = shared_letters(top_words_of(src_corpus, 500), top_words_of(tgt_corpus, 500))
    if share < MIN_SHARED_LETTERS:
        return False, f"{src_corpus} and {tgt_corpus} share almost no letters ({share:.0%})"
    (sw, sc), (tw, tc) = (corpus_cooccurrence(spec, SPELLING_TEST_WORDS) for spec in (src_corpus, tgt_corpus))
    links = spelling_links(sw, tw, sc, tc)
    if links["linked"]:
        return True, f"the texts' spelling anchors keep company alike (z {links['z']:.1f})"
    for spec, words, counts in ((src_corpus, sw, sc), (tgt_corpus, tw, tc)):
        m = spelling_meaning(words, counts)
        if not m["meaningful"]:
            z = "too few look-alike words to tell" if m["z"] is None else f"z {m['z']:.1f}"
            return False, (f"words spelled alike in {spec} do not occur in like contexts ({z}), nor do the two "
                           "texts' look-alikes keep company alike: spelling carries no meaning here")
    return True, "in both texts words spelled alike occur in like contexts"


def resolve_orthography(cfg: CrossConfig, echo: Callable[[str], None] = print) -> None:
    """Decide ``cfg.orthography`` before a corpus-level run: by default spelling is used only where the
    texts show it to be evidence (:func:`spelling_is_evidence`), and turned off with a one-line note
    where they do not. ``--orthography`` (or ``--method orthography``) forces it — but on two scripts
    there is nothing to compare, a one-line error; ``--no-orthography`` forces it off."""
    needs = cfg.orthography is True or "orthography" in (cfg.method, cfg.method == "incontext" and cfg.candidates)
    if cfg.orthography is False and not needs:
        return
    evidence, why = spelling_is_evidence(cfg.src_corpus, cfg.tgt_corpus)
    if evidence:
        cfg.orthography = True
        return
    share = shared_letters(top_words_of(cfg.src_corpus, 500), top_words_of(cfg.tgt_corpus, 500))
    if needs and share < MIN_SHARED_LETTERS:
        raise LangindError(f"--orthography: {why}; spelling is no evidence here — run with --no-orthography")
    if needs:
        echo(f"note: {why}; spelling used because it was asked for (--orthography)")
        return
    echo(f"note: {why}: running without spelling evidence (fully unsupervised)")
    cfg.orthography = False


def anchor_pairs(cfg: CrossConfig) -> list[tuple[str, str]]:
    """The spelling anchors of this run's two texts (:func:`langind.crosslingual.confidence.anchors`),
    as (source word, target word), among the core's words (the spelling matrix stays core × core);
    none where spelling is no evidence between the texts (:func:`spelling_is_evidence`: two codes
    spelled alike are no pair) and the run was not told otherwise (``--orthography``)."""
    if not cfg.orthography and not spelling_is_evidence(cfg.src_corpus, cfg.tgt_corpus)[0]:
        return []
    n = min(cfg.top, cfg.core)
    sw, tw = top_words_of(cfg.src_corpus, n), top_words_of(cfg.tgt_corpus, n)
    return _anchor_pairs(sw, tw)


@functools.lru_cache(maxsize=8)
def _anchor_pairs(sw: tuple[str, ...], tw: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(sw[i], tw[j]) for i, j in confidence.anchors(list(sw), list(tw), spelling_similarity(list(sw), list(tw)))]


def hidden_anchor_pairs(cfg: CrossConfig) -> list[tuple[str, str]]:
    """The spelling anchors this run hides from itself to check its own result
    (:mod:`langind.crosslingual.confidence`), as (source word, target word)."""
    return [(a, b) for a, b in anchor_pairs(cfg) if confidence.is_hidden(a)]


def aligned_scores(cfg: CrossConfig, method: str, hidden: list[tuple[str, str]] = (),
                   echo: Callable[[str], None] = print) -> tuple[list[str], list[str], Ranked, dict]:
    """What a corpus-level method thinks of the ``top`` words of each side.

    Returns (sw, tw, ranked, info): :class:`Ranked` holds each source word's ``cfg.depth`` best
    target rows by the method's CSLS (the retrieval every lexicon and P@k uses; the source term is
    dropped, as it does not change a row's ranking), by plain similarity, and ``checked``, the first
    choices the run's confidence is measured on (:mod:`langind.crosslingual.confidence`).

    * ``orthography``: the spelling similarity (:func:`cognate_similarity`), frequency-rank
      proximity breaking ties; ``checked`` is its choice with the ``hidden`` anchors' spelling
      removed (so spelling alone always reports that it knows nothing beyond spelling).
    * an aligner: the cosine of its aligned spaces; ``checked`` is the aligner's own choice (it never
      sees spelling). With ``cfg.orthography`` spelling is then added, weighted by what the aligner
      was found to know: with ``a`` the fraction of hidden anchors the aligner put back,
      ``sims = cos + spelling_weight · (1 − a) · S``, where ``S`` is the whole spelling similarity
      when the aligner failed (``a`` below :data:`confidence.FAILED_AGREEMENT`: spelling is all there is) and only
      each word's mutual best spelling match otherwise (:func:`spelling_evidence`: a working
      alignment is only improved where spelling is confident).
    * coocmap beyond ``cfg.core`` words: the core as above; each rarer source word ranks every target
      word in its tail space (:func:`aligned_spaces`) by :func:`langind.similarity.csls_topk`, in row
      blocks, with the core's spelling weight and suffix rules — the whole spelling similarity when
      the aligner failed, else the word's best spelling match (mutuality would need the tail's whole
      spelling matrix) — and the hubness term from the cosine alone."""
    if method == "orthography":
        sw, tw = list(top_words_of(cfg.src_corpus, cfg.top)), list(top_words_of(cfg.tgt_corpus, cfg.top))
        spelling, rules = corpus_spelling(cfg)
        shown = ", ".join(f"-{a}→-{b}" for a, b, _ in rules[:5]) + (", …" if len(rules) > 5 else "")
        echo(f"orthography: spelling similarity of the {len(sw)} × {len(tw)} most frequent words, {len(rules)} "
             "learned suffix rewrites" + (f" ({shown})" if rules else ""))
        masked = masked_spelling(cfg, hidden)
        ranked = Ranked.from_dense(with_rank_ties(spelling), spelling_ranking(spelling),
                                   spelling_ranking(masked).argmax(axis=1), cfg.depth)
        return sw, tw, ranked, {"suffix_rules": [[a, b, c] for a, b, c in rules]}
    sw, sv, tw, tv, info, tail = aligned_spaces(cfg, method, echo)
    nc, mc = len(sv), len(tv)
    sims = unit_rows(np.asarray(sv, dtype=np.float32)) @ unit_rows(np.asarray(tv, dtype=np.float32)).T
    checked = csls(sims, None, topk_mean(sims.T, 10)).argmax(axis=1)
    extra = None
    if cfg.orthography:
        conf = run_confidence(sw[:nc], tw[:mc], checked, hidden)
        known = conf["anchor_agreement"] or 0.0
        spelling, rules = cognate_similarity(sw[:nc], tw[:mc])
        failed = known < confidence.FAILED_AGREEMENT
        weight = cfg.spelling_weight * (1.0 - known)
        sims = sims + weight * (spelling if failed else spelling_evidence(spelling))
        info = {**info, "spelling": {"aligner_anchor_agreement": known, "weight": round(weight, 4),
                                     "evidence": "all pairs" if failed else "mutual best matches"}}
        echo(f"spelling added with weight {weight:.2f} ({'all pairs' if failed else 'mutual best matches'}): "
             f"the aligner put back {known:.0%} of the hidden anchors")
        del spelling

        def extra(idx: np.ndarray) -> np.ndarray:
            block = cognate_similarity([sw[i] for i in idx], tw, rules=rules)[0]
            return weight * (block if failed else spelling_evidence(block, mutual=False))
    ranked = Ranked.from_dense(sims, csls(sims, None, topk_mean(sims.T, 10)), checked, cfg.depth)
    if tail is not None:
        del sims
        t0 = time.time()
        fs, ft = tail
        far = csls_topk(fs, ft, cfg.depth, rows=np.arange(nc, len(sw)), extra=extra, device=pick_device(cfg.device))
        ranked = ranked.extended(Ranked(far["ranked"], far["scores"], far["nn"], far["first"]))
        info["tail"]["ranking_seconds"] = round(time.time() - t0, 1)
    return sw, tw, ranked, info


def corpus_spelling(cfg: CrossConfig) -> tuple[np.ndarray, list[tuple[str, str, int]]]:
    """The spelling similarity (:func:`cognate_similarity`, with its learned suffix rules) of the
    ``top`` words of the run's two texts — computed once per pair of vocabularies and shared by the
    steps that need it (spelling alone, the decipherment's prior)."""
    return _corpus_spelling(top_words_of(cfg.src_corpus, cfg.top), top_words_of(cfg.tgt_corpus, cfg.top))


@functools.lru_cache(maxsize=1)
def _corpus_spelling(sw: tuple[str, ...], tw: tuple[str, ...]):
    return cognate_similarity(list(sw), list(tw))


def masked_spelling(cfg: CrossConfig, hidden: list[tuple[str, str]]) -> np.ndarray:
    """:func:`corpus_spelling` with the rows of the ``hidden`` anchors' source words zeroed: what a
    step may use of spelling without spoiling the run's own check (:mod:`langind.crosslingual.confidence`)."""
    hide = frozenset(a for a, _ in hidden)
    masked = corpus_spelling(cfg)[0].copy()
    masked[[i for i, w in enumerate(top_words_of(cfg.src_corpus, cfg.top)) if w in hide]] = 0.0
    return masked


def spelling_ranking(spelling: np.ndarray) -> np.ndarray:
    """How spelling alone ranks the target words of each source word: CSLS on the spelling
    similarity (:func:`langind.similarity.csls`, k = 10 as everywhere; a target word spelled like
    many source words — a short, common pattern — is discounted) on the similarity's scale, with
    frequency-rank proximity breaking ties. Measured (README): fortunes es→en 0.182 → 0.186, en→es
    0.131 → 0.140, Bible 0.129 → 0.138, disjoint 0.114 → 0.114 P@1."""
    return with_rank_ties(csls(spelling, None, topk_mean(spelling.T, 10)) / 2)


# a first choice with at least this share of its word's posterior when the target LM reads the source text
# (the decipherment, the in-context re-ranking) is marked ``context`` in the lexicon (a round number, set
# before any run; README, "Which entries to trust")
CONTEXT_SHARE = 0.5


def with_signatures(cfg: CrossConfig, sw: list[str], tw: list[str], start: Ranked, hidden: list[tuple[str, str]],
                    echo: Callable[[str], None] = print) -> tuple[Ranked, dict]:
    """``start`` (spelling's ranking) with each word's candidates re-ordered by spelling's score plus
    ``cfg.signature.weight`` × the cosine of the two words' neighbour signatures
    (:mod:`langind.crosslingual.signature`), the signatures' map learned on the spelling anchors the
    run may see (the hidden ones excluded, so the run's check stays honest). Off (``start`` as it
    is) when the weight is 0, spelling is off, or there are no anchors to learn the map from."""
    sig = cfg.signature
    if not sig.weight or not cfg.orthography:
        return start, {"used": False}
    t0 = time.time()
    hide = frozenset(a for a, _ in hidden)
    seen = [(i, j) for i, j in confidence.anchors(sw, tw, corpus_spelling(cfg)[0]) if sw[i] not in hide]
    if not seen:
        echo("signatures: no spelling anchors to learn their map from; spelling's ranking kept")
        return start, {"used": False}
    sims = signature_similarity(neighbour_signatures(CorpusSource(cfg.src_corpus).sentences(), sw, sig.context_words),
                                neighbour_signatures(CorpusSource(cfg.tgt_corpus).sentences(), tw, sig.context_words),
                                seen, sig.ridge)
    rows, scores = rerank_with_signatures(start.rows, start.scores, sims, sig.weight)
    moved = int((rows[:, 0] != start.rows[:, 0]).sum())
    info = {"used": True, "anchors": len(seen), "first_choices_changed": moved, "seconds": round(time.time() - t0, 1)}
    echo(f"signatures: neighbours among the {sig.context_words} most frequent words, mapped on {len(seen)} spelling "
         f"anchors, re-ranked spelling's candidates ({moved} first choices changed, {info['seconds']:.0f} s)")
    return Ranked(rows, scores, start.nn, start.checked, start.in_context), info


def spelling_start(cfg: CrossConfig, hidden: list[tuple[str, str]], echo: Callable[[str], None] = print
                   ) -> tuple[list[str], list[str], Ranked, dict]:
    """Where a decipherment with spelling starts (``cipher``, ``auto``'s fall-back): spelling's ranking
    (:func:`aligned_scores` ``orthography``) re-ranked by neighbour signatures (:func:`with_signatures`;
    its info under ``signatures``)."""
    sw, tw, start, info = aligned_scores(cfg, "orthography", hidden, echo)
    start, info["signatures"] = with_signatures(cfg, sw, tw, start, hidden, echo)
    return sw, tw, start, info


def deciphered(cfg: CrossConfig, sw: list[str], tw: list[str], start: Ranked, hidden: list[tuple[str, str]],
               echo: Callable[[str], None] = print) -> tuple[Ranked, dict]:
    """``start`` (each source word's ranked targets) with the most frequent source words deciphered
    (:func:`langind.crosslingual.cipher.decipher`): the target bigram LM reads the source text, EM
    learns which frequent target word each frequent source word stands for, with each word's mutual
    best spelling match as a prior inside the model when ``cfg.orthography`` (none for the hidden
    anchors' source words, so the run's check stays honest). A deciphered word's list is its
    posterior's target words, best first, then ``start``'s; a word the model reads as a rarer
    target word (``OTHER``), or one whose spelling vouches for its translation (a spelling anchor,
    :func:`langind.crosslingual.confidence.anchors`), keeps ``start``'s. ``cfg.cipher.unigram``: the ablation, a target LM with no context.
    Returns the new :class:`Ranked` (its scores: the posterior shares, 0 beyond them; its ``in_context``:
    the placed words' first targets with at least :data:`CONTEXT_SHARE` of the posterior) and info."""
    t0 = time.time()
    ev = spelling_evidence(masked_spelling(cfg, hidden)) if cfg.orthography else None
    # a word spelling vouches for (an anchor: mutual best match, similarity >= ANCHOR_SIM) keeps it: where the
    # two texts' grammars differ, context would otherwise overrule the surest evidence there is
    # (the lexicon keeps every anchor; the run's check sees, for the hidden ones, what the decipherment chose
    # without their spelling)
    vouched = {i for i, _ in confidence.anchors(sw, tw, corpus_spelling(cfg)[0])} if cfg.orthography else set()
    echo(f"cipher: the {min(cfg.cipher.src_words, len(sw))} most frequent source words deciphered by EM with a "
         f"{'unigram (ablation)' if cfg.cipher.unigram else 'bigram'} LM over the {min(cfg.cipher.tgt_words, len(tw))} most "
         f"frequent target words{', spelling as a prior' if ev is not None else ''}")
    counts, info = decipher(list(CorpusSource(cfg.src_corpus).sentences()), list(CorpusSource(cfg.tgt_corpus).sentences()),
                            sw, tw, ev, cfg.cipher)
    depth = start.rows.shape[1]
    post, share = posterior_ranking(counts, depth)
    other = counts.shape[1] - 1
    rows, scores, checked = start.rows.copy(), np.zeros(start.scores.shape), start.checked.copy()
    placed, sure = 0, set()
    for i in range(len(counts)):
        if post[i, 0] == other:
            scores[i] = start.scores[i]
            continue
        checked[i] = post[i, 0]
        if i in vouched:
            scores[i] = start.scores[i]
            continue
        mine = [(int(r), p) for r, p in zip(post[i], share[i]) if r != other and p > 0]  # at most depth
        targets = [r for r, _ in mine]
        rows[i] = (targets + [int(r) for r in start.rows[i] if r not in targets])[:depth]
        scores[i, :len(mine)] = [p for _, p in mine]
        placed += 1
        if mine[0][1] >= CONTEXT_SHARE:
            sure.add((i, mine[0][0]))
    info = {**info, "placed": placed, "kept_by_spelling": len([i for i in vouched if i < len(counts)]),
            "seconds": round(time.time() - t0, 1)}
    echo(f"cipher: {placed} of {len(counts)} words placed by the decipherment ({info['iterations']} EM iterations, "
         f"{info['seconds']:.0f} s)")
    return Ranked(rows, scores, rows, checked, frozenset(sure)), info


def frequency_start(cfg: CrossConfig) -> tuple[list[str], list[str], Ranked]:
    """The two vocabularies and the weakest ranking there is, by frequency-rank proximity: the start
    of a decipherment that may not use spelling."""
    sw, tw = list(top_words_of(cfg.src_corpus, cfg.top)), list(top_words_of(cfg.tgt_corpus, cfg.top))
    close = rank_proximity(len(sw), len(tw))
    return sw, tw, Ranked.from_dense(close, close, close.argmax(axis=1), cfg.depth)


def cipher_result(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """The ``cipher`` method end to end: spelling (or, with ``--no-orthography``, frequency rank) for
    every word, the most frequent ones deciphered in context (:func:`deciphered`; ``cfg.cipher.unigram``:
    the ablation); writes lexicon and metrics into ``run``."""
    t0 = time.time()
    hidden = hidden_anchor_pairs(cfg)
    if cfg.orthography:
        sw, tw, start, info = spelling_start(cfg, hidden, echo)
    else:
        (sw, tw, start), info = frequency_start(cfg), {}
    ranked, cinfo = deciphered(cfg, sw, tw, start, hidden, echo)
    result = {"method": "cipher", "family": "ablation" if cfg.cipher.unigram else cfg.family, "src": cfg.src, "tgt": cfg.tgt,
              "orthography": cfg.orthography, "lm": cinfo["lm"], "info": {**info, "cipher": cinfo},
              "start": scored(sw, tw, start.rows, test_dictionary(cfg)),
              **lexicon_result(cfg, run, sw, tw, ranked.rows, ranked.scores, hidden, ranked.checked,
                               in_context=ranked.in_context, echo=echo),
              "seconds": round(time.time() - t0, 1)}
    run.write_metrics(result)
    return result


def test_dictionary(cfg: CrossConfig) -> dict[str, list[str]] | None:
    """The run's test dictionary (:attr:`CrossConfig.dictionary_path`), or None: the run is not scored.
    Evaluation only: nothing a method chooses reads it."""
    return None if cfg.dictionary_path is None else _load_dictionary(str(cfg.dictionary_path))


@functools.lru_cache(maxsize=4)
def _load_dictionary(path: str) -> dict[str, list[str]]:
    return load_dictionary(path)


def scored(sw: list[str], tw: list[str], rows: np.ndarray, d: dict[str, list[str]] | None, fold: bool = False
           ) -> dict | None:
    """P@k of ranked target rows (:func:`langind.evaluation.bli.ranked_precision`), None without a dictionary."""
    return None if d is None else ranked_precision(sw, tw, rows, d, fold=fold)


def half_lexicons(cfg: CrossConfig, echo: Callable[[str], None] = print) -> tuple[dict[str, str], dict[str, str]]:
    """The two raters of the split-half check (:func:`langind.crosslingual.confidence.split_half`):
    the robust aligner (:data:`AUTO_ALIGNERS`' first, no spelling) run on the odd sentences of both
    texts (``half:1:``) and on the even ones (``half:2:``); each source word's first choice, as words.
    Made once per pair of texts and settings."""
    key = (cfg.src_corpus, cfg.tgt_corpus, _stamp(cfg.src_corpus), _stamp(cfg.tgt_corpus), cfg.top, cfg.core,
           cfg.window)
    if key not in _HALVES:
        aligner, halves = AUTO_ALIGNERS[0], []
        for part in (1, 2):
            t0 = time.time()
            sub = CrossConfig(src="src", tgt="tgt", method=aligner, src_corpus=f"{HALF}{part}:{cfg.src_corpus}",
                              tgt_corpus=f"{HALF}{part}:{cfg.tgt_corpus}", top=cfg.top, core=cfg.core,
                              window=cfg.window, orthography=False, device=cfg.device, progress=False)
            sw, tw, ranked, _ = aligned_scores(sub, aligner, [], echo=lambda m: None)
            halves.append({w: tw[j] for w, j in zip(sw, ranked.checked)})
            echo(f"split-half check: {aligner} on half {part} of each text ({time.time() - t0:.0f} s)")
        while len(_HALVES) >= 4:
            _HALVES.pop(next(iter(_HALVES)))
        _HALVES[key] = tuple(halves)
    return _HALVES[key]


_HALVES: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}  # half_lexicons' results, a run's and its rows'


def run_confidence(sw: list[str], tw: list[str], first: np.ndarray, hidden: list[tuple[str, str]],
                   uses_spelling: bool = False, final: np.ndarray | None = None,
                   every: list[tuple[str, str]] = (), in_context: int = 0,
                   halves: tuple[dict[str, str], dict[str, str]] | None = None) -> dict:
    """The unsupervised quality estimate of a lexicon (``first``: each source row's target row chosen
    without the hidden anchors' spelling; ``final``: the lexicon's) from the ``hidden`` anchors and
    ``every`` anchor (:func:`langind.crosslingual.confidence.assess`) — or, with no hidden anchors and
    the two ``halves``' lexicons (:func:`half_lexicons`), by the split-half check
    (:func:`langind.crosslingual.confidence.split_half`) of ``final``; the CLI prints its one-line
    verdict."""
    if not hidden and halves is not None:
        chosen = np.asarray(first if final is None else final)
        return confidence.assess_split_half(confidence.split_half({w: tw[j] for w, j in zip(sw, chosen)}, *halves))
    si, ti = {w: i for i, w in enumerate(sw)}, {w: j for j, w in enumerate(tw)}

    def rows(pairs):
        return [(si[a], ti[b]) for a, b in pairs if a in si and b in ti]
    return confidence.assess(np.asarray(first), rows(hidden), uses_spelling,
                             None if final is None else np.asarray(final), rows(every), in_context)


def lexicon_result(cfg: CrossConfig, run: RunDir, sw: list[str], tw: list[str], ranked: np.ndarray,
                   ranked_scores: np.ndarray, hidden: list[tuple[str, str]], checked: np.ndarray,
                   nn_ranked: np.ndarray | None = None, in_context: frozenset = frozenset(),
                   echo: Callable[[str], None] = print) -> dict:
    """What every corpus-level method reports from its ranked lists (n_src, ≥10) and their scores:
    P@k by its own ranking (``csls``) and accent-folded, by plain similarity (``nn``, when given),
    the lexicon ``lexicon.SRC-TGT.tsv`` (each word's :data:`LEXICON_ROWS` best rows, best first, with
    the method's score — what ``langind translate`` decodes over — and each pair's evidence: a
    spelling anchor, ``spelled``, or one of the ``in_context`` (source row, target row) pairs,
    ``context``; see :data:`langind.crosslingual.lexicon.EVIDENCE_LABELS`) and a sample of it, the ``evidence`` block
    (how many first choices each kind of evidence vouches for), and the ``confidence`` block (measured
    on ``checked``, the first choices made without the hidden anchors' spelling: :func:`aligned_scores`)."""
    d = test_dictionary(cfg)
    result = {"scored": d is not None, "csls": scored(sw, tw, ranked, d), "csls_folded": scored(sw, tw, ranked, d, fold=True)}
    result["nn"] = scored(sw, tw, nn_ranked, d) if nn_ranked is not None else result["csls"]
    depth = min(LEXICON_ROWS, ranked.shape[1])
    every = anchor_pairs(cfg)
    spelled = set(every)

    def evidence(i: int, j: int) -> str:
        return SPELLED if (sw[i], tw[j]) in spelled else CONTEXT if (i, j) in in_context else NO_EVIDENCE
    write_lexicon(run / f"lexicon.{cfg.src}-{cfg.tgt}.tsv",
                  ((s, tw[ranked[i, r]], float(ranked_scores[i, r]), evidence(i, int(ranked[i, r])))
                   for i, s in enumerate(sw) for r in range(depth)), evidence=True)
    result["sample"] = [(s, tw[ranked[i, 0]]) for i, s in enumerate(sw[:30])]
    firsts = [evidence(i, int(ranked[i, 0])) for i in range(len(sw))]
    result["evidence"] = {"words": len(sw), SPELLED: firsts.count(SPELLED), CONTEXT: firsts.count(CONTEXT),
                          "P@1": None if d is None else grouped_precision(ranked[:, 0], gold_pairs(sw, tw, d)[0], firsts)}
    result["confidence"] = run_confidence(sw, tw, checked, hidden, cfg.family == "orthography", ranked[:, 0], every,
                                          result["evidence"][CONTEXT], None if hidden else half_lexicons(cfg, echo))
    return result


def align_corpora(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """A dictionary-free alignment method (or spelling alone) end to end from the two corpora: writes
    config, lexicon, metrics into ``run``; returns the metrics."""
    run.write_config({"command": f"induce cross ({cfg.method})", **asdict(cfg)})
    t0 = time.time()
    hidden = hidden_anchor_pairs(cfg)
    sw, tw, ranked, info = aligned_scores(cfg, cfg.method, hidden, echo)
    result = {"method": cfg.method, "family": cfg.family, "src": cfg.src, "tgt": cfg.tgt, "info": info,
              "orthography": cfg.orthography,
              **lexicon_result(cfg, run, sw, tw, ranked.rows, ranked.scores, hidden, ranked.checked, ranked.nn,
                               echo=echo),
              "seconds": round(time.time() - t0, 1)}
    run.write_metrics(result)
    return result


def token_sentences(spec: str, index: dict[str, int]) -> list[np.ndarray]:
    """A corpus as id arrays over ``index`` (word → id); a word outside it ends the current piece,
    so every piece is a run of words the model has candidates for."""
    pieces: list[np.ndarray] = []
    for toks in CorpusSource(spec).sentences():
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
                          unigram: bool = False, echo: Callable[[str], None] = print
                          ) -> tuple[list[str], np.ndarray, dict, np.ndarray]:
    """Candidates from two aligned spaces (:func:`csls_candidates`), re-ranked in context
    (:func:`incontext_from_scores`)."""
    rows, scores = csls_candidates(sv, tv, cfg.depth)
    return incontext_from_scores(cfg, sw, tw, rows, scores, unigram, echo)


def csls_candidates(sv: np.ndarray, tv: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Each source vector's ``depth`` best target rows by CSLS between two aligned spaces (sv (n, d),
    tv (m, d)), best first, with their scores halved back to the cosine scale the in-context
    re-rankers' β expects (CSLS is 2·cos − …). Returns (rows (n, depth), scores (n, depth))."""
    x, z = unit_rows(np.asarray(sv, dtype=np.float64)), unit_rows(np.asarray(tv, dtype=np.float64))
    scores = retrieval_scores(x, x, z, "csls") / 2
    rows = topk(scores, depth)
    return rows, np.take_along_axis(scores, rows, axis=1)


def incontext_from_scores(cfg: CrossConfig, sw: list[str], tw: list[str], ranked: np.ndarray,
                          ranked_scores: np.ndarray, unigram: bool = False, echo: Callable[[str], None] = print
                          ) -> tuple[list[str], np.ndarray, dict, np.ndarray]:
    """Each source word's top-k targets (``ranked`` (n_src, ≥k) target rows best first, with their
    ``ranked_scores``, cosine scale), re-ranked by the target LM reading the source text
    (:func:`langind.crosslingual.incontext.rerank`). Returns the target words, the ranked target rows
    per source word (n_src, ≥10), the re-ranking's info, and the re-ranked candidates' posterior
    shares (n_src, k). ``unigram`` is the ablation."""
    inc = cfg.incontext
    cand = ranked[:, :inc.k].copy()
    cand_scores = ranked_scores[:, :inc.k]
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
    order, info, share = rerank(src_sents, cand_all, scores_all, lm, n_tgt,
                                replace(inc, lams=(1.0,)) if unigram else inc, echo=echo)
    order = order[:len(sw)]
    new_top = np.take_along_axis(cand, order, axis=1)
    ranked = np.concatenate([new_top, ranked[:, inc.k:]], axis=1)
    return tw, ranked, info, np.take_along_axis(share[:len(sw)], order, axis=1)


def _frequent_tokens(spec: str, top: int) -> set[str]:
    return set(Vocab.build(CorpusSource(spec).sentences(), max_size=top + len(SPECIALS)).itos[len(SPECIALS):])


def incontext_result(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print,
                     unigram: bool = False) -> dict:
    """The ``incontext`` method end to end: candidates from ``cfg.candidates`` (with spelling evidence
    when ``cfg.orthography``), re-ranked by the target LM (``unigram``: the ablation); writes
    lexicon and metrics into ``run``."""
    t0 = time.time()
    hidden = hidden_anchor_pairs(cfg)
    sw, tw, start, align_info = aligned_scores(cfg, cfg.candidates, hidden, echo)
    return reranked_result(cfg, run, sw, tw, start, align_info, hidden, t0, echo, unigram)


def reranked_result(cfg: CrossConfig, run: RunDir, sw: list[str], tw: list[str], start: Ranked, align_info: dict,
                    hidden: list[tuple[str, str]], t0: float, echo: Callable[[str], None] = print,
                    unigram: bool = False) -> dict:
    """An aligner's ranked candidates (``start``, from :func:`aligned_scores`) re-ranked in context —
    by the frozen neural LM ``cfg.lm`` when given, else the bigram HMM (``unigram``: the ablation) —
    and reported like every corpus-level run; ``t0``: when the run began."""
    t1 = time.time()
    # CSLS is 2·cos − …: halved back to the cosine scale the LM's β grid expects
    if cfg.lm is not None and not unigram:
        # both LMs' directions were checked by induce_cross, before any aligning
        lm, lm_vocab, dev = load_frozen_lm(cfg.lm, cfg.device, seed=cfg.seed, threads=cfg.threads)
        right = None
        if cfg.right_lm is not None:
            right_lm, right_vocab, _ = load_frozen_lm(cfg.right_lm, cfg.device, seed=cfg.seed, threads=cfg.threads)
            right = (right_lm, right_vocab)
        echo(f"in-context: the frozen neural LM {cfg.lm}{f' and the right-to-left {cfg.right_lm}' if right else ''} "
             f"read {cfg.src_corpus} through the lexicon")
        ranked, info, share = neural_rerank(lm, lm_vocab, cfg.src_corpus, cfg.tgt_corpus, sw, tw, start.rows,
                                            start.scores / 2, cfg.neural, dev, echo=echo, right=right)
    else:
        tw, ranked, info, share = incontext_from_scores(cfg, sw, tw, start.rows, start.scores / 2, unigram, echo)
    # the lexicon's scores: each re-ranked candidate's posterior share, 0 beyond them
    row_scores = np.zeros(ranked.shape)
    row_scores[:, :share.shape[1]] = share
    sure = frozenset((i, int(ranked[i, 0])) for i in np.flatnonzero(row_scores[:, 0] >= CONTEXT_SHARE))
    d = test_dictionary(cfg)
    result = {"method": "incontext", "family": "ablation" if unigram else cfg.family, "candidates": cfg.candidates,
              "orthography": cfg.orthography, "start": scored(sw, tw, start.rows, d),
              "lm": "unigram" if unigram else ("neural" if cfg.lm else "bigram"), "src": cfg.src, "tgt": cfg.tgt, "rerank": info,
              "candidates_info": align_info, "rerank_seconds": round(time.time() - t1, 1),
              **lexicon_result(cfg, run, sw, tw, ranked, row_scores, hidden, start.checked, in_context=sure,
                               echo=echo),
              "seconds": round(time.time() - t0, 1)}
    run.write_metrics(result)
    return result


def auto_result(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """The ``auto`` method, one pipeline for any pair of texts, each step chosen by the run's own
    dictionary-free confidence (:mod:`langind.crosslingual.confidence`), never by a dictionary:

    1. **align** — the aligners of :data:`AUTO_ALIGNERS`, fully unsupervised (no spelling), each checked
       on the hidden spelling anchors: coocmap-grow (holds on non-parallel text) first, then, only if it
       works, coocmap-drop (the strongest on parallel text, collapses on non-parallel text; where
       coocmap-grow finds no alignment, coocmap-drop was not measured to find one either, and it costs
       two to three times as long, so a run on texts that tell different stories stays within minutes);
    2. **choose** — the aligner that put back more of them (ties: coocmap-grow, the safer);
    3. **in context** — if it works (at least :data:`confidence.FAILED_AGREEMENT` of the anchors put
       back, or no anchors to check it on: two scripts), its candidates re-ranked by the target LM
       reading the source text (the bigram HMM, or the frozen neural LM ``--lm``): the measured best on
       the Bible pairs;
    4. **fall back** — if coocmap-grow found no alignment (texts that tell different stories): the
       most frequent words deciphered by the target bigram LM (:func:`deciphered`), every other word
       by spelling where the two texts share an alphabet (spelling also the decipherment's prior), else
       by coocmap-grow's lexicon, with the failure warning.

    Writes lexicon and metrics into ``run``; the metrics' ``auto`` block says what was tried and chosen."""
    t0 = time.time()
    hidden = hidden_anchor_pairs(cfg)
    tried: dict[str, tuple] = {}

    def known(conf: dict) -> float:
        # what the check says the aligner knows: the hidden anchors put back, or (no anchors: codes, two
        # scripts) the split-half estimate of its P@1
        return conf["anchor_agreement"] if conf["anchor_agreement"] is not None else conf["estimate"]

    for aligner in AUTO_ALIGNERS:
        sub = replace(cfg, method=aligner, orthography=False)
        t1 = time.time()
        sw, tw, ranked, info = aligned_scores(sub, aligner, hidden, echo)
        conf = run_confidence(sw, tw, ranked.checked, hidden, halves=None if hidden else half_lexicons(cfg, echo))
        check = (f"put back {conf['anchor_agreement']:.0%} of {conf['hidden_anchors']} hidden anchors" if hidden
                 else f"split-half estimate {conf['estimate']:.2f}")
        echo(f"auto: {aligner} {check} ({time.time() - t1:.0f} s)")
        tried[aligner] = (sub, sw, tw, ranked, info, conf)
        if known(conf) < confidence.FAILED_AGREEMENT:
            break  # the robust aligner found nothing: the rest are not tried
    best = max(tried, key=lambda a: (known(tried[a][-1]), a == AUTO_ALIGNERS[0]))
    sub, sw, tw, ranked, info, conf = tried[best]
    works = known(conf) >= confidence.FAILED_AGREEMENT
    if works:
        chosen = f"incontext ({best} candidates, {'neural' if cfg.lm else 'bigram'} LM)"
        echo(f"auto: {best} works; its candidates re-ranked in context")
        result = reranked_result(replace(sub, method="incontext", candidates=best), run, sw, tw, ranked, info,
                                 hidden, t0, echo)
    else:
        if cfg.orthography:
            echo(f"auto: {best} found no alignment of these texts; spelling, with the frequent words deciphered")
            sub = replace(cfg, method="cipher")
            sw, tw, ranked, info = spelling_start(sub, hidden, echo)
            chosen = "cipher (spelling + neighbour signatures + decipherment of the frequent words)"
        else:
            echo(f"auto: {best} found no alignment and spelling is off; its lexicon with the frequent words deciphered")
            sub = replace(cfg, method="cipher", orthography=False)
            chosen = f"cipher (decipherment of the frequent words, {best} for the rest)"
        ranked, cinfo = deciphered(sub, sw, tw, ranked, hidden, echo)
        result = {"method": sub.method, "family": sub.family, "info": {**info, "cipher": cinfo},
                  "orthography": bool(sub.orthography), "lm": cinfo["lm"],
                  **lexicon_result(sub, run, sw, tw, ranked.rows, ranked.scores, hidden, ranked.checked,
                                   in_context=ranked.in_context, echo=echo)}
    result = {**result, "method": "auto", "src": cfg.src, "tgt": cfg.tgt, "seconds": round(time.time() - t0, 1),
              "auto": {"chosen": chosen, "aligner": best, "aligner_works": works,
                       "tried": {a: v[-1] for a, v in tried.items()}}}
    run.write_metrics(result)
    return result
