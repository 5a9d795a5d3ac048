"""Readouts: from a score matrix to a discrete mapping.

``scores`` is ``n_src × n_tgt`` (higher = more likely the same word), as produced by any head.

* :func:`argmax` — the best target per source word; many-to-one allowed;
* :func:`topk` — the k best targets per source word (for hit@k and lexicon candidates);
* :func:`assignment` — the exact one-to-one mapping maximising the total score: the Linear
  Assignment Problem, solved by :func:`scipy.optimize.linear_sum_assignment` (a modified
  Jonker–Volgenant algorithm; Crouse 2016, "On implementing 2D rectangular assignment
  algorithms"). With n_src ≠ n_tgt only min(n_src, n_tgt) words are matched; the rest get -1.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment


def _np(scores) -> np.ndarray:
    if isinstance(scores, torch.Tensor):
        return scores.detach().float().cpu().numpy()
    return np.asarray(scores, dtype=np.float32)


def argmax(scores) -> np.ndarray:
    return _np(scores).argmax(axis=1)


def topk(scores, k: int) -> np.ndarray:
    """Indices (n, min(k, m)) of the ``k`` best targets of each row of ``scores`` (n, m), best first.
    The one top-k of the project: hit@k, P@k, candidate lists and lexicons all read it."""
    s = scores.detach().cpu().numpy() if isinstance(scores, torch.Tensor) else np.asarray(scores)
    k = min(k, s.shape[1])
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, axis=1), axis=1), axis=1)


def assignment(scores, rows: np.ndarray | None = None, cols: np.ndarray | None = None) -> np.ndarray:
    """Exact one-to-one assignment maximising the summed score.

    ``rows``/``cols`` restrict the problem to a sub-matrix (e.g. only words seen in the text);
    the result is indexed by source id, with -1 for source words left unmatched.
    """
    s = _np(scores)
    rows = np.arange(s.shape[0]) if rows is None else np.asarray(rows)
    cols = np.arange(s.shape[1]) if cols is None else np.asarray(cols)
    sub = s[np.ix_(rows, cols)]
    sub = np.nan_to_num(sub, nan=-1e9, posinf=1e9, neginf=-1e9)
    r, c = linear_sum_assignment(sub, maximize=True)
    out = np.full(s.shape[0], -1, dtype=np.int64)
    out[rows[r]] = cols[c]
    return out
