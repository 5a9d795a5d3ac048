"""What every corpus-level run reports: the lexicon file (ranked rows, scores, evidence), the
evidence and confidence blocks, and — only where a test dictionary is given or bundled — P@k."""

from __future__ import annotations

from typing import Callable

import numpy as np

from langind.crosslingual.lexicon import CONTEXT, NO_EVIDENCE, SPELLED, write_lexicon
from langind.evaluation.bli import gold_pairs, grouped_precision, ranked_precision
from langind.induction.check import anchor_pairs, run_confidence
from langind.induction.config import LEXICON_ROWS, CrossConfig
from langind.induction.pair import test_dictionary
from langind.induction.spaces import half_lexicons
from langind.runs import RunDir, atomic_write_text


TARGET_WORDS = "target-words"  # run-directory file: the target vocabulary of a corpus-level run, one word a line


def scored(sw: list[str], tw: list[str], rows: np.ndarray, d: dict[str, list[str]] | None, fold: bool = False
           ) -> dict | None:
    """P@k of ranked target rows (:func:`langind.evaluation.bli.ranked_precision`), None without a dictionary."""
    return None if d is None else ranked_precision(sw, tw, rows, d, fold=fold)


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
    (how many first choices each kind of evidence vouches for), the ``confidence`` block (measured
    on ``checked``, the first choices made without the hidden anchors' spelling: :func:`aligned_scores`)
    and the target vocabulary (``target-words.TGT.txt``: what a later :meth:`Lexicon.evaluate` scores against)."""
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
    # the target vocabulary the ranks index, so that a lexicon can be scored later as it is here (Lexicon.evaluate)
    atomic_write_text(run / f"{TARGET_WORDS}.{cfg.tgt}.txt", "\n".join(tw) + "\n")
    result["sample"] = [(s, tw[ranked[i, 0]]) for i, s in enumerate(sw[:30])]
    firsts = [evidence(i, int(ranked[i, 0])) for i in range(len(sw))]
    result["evidence"] = {"words": len(sw), SPELLED: firsts.count(SPELLED), CONTEXT: firsts.count(CONTEXT),
                          "P@1": None if d is None else grouped_precision(ranked[:, 0], gold_pairs(sw, tw, d)[0], firsts)}
    result["confidence"] = run_confidence(sw, tw, checked, hidden, cfg.family == "orthography", ranked[:, 0], every,
                                          result["evidence"][CONTEXT], None if hidden else half_lexicons(cfg, echo))
    return result
