"""``induce cross`` end to end: :func:`induce_cross` runs any method of :mod:`langind.induction.methods`
into a run directory — training whatever LM it needs with a named recipe — so the CLI, the Python
entry point, the benchmarks and the tests call the same code. Each run reads top to bottom: check
the pair → fit (align, read in context, decipher) → read out the lexicon → write; ``auto`` chooses
its steps by the run's own confidence, never by a dictionary."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

import numpy as np

from langind.crosslingual import confidence
from langind.crosslingual.joint import evaluate_joint, train_joint
from langind.crosslingual.neural_context import neural_rerank
from langind.crosslingual.transfer import TransferConfig
from langind.induction.check import hidden_anchor_pairs, run_confidence
from langind.induction.config import AUTO_ALIGNERS, CrossConfig
from langind.induction.context import CONTEXT_SHARE, deciphered, incontext_from_scores, spelling_start
from langind.induction.pair import check_dictionary, check_pair, resolve_orthography, test_dictionary
from langind.induction.result import lexicon_result, scored
from langind.induction.spaces import Ranked, aligned_scores, frequency_start, half_lexicons
from langind.induction.transfer import transfer
from langind.lm.checkpoint import check_direction
from langind.lm.recipes import train_recipe
from langind.mapping.fit import load_frozen_lm
from langind.runs import RunDir


def setup(cfg: CrossConfig, echo: Callable[[str], None] = print) -> None:
    """Everything checked before a run directory is made or a long step starts: the two texts (one
    given twice, a vocabulary too large for this machine; :func:`check_pair`), whether spelling is
    evidence (:func:`resolve_orthography`), the test dictionary when there is one, and the direction of
    the frozen LMs given."""
    if cfg.aligns_corpora:
        check_pair(cfg, echo)
        resolve_orthography(cfg, echo)
    if cfg.dictionary_path is None:
        echo(f"note: no dictionary for {cfg.src}-{cfg.tgt} (none bundled, no --dictionary): the lexicon is induced "
             "and not scored")
    else:
        check_dictionary(cfg)
    if cfg.method in ("incontext", "auto") and cfg.lm is not None:  # before minutes of aligning, not after
        check_direction(cfg.lm, reversed_=False, flag="--tgt-lm")
        if cfg.right_lm is not None:
            check_direction(cfg.right_lm, reversed_=True)


def lm_methods(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """``joint-lm``, ``decipher``, ``hybrid`` and ``swap`` end to end: trains the LMs not given (the
    ``reference`` recipe, ``lm_minutes`` each) and the joint LM where it is needed; returns
    ``{"joint-lm": ..., METHOD: ...}`` (the joint LM's metrics where it was trained)."""
    out = run.path
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


def align_corpora(cfg: CrossConfig, run: RunDir, echo: Callable[[str], None] = print) -> dict:
    """A dictionary-free alignment method (or spelling alone) end to end from the two corpora: writes
    lexicon and metrics into ``run``; returns the metrics."""
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

    1. **align** — the aligners of :data:`AUTO_ALIGNERS`, fully unsupervised (no spelling), each
       checked on the hidden spelling anchors where spelling is evidence, else by the split-half
       check: coocmap-grow (holds on text that is not parallel) first, then, only if it works,
       coocmap-drop (strong on parallel text, collapses on text that is not; it costs two to three
       times as long, so a run on texts that tell different stories stays within minutes). With no
       anchors each aligner is rated by the other's halves (raters of one family share its errors);
    2. **combine** — where both work, their rankings averaged (:meth:`Ranked.combined`, the higher
       rated first): on parallel text the two are rated alike while each is right where the other is
       not, and the target LM below chooses among both candidate lists; else the one that works;
    3. **in context** — if an aligner works (at least :data:`confidence.FAILED_AGREEMENT`), the
       candidates re-ranked by the target LM reading the source text (the bigram HMM, or the frozen
       neural LM ``--tgt-lm``);
    4. **fall back** — if none works (texts that tell different stories): the most frequent words
       deciphered by the target bigram LM (:func:`deciphered`), every other word by spelling where it
       is evidence (spelling also the decipherment's prior), else by coocmap-grow's lexicon, with the
       failure warning.

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
    if not hidden and len(tried) > 1:
        # raters of one aligner's family share its systematic errors and so rate it too high: with no anchors,
        # each aligner is rated by the other's halves when the two are compared
        for aligner, (sub_a, sw_a, tw_a, ranked_a, info_a, _) in list(tried.items()):
            other = next(a for a in tried if a != aligner)
            conf = run_confidence(sw_a, tw_a, ranked_a.checked, [], halves=half_lexicons(cfg, echo, other))
            echo(f"auto: {aligner} rated by {other}'s halves: split-half estimate {conf['estimate']:.2f}")
            tried[aligner] = (sub_a, sw_a, tw_a, ranked_a, {**info_a, "rated_by": other}, conf)
    best = max(tried, key=lambda a: (known(tried[a][-1]), a == AUTO_ALIGNERS[0]))
    sub, sw, tw, ranked, info, conf = tried[best]
    works = known(conf) >= confidence.FAILED_AGREEMENT
    also = [a for a in tried if a != best and known(tried[a][-1]) >= confidence.FAILED_AGREEMENT]
    if also:
        ranked = ranked.combined(tried[also[0]][3])
        info = {**info, "combined_with": also[0]}
    if works:
        names = " + ".join([best, *also])
        chosen = f"incontext ({names} candidates, {'neural' if cfg.lm else 'bigram'} LM)"
        echo(f"auto: {names} work{'' if also else 's'}; {'their rankings averaged, ' if also else ''}"
             "the candidates re-ranked in context")
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
              "auto": {"chosen": chosen, "aligner": best, "aligner_works": works, "combined_with": also[:1],
                       "tried": {a: v[-1] for a, v in tried.items()}}}
    run.write_metrics(result)
    return result
