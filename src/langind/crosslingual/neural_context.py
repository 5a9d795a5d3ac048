"""The frozen neural target LM chooses among candidate translations in context.

The self-recovery context stage (:mod:`langind.mapping.context`) reads a scrambled text decoded by
the current mapping with a frozen LM and sums, per scrambled word, the LM's next-word
log-probabilities at its positions. Cross-lingually the same E-step applies with the *target*
language's LM reading the *source* text decoded through the current lexicon; this module reuses
that engine (:func:`langind.mapping.context.context_scores`) and changes only what the one-to-one
constraint did there — a lexicon is not a bijection, so what keeps every word from taking the
likeliest filler (*the*) is the division by the target unigram instead:

    log p(e | f, contexts) = log q(e | f) + Σ_{t: f_t = f} [log p_LM(e | decoded prefix_t) − log p(e)]

— the aligner's (or spelling's) belief ``q(e | f) = softmax_k(β · score)`` over ``f``'s ``k``
candidates, updated by each occurrence's evidence *beyond frequency* (naive Bayes over
occurrences). Frequent words lean on their contexts, rare ones keep their prior. Rounds repeat
with the new first choices decoding the text.

A left-to-right LM reads only what precedes a word. With ``right`` — a right-to-left LM of the target
text, trained on ``reversed:TEXT`` (:class:`langind.corpus.CorpusSource`) — the source text is also
read reversed, through the same lexicon, and that LM's evidence (what *follows* each occurrence) is
added to the sum: ``Σ_t [log p_→(e | prefix_t) − log p(e)] + Σ_t [log p_←(e | suffix_t) − log p(e)]``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from langind.corpus import REVERSED, CorpusSource
from langind.errors import LangindError
from langind.mapping.context import context_scores
from langind.vocab import EOS, UNK, Vocab


@dataclass
class NeuralContextConfig:
    """How the frozen neural LM re-ranks candidates (see the module docstring)."""

    k: int = 10  # candidates per source word
    beta: float = 30.0  # sharpness of the prior q(e | f) = softmax(β · score) on the cosine scale
    rounds: int = 3  # decode → score → re-rank rounds
    max_tokens: int | None = 500_000  # source tokens read per round (None: all)
    batch_size: int = 64
    bptt: int = 70

    def __post_init__(self) -> None:
        if self.k < 1 or self.rounds < 1 or self.beta <= 0:
            raise LangindError("neural in-context: k and rounds must be >= 1 and beta > 0")


def source_stream(spec: str, src_words: list[str], lm_vocab: Vocab, max_tokens: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The source text as ids for :func:`context_scores`: rows of ``src_words`` first, then one id per
    token without letters that the LM knows (decoded as itself), then one id for every other token
    (decoded as ``<unk>``) and one for sentence ends (decoded as ``<eos>``).

    Returns (ids (T,), fixed (n_ids,): the LM id of every non-word id; -1 in the word rows)."""
    index = {w: i for i, w in enumerate(src_words)}
    symbols: dict[str, int] = {}
    raw: list[int] = []
    for toks in CorpusSource(spec).sentences():
        for w in toks:
            if w in index:
                raw.append(index[w])
            elif not any(c.isalpha() for c in w) and w in lm_vocab.stoi:
                raw.append(len(src_words) + symbols.setdefault(w, len(symbols)))
            else:
                raw.append(-1)
        raw.append(-2)
        if max_tokens and len(raw) >= max_tokens:
            break
    n = len(src_words) + len(symbols)
    other, eos = n, n + 1
    ids = np.array([other if x == -1 else eos if x == -2 else x for x in raw], dtype=np.int64)
    fixed = np.full(n + 2, -1, dtype=np.int64)
    for w, k in symbols.items():
        fixed[len(src_words) + k] = lm_vocab.stoi[w]
    fixed[other], fixed[eos] = lm_vocab.stoi[UNK], lm_vocab.stoi[EOS]
    return ids, fixed


def target_log_unigram(spec: str, lm_vocab: Vocab) -> np.ndarray:
    """log p(e) of every LM id in a target text (add-one smoothed), (V,)."""
    counts = np.ones(len(lm_vocab))
    unk = lm_vocab.stoi[UNK]
    for toks in CorpusSource(spec).sentences():
        for w in toks:
            counts[lm_vocab.stoi.get(w, unk)] += 1
    return np.log(counts / counts.sum())


