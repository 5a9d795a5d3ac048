"""The frozen LM chooses each scrambled word's meaning in context: whole-vocabulary refinement.

A head (:mod:`langind.mapping.heads`) learns frequent words well and rare ones poorly: a word seen
five times gives the head's gradient little to work with. But once the frequent words are known, the
text around a rare word is mostly readable, and the frozen LM says which word fits there. This is
the E-step of decipherment (Knight et al. 2006; Ravi & Knight 2011, "Deciphering foreign language")
with the neural LM as the language model, read out under the one-to-one constraint of a cipher:

1. **Decode** the scrambled text with the current one-to-one mapping ``a`` (source id → LM id).
2. **Score in context**: read the decoded text with the frozen LM; at every position ``t`` its
   next-word distribution ``p(· | decoded w_<t)`` is evidence for what source word ``f_t`` means.
   Summed over a source word's occurrences this is the log-likelihood of each meaning::

       C[f, e] = Σ_{t : f_t = f} log p_LM(e | a(f_1) … a(f_{t-1}))

   One pass over the text gives the whole ``n_src × V`` matrix.
3. **Combine** with the head's own evidence, which knows what the LM's *gradient* made of the word:
   ``S = C + w · H``, ``H`` the head's scores as per-row log-probabilities (``log_softmax(τ · h)``),
   ``w`` the weight of one occurrence's worth of context (so frequent words lean on the text, rare
   ones keep more of the head).
4. **Assign** one-to-one (the Hungarian readout of :mod:`langind.mapping.readout`): maximising ``Σ S``
   under a bijection is the likelihood of the whole decoded text under the LM, given the context —
   each target word can explain only one source word, which stops the LM from giving every rare
   word the same likely filler.
5. Repeat from 1 with the new mapping: a better-decoded context sharpens the next round.

The result's top-1 is the one-to-one assignment itself; the rest of each word's list follows the
Sinkhorn-normalised combined scores per occurrence (:func:`langind.mapping.solvers.log_sinkhorn`),
the soft form of the same constraint (a raw row of ``C`` prefers whatever word is likeliest
anywhere, e.g. *the*).

With ``right`` — a right-to-left LM of the same language (trained on ``reversed:TEXT``,
:class:`langind.corpus.CorpusSource`) — the decoded text is also read backwards and that LM's
predictions, ``Σ_t log p←(e | decoded suffix)``, are added to ``C``: each occurrence is judged by what
follows it as well as by what precedes it. (The text is a stream of sentences separated by ``<eos>``;
reversed as a whole it is the reversed sentences separated by ``<eos>``, which is what that LM read.)
The LMs are never updated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from scipy import sparse

from langind.errors import LangindError
from langind.lm.batching import read_stream
from langind.lm.model import WordLM
from langind.mapping import readout
from langind.mapping.solvers import log_sinkhorn


@dataclass
class ContextConfig:
    """How the frozen LM refines a head's mapping in context (see the module docstring)."""

    rounds: int = 8  # decode → score → assign rounds
    max_seconds: float | None = None  # no new round starts unless it fits in this budget (None: no limit)
    head_weight: float = 5.0  # w: the head's log-probabilities count as this many occurrences of context
    head_temperature: float = 20.0  # τ: sharpness of the head's scores turned into log-probabilities
    # weight of the right-hand neighbour's evidence, read from the LM's successor table (0: left only)
    right_weight: float = 0.0
    # a word's context evidence counts at most this many occurrences (None: all): frequent words,
    # which the head already knows, then keep listening to it
    max_evidence: float | None = None
    max_tokens: int | None = 500_000  # tokens of the text read per round (None: all)
    batch_size: int = 64
    bptt: int = 70

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise LangindError(f"context rounds must be >= 1, got {self.rounds}")
        if self.max_seconds is not None and self.max_seconds <= 0:
            raise LangindError(f"max_seconds must be > 0 (or None), got {self.max_seconds}")
        if self.max_evidence is not None and self.max_evidence <= 0:
            raise LangindError(f"max_evidence must be > 0 (or None), got {self.max_evidence}")
        if self.head_weight < 0 or self.right_weight < 0 or self.head_temperature <= 0:
            raise LangindError("head_weight and right_weight must be >= 0 and head_temperature > 0")


