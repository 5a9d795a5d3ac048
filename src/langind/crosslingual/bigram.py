"""The target text's bigram LM: the one n-gram model every method that reads text through a lexicon uses.

The in-context re-ranking (:mod:`langind.crosslingual.incontext`), the decipherment of the frequent
words (:mod:`langind.crosslingual.cipher`) and the sentence decoder (:mod:`langind.crosslingual.translate`)
all ask one question — how likely is this sequence of target words — and answer it with
:class:`BigramLM`: interpolated Kneser-Ney (Chen & Goodman 1998, "An empirical study of smoothing
techniques for language modeling"),

    p(b | a) = max(c(a, b) − D, 0) / c(a, ·) + D · N1+(a, ·) / c(a, ·) · p_cont(b),

with ``p_cont(b)`` ∝ N1+(·, b), the number of distinct words ``b`` follows. It is read in two forms:
pointwise (:meth:`BigramLM.logp`, for the candidate lattices of the re-ranking and the decoder, with
the reversed model for reordering tolerance) and as a whole transition matrix kept sparse
(:meth:`BigramLM.chain`, a :class:`BigramChain` for the decipherment's HMM over every state).
:class:`UnigramLM` is the ablation of both: every word drawn by its frequency alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from langind.errors import LangindError


class _KNTable:
    """Bigram counts of (history a, word b) pairs over ``n`` ids and their Kneser-Ney probabilities."""

    def __init__(self, a: np.ndarray, b: np.ndarray, n: int, discount: float):
        self.n, self.d = n, discount
        keys, counts = np.unique(a * n + b, return_counts=True)
        self.keys, self.counts = keys, counts.astype(np.float64)
        hist = keys // n
        self.hist_total = np.bincount(hist, weights=self.counts, minlength=n)  # c(a, ·)
        self.hist_types = np.bincount(hist, minlength=n).astype(np.float64)  # N1+(a, ·)
        continuation = np.bincount(keys % n, minlength=n).astype(np.float64)  # N1+(·, b)
        self.p_cont = (continuation + 1e-3) / (continuation + 1e-3).sum()  # a whisker for unseen words

    def _history(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """c(a, ·) with unseen histories counted as 1 (a safe divisor), and the weight of ``p_cont`` after
        ``a``: D · N1+(a, ·) / c(a, ·), 1 for an unseen history."""
        total = self.hist_total[a]
        safe = np.where(total > 0, total, 1.0)
        return safe, np.where(total > 0, self.d * self.hist_types[a] / safe, 1.0)

    def backoff(self, a: np.ndarray) -> np.ndarray:
        """The weight of ``p_cont`` after history ``a``."""
        return self._history(a)[1]

    def prob(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        key = a * self.n + b
        pos = np.clip(np.searchsorted(self.keys, key), 0, len(self.keys) - 1)
        c = np.where(self.keys[pos] == key, self.counts[pos], 0.0)  # 0 for an unseen pair, also after an unseen history
        safe, backoff = self._history(a)
        return np.maximum(c - self.d, 0.0) / safe + backoff * self.p_cont[b]

    def discounted(self):
        """The first term for every seen pair, as an (n, n) scipy CSR matrix."""
        import scipy.sparse as sp

        a, b = self.keys // self.n, self.keys % self.n
        data = np.maximum(self.counts - self.d, 0.0) / self.hist_total[a]
        return sp.csr_matrix((data, (a, b)), shape=(self.n, self.n))


class BigramLM:
    """Interpolated Kneser-Ney bigram LM over integer ids, with the reversed model for reordering
    tolerance (module doc).

    Parameters
    ----------
    sentences : iterable of numpy.ndarray
        1-D int arrays of token ids in ``[0, vocab_size)``, one per sentence.
    vocab_size : int
        V. Id ``boundary`` (= V, added internally) marks sentence starts and ends.
    discount : float
        The absolute discount D, in (0, 1).
    """

    def __init__(self, sentences, vocab_size: int, discount: float = 0.75):
        sentences = list(sentences)
        if not sentences:
            raise LangindError("the target LM needs at least one sentence")
        if not 0.0 < discount < 1.0:
            raise LangindError(f"the bigram LM's discount must be in (0, 1), got {discount}")
        self.V = vocab_size
        self.boundary = vocab_size  # one extra id for <s> / </s>
        n = vocab_size + 1
        padded = [np.concatenate([[self.boundary], np.asarray(s, dtype=np.int64), [self.boundary]]) for s in sentences]
        a = np.concatenate([p[:-1] for p in padded])
        b = np.concatenate([p[1:] for p in padded])
        counts = np.bincount(b, minlength=n).astype(np.float64) + 0.5
        self.log_unigram = np.log(counts / counts.sum())  # p(e), the marginal the "unigram" channel divides by
        self.fwd = _KNTable(a, b, n, discount)
        self.bwd = _KNTable(b, a, n, discount)  # p(prev = b | next = a)

    def logp(self, prev: np.ndarray, nxt: np.ndarray, lam: float = 1.0) -> np.ndarray:
        """``log(λ p(nxt | prev) + (1 − λ) p(prev_word = nxt | next_word = prev))``, elementwise."""
        p = self.fwd.prob(prev, nxt)
        if lam < 1.0:
            p = lam * p + (1 - lam) * self.bwd.prob(prev, nxt)
        return np.log(np.maximum(p, 1e-300))

    def chain(self) -> "BigramChain":
        """The forward model as a whole transition matrix over the V states, kept sparse: what an HMM
        whose every position may be any target word steps through (:mod:`langind.crosslingual.cipher`)."""
        t, bd, V = self.fwd, self.boundary, self.V
        seen = t.discounted().tocsr()
        backoff = t.backoff(np.arange(V + 1))
        start = np.asarray(seen[bd, :V].todense()).ravel() + backoff[bd] * t.p_cont[:V]
        end = np.asarray(seen[:V, bd].todense()).ravel() + backoff[:V] * t.p_cont[bd]
        return BigramChain(seen[:V, :V].tocsr(), backoff[:V], t.p_cont[:V], start / start.sum(), end)


class UnigramLM:
    """The ablation of :class:`BigramLM`, with its interface (``boundary``, ``logp``, ``chain``): every
    word drawn independently by its frequency, so the "context" tells nothing — what is left of
    in-context re-ranking, or of decipherment, without an LM."""

    def __init__(self, sentences, vocab_size: int):
        sentences = list(sentences)
        if not sentences:
            raise LangindError("the target LM needs at least one sentence")
        self.V, self.boundary = vocab_size, vocab_size
        counts = np.bincount(np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences]),
                             minlength=vocab_size + 1).astype(np.float64)
        counts[self.boundary] = len(sentences)
        self.log_p = self.log_unigram = np.log((counts + 0.5) / (counts + 0.5).sum())

    def logp(self, prev: np.ndarray, nxt: np.ndarray, lam: float = 1.0) -> np.ndarray:
        prev, nxt = np.broadcast_arrays(np.asarray(prev, dtype=np.int64), np.asarray(nxt, dtype=np.int64))
        return self.log_p[nxt]

    def chain(self) -> "BigramChain":
        """Every state followed by the same distribution (no context at all)."""
        import scipy.sparse as sp

        p = np.exp(self.log_p)
        V = self.V
        return BigramChain(sp.csr_matrix((V, V)), np.ones(V), p[:V], p[:V] / p[:V].sum(), np.full(V, p[V]))


@dataclass
class BigramChain:
    """A frozen bigram LM over ``n`` states as a transition matrix kept sparse:
    ``p(b | a) = D[a, b] + w[a] · u[b]`` with ``D`` the discounted seen bigrams (scipy CSR), ``w``
    the back-off weight and ``u`` the lower-order distribution, so one step of a forward pass costs
    the number of seen bigrams, not ``n²`` (:meth:`step_forward`, :meth:`step_backward`). Made by
    :meth:`BigramLM.chain` (or :meth:`UnigramLM.chain`, the ablation)."""

    seen: "object"  # (n, n) scipy.sparse CSR
    backoff: np.ndarray  # (n,)
    lower: np.ndarray  # (n,)
    start: np.ndarray  # (n,) p(a | <s>)
    end: np.ndarray  # (n,) p(</s> | a)

    def dense(self) -> np.ndarray:
        """(n, n) ``p(b | a)`` (rows sum to ``1 − p(</s> | a)``): the reference the sparse steps match."""
        return self.seen.toarray() + self.backoff[:, None] * self.lower[None, :]

    def to_torch(self) -> "BigramChain":
        """The same chain as float32 torch tensors (the seen bigrams as the transposed CSR)."""
        import torch

        def csr(m):
            with warnings.catch_warnings():  # torch calls its CSR support "beta"; the two products used here are stable
                warnings.simplefilter("ignore", UserWarning)
                return torch.sparse_csr_tensor(torch.as_tensor(m.indptr, dtype=torch.int64),
                                               torch.as_tensor(m.indices, dtype=torch.int64),
                                               torch.as_tensor(m.data, dtype=torch.float32), size=m.shape)
        seen_t, seen_s = csr(self.seen.T.tocsr()), csr(self.seen.tocsr())
        f = lambda v: torch.as_tensor(v, dtype=torch.float32)  # noqa: E731
        return BigramChain((seen_t, seen_s), f(self.backoff), f(self.lower), f(self.start), f(self.end))

    def step_forward(self, alpha):
        """``alpha @ P`` for (N, n) torch ``alpha`` (a chain from :meth:`to_torch`)."""
        seen_t, _ = self.seen
        return (seen_t @ alpha.T).T + (alpha @ self.backoff)[:, None] * self.lower[None, :]

    def step_backward(self, v):
        """``v @ P.T`` for (N, n) torch ``v``: the backward pass's step."""
        _, seen_s = self.seen
        return (seen_s @ v.T).T + (v @ self.lower)[:, None] * self.backoff[None, :]
