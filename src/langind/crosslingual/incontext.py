"""The LM chooses among candidate translations in context: decipherment with a target n-gram LM.

An aligner (coocmap, vecmap, the joint LM…) proposes, for every source word ``f``, its ``K`` best
target candidates with scores. Reading the source text, a word's right translation is usually the
candidate that makes the *translated sentence* likely under a language model of the target text —
evidence that geometry alone never sees, and that does not need the two texts to be parallel.

The model is the noisy channel of decipherment (Knight et al. 2006; Ravi & Knight 2011), restricted
to the candidates: a hidden target word ``e_t`` per source position, drawn from a target bigram LM,
emits the source word with probability ``θ[f, k] = p(f | e = cand[f, k])``:

    p(f_1..f_T) = Σ_{k_1..k_T} Π_t  p_LM(cand[f_t, k_t] | cand[f_{t-1}, k_{t-1}]) · θ[f_t, k_t]

* **Reordering tolerance**: word order differs across languages (*músico principal* ↔ *chief
  musician*), so the transition is a mixture of the forward bigram and the *backward* one,
  ``λ p(b | a) + (1 − λ) p(prev = b | next = a)``: a swapped adjacent pair still scores.
* **The aligner stays in the model** (Dou, Vaswani, Knight & Dyer 2015 keep embeddings as a prior):
  EM re-estimates θ with the aligner's distribution as a Dirichlet prior of strength ``alpha``
  (pseudo-counts), instead of replacing it.
* **Nothing is tuned on the test dictionary**: ``alpha`` (and the prior's sharpness) are chosen by
  the model's own log-likelihood of held-out source sentences.

The forward-backward pass runs over all sentences at once (sentences padded to a common length);
its timings are in the README's benchmark tables.

The result is re-ranked candidate lists: each source word's candidates ordered by its expected
translation counts over the whole text, ties and the words beyond the candidates by the aligner.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from langind.crosslingual.bigram import BigramLM
from langind.errors import LangindError

NEG = -1e30  # log of zero that stays finite under addition


# -- forward-backward over candidate slots --------------------------------------------------------
@dataclass
class Lattice:
    """A batch of source sentences with everything about them that EM does not change: padded ids,
    and the LM's log transition scores between the candidates of neighbouring words (computed once,
    reused by every E-step)."""

    src: np.ndarray  # (S, L) source ids, -1 after each sentence's end
    lengths: np.ndarray  # (S,)
    trans: np.ndarray  # (S, L, K, K) float32: log p(cand[t][k'] | cand[t-1][k]) into position t (t ≥ 1)
    start: np.ndarray  # (S, K) log p(cand[0][k] | <s>)
    end: np.ndarray  # (S, K) log p(</s> | cand[last][k])


def build_lattice(sentences: list[np.ndarray], cand: np.ndarray, lm: BigramLM, lam: float = 1.0) -> Lattice:
    """Pad ``sentences`` (id arrays indexing ``cand``'s rows) and score every candidate transition."""
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)
    if (lengths < 1).any():
        raise LangindError("empty sentence in the source text")
    S, L = len(sentences), int(lengths.max())
    src = np.full((S, L), -1, dtype=np.int64)
    for i, s in enumerate(sentences):
        src[i, :len(s)] = s
    valid = src >= 0
    c = cand[np.where(valid, src, 0)]
    c = np.where(c >= 0, c, 0)  # empty slots: any id (their emission is NEG)
    trans = np.zeros((S, L, cand.shape[1], cand.shape[1]), dtype=np.float32)
    for t in range(1, L):
        lp = lm.logp(c[:, t - 1, :, None], c[:, t, None, :], lam)
        trans[:, t] = np.where(valid[:, t, None, None], lp, 0.0)
    bnd = np.full(c.shape[::2], lm.boundary)
    start = lm.logp(bnd, c[:, 0], lam)
    end = lm.logp(c[np.arange(S), lengths - 1], bnd, lam)
    return Lattice(src, lengths, trans, start, end)