@torch.no_grad()
def context_scores(lm: WordLM, src_ids: np.ndarray, decode: np.ndarray, n_src: int,
                   device: torch.device | str = "cpu", batch_size: int = 64, bptt: int = 70) -> np.ndarray:
    """``C[f, e] = Σ_{t: f_t = f} log p_LM(e | decoded prefix)`` over a scrambled text.

    Parameters
    ----------
    lm : the frozen LM (``V`` output words).
    src_ids : (T,) the text in source ids.
    decode : (n_src,) LM id of each source id under the current mapping (the LM's ``<unk>`` for
        words without one).
    n_src : number of source ids.

    Returns
    -------
    (n_src, V) float32 log-likelihood sums (0 for source words that never occur after a first token).
    """
    src = np.asarray(src_ids, dtype=np.int64)
    dec = np.asarray(decode, dtype=np.int64)[src]
    V = lm.out_bias.shape[0]
    acc = torch.zeros(n_src, V, device=device)
    # each prediction is evidence about the source word at the predicted position
    for logits, _, f in read_stream(lm, dec, device, batch_size, bptt, aligned=src):
        acc.index_add_(0, f.reshape(-1), torch.log_softmax(logits.reshape(-1, V), dim=-1))
    return acc.cpu().numpy()


@torch.no_grad()
def successor_table(lm: WordLM, start_id: int, chunk: int = 1000) -> np.ndarray:
    """``B[e, y] = log p_LM(y | start, e)``: what the LM expects right after word ``e`` at the start
    of a sentence (``start_id`` = its end-of-sentence token) — a V×V table, one short pass per word."""
    lm.eval()
    V = lm.out_bias.shape[0]
    device = lm.out_bias.device
    out = np.empty((V, V), dtype=np.float32)
    for i in range(0, V, chunk):
        e = torch.arange(i, min(i + chunk, V), device=device)
        x = torch.stack([torch.full_like(e, start_id), e], dim=1)
        logits, _, _ = lm(x)
        out[i:i + len(e)] = torch.log_softmax(logits[:, 1], dim=-1).cpu().numpy()
    return out


def right_scores(src_ids: np.ndarray, decode: np.ndarray, successors: np.ndarray, n_src: int) -> np.ndarray:
    """``R[f, e] = Σ_{t: f_t = f} B[e, a(f_{t+1})]``: how well meaning ``e`` of ``f`` predicts the decoded
    word after each of its occurrences, by the successor table ``B`` (:func:`successor_table`)."""
    src = np.asarray(src_ids, dtype=np.int64)
    nxt = np.asarray(decode, dtype=np.int64)[src[1:]]
    V = successors.shape[0]
    follows = sparse.coo_matrix((np.ones(len(nxt), dtype=np.float32), (src[:-1], nxt)), shape=(n_src, V)).tocsr()
    return np.asarray(follows @ successors.T, dtype=np.float32)


def reversed_scores(right_lm: WordLM, ids_in_right: np.ndarray, src_ids: np.ndarray, decode: np.ndarray,
                    n_src: int, device: torch.device | str = "cpu", batch_size: int = 64, bptt: int = 70) -> np.ndarray:
    """:func:`context_scores` of a right-to-left LM: the text read backwards, decoded through the same
    mapping, ``C←[f, e] = Σ_{t: f_t = f} log p←(e | decoded w_>t)``.

    Parameters: right_lm, the right-to-left LM; ids_in_right (V,) its id of each id of the mapping's
    LM (its ``<unk>`` where it lacks the word: the two LMs' vocabularies may order words differently);
    src_ids (T,), decode (n_src,), n_src as for :func:`context_scores`. Returns (n_src, V) in the
    mapping's LM ids."""
    src = np.asarray(src_ids, dtype=np.int64)[::-1].copy()
    scores = context_scores(right_lm, src, ids_in_right[np.asarray(decode, dtype=np.int64)], n_src, device,
                            batch_size, bptt)
    return scores[:, ids_in_right]


