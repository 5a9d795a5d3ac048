"""Reading an id stream the AWD-LSTM way: contiguous rows, BPTT windows, a one-cycle schedule.

The stream is cut into ``n_rows`` contiguous rows and read left to right in windows, the hidden
state carried from one window to the next. Training (:mod:`langind.lm.train`), fitting a head
through a frozen LM (:mod:`langind.mapping.fit`) and the joint LM all read text this way;
:func:`read_stream` reads a stream with any LM-shaped model the same way (:func:`evaluate_ids`
measures its loss).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from langind.errors import LangindError


def batchify(ids: np.ndarray, n_rows: int) -> np.ndarray:
    """Cut a 1-D id stream into ``n_rows`` contiguous rows (a view; memory-mapped stays mapped)."""
    cols = len(ids) // n_rows
    if cols < 3:
        raise LangindError(f"corpus too small for {n_rows} batch rows ({len(ids)} tokens); lower --batch-size")
    return ids[: n_rows * cols].reshape(n_rows, cols)


def window(rows: np.ndarray, i: int, seq_len: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and next-word targets of the window starting at column ``i`` (B×T each)."""
    seq_len = min(seq_len, rows.shape[1] - 1 - i)
    chunk = torch.from_numpy(np.asarray(rows[:, i: i + seq_len + 1], dtype=np.int64)).to(device)
    return chunk[:, :-1], chunk[:, 1:]


def sample_bptt(rng: np.random.Generator, bptt: int) -> int:
    """A window length ~ N(bptt, 5), sometimes N(bptt/2, 5) (Merity et al. 2018): every token is
    seen with varying context across epochs."""
    base = bptt if rng.random() < 0.95 else bptt / 2
    return max(5, int(round(rng.normal(base, 5))))


def one_cycle(progress: float, peak: float, pct_start: float, div: float = 25.0, final_div: float = 1e4) -> float:
    """One-cycle learning rate (Smith 2018) as a function of training progress in [0, 1]."""
    progress = min(max(progress, 0.0), 1.0)
    lo, end = peak / div, peak / final_div
    if progress < pct_start:
        t = progress / pct_start
        return lo + (peak - lo) * (1 - math.cos(math.pi * t)) / 2
    t = (progress - pct_start) / max(1e-9, 1 - pct_start)
    return end + (peak - end) * (1 + math.cos(math.pi * t)) / 2


def budget_progress(step: int, total_steps: int | None, seconds: float, minutes: float | None) -> float:
    """Share of a run's budget spent: by steps (``step / total_steps``) or by wall-clock time
    (``seconds / (minutes · 60)``), whichever is further. The one definition used by the LM's
    training loop (its LR schedule ends with the budget) and by a head's fit through a frozen LM."""
    p = step / total_steps if total_steps else 0.0
    if minutes:
        p = max(p, seconds / (minutes * 60))
    return p


def read_stream(model: torch.nn.Module, ids: np.ndarray, device: torch.device, batch_size: int = 16,
                bptt: int = 70, aligned: np.ndarray | None = None):
    """Read an id stream with ``model`` in eval mode, window by window, the hidden state carried.

    Yields ``(logits, y, a)`` per window: the logits (B×T×V) of every next-word prediction, the
    words predicted (B×T) and, when ``aligned`` (a stream as long as ``ids``) is given, its entries
    at the same positions (B×T; else None). Call it under ``torch.no_grad()``. The model's
    training flag is restored when the stream ends.
    """
    was_training = model.training
    model.eval()
    n_rows = max(1, min(batch_size, len(ids) // 3))
    rows = batchify(ids, n_rows)
    rows_aligned = None if aligned is None else batchify(aligned, n_rows)
    hidden, i = None, 0
    try:
        while i < rows.shape[1] - 1:
            x, y = window(rows, i, bptt, device)
            a = None if rows_aligned is None else window(rows_aligned, i, bptt, device)[1]
            logits, hidden, _ = model(x, hidden)
            yield logits, y, a
            i += x.size(1)
    finally:
        model.train(was_training)


@torch.no_grad()
def evaluate_ids(model: torch.nn.Module, ids: np.ndarray, device: torch.device, batch_size: int = 16,
                 bptt: int = 70) -> float:
    """Mean per-token cross-entropy (nats) of ``model`` on an id stream; exp() of it is perplexity.

    ``model`` follows the WordLM calling convention ``(logits, hidden, _) = model(ids, hidden)``.
    """
    total, count = 0.0, 0
    for logits, y, _ in read_stream(model, ids, device, batch_size, bptt):
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    return total / count