def forward_backward(lat: Lattice, log_emit: np.ndarray) -> tuple[np.ndarray, float]:
    """Posterior of each candidate slot at every position, and the log-likelihood of the text.

    Parameters
    ----------
    lat : a :class:`Lattice` of S sentences of at most L words with K candidate slots per word.
    log_emit : (n_src, K) log θ = log p(f | cand[f, k]); empty slots must be ``NEG``.

    Returns
    -------
    gamma (S, L, K) posteriors (0 on padding) and the total log-likelihood Σ_s log p(f_s).
    """
    S, L = lat.src.shape
    valid = lat.src >= 0
    emit = np.where(valid[..., None], log_emit[np.where(valid, lat.src, 0)], 0.0)  # padding emits log 1
    log_alpha = np.empty((S, L, log_emit.shape[1]))
    log_alpha[:, 0] = lat.start + emit[:, 0]
    for t in range(1, L):
        new = _logsumexp(log_alpha[:, t - 1, :, None] + lat.trans[:, t], axis=1) + emit[:, t]
        # past a sentence's end the state is carried unchanged
        log_alpha[:, t] = np.where(valid[:, t, None], new, log_alpha[:, t - 1])
    rows = np.arange(S)
    log_beta = np.zeros_like(log_alpha)
    log_beta[rows, lat.lengths - 1] = lat.end
    for t in range(L - 2, -1, -1):
        new = _logsumexp(lat.trans[:, t + 1] + (emit[:, t + 1] + log_beta[:, t + 1])[:, None, :], axis=2)
        log_beta[:, t] = np.where(valid[:, t + 1, None], new, log_beta[:, t])
    log_z = _logsumexp(log_alpha[rows, lat.lengths - 1] + lat.end, axis=1)  # (S,)
    gamma = np.exp(log_alpha + log_beta - log_z[:, None, None]) * valid[..., None]
    return gamma, float(log_z.sum())


def viterbi(lat: Lattice, log_emit: np.ndarray) -> np.ndarray:
    """The most likely candidate slot at every position of every sentence of ``lat`` (the max-product
    twin of :func:`forward_backward`, same arguments). Returns (S, L) slot indices (0 on padding)."""
    S, L = lat.src.shape
    valid = lat.src >= 0
    emit = np.where(valid[..., None], log_emit[np.where(valid, lat.src, 0)], 0.0)
    delta = lat.start + emit[:, 0]
    back = np.zeros((S, L, log_emit.shape[1]), dtype=np.int64)
    for t in range(1, L):
        scores = delta[:, :, None] + lat.trans[:, t]  # (S, K_prev, K)
        best_prev = scores.argmax(axis=1)
        new = np.take_along_axis(scores, best_prev[:, None, :], axis=1)[:, 0] + emit[:, t]
        back[:, t] = best_prev
        delta = np.where(valid[:, t, None], new, delta)
    rows = np.arange(S)
    path = np.zeros((S, L), dtype=np.int64)
    last = lat.lengths - 1
    path[rows, last] = (delta + lat.end).argmax(axis=1)
    for t in range(L - 1, 0, -1):
        inside = t <= last  # positions before a sentence's end follow the back-pointers
        prev = back[rows, t, path[rows, t]]
        path[:, t - 1] = np.where(inside, prev, path[:, t - 1])
    return path


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    m = np.where(m <= NEG / 2, 0.0, m)
    return np.squeeze(m, axis=axis) + np.log(np.maximum(np.exp(x - m).sum(axis=axis), 1e-300))


CHANNELS = ("proposals", "unigram")


# -- EM ---------------------------------------------------------------------------------------------
@dataclass
class InContextConfig:
    """How the LM re-ranks an aligner's candidates (see the module docstring). Every combination of
    ``betas`` × ``lams`` is scored by the held-out log-likelihood of source sentences; the best one
    re-ranks. ``em_rounds`` > 0 then re-estimates the channel by EM (prior strength ``alpha``)."""

    k: int = 10  # candidates per source word
    betas: tuple[float, ...] = (1.0, 3.0, 10.0, 30.0, 100.0)  # sharpness of the aligner's q(e | f) = softmax(β · score)
    lams: tuple[float, ...] = (1.0, 0.5)  # forward/backward bigram mixture (1 = forward only)
    em_rounds: int = 0  # EM re-estimation rounds after the choice (0: the aligner's channel as it is)
    # how the aligner's q(e | f) becomes the channel p(f | e): "proposals" divides by the marginal of
    # the proposals themselves (Σ_f' q(e | f') p(f')), "unigram" by the target text's unigram p(e), so
    # that a frequent target word gains nothing from its frequency alone (see prior_emissions)
    channel: str = "proposals"
    alpha: float = 1000.0  # EM: prior strength in pseudo-counts
    heldout_fraction: float = 0.1  # source sentences that choose β and λ by likelihood
    batch: int = 2000  # sentences per lattice (memory: batch × L × K² float32 per lattice)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.k < 1 or self.em_rounds < 0:
            raise LangindError("k must be >= 1 and em_rounds >= 0")
        if not self.betas or not self.lams or any(not 0.0 <= lam <= 1.0 for lam in self.lams):
            raise LangindError(f"give at least one beta and lams in [0, 1], got {self.betas} and {self.lams}")
        if self.channel not in CHANNELS:
            raise LangindError(f"channel must be one of {CHANNELS}, got {self.channel!r}")
        if not 0.0 < self.heldout_fraction < 1.0:
            raise LangindError(f"heldout_fraction must be in (0, 1), got {self.heldout_fraction}")


