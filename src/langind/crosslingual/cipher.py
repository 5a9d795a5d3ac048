"""The source text as a cipher of the target language: EM decipherment of the frequent words.

Where two texts tell different stories, no co-occurrence geometry lines up (README), and spelling
places only the words spelled like their translation — rarely the frequent function words
(*de*/of, *y*/and, *que*/that, *para*/to). Those are exactly what a target LM reading the source
text can decipher: a sentence read with *de → of, y → and, un → a* is far likelier English than one
read with the words shuffled, whatever the story.

The model is the noisy channel of decipherment (Knight, Nair, Rathod & Yamada 2006, "Unsupervised
analysis for decipherment problems"; Ravi & Knight 2011, "Deciphering foreign language"):

* hidden states: the ``n_tgt`` most frequent target words, the punctuation marks and numerals both
  texts share (each emits only itself: they are the fixed part of the key), and ``OTHER`` (every
  rarer target word);
* transitions: the target text's bigram LM over those states (:class:`langind.crosslingual.bigram.BigramLM`,
  interpolated Kneser-Ney, the one the in-context re-ranking reads), frozen, as a sparse chain;
* emissions ``θ[e, f] = p(f | e)`` over the ``n_src`` most frequent source words, the shared
  punctuation and ``OTHER``: learned by EM (Baum-Welch with the transitions fixed) from the
  source text alone;
* an optional **spelling prior**, kept in every M-step as Dirichlet pseudo-counts rather than used
  only as a start that EM may forget (Dou, Vaswani, Knight & Dyer 2015, "Unifying Bayesian inference
  and vector space models for improved decipherment").

Nothing here reads a dictionary; the number of iterations is set by the likelihood's own convergence.
The readout is each source word's expected counts over the states (:func:`decipher` returns them);
:func:`posterior_ranking` turns them into ranked lists.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from langind.crosslingual.bigram import BigramChain, BigramLM, UnigramLM
from langind.crosslingual.orthography import rank_proximity
from langind.errors import LangindError


@dataclass
class CipherConfig:
    """Settings of :func:`decipher` (one source for the CLI's defaults)."""

    src_words: int = 300  # source words deciphered (the rest are OTHER)
    # target states: an EM iteration costs ~3 s for 400 states and 200k source tokens on 2 cores (~6 s for 500k)
    tgt_words: int = 400
    iterations: int = 60  # at most
    tol: float = 1e-3  # stop when an iteration gains less log-likelihood per source token than this
    discount: float = 0.75  # absolute discount of the target bigram
    prior: float = 1.0  # spelling pseudo-counts, in units of the source word's own count (0: none)
    batch_tokens: int = 60_000  # padded tokens per forward-backward batch (memory ~ 12 · batch · states bytes)
    unigram: bool = False  # the ablation: a target LM with no context (frequency matching only)


def _batches(sents: list[np.ndarray], batch_tokens: int):
    """Sentences sorted by length, in padded batches of about ``batch_tokens`` positions: (x (N, L)
    int64 padded with 0, mask (N, L) bool)."""
    order = sorted(range(len(sents)), key=lambda i: len(sents[i]))
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and len(sents[order[j]]) * (j - i + 1) <= max(batch_tokens, len(sents[order[j]])):
            j += 1
        chunk = [sents[k] for k in order[i:j]]
        L = max(len(s) for s in chunk)
        x = np.zeros((len(chunk), L), dtype=np.int64)
        mask = np.zeros((len(chunk), L), dtype=bool)
        for r, s in enumerate(chunk):
            x[r, :len(s)] = s
            mask[r, :len(s)] = True
        yield x, mask
        i = j


def forward_backward_counts(x, mask, chain, emit):
    """One batch of the scaled forward-backward pass of an HMM.

    Parameters
    ----------
    x : (N, L) int64 tensor of symbols (padding anywhere ``mask`` is False, only at the end of a row).
    mask : (N, L) bool tensor.
    chain : the frozen :class:`BigramChain` over E states, as torch tensors (:meth:`BigramChain.to_torch`).
    emit : (E, S) ``p(f | e)``.

    Returns
    -------
    counts (E, S) expected emission counts of the batch, and its log-likelihood (float).
    """
    import torch

    N, L = x.shape
    em = emit.T[x]  # (N, L, E)
    alphas = torch.empty((L, N, emit.shape[0]), dtype=emit.dtype)
    logc = torch.zeros((N,), dtype=torch.float64)
    a = chain.start[None, :] * em[:, 0]
    for t in range(L):
        if t > 0:
            nxt = chain.step_forward(a) * em[:, t]
            m = mask[:, t, None]
            a = torch.where(m, nxt, a)
        norm = a.sum(dim=1, keepdim=True).clamp_min(1e-300)
        a = a / norm
        logc += torch.where(mask[:, t], norm[:, 0].double().log(), torch.zeros((), dtype=torch.float64))
        alphas[t] = a
    fin = (a * chain.end[None, :]).sum(dim=1).clamp_min(1e-300)
    loglik = float((logc + fin.double().log()).sum())
    b = chain.end[None, :].expand(N, -1) / chain.end.sum()
    counts = torch.zeros_like(emit)
    for t in range(L - 1, -1, -1):
        if t < L - 1:
            prev = chain.step_backward(em[:, t + 1] * b)
            prev = prev / prev.sum(dim=1, keepdim=True).clamp_min(1e-300)
            b = torch.where(mask[:, t + 1, None], prev, b)
        g = alphas[t] * b
        g = g / g.sum(dim=1, keepdim=True).clamp_min(1e-300)
        g = g * mask[:, t, None]
        counts.index_add_(1, x[:, t], g.T)
    return counts, loglik


def baum_welch_emissions(sents: list[np.ndarray], chain: BigramChain, emit0: np.ndarray, allowed: np.ndarray, prior: np.ndarray | None = None,
                         iterations: int = CipherConfig.iterations, tol: float = CipherConfig.tol,
                         batch_tokens: int = CipherConfig.batch_tokens,
                         echo: Callable[[str], None] | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """EM for the emissions of an HMM whose transitions are fixed.

    Parameters
    ----------
    sents : observed sentences, 1-D int arrays of symbols in [0, S).
    chain : the frozen :class:`BigramChain` over E states.
    emit0 : (E, S) initial ``p(f | e)``.
    allowed : (E, S) bool: which state may emit which symbol (the fixed part of the key).
    prior : (E, S) Dirichlet pseudo-counts added in every M-step, or None.
    iterations : at most this many EM iterations.
    tol : stop when the log-likelihood per token gains less than this.

    Returns
    -------
    emit (E, S), the last E-step's expected counts (E, S), and info (``loglik_per_token`` per
    iteration, ``iterations``, ``converged``, ``seconds``). Warns when it stops unconverged.
    """
    import torch

    t0 = time.time()
    chain_t = chain.to_torch()
    allowed_t = torch.as_tensor(allowed)
    emit = torch.as_tensor(emit0, dtype=torch.float32) * allowed_t
    emit = emit / emit.sum(dim=1, keepdim=True).clamp_min(1e-30)
    prior_t = None if prior is None else torch.as_tensor(prior, dtype=torch.float32) * allowed_t
    tokens = sum(len(s) for s in sents)
    batches = [(torch.as_tensor(x), torch.as_tensor(m)) for x, m in _batches(sents, batch_tokens)]
    history: list[float] = []
    converged = False
    counts = torch.zeros_like(emit)
    for it in range(iterations):
        counts = torch.zeros_like(emit)
        ll = 0.0
        for x, m in batches:
            c, lb = forward_backward_counts(x, m, chain_t, emit)
            counts += c
            ll += lb
        history.append(ll / tokens)
        # M-step: the counts, the prior's pseudo-counts, and a floor that keeps every allowed pair alive
        new = counts + (prior_t if prior_t is not None else 0.0) + 1e-6 * emit
        emit = new * allowed_t
        emit = emit / emit.sum(dim=1, keepdim=True).clamp_min(1e-30)
        if echo:
            echo(f"decipher: EM iteration {it + 1}: log-likelihood {history[-1]:.4f} per source token")
        if it > 0 and history[-1] - history[-2] < tol:
            converged = True
            break
    if not converged:
        warnings.warn(f"decipherment EM did not converge in {iterations} iterations (last gain "
                      f"{history[-1] - history[-2] if len(history) > 1 else float('nan'):.2e} per token)",
                      RuntimeWarning, stacklevel=2)
    info = {"iterations": len(history), "converged": converged, "tokens": tokens,
            "loglik_per_token": [round(v, 5) for v in history], "seconds": round(time.time() - t0, 1)}
    return emit.numpy(), counts.numpy(), info


def decipher(src_sents: list[list[str]], tgt_sents: list[list[str]], src_words: list[str], tgt_words: list[str],
             spelling: np.ndarray | None = None, cfg: CipherConfig | None = None,
             echo: Callable[[str], None] | None = None) -> tuple[np.ndarray, dict]:
    """Decipher the most frequent source words with a bigram LM of the target text.

    Parameters
    ----------
    src_sents, tgt_sents : the two texts as token lists.
    src_words, tgt_words : the words of each side in frequency order (alphabetic words); the first
        ``cfg.src_words`` / ``cfg.tgt_words`` of them are deciphered / are the hidden states.
    spelling : (len(src_words), len(tgt_words)) spelling evidence in [0, 1] (e.g.
        :func:`langind.crosslingual.orthography.spelling_evidence`) or None; its pairs among the
        deciphered words become the prior ``cfg.prior · evidence · count(f)`` and the start key.
    cfg : :class:`CipherConfig` (``unigram``: the ablation, a target LM with no context,
        :meth:`langind.crosslingual.bigram.UnigramLM.chain`).

    Returns
    -------
    counts (n_s, n_t + 1): expected counts of source word ``f`` (row, the first ``n_s`` source words)
    read as target word ``e`` (column, the first ``n_t`` target words; the last column is OTHER),
    and info (the EM's, plus the sizes).
    """
    cfg = cfg or CipherConfig()
    ns, nt = min(cfg.src_words, len(src_words)), min(cfg.tgt_words, len(tgt_words))
    if ns < 1 or nt < 1:
        raise LangindError("decipherment needs at least one word a side")
    tgt_index = {w: j for j, w in enumerate(tgt_words[:nt])}
    src_index = {w: i for i, w in enumerate(src_words[:ns])}
    # the shared non-alphabetic tokens (punctuation, numerals) among each side's frequent tokens
    def frequent_marks(sents):
        c: dict[str, int] = {}
        for s in sents:
            for w in s:
                if not any(ch.isalpha() for ch in w):
                    c[w] = c.get(w, 0) + 1
        return {w for w, k in sorted(c.items(), key=lambda kv: -kv[1])[:50]}
    marks = sorted(frequent_marks(src_sents) & frequent_marks(tgt_sents))
    for w in marks:
        tgt_index[w] = len(tgt_index)
        src_index[w] = len(src_index)
    E, S = len(tgt_index) + 1, len(src_index) + 1  # + OTHER
    other_e, other_f = E - 1, S - 1

    def encode(sents, index, other):
        return [np.array([index.get(w, other) for w in s], dtype=np.int64) for s in sents if s]
    tgt_ids = encode(tgt_sents, tgt_index, other_e)
    src_ids = encode(src_sents, src_index, other_f)
    chain = (UnigramLM(tgt_ids, E) if cfg.unigram else BigramLM(tgt_ids, E, cfg.discount)).chain()

    allowed = np.ones((E, S), dtype=bool)
    for k in range(len(marks)):
        allowed[nt + k, :] = False
        allowed[:, ns + k] = False
        allowed[nt + k, ns + k] = True
    src_count = np.bincount(np.concatenate(src_ids), minlength=S).astype(np.float64)
    emit0 = np.ones((E, S))
    emit0[:nt, :ns] = np.exp(rank_proximity(nt, ns))  # the start key: a frequent word enciphers a frequent word
    prior = None
    if spelling is not None and cfg.prior > 0:
        ev = np.asarray(spelling[:ns, :nt], dtype=np.float64)
        prior = np.zeros((E, S))
        prior[:nt, :ns] = cfg.prior * ev.T * src_count[None, :ns]
        emit0[:nt, :ns] += ev.T * emit0[:nt, :ns].sum(axis=1, keepdims=True)  # the start key honours spelling
    emit, counts, info = baum_welch_emissions(src_ids, chain, emit0, allowed, prior, cfg.iterations,
                                              cfg.tol, cfg.batch_tokens, echo)
    out = np.zeros((ns, nt + 1))
    out[:, :nt] = counts[:nt, :ns].T
    out[:, nt] = counts[other_e, :ns]
    info = {**info, "src_words": ns, "tgt_words": nt, "shared_marks": len(marks),
            "spelling_prior": prior is not None, "lm": "unigram" if cfg.unigram else "bigram"}
    return out, info


def posterior_ranking(counts: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Each deciphered source word's target words by expected count (``counts`` from
    :func:`decipher`, OTHER last). Returns (rows (n_s, depth) target rows best first — OTHER's column
    index where it ranks — and their posterior shares (n_s, depth))."""
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-30)
    rows = np.argsort(-share, axis=1, kind="stable")[:, :depth]
    return rows, np.take_along_axis(share, rows, axis=1)
