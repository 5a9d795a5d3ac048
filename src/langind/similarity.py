"""The one definition of the vector maths every room shares: row normalisation and CSLS.

Heads (``--normalize``), evaluation (P@k retrieval), lexicon induction and the alignment baselines
all compare word vectors the same way, so the formulas live here, in the core, where every layer
may import them. Functions accept NumPy arrays; :func:`unit_rows` and :func:`normalize` also accept
torch tensors (and return the same kind), because the heads work on tensors.
"""

from __future__ import annotations

import functools

import numpy as np

from langind.errors import LangindError

NORMALIZE_STEPS = ("unit", "center")


def unit_rows(x):
    """Each row divided by its Euclidean length (zero rows stay zero); NumPy array or torch tensor."""
    if isinstance(x, np.ndarray):
        n = np.linalg.norm(x, axis=1, keepdims=True)
        return x / np.where(n == 0, 1, n)
    n = x.norm(dim=1, keepdim=True)
    return x / n.clamp_min(1e-12)


def normalize(x, steps: tuple[str, ...] = ("unit", "center", "unit"), copy: bool = True):
    """Apply normalisation ``steps`` in order: ``unit`` (rows to length 1), ``center`` (subtract the
    mean row). The default unit/centre/unit is Artetxe, Labaka & Agirre (2018), "A robust
    self-learning method for fully unsupervised cross-lingual mappings of word embeddings" (ACL).

    Parameters: x, array (n, d), NumPy or torch. NumPy is computed in float64, a copy — or, with
    ``copy=False`` and a floating array, in place in its own dtype (for arrays too large to copy).
    Returns the same shape.
    """
    is_np = not hasattr(x, "norm")
    inplace = is_np and not copy and np.issubdtype(np.asarray(x).dtype, np.floating)
    if is_np:
        x = np.asarray(x) if inplace else np.array(x, dtype=np.float64)
    for s in steps:
        if s == "unit" and inplace:
            n = np.sqrt(np.einsum("ij,ij->i", x, x))[:, None]  # no (n, d) temporary, unlike linalg.norm
            x /= np.where(n == 0, 1, n)
        elif s == "unit":
            x = unit_rows(x)
        elif s == "center" and inplace:
            x -= x.mean(axis=0, keepdims=True)
        elif s == "center":
            x = x - (x.mean(axis=0, keepdims=True) if is_np else x.mean(dim=0, keepdim=True))
        else:
            raise LangindError(f"unknown normalisation step {s!r}; choose from {NORMALIZE_STEPS}")
    return x


def topk_mean(sims, k: int, batch: int = 2048):
    """Mean of the ``k`` largest entries of each row of ``sims`` (n, m) → (n,): the CSLS
    neighbourhood density. Works in row batches so an n×m partition never doubles memory. NumPy
    array or torch tensor (returns the same kind)."""
    k = min(k, sims.shape[1])
    if not isinstance(sims, np.ndarray):
        import torch

        return torch.cat([torch.topk(sims[i:i + batch], k, dim=1).values.mean(dim=1)
                          for i in range(0, sims.shape[0], batch)])
    floating = np.issubdtype(sims.dtype, np.floating)
    out = np.empty(sims.shape[0], dtype=sims.dtype if floating else np.float64)
    for i in range(0, sims.shape[0], batch):
        out[i:i + batch] = np.partition(sims[i:i + batch], -k, axis=1)[:, -k:].mean(axis=1)
    return out


def csls(sims, r_src=None, r_tgt=None):
    """Cross-domain similarity local scaling (Conneau et al. 2018, "Word Translation Without
    Parallel Data"): ``CSLS(x, y) = 2 cos(x, y) − r_S(x) − r_T(y)``.

    Parameters
    ----------
    sims : (n, m) cosine similarities of source rows to target columns.
    r_src : (n,) density of each source word's target neighbourhood (``topk_mean(sims, k)``), or
        None to drop the term — it is constant along a row, so row-wise rankings do not change.
    r_tgt : (m,) density of each target word's source neighbourhood (``topk_mean(sims.T, k)``, or
        over a larger source set), or None to drop it.

    Returns (n, m) scores, higher = better. NumPy or torch throughout.
    """
    out = 2 * sims
    if r_src is not None:
        out = out - r_src[:, None]
    if r_tgt is not None:
        out = out - r_tgt[None, :]
    return out


def csls_both_ways(sims, k: int = 10):
    """:func:`csls` of ``sims`` (n, m) with both neighbourhood terms taken from ``sims`` itself
    (each source row's ``k`` best targets, each target column's ``k`` best sources); NumPy or torch."""
    return csls(sims, topk_mean(sims, k), topk_mean(sims.T, k))


def csls_scores(x: np.ndarray, z: np.ndarray, k: int = 10) -> np.ndarray:
    """Full CSLS between the rows of two aligned spaces (n, d) and (m, d), both terms kept."""
    sims = unit_rows(np.asarray(x, dtype=np.float64)) @ unit_rows(np.asarray(z, dtype=np.float64)).T
    return csls_both_ways(sims, k)


