"""What a corpus-level method thinks of each source word: aligned spaces (coocmap, vecmap), spelling,
frequency rank — each read out as :class:`Ranked` lists — and the split-half check's two raters."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from langind.corpus import HALF
from langind.crosslingual import align, confidence
from langind.crosslingual.coocmap import coocmap_variant, corpus_cooccurrence, tail_spaces
from langind.crosslingual.embeddings import train_word2vec
from langind.crosslingual.orthography import (
    cognate_similarity,
    rank_proximity,
    spelling_evidence,
    with_rank_ties,
)
from langind.induction.check import run_confidence
from langind.induction.config import AUTO_ALIGNERS, CrossConfig
from langind.induction.pair import _stamp, top_words_of
from langind.lm.device import pick_device
from langind.mapping.readout import topk
from langind.similarity import csls, csls_topk, topk_mean, unit_rows
from langind.vocab import alphabetic_words


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

    def combined(self, other: "Ranked") -> "Ranked":
        """The two methods' rankings averaged: each source word's candidates are the union of the two
        lists, scored by the mean of the two scores (a candidate one method did not list gets that
        method's lowest listed score, the most it can have had), the best ``depth`` kept. ``nn`` and
        ``checked`` stay this ranking's: order the two so that the better-rated method comes first.
        The two must rank the same source and target words (two aligners of one :class:`CrossConfig`)."""
        if self.rows.shape != other.rows.shape:
            raise ValueError(f"cannot combine rankings of shapes {self.rows.shape} and {other.rows.shape}")
        depth = self.rows.shape[1]

        def looked_up(rows, into_rows, into_scores):
            # each of ``rows``' candidates scored by the other list: its score there, else the list's lowest
            same = rows[:, :, None] == into_rows[:, None, :]
            found = np.where(same, into_scores[:, None, :], -np.inf).max(axis=2)
            return np.where(same.any(axis=2), found, into_scores.min(axis=1, keepdims=True)), same.any(axis=2)
        mine_there, _ = looked_up(self.rows, other.rows, other.scores)
        theirs_here, listed = looked_up(other.rows, self.rows, self.scores)
        rows = np.concatenate([self.rows, other.rows], axis=1)
        scores = np.concatenate([(self.scores + mine_there) / 2,
                                 np.where(listed, -np.inf, (other.scores + theirs_here) / 2)], axis=1)  # listed: already in
        best = np.argsort(-scores, axis=1, kind="stable")[:, :depth]
        return Ranked(np.take_along_axis(rows, best, axis=1), np.take_along_axis(scores, best, axis=1), self.nn,
                      self.checked)

    def extended(self, more: "Ranked") -> "Ranked":
        """These rows followed by ``more``'s (the tail's words after the core's)."""
        d = min(self.rows.shape[1], more.rows.shape[1])
        return Ranked(*(np.concatenate([a[:, :d] if a.ndim == 2 else a, b[:, :d] if b.ndim == 2 else b])
                        for a, b in ((self.rows, more.rows), (self.scores, more.scores), (self.nn, more.nn),
                                     (self.checked, more.checked))))


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


def frequency_start(cfg: CrossConfig) -> tuple[list[str], list[str], Ranked]:
    """The two vocabularies and the weakest ranking there is, by frequency-rank proximity: the start
    of a decipherment that may not use spelling."""
    sw, tw = list(top_words_of(cfg.src_corpus, cfg.top)), list(top_words_of(cfg.tgt_corpus, cfg.top))
    close = rank_proximity(len(sw), len(tw))
    return sw, tw, Ranked.from_dense(close, close, close.argmax(axis=1), cfg.depth)


# the split-half raters read this many of each half's most frequent words: the check needs the frequent words
# only, and coocmap's time grows with the cube of its core (a run must stay within minutes)
SPLIT_HALF_WORDS = 2000


def half_lexicons(cfg: CrossConfig, echo: Callable[[str], None] = print, aligner: str = AUTO_ALIGNERS[0]
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """The two raters of the split-half check (:func:`langind.crosslingual.confidence.split_half`):
    ``aligner`` (by default the robust one, :data:`AUTO_ALIGNERS`' first; no spelling) run on the odd
    sentences of both texts (``half:1:``) and on the even ones (``half:2:``); each source word's first
    choice, as words, for the :data:`SPLIT_HALF_WORDS` most frequent words of each half. Made once per
    pair of texts, aligner and settings."""
    words = min(cfg.top, SPLIT_HALF_WORDS)
    key = (cfg.src_corpus, cfg.tgt_corpus, _stamp(cfg.src_corpus), _stamp(cfg.tgt_corpus), words, cfg.window, aligner)
    if key not in _HALVES:
        halves = []
        for part in (1, 2):
            t0 = time.time()
            sub = CrossConfig(src="src", tgt="tgt", method=aligner, src_corpus=f"{HALF}{part}:{cfg.src_corpus}",
                              tgt_corpus=f"{HALF}{part}:{cfg.tgt_corpus}", top=words, core=max(words, 10),
                              window=cfg.window, orthography=False, device=cfg.device, progress=False)
            sw, tw, ranked, _ = aligned_scores(sub, aligner, [], echo=lambda m: None)
            halves.append({w: tw[j] for w, j in zip(sw, ranked.checked)})
            echo(f"split-half check: {aligner} on half {part} of each text ({time.time() - t0:.0f} s)")
        while len(_HALVES) >= 4:
            _HALVES.pop(next(iter(_HALVES)))
        _HALVES[key] = tuple(halves)
    return _HALVES[key]


_HALVES: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}  # half_lexicons' results, a run's and its rows'
