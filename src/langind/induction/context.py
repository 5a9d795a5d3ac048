"""The target text's LM reading the source text through a lexicon: an aligner's candidates re-ranked
in context (the bigram HMM), neighbour signatures re-ranking spelling's candidates, and the
decipherment of the frequent words."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

import numpy as np

from langind.corpus import CorpusSource
from langind.crosslingual import confidence
from langind.crosslingual.bigram import BigramLM, UnigramLM
from langind.crosslingual.cipher import decipher, posterior_ranking
from langind.crosslingual.incontext import rerank
from langind.crosslingual.orthography import spelling_evidence
from langind.crosslingual.signature import neighbour_signatures, rerank_with_signatures, signature_similarity
from langind.evaluation.bli import retrieval_scores
from langind.induction.config import CrossConfig
from langind.induction.spaces import Ranked, aligned_scores, corpus_spelling, masked_spelling
from langind.mapping.readout import topk
from langind.similarity import unit_rows
from langind.vocab import SPECIALS, Vocab


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
