"""Fitting a mapping head through a frozen LM.

The LM's weights never change; only the head's parameters are optimised, against the LM's own
next-word loss on a text written in "source ids":

* ``input`` mode (the earlier exploration's set-up): the head maps the source ids fed to the LM;
  the LM still predicts *true* next words through its own output layer. Note what this implies:
  the targets are the unscrambled text, shifted by one, so the task is a sanity check of the
  machinery rather than decipherment.
* ``both`` mode (decipherment): the text's ids went through an unknown mapping and nothing else is
  known; the head maps source ids to input vectors *and* provides the output layer (the vectors of
  all source words, with a learned bias), so the LM predicts the next *source* word.

The loop mirrors :class:`langind.lm.train.LMTrainer` and shares its budget arithmetic
(:func:`langind.lm.batching.budget_progress`) and progress bar: contiguous rows read in BPTT windows
with the hidden state carried, Adam, a wall-clock budget (``minutes``) or a step budget, and a callback
every ``eval_every`` seconds so learning curves ("how fast") can be recorded. One update is
:func:`fit_step`, which the head-scaling benchmark times.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from langind.errors import LangindError, check_choice
from langind.lm.batching import batchify, budget_progress, window
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.device import keep_freed_memory, pick_device
from langind.lm.model import WordLM, detach_hidden
from langind.mapping.heads import MappingHead, VectorHead
from langind.progress import progress_bar
from langind.vocab import Vocab

MODES = ("input", "both")
LR_SCHEDULES = ("constant", "linear")
# the dtype the frozen LM's recurrent body runs in while a head is fitted (the head, its optimiser, the
# output layer and the loss stay float32). bfloat16 pays on CPUs with native bf16 matrix units (AMX,
# AVX512-BF16) and on GPUs; elsewhere it is emulated and slower — hence float32 by default.
PRECISIONS = ("float32", "bfloat16")

# Step sizes that worked in our runs; see the README's self-recovery table.
DEFAULT_LR = {"linear": 1e-3, "softmax": 0.5, "sinkhorn": 0.5, "gumbel-sinkhorn": 0.5, "sinkhorn-sparse": 0.5,
              "sinkhorn-lowrank": 0.01,
              "vector": 0.01, "embedding-map": 1e-3}


@dataclass
class FitConfig:
    """How a head is fitted through a frozen LM: scramble mode, budget, batching, step size, anchor."""

    scramble: str = "both"  # input: the LM's input only; both: input and output (decipherment)
    minutes: float | None = 10.0
    max_steps: int | None = None
    batch_size: int = 32
    bptt: int = 35
    lr: float | None = None  # default per head: DEFAULT_LR
    # constant, or linear: the step size falls linearly to 0 over the budget. A mixing head spreads a
    # word's row over near-synonyms (your/my/our) while Adam's steps stay large; decaying them lets
    # the row settle on one word (the linear head alone: see the README's seed-setting table)
    lr_schedule: str = "constant"
    eval_every: float | None = 60.0  # seconds between callback calls (learning-curve points); None: never
    progress: bool = True
    # vector head only: loss += anchor × relative squared drift of the batch's vectors from their
    # start (VectorHead.drift). Refining a good start lexicon through the LM loss alone drifts away
    # from it; the anchor keeps what the start knew where the LM has no strong preference.
    anchor: float = 0.0
    precision: str = "float32"  # the frozen LM body's dtype while the head learns: PRECISIONS

    def __post_init__(self) -> None:
        check_choice("scramble mode", self.scramble, MODES)
        check_choice("learning-rate schedule", self.lr_schedule, LR_SCHEDULES)
        check_choice("precision", self.precision, PRECISIONS)
        if not self.minutes and not self.max_steps:
            raise LangindError("give a time budget (minutes) or a step budget")
        if self.anchor < 0:
            raise LangindError(f"anchor must be >= 0, got {self.anchor}")


def frozen_setup(device: str = "auto", seed: int = 0, threads: int | None = None) -> torch.device:
    """The common start of every mapping experiment: fix threads and seed, pick the device."""
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    dev = pick_device(device)
    if dev.type == "cpu":
        keep_freed_memory()  # a fit step's large tensors are reused, not page-faulted in anew each step
    return dev


def load_frozen_lm(run: str, device: str = "auto", seed: int = 0,
                   threads: int | None = None) -> tuple[WordLM, Vocab, torch.device]:
    """:func:`frozen_setup`, then load the LM run's best checkpoint onto the device and freeze it
    (only a head will learn)."""
    dev = frozen_setup(device, seed, threads)
    lm, vocab = load_lm(lm_run_checkpoint(run), dev)
    lm.freeze()
    return lm, vocab, dev


def head_loss(lm: WordLM | BodyInPrecision, head: MappingHead, x: torch.Tensor, y: torch.Tensor, mode: str,
              hidden=None) -> tuple[torch.Tensor, list]:
    """Cross-entropy of the frozen LM reading source ids ``x`` through ``head``, predicting ``y``."""
    vec = head.vectors(x)
    if mode == "both":
        logits, hidden = lm.forward_vectors(vec, hidden, out_table=head.out_table(), out_bias=head.out_bias())
    else:
        logits, hidden = lm.forward_vectors(vec, hidden)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
    return loss, hidden


class BodyInPrecision(nn.Module):
    """A frozen :class:`WordLM` whose recurrent body runs in a lower precision: the head's vectors
    are cast down on the way in, the body's features back to float32 on the way out, so the output
    layer, the softmax and the loss — where rounding would hurt most — stay float32. Only
    :meth:`forward_vectors` (what :func:`head_loss` calls) is provided; the body is a cast copy, the
    LM itself is left as it was (its evaluation and the context stage still read it in float32)."""

    def __init__(self, lm: WordLM, dtype: torch.dtype):
        super().__init__()
        self.lm, self.dtype = lm, dtype
        body = copy.deepcopy(lm.body).to(dtype)
        body.eval()
        self.body = body

    def forward_vectors(self, x: torch.Tensor, hidden=None, out_table: torch.Tensor | None = None,
                        out_bias: torch.Tensor | None = None):
        dropped, _, hidden = self.body(x.to(self.dtype), hidden)
        return self.lm.logits(dropped.float(), out_table, out_bias), hidden


def in_precision(lm: WordLM, precision: str) -> WordLM | BodyInPrecision:
    """``lm`` as :func:`fit_step` should run it: itself for float32, else :class:`BodyInPrecision`."""
    check_choice("precision", precision, PRECISIONS)
    return lm if precision == "float32" else BodyInPrecision(lm, getattr(torch, precision))


class ThroughHead(nn.Module):
    """The frozen LM reading source ids through a head (``both`` mode), with the WordLM calling
    convention ``(logits, hidden, _) = model(ids, hidden)`` so :func:`langind.lm.batching.evaluate_ids`
    measures its perplexity like any LM's."""

    def __init__(self, lm: WordLM, head: MappingHead):
        super().__init__()
        self.lm, self.head = lm, head

    def forward(self, ids: torch.Tensor, hidden=None):
        logits, hidden = self.lm.forward_vectors(self.head.vectors(ids), hidden, out_table=self.head.out_table(),
                                                 out_bias=self.head.out_bias())
        return logits, hidden, None