def mutual_nn(scores) -> tuple[np.ndarray, np.ndarray]:
    """Mutual nearest neighbours of ``scores`` (n, m): the rows ``i`` whose best column ``j`` has
    ``i`` as its best row. Returns (rows, their columns), rows ascending (NumPy, or torch for a
    tensor)."""
    fwd, bwd = scores.argmax(axis=1), scores.argmax(axis=0)
    if not isinstance(scores, np.ndarray):
        import torch

        rows = torch.nonzero(bwd[fwd] == torch.arange(len(fwd), device=fwd.device)).flatten()
        return rows, fwd[rows]
    rows = np.flatnonzero(bwd[fwd] == np.arange(len(fwd)))
    return rows, fwd[rows]


def both_way_pairs(fwd, bwd=None) -> tuple[np.ndarray, np.ndarray]:
    """The "union" dictionary of self-learning (vecmap, coocmap): every source row with its best
    target by ``fwd`` (n, m), and every target with its best source by ``bwd`` (m, n; default
    ``fwd.T``). Returns (src, tgt) index arrays of length n + m (torch for tensors)."""
    bwd = fwd.T if bwd is None else bwd
    n, m = fwd.shape
    if not isinstance(fwd, np.ndarray):
        import torch

        ar = functools.partial(torch.arange, device=fwd.device)
        return (torch.cat([ar(n), bwd.argmax(axis=1)]), torch.cat([fwd.argmax(axis=1), ar(m)]))
    return (np.concatenate([np.arange(n), bwd.argmax(axis=1)]),
            np.concatenate([fwd.argmax(axis=1), np.arange(m)]))


def csls_topk(x: np.ndarray, z: np.ndarray, k: int = 10, csls_k: int = 10, rows: np.ndarray | None = None,
              extra=None, block: int = 2048, device="cpu") -> dict[str, np.ndarray]:
    """Each source row's ``k`` best target rows by CSLS, computed in row blocks: no (n, m) matrix is
    ever held, so the memory is O((n + m)·d + block·m) and vocabularies of 50,000 words a side fit.

    Problem: with ``cos = x zᵀ`` (rows of unit length) and ``r_T(j)`` the mean of column ``j``'s
    ``csls_k`` largest cosines over *all* n source rows (:func:`csls`, Conneau et al. 2018), rank the
    columns of each row ``i`` by ``2·(cos_ij + e_ij) − r_T(j)``, where ``e`` is optional evidence
    added to the cosine (a spelling similarity). Two passes over the blocks: the first gathers
    ``r_T``, the second ranks. The result equals ranking the dense :func:`csls` (``r_S`` dropped; it
    does not change a row's order) of ``cos + e`` with ``r_T`` taken from ``cos`` (tested).

    Parameters
    ----------
    x : (n, d) source rows; z : (m, d) target rows; both unit length, float32.
    k : columns kept per row. csls_k : CSLS neighbourhood.
    rows : (r,) the source rows to rank (default all); ``r_T`` is always taken over all n rows.
    extra : None, or a callable ``extra(row_indices) -> (len(row_indices), m)`` float array added to
        the cosine of those rows before ranking.
    block : rows per block. device : torch device the products run on (``cuda`` when present; the
        CPU path is the tested one).

    Returns
    -------
    ``ranked`` (r, k) target rows best first; ``scores`` (r, k) their CSLS; ``first`` (r,) each
    row's best column by the CSLS of the cosine alone (``e`` left out); ``nn`` (r, k) target rows by
    ``cos + e``, best first.
    """
    import torch

    n, m = len(x), len(z)
    if x.ndim != 2 or z.ndim != 2 or x.shape[1] != z.shape[1]:
        raise LangindError(f"csls_topk needs two spaces of one width, got {x.shape} and {z.shape}")
    k, kk = min(k, m), min(csls_k, n)
    rows = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    with torch.no_grad():
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32), device=device)
        zt = torch.as_tensor(np.asarray(z, dtype=np.float32), device=device)
        # pass 1: each column's csls_k best cosines over all source rows → r_T
        best = torch.full((0, m), -torch.inf, device=device)
        for i in range(0, n, block):
            both = torch.cat([best, xt[i:i + block] @ zt.T])
            best = torch.topk(both, min(kk, len(both)), dim=0).values
        r_t = best.mean(dim=0)
        # pass 2: rank the requested rows
        out = {"ranked": [], "scores": [], "first": [], "nn": []}
        for i in range(0, len(rows), block):
            idx = rows[i:i + block]
            c = xt[torch.as_tensor(idx, device=device)] @ zt.T
            out["first"].append(torch.argmax(2 * c - r_t, dim=1))
            if extra is not None:
                c = c + torch.as_tensor(np.asarray(extra(idx), dtype=np.float32), device=device)
            top = torch.topk(2 * c - r_t, k, dim=1)
            out["ranked"].append(top.indices)
            out["scores"].append(top.values)
            out["nn"].append(torch.topk(c, k, dim=1).indices)
    return {key: (torch.cat(v).cpu().numpy() if v else np.empty((0, k) if key != "first" else 0, dtype=np.int64))
            for key, v in out.items()}