def prior_emissions(cand: np.ndarray, scores: np.ndarray, beta: float, src_counts: np.ndarray,
                    n_tgt: int, log_unigram: np.ndarray | None = None) -> np.ndarray:
    """log p0(f | e) from the aligner, by Bayes: the aligner's ``q(e | f) = softmax_k(β · score)``
    and the source unigram ``p(f)`` give ``p0(f | e) = q(e | f) p(f) / p(e)``.

    ``p(e)`` is the marginal of the proposals, ``Σ_f' q(e | f') p(f')`` (``log_unigram`` None), or
    the target text's unigram (``log_unigram`` (n_tgt + 1,) given). The first is a proper
    distribution over the source words that propose ``e``, but when few of them propose a frequent
    word (*the*), each gets a large ``p(f | the)`` and the LM's liking for *the* overrides the
    aligner; with the second, the posterior of a candidate in context is ``p_LM(e | context) / p(e) ·
    q(e | f)`` — the context's evidence *beyond* frequency, times the aligner's belief.

    Parameters: cand, scores (n_src, K); beta; src_counts (n_src,) source word counts; n_tgt.
    Returns (n_src, K) log-probabilities (``NEG`` in empty slots).
    """
    z = beta * np.where(cand >= 0, scores, -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    q = np.where(cand >= 0, np.exp(z), 0.0)
    q /= q.sum(axis=1, keepdims=True)
    if log_unigram is None:
        return m_step(q * src_counts[:, None], cand, None, 0.0, n_tgt)
    p_f = np.log(np.maximum(src_counts, 0.5) / src_counts.sum())[:, None]
    log_q = np.log(np.maximum(q, 1e-300))
    return np.where(cand >= 0, log_q + p_f - log_unigram[np.where(cand >= 0, cand, 0)], NEG)


def lattices(sentences: list[np.ndarray], cand: np.ndarray, lm: BigramLM, lam: float, batch: int) -> list[Lattice]:
    """Sentences grouped by length into batches of ``batch`` (less padding), each a :class:`Lattice`."""
    order = np.argsort([len(s) for s in sentences], kind="stable")
    return [build_lattice([sentences[j] for j in order[i:i + batch]], cand, lm, lam)
            for i in range(0, len(order), batch)]


def expected_counts(lats: list[Lattice], log_emit: np.ndarray) -> tuple[np.ndarray, float]:
    """E-step: expected counts (n_src, K) of each candidate slot, and the log-likelihood."""
    counts = np.zeros(log_emit.shape)
    loglik = 0.0
    for lat in lats:
        gamma, ll = forward_backward(lat, log_emit)
        valid = lat.src >= 0
        np.add.at(counts, lat.src[valid], gamma[valid])
        loglik += ll
    return counts, loglik


def m_step(counts: np.ndarray, cand: np.ndarray, log_prior: np.ndarray | None, alpha: float, n_tgt: int) -> np.ndarray:
    """MAP estimate of log p(f | e): expected counts (n_src, K) plus ``alpha`` pseudo-counts spread by
    the prior, normalised over the source words that propose each target word."""
    filled = cand >= 0
    mass = counts if log_prior is None else counts + alpha * np.where(filled, np.exp(log_prior), 0.0)
    col = np.zeros(n_tgt + 1)
    idx = np.where(filled, cand, n_tgt)
    np.add.at(col, idx, mass)
    p = mass / np.maximum(col[idx], 1e-300)
    return np.where(filled, np.log(np.maximum(p, 1e-300)), NEG)


def rerank(sentences: list[np.ndarray], cand: np.ndarray, scores: np.ndarray, lm: BigramLM, n_tgt: int,
           cfg: InContextConfig | None = None, echo=print) -> tuple[np.ndarray, dict, np.ndarray]:
    """Re-rank each source word's candidates by what the target LM makes of them in context.

    Parameters
    ----------
    sentences : source sentences as id arrays (ids index the rows of ``cand``).
    cand : (n_src, K) candidate target ids, the aligner's best first (-1 = empty slot).
    scores : (n_src, K) the aligner's scores of those candidates (higher = better).
    lm : target :class:`BigramLM` over the same target ids; n_tgt : number of target ids.
    cfg : :class:`InContextConfig`.

    Returns
    -------
    order (n_src, K): candidate slots re-ordered (indices into ``cand``'s columns), by expected
    translation counts over the whole text (the aligner's order breaks ties); ``info`` with the
    held-out log-likelihood of every (β, λ) tried, the chosen pair, and seconds; and ``share``
    (n_src, K), each slot's share of its word's expected counts (the posterior p(e | f) over the
    text; indexed like ``cand``).
    """
    cfg = cfg or InContextConfig()
    t0 = time.time()
    _, beta, lam, log_emit, train_lats, held_lats, trials = _choose(sentences, cand, scores, lm, n_tgt, cfg, echo)
    # 5. re-rank: expected translation counts of each candidate over the whole text
    counts = expected_counts(train_lats, log_emit)[0] + expected_counts(held_lats, log_emit)[0]
    key = counts + 1e-9 * (cand.shape[1] - np.arange(cand.shape[1]))[None, :]
    key = np.where(cand >= 0, key, -1.0)
    order = np.argsort(-key, axis=1, kind="stable")
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12)
    return order, {"beta": beta, "lam": lam, "em_rounds": cfg.em_rounds, "trials": trials,
                   "seconds": round(time.time() - t0, 1)}, share