def fit_step(lm: WordLM | BodyInPrecision, head: MappingHead, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
             cfg: FitConfig, hidden=None) -> tuple[float, list]:
    """One update of ``head``: the frozen LM's loss on window (x, y) (plus the linear head's
    penalty, weighted by ``head.penalty_weight``, and the vector head's anchor), backward, step, and
    the head's per-step hooks (``begin_step``/``end_step``). Returns (LM loss, hidden).
    :func:`fit_head` runs it in a loop; ``benchmarks/head_scaling.py`` times it."""
    head.begin_step()
    loss, hidden = head_loss(lm, head, x, y, cfg.scramble, detach_hidden(hidden))
    total = loss
    if head.penalty_weight:
        s = head.penalty_weight
        total = (1 - s) * loss + s * head.penalty()
    if cfg.anchor:
        total = total + cfg.anchor * head.drift(x)
    opt.zero_grad(set_to_none=True)
    total.backward()
    opt.step()
    head.end_step(opt)
    return loss.item(), hidden


def check_row_update(row_update: bool, scramble: str) -> None:
    """Row-wise updates need ``input`` mode: in ``both`` mode every row is in the output layer every step."""
    if row_update and scramble != "input":
        raise LangindError("row-wise updates (--row-update) need --scramble input: in both mode every row "
                           "is in the output layer every step")


