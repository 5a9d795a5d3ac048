"""How a run checks itself without a dictionary: its spelling anchors (the hidden fifth) where spelling
is evidence, and the one function that turns a lexicon's first choices into the ``confidence`` block
(:mod:`langind.crosslingual.confidence`; the split-half raters are :func:`langind.induction.spaces.half_lexicons`)."""

from __future__ import annotations

import functools

import numpy as np

from langind.crosslingual import confidence
from langind.crosslingual.orthography import spelling_similarity
from langind.induction.config import CrossConfig
from langind.induction.pair import spelling_is_evidence, top_words_of


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