def choose_channel(sentences: list[np.ndarray], cand: np.ndarray, scores: np.ndarray, lm: BigramLM, n_tgt: int,
                   cfg: InContextConfig | None = None, echo=print) -> tuple[float, np.ndarray, list[dict]]:
    """The channel :func:`rerank` uses, without the re-ranking: every β × λ of ``cfg`` scored by the
    held-out likelihood of source ``sentences`` (optionally EM-refined); returns the chosen β, its
    log emissions (n_src, K) and every trial. Same arguments as :func:`rerank`."""
    _, beta, _, log_emit, _, _, trials = _choose(sentences, cand, scores, lm, n_tgt, cfg or InContextConfig(), echo)
    return beta, log_emit, trials


def _choose(sentences, cand, scores, lm, n_tgt, cfg: InContextConfig, echo):
    rng = np.random.default_rng(cfg.seed)
    held = rng.random(len(sentences)) < cfg.heldout_fraction
    train = [s for s, h in zip(sentences, held) if not h]
    heldout = [s for s, h in zip(sentences, held) if h]
    if not train or not heldout:
        raise LangindError("the source text is too short to hold out sentences for choosing the prior")
    src_counts = np.bincount(np.concatenate(sentences), minlength=len(cand)).astype(np.float64)
    trials, best = [], None
    for lam in cfg.lams:
        # 1. the lattices: candidate transitions scored by the LM once per λ
        train_lats = lattices(train, cand, lm, lam, cfg.batch)
        held_lats = lattices(heldout, cand, lm, lam, cfg.batch)
        for beta in cfg.betas:
            # 2. the channel: the aligner's distribution turned into p(f | e) by Bayes
            log_prior = prior_emissions(cand, scores, beta, src_counts, n_tgt,
                                        lm.log_unigram if cfg.channel == "unigram" else None)
            log_emit = log_prior
            # 3. optional EM re-estimation, the aligner's channel kept as a prior
            for _ in range(cfg.em_rounds):
                counts, _ = expected_counts(train_lats, log_emit)
                log_emit = m_step(counts, cand, log_prior, cfg.alpha, n_tgt)
            # 4. model choice by the likelihood of held-out source sentences (never the dictionary)
            _, ll = expected_counts(held_lats, log_emit)
            trials.append({"beta": beta, "lam": lam, "heldout_loglik": round(ll, 1)})
            echo(f"in-context: β {beta:g} λ {lam:g}: held-out log-likelihood {ll:.1f}")
            if best is None or ll > best[0]:
                best = (ll, beta, lam, log_emit, train_lats, held_lats)
    return (*best, trials)
