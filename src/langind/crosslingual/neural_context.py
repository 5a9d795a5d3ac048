"""The frozen neural target LM chooses among candidate translations in context.

The self-recovery context stage (:mod:`langind.mapping.context`) reads a scrambled text decoded by
the current mapping with a frozen LM and sums, per scrambled word, the LM's next-word
log-probabilities at its positions. Cross-lingually the same reading applies with the *target*
language's LM reading the *source* text decoded through the current lexicon. What the one-to-one
constraint did there — keep every word from taking the likeliest filler (*the*) — is done here by
the channel of the bigram HMM's E-step (:mod:`langind.crosslingual.incontext`), read occurrence by
occurrence: at each occurrence ``t`` of a source word ``f`` its candidates' posterior is

    p_t(e | f) ∝ q(e | f) · p_LM(e | decoded prefix_t) / p(e)

— the aligner's (or spelling's) belief ``q(e | f) = softmax_k(β · score)`` over ``f``'s ``k``
candidates times the occurrence's evidence *beyond* ``p(e)`` — and a candidate's score is its
**expected count**, ``(q(e | f) + Σ_t p_t(e | f)) / (1 + n_f)`` (the prior counted as one more
occurrence: a word the text never shows keeps it). Rounds repeat with the new first choices decoding
the text.

What ``p(e)`` is, is the channel's choice, named as the bigram HMM's (``channel``,
:func:`langind.crosslingual.incontext.prior_emissions`, which computes it for both): ``"proposals"``
(the default), the marginal of the candidates' own beliefs ``Σ_f' q(e | f') p(f')`` — a target word
that many source words propose is discounted, a soft one-to-one constraint — or ``"unigram"``, the
target text's frequency, which this module used first: on the Bible pairs the proposals' marginal
gives es→en 0.589 → 0.609 (coocmap-drop's candidates), 0.562 → 0.567 (coocmap-grow's), 0.224 → 0.243
(the disjoint halves), en→es 0.493 → 0.500 (coocmap-drop's) but 0.467 → 0.458 and 0.192 → 0.189, and
on spelling's candidates for texts that tell different stories 0.194 → 0.177 (README, *The frozen
neural LM where context works*).

Why expected counts, not the product of the occurrences' evidence (``log q + Σ_t [log p_LM − log
p(e)]``, naive Bayes over occurrences, this module's first form): the product lets a word's hundreds
of occurrences outvote any prior — on the parallel Bible (es→en, coocmap-drop's candidates, 772 test
words) it fell from the aligner's 0.588 to 0.369, where the expected counts give 0.589 (README,
*The frozen neural LM where context works*). Each occurrence is one vote, weighted by how sure its
context makes it, as in the HMM.

A left-to-right LM reads only what precedes a word. With ``right`` — a right-to-left LM of the target
text, trained on ``reversed:TEXT`` (:class:`langind.corpus.CorpusSource`) — the source text is also
read reversed, through the same lexicon, and that LM's evidence about each occurrence (what
*follows* it) multiplies into the same occurrence's posterior:
``p_t(e | f) ∝ q(e | f) · [p_→(e | prefix_t) / p(e)] · [p_←(e | suffix_t) / p_tgt(e)]`` — the second
reader's evidence beyond the target text's frequency ``p_tgt(e)`` whatever the channel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from langind.corpus import REVERSED, CorpusSource
from langind.crosslingual.incontext import CHANNELS, prior_emissions
from langind.errors import LangindError
from langind.lm.batching import read_stream
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
    # how q(e | f) becomes the channel p(f | e) (incontext.prior_emissions, the bigram HMM's choice of name):
    # "proposals" divides by the marginal of the candidates' own beliefs Σ_f' q(e | f') p(f'), so a target
    # word proposed for many source words is discounted (soft one-to-one); "unigram" by the target text's p(e)
    channel: str = "proposals"

    def __post_init__(self) -> None:
        if self.k < 1 or self.rounds < 1 or self.beta <= 0:
            raise LangindError("neural in-context: k and rounds must be >= 1 and beta > 0")
        if self.channel not in CHANNELS:
            raise LangindError(f"neural in-context: channel must be one of {CHANNELS}, got {self.channel!r}")


def source_stream(spec: str, src_words: list[str], lm_vocab: Vocab, max_tokens: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The source text as ids for :func:`occurrence_evidence`: rows of ``src_words`` first, then one id per
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


def reversed_positions(ids: np.ndarray, eos: int) -> np.ndarray:
    """For a stream of sentences each ended by ``eos`` (:func:`source_stream`), the position each
    token has in the same stream with every sentence's words reversed (``reversed:``), the end
    markers staying in place: an involution, (T,)."""
    ids = np.asarray(ids)
    ends = np.flatnonzero(ids == eos)
    if not len(ends) or ends[-1] != len(ids) - 1:
        raise LangindError("a source stream must end each sentence with its end marker")
    starts = np.concatenate([[0], ends[:-1] + 1])
    lengths = ends - starts  # words before each marker
    pos = np.arange(len(ids))
    sent_start = np.repeat(starts, lengths + 1)
    sent_end = np.repeat(ends, lengths + 1)
    out = sent_start + sent_end - 1 - pos
    out[ends] = ends
    return out


@torch.no_grad()
def occurrence_evidence(model, ids: np.ndarray, decode: np.ndarray, cand: np.ndarray, log_uni: np.ndarray | None,
                        device="cpu", batch_size: int = 64, bptt: int = 70) -> np.ndarray:
    """What the LM says about every occurrence's candidates (beyond their frequency, given ``log_uni``).

    Parameters
    ----------
    model : the frozen LM (``V`` output words), reading ``decode[ids]``.
    ids : (T,) the source stream (:func:`source_stream`); decode : (n_ids,) each id's LM id.
    cand : (n_ids, k) each id's candidates as LM ids (any valid id where it has none).
    log_uni : (V,) the target unigram, ``log p(e)``, or None: the LM's log-probabilities themselves.

    Returns
    -------
    (T, k) float32: at each position the LM predicts, ``log p_LM(c | decoded prefix) − log p(c)`` (without
    ``− log p(c)`` when ``log_uni`` is None) for the candidates ``c`` of the word there; 0 where the LM
    predicts nothing (a row's first token).
    """
    ids = np.asarray(ids, dtype=np.int64)
    dec = np.asarray(decode, dtype=np.int64)[ids]
    cand_t = torch.as_tensor(cand, dtype=torch.int64, device=device)
    uni_t = None if log_uni is None else torch.as_tensor(log_uni, dtype=torch.float32, device=device)[cand_t]
    ids_t = torch.as_tensor(ids, device=device)
    out = torch.zeros(len(ids), cand.shape[1], device=device)
    for logits, _, p in read_stream(model, dec, device, batch_size, bptt, aligned=np.arange(len(ids))):
        p = p.reshape(-1)
        f = ids_t[p]
        lp = torch.log_softmax(logits.reshape(-1, logits.shape[-1]).float(), dim=-1)
        out[p] = lp.gather(1, cand_t[f]) if uni_t is None else lp.gather(1, cand_t[f]) - uni_t[f]
    return out.cpu().numpy()


def neural_rerank(lm, lm_vocab: Vocab, src_spec: str, tgt_spec: str, src_words: list[str], tgt_words: list[str],
                  ranked: np.ndarray, scores: np.ndarray, cfg: NeuralContextConfig | None = None, device="cpu",
                  echo=print, right: tuple | None = None) -> tuple[np.ndarray, dict, np.ndarray]:
    """Re-rank each source word's ``k`` best targets (the first ``k`` of ``ranked``) with the frozen
    target LM in context: each candidate's expected count over the word's occurrences (module
    docstring).

    Parameters
    ----------
    lm : frozen target :class:`~langind.lm.model.WordLM`; lm_vocab : its vocab.
    src_spec, tgt_spec : the source text (read) and the target text (its unigram).
    src_words (n), tgt_words (m) : the lexicon's word lists.
    ranked (n, depth) : each source word's target rows by the aligner, best first; ``scores``
        (n, depth) their scores, cosine scale.
    cfg : :class:`NeuralContextConfig`.
    right : (lm, vocab) of a right-to-left target LM (trained on ``reversed:`` text), or None: it reads
        the source text reversed and its evidence joins each occurrence's (module docstring).

    Returns
    -------
    ranked (n, max(k, 10)) target rows, best first (the re-ranked ``k`` then the aligner's order),
    ``info`` (rounds, seconds, words whose first choice the LM changed) and ``share`` (n, k): each
    re-ranked candidate's expected share of the word's occurrences (the prior as one more), in the
    ranked order.
    """
    cfg = cfg or NeuralContextConfig()
    t0 = time.time()
    n = len(src_words)
    if ranked.shape != scores.shape or len(ranked) != n or (ranked.size and ranked.max() >= len(tgt_words)):
        raise LangindError("ranked candidates do not match the word lists")
    cand = ranked[:, :cfg.k]
    k = cand.shape[1]
    # one reader per direction: the LM, its target ids, the source stream it reads, the target unigram
    readers = [(lm, lm_vocab, src_spec)] + ([(right[0], right[1], REVERSED + src_spec)] if right is not None else [])
    targets = [np.array([vocab.stoi.get(w, -1) for w in tgt_words]) for _, vocab, _ in readers]
    known = np.logical_and.reduce([t[cand] >= 0 for t in targets])  # a candidate every reader can score
    # the first reader's evidence is log p_LM(e | prefix) itself (the channel below divides it by p(e)), a
    # second reader's (right to left) its evidence beyond the target text's frequency, log p_LM(e | suffix) − log p(e)
    prepared = []
    for j, ((model, vocab, spec), tgt_ids) in enumerate(zip(readers, targets)):
        ids, fixed = source_stream(spec, src_words, vocab, cfg.max_tokens)
        by_id = np.zeros((len(fixed), k), dtype=np.int64)  # each id's candidates in this LM (0: none)
        by_id[:n] = np.where(known, tgt_ids[cand], 0)
        prepared.append((model, vocab, tgt_ids, ids, fixed, by_id, target_log_unigram(tgt_spec, vocab) if j else None))
    ids = prepared[0][3]
    where = np.arange(len(ids))  # each reader's positions in the first reader's stream
    if right is not None:
        if len(prepared[1][3]) != len(ids):
            raise LangindError("the right-to-left reading of the source text does not match the left-to-right one")
        where = reversed_positions(ids, len(prepared[0][4]) - 1)
    words = ids < n  # positions of lexicon words (the rest: symbols, <unk>, sentence ends)
    f = ids[words]
    n_occ = np.bincount(f, minlength=n).astype(np.float64)
    logq = cfg.beta * scores[:, :k]
    logq = np.where(known, logq, -np.inf)
    logq[~known.any(axis=1)] = 0.0  # no candidate the LM knows: the aligner's order stays
    logq = logq - np.logaddexp.reduce(logq, axis=1, keepdims=True)
    # the channel log p(f | e) over each word's candidates, as the bigram HMM's: q(e | f) p(f) / p(e), p(e) the
    # proposals' marginal or the target unigram (per target row; 0 for a word the LM does not know)
    unigram = None
    if cfg.channel == "unigram":
        log_uni = target_log_unigram(tgt_spec, lm_vocab)
        unigram = np.append(np.where(targets[0] >= 0, log_uni[targets[0]], 0.0), 0.0)
    log_emit = prior_emissions(np.where(known, cand, -1), scores[:, :k], cfg.beta, n_occ, len(tgt_words), unigram)
    log_emit = np.where(known.any(axis=1, keepdims=True), log_emit, logq)  # no candidate the LM knows: q alone
    heard = known[f]  # evidence only for candidates every reader knows
    first = cand[:, 0].copy()
    start = first.copy()
    for r in range(cfg.rounds):
        logit = log_emit[f].copy()
        for j, (model, vocab, tgt_ids, rids, fixed, by_id, log_uni) in enumerate(prepared):
            decode = fixed.copy()
            decode[:n] = np.where(tgt_ids[first] >= 0, tgt_ids[first], vocab.stoi[UNK])
            ev = occurrence_evidence(model, rids, decode, by_id, log_uni, device, cfg.batch_size, cfg.bptt)
            logit += np.where(heard, (ev if j == 0 else ev[where])[words], 0.0)
        post = np.exp(logit - logit.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)
        counts = np.zeros((n, k))
        np.add.at(counts, f, post)
        share = (np.exp(logq) + counts) / (1.0 + n_occ[:, None])
        slot = np.argsort(-share, axis=1, kind="stable")
        new_first = np.take_along_axis(cand, slot[:, :1], axis=1)[:, 0]
        echo(f"neural in-context round {r + 1}: {int((new_first != first).sum())} first choices changed")
        first = new_first
    ranked = np.concatenate([np.take_along_axis(cand, slot, axis=1), ranked[:, cfg.k:]], axis=1)
    share = np.take_along_axis(share, slot, axis=1)
    return ranked, {"rounds": cfg.rounds, "beta": cfg.beta, "directions": len(readers), "changed": int((first != start).sum()),
                    "seconds": round(time.time() - t0, 1)}, share