def refine_in_context(lm: WordLM, src_ids: np.ndarray, head_scores: np.ndarray, start: np.ndarray,
                      rows: np.ndarray, cols: np.ndarray, unk_id: int, eos_id: int, cfg: ContextConfig | None = None,
                      device: torch.device | str = "cpu", echo=print,
                      right: tuple[WordLM, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Refine a one-to-one mapping by the frozen LM's reading of the decoded text (module docstring).

    Parameters
    ----------
    lm : the frozen LM; src_ids : (T,) the scrambled text.
    head_scores : (n_src, V) the head's scores (higher = better), e.g. ``head.scores()``.
    start : (n_src,) the starting mapping (source id → LM id, -1 = none): the head's assignment.
    rows : source ids to assign (those in the text); cols : LM ids they may take.
    unk_id : the LM id a source word without a mapping is read as. Ids outside ``rows`` keep ``start``.
    eos_id : the LM's end-of-sentence id (the start of the successor table's contexts).
    cfg : :class:`ContextConfig`.
    right : (right-to-left LM, (V,) its id of each of ``lm``'s ids) or None: its reading of the text
        backwards is added to the evidence (:func:`reversed_scores`).

    Returns
    -------
    mapping (n_src,); scores (n_src, V) for top-k readouts — on ``rows`` × ``cols`` the assignment
    first, then the Sinkhorn-normalised combined scores; the head's scores elsewhere; and one record
    per round (seconds, how many words changed).
    """
    cfg = cfg or ContextConfig()
    src = np.asarray(src_ids, dtype=np.int64)
    if cfg.max_tokens:
        src = src[: cfg.max_tokens]
    n_src = head_scores.shape[0]
    h = torch.as_tensor(np.asarray(head_scores, dtype=np.float32)) * cfg.head_temperature
    head_lp = torch.log_softmax(h, dim=1).numpy()
    mapping = np.asarray(start, dtype=np.int64).copy()
    n_occ = np.bincount(src, minlength=n_src).astype(np.float32)
    successors = successor_table(lm, eos_id) if cfg.right_weight else None
    history = []
    t_start = time.time()
    for r in range(cfg.rounds):
        t0 = time.time()
        # 1. decode with the current mapping; 2. score every meaning in context
        decode = np.where(mapping >= 0, mapping, unk_id)
        ctx = context_scores(lm, src, decode, n_src, device, cfg.batch_size, cfg.bptt)
        if right is not None:
            ctx += reversed_scores(right[0], right[1], src, decode, n_src, device, cfg.batch_size, cfg.bptt)
        # 3. combine with the head; 4. assign one-to-one
        if successors is not None:
            ctx += cfg.right_weight * right_scores(src, decode, successors, n_src)
        if cfg.max_evidence:
            ctx *= np.minimum(1.0, cfg.max_evidence / np.maximum(n_occ, 1.0))[:, None]
        combined = ctx + cfg.head_weight * head_lp
        new = mapping.copy()
        new[rows] = readout.assignment(combined, rows=rows, cols=cols)[rows]
        changed = int((new[rows] != mapping[rows]).sum())
        mapping = new
        history.append({"round": r + 1, "seconds": round(time.time() - t0, 1), "changed": changed})
        echo(f"in context, round {r + 1}: {changed} words changed ({time.time() - t0:.0f} s)")
        if changed == 0:
            break
        spent = time.time() - t_start
        if cfg.max_seconds is not None and spent + spent / (r + 1) > cfg.max_seconds:
            echo(f"in context: stopping after {r + 1} rounds, the next would end past {cfg.max_seconds:.0f} s")
            break
    # the ranked lists: the assignment first, then the soft one-to-one readout (per occurrence, so
    # frequent words' rows are not all-or-nothing); a raw row of C favours frequent words
    per_occ = combined[np.ix_(rows, cols)] / np.maximum(n_occ[rows], 1.0)[:, None]
    soft = log_sinkhorn(torch.as_tensor(per_occ), n_iter=30).numpy()
    scores = np.asarray(head_scores, dtype=np.float32).copy()
    scores[rows] = -1e30
    scores[np.ix_(rows, cols)] = soft
    matched = rows[mapping[rows] >= 0]
    scores[matched, mapping[matched]] = 1e30
    return mapping, scores, history