def head_optimizer(head: MappingHead, cfg: FitConfig) -> torch.optim.Optimizer:
    """Adam over the head's trainable parameters, at ``cfg.lr`` or the head's :data:`DEFAULT_LR`;
    SparseAdam (only the rows a step touched) for a head with ``row_update``, which needs ``input``
    mode (in ``both`` mode every row is in the output table every step)."""
    lr = cfg.lr if cfg.lr is not None else DEFAULT_LR.get(head.name, 1e-2)
    params = [p for p in head.parameters() if p.requires_grad]
    if getattr(head, "row_update", False):
        check_row_update(True, cfg.scramble)
        return torch.optim.SparseAdam(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


def scheduled_lr(base: float, progress: float, schedule: str) -> float:
    """The head's step size at ``progress`` in [0, 1] of the budget: ``base`` throughout
    (``constant``) or ``base · (1 − progress)`` (``linear``)."""
    return base if schedule == "constant" else base * max(0.0, 1.0 - progress)


def fit_head(lm: WordLM, head: MappingHead, src_ids: np.ndarray, tgt_ids: np.ndarray,
             cfg: FitConfig, callback: Callable[[dict], None] | None = None,
             device: torch.device | str = "cpu") -> list[dict]:
    """Optimise ``head`` so the frozen ``lm`` predicts ``tgt_ids`` from ``src_ids``; returns history.

    ``src_ids`` and ``tgt_ids`` are aligned id streams (equal in ``both`` mode). Time spent in
    ``callback`` (evaluation) does not count against the budget.
    """
    if len(src_ids) != len(tgt_ids):
        raise LangindError("source and target id streams differ in length")
    if cfg.anchor and not isinstance(head, VectorHead):
        raise LangindError(f"anchor needs the vector head (its start point); got {head.name}")
    lm.freeze()
    head.to(device)
    run_lm = in_precision(lm, cfg.precision)
    opt = head_optimizer(head, cfg)
    rows_src = batchify(np.asarray(src_ids), cfg.batch_size)
    rows_tgt = batchify(np.asarray(tgt_ids), cfg.batch_size)
    history: list[dict] = []
    t0 = time.time()
    last_cb = t0
    step, pos, hidden, run_loss = 0, 0, None, None
    by_steps = bool(cfg.max_steps)
    bar = progress_bar(total=cfg.max_steps if by_steps else int(cfg.minutes * 60), enabled=cfg.progress,
                       unit="step" if by_steps else "s")

    def progress() -> float:
        return budget_progress(step, cfg.max_steps, time.time() - t0, cfg.minutes)

    base_lr = opt.param_groups[0]["lr"]
    head.train()
    while progress() < 1.0:
        if pos >= rows_src.shape[1] - 2:
            pos, hidden = 0, None
        x, _ = window(rows_src, pos, cfg.bptt, device)
        _, y = window(rows_tgt, pos, cfg.bptt, device)
        pos += x.size(1)
        p = progress()
        head.set_progress(p)
        for g in opt.param_groups:
            g["lr"] = scheduled_lr(base_lr, p, cfg.lr_schedule)
        loss, hidden = fit_step(run_lm, head, opt, x, y, cfg, hidden)
        step += 1
        run_loss = loss if run_loss is None else 0.98 * run_loss + 0.02 * loss
        bar.update(1 if by_steps else int(time.time() - t0) - bar.n)
        bar.set_postfix(loss=f"{run_loss:.3f}", step=step, refresh=False)
        if callback is not None and cfg.eval_every is not None and time.time() - last_cb >= cfg.eval_every:
            t_cb = time.time()
            head.eval()
            rec = {"step": step, "seconds": round(t_cb - t0, 1), "loss": run_loss, "lr": opt.param_groups[0]["lr"]}
            callback(rec)
            history.append(rec)
            head.train()
            # evaluation time does not count against the recovery budget
            t0 += time.time() - t_cb
            last_cb = time.time()
    bar.close()
    head.eval()
    history.append({"step": step, "seconds": round(time.time() - t0, 1), "loss": run_loss,
                    "lr": opt.param_groups[0]["lr"], "final": True})
    return history
