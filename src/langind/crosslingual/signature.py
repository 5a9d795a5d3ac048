"""Neighbour signatures: which frequent words stand just before and after a word, carried across
languages through the spelling anchors.

On texts that tell different stories a word's *topical* company says nothing about its translation
(README: context vectors through the anchors score P@1 0.005 on the fortunes pair), but its
*grammatical* company still does: a Spanish plural noun follows *los*/*las* and precedes *de* or
*que*, as its English translation follows *the* and precedes *of* or *that*; an infinitive follows
*para*/*to*. Spelling alone often confuses exactly these (*argumento* → *arguments*, *caso* →
*cast*). This module describes each word by the distribution of its immediate neighbours among the
``context_words`` most frequent words of its own language (plus the sentence boundary), left and
right (square-rooted relative frequencies: the Hellinger embedding), learns a ridge-regularised
linear map from source to target signatures on the spelling anchors (pairs whose spelling vouches
for them: no dictionary), and scores every pair by the cosine of the mapped source signature and
the target signature. It is evidence to re-rank spelling's candidates with, never a ranking of its
own (alone it is near chance: P@1 0.011 es→en on the fortunes pair).

This is the seed-lexicon idea of Rapp (1999), "Automatic identification of word translations from
unrelated English and German corpora" (ACL), restricted to adjacent function-word contexts — the
part of a word's distribution that stories do not change — with a linear map (as in Mikolov, Le &
Sutskever 2013, "Exploiting similarities among languages for machine translation") instead of a
seed dictionary's one-to-one translation of the context words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from langind.errors import LangindError
from langind.similarity import unit_rows


@dataclass
class SignatureConfig:
    """Settings of the neighbour signatures (one source for the CLI's defaults). The numbers were set
    on the fortunes pair, seen with its dictionary (README, *Neighbour signatures*)."""

    weight: float = 0.2  # added to spelling's ranking score (its CSLS, halved) times the cosine; 0: off
    context_words: int = 50  # the most frequent words of each language that make up a signature
    ridge: float = 1.0  # the map's ridge penalty (the signature has 2 · (context_words + 1) dimensions)

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise LangindError(f"the signature weight must be >= 0, got {self.weight}")
        if self.context_words < 1:
            raise LangindError(f"signatures need at least one context word, got {self.context_words}")
        if self.ridge <= 0:
            raise LangindError(f"the signature map's ridge penalty must be > 0, got {self.ridge}")


def neighbour_signatures(sentences: Iterable[list[str]], words: list[str], context_words: int) -> np.ndarray:
    """Each word's left and right neighbours among ``words[:context_words]`` (+ the sentence boundary).

    Parameters: sentences, the text as token lists; words (n,) the vocabulary, most frequent first.
    Returns (n, 2 · (context_words + 1)): per word, the square roots of the relative frequencies of
    its left neighbours then of its right neighbours (other neighbours are not counted); a row of
    zeros for a word never seen beside a context word."""
    k = min(context_words, len(words))
    index = {w: i for i, w in enumerate(words)}
    # a neighbour's column: its rank if it is a context word, k for the sentence's edge, none otherwise
    edge = -2
    column = {edge: k, **{i: i for i in range(k)}}
    counts = np.zeros((len(words), 2, k + 1))
    for sent in sentences:
        ids = [index.get(w, -1) for w in sent]
        for i, a, b in zip(ids, [edge] + ids[:-1], ids[1:] + [edge]):
            if i < 0:
                continue
            if a in column:
                counts[i, 0, column[a]] += 1
            if b in column:
                counts[i, 1, column[b]] += 1
    totals = counts.sum(axis=2, keepdims=True)
    return np.sqrt(counts / np.maximum(totals, 1)).reshape(len(words), -1)


def signature_similarity(src_sig: np.ndarray, tgt_sig: np.ndarray, anchors: list[tuple[int, int]],
                         ridge: float = 1.0) -> np.ndarray:
    """Cosine of every source signature, mapped to the target side, with every target signature.

    Problem: ``W = argmin ||X W − Y||² + ridge · ||W||²`` over the anchor pairs (``X`` their source
    signatures, ``Y`` their target ones), then ``cos(src_sig · W, tgt_sig)``.
    Parameters: src_sig (n, d), tgt_sig (m, d) from :func:`neighbour_signatures` with the same
    ``context_words``; anchors, (source row, target row) pairs believed to be translations (spelling
    anchors); ridge > 0. Returns (n, m) float32 in [-1, 1]."""
    if src_sig.shape[1] != tgt_sig.shape[1]:
        raise LangindError(f"signatures of different sizes: {src_sig.shape[1]} and {tgt_sig.shape[1]}")
    if not anchors:
        raise LangindError("neighbour signatures need anchor pairs to learn their map from; none were given")
    if ridge <= 0:
        raise LangindError(f"the signature map's ridge penalty must be > 0, got {ridge}")
    x = src_sig[[i for i, _ in anchors]]
    y = tgt_sig[[j for _, j in anchors]]
    w = np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]), x.T @ y)
    return (unit_rows((src_sig @ w).astype(np.float32)) @ unit_rows(tgt_sig.astype(np.float32)).T)


def rerank_with_signatures(rows: np.ndarray, scores: np.ndarray, sims: np.ndarray,
                           weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Each source word's candidates re-ordered by ``score + weight · signature cosine``.

    Parameters: rows (n, depth) candidate target rows, best first; scores (n, depth) their scores;
    sims (n, m) from :func:`signature_similarity`. Returns (rows, scores) re-ordered, the new scores."""
    new = scores + weight * np.take_along_axis(sims, rows, axis=1)
    order = np.argsort(-new, axis=1, kind="stable")
    return np.take_along_axis(rows, order, axis=1), np.take_along_axis(new, order, axis=1)