def neural_rerank(lm, lm_vocab: Vocab, src_spec: str, tgt_spec: str, src_words: list[str], tgt_words: list[str],
                  ranked: np.ndarray, scores: np.ndarray, cfg: NeuralContextConfig | None = None, device="cpu",
                  echo=print, right: tuple | None = None) -> tuple[np.ndarray, dict]:
    """Re-rank each source word's ``k`` best targets (the first ``k`` of ``ranked``) with the frozen
    target LM in context.

    Parameters
    ----------
    lm : frozen target :class:`~langind.lm.model.WordLM`; lm_vocab : its vocab.
    src_spec, tgt_spec : the source text (read) and the target text (its unigram).
    src_words (n), tgt_words (m) : the lexicon's word lists.
    ranked (n, depth) : each source word's target rows by the aligner, best first; ``scores``
        (n, depth) their scores, cosine scale.
    cfg : :class:`NeuralContextConfig`.
    right : (lm, vocab) of a right-to-left target LM (trained on ``reversed:`` text), or None: it reads
        the source text reversed and its evidence is added (module docstring).

    Returns
    -------
    ranked (n, max(k, 10)) target rows, best first (the re-ranked ``k`` then the aligner's order),
    ``info`` (rounds, seconds, words whose first choice the LM changed) and ``share`` (n, k): each
    re-ranked candidate's posterior (softmax of prior + context evidence), in the ranked order.
    """
    cfg = cfg or NeuralContextConfig()
    t0 = time.time()
    n = len(src_words)
    if ranked.shape != scores.shape or len(ranked) != n or (ranked.size and ranked.max() >= len(tgt_words)):
        raise LangindError("ranked candidates do not match the word lists")
    cand = ranked[:, :cfg.k]
    # one reader per direction: the LM, its target ids, the source stream it reads, the target unigram
    readers = [(lm, lm_vocab, src_spec)] + ([(right[0], right[1], REVERSED + src_spec)] if right is not None else [])
    targets = [np.array([vocab.stoi.get(w, -1) for w in tgt_words]) for _, vocab, _ in readers]
    known = np.logical_and.reduce([t[cand] >= 0 for t in targets])  # a candidate every reader can score
    prepared = []
    for (model, vocab, spec), tgt_ids in zip(readers, targets):
        ids, fixed = source_stream(spec, src_words, vocab, cfg.max_tokens)
        n_occ = np.bincount(ids[1:], minlength=len(fixed))[:n].astype(np.float64)
        safe = np.where(known, tgt_ids[cand], 0)  # each candidate's id in this LM (0 where logq is -inf)
        prepared.append((model, vocab, tgt_ids, ids, fixed, n_occ, target_log_unigram(tgt_spec, vocab), safe))
    logq = cfg.beta * scores[:, :cfg.k]
    logq = np.where(known, logq, -np.inf)
    logq = logq - np.logaddexp.reduce(logq, axis=1, keepdims=True)
    first = cand[:, 0].copy()
    start = first.copy()
    for r in range(cfg.rounds):
        evidence = np.zeros(cand.shape)
        for model, vocab, tgt_ids, ids, fixed, n_occ, log_uni, safe in prepared:
            decode = fixed.copy()
            decode[:n] = np.where(tgt_ids[first] >= 0, tgt_ids[first], vocab.stoi[UNK])
            ctx = context_scores(model, ids, decode, len(fixed), device, cfg.batch_size, cfg.bptt)[:n]
            evidence += np.take_along_axis(ctx, safe, axis=1) - n_occ[:, None] * log_uni[safe]
        post = logq + evidence
        slot = np.argsort(-post, axis=1, kind="stable")
        new_first = np.take_along_axis(cand, slot[:, :1], axis=1)[:, 0]
        echo(f"neural in-context round {r + 1}: {int((new_first != first).sum())} first choices changed")
        first = new_first
    ranked = np.concatenate([np.take_along_axis(cand, slot, axis=1), ranked[:, cfg.k:]], axis=1)
    post = np.take_along_axis(post, slot, axis=1)
    share = np.exp(post - post.max(axis=1, keepdims=True))
    share /= share.sum(axis=1, keepdims=True)  # each candidate's posterior, in the ranked order
    return ranked, {"rounds": cfg.rounds, "beta": cfg.beta, "directions": len(readers), "changed": int((first != start).sum()),
                    "seconds": round(time.time() - t0, 1)}, share
