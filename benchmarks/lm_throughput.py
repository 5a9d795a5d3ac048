"""Tokens/s of langind's LM training loop against a bare PyTorch loop of the same network.

Both sides train the same architecture (embedding dropout, locked dropout, weight-dropped
2-layer LSTM, tied output layer, AR/TAR, AdamW, clipping) with the same batch size and BPTT length
on the same data, in one process, alternating rounds so that machine noise hits both equally.

* langind: ``langind.lm.train.train_lm`` with ``max_steps`` — the real loop, progress bar, variable
  BPTT, LR schedule, memory-mapped batches included; we read its ``step_tokens_per_s`` (time inside
  update steps, so data preparation, validation and checkpoint writes are not counted);
* bare: a minimal hand-written loop, fixed-length windows from an in-memory tensor.

Usage: python benchmarks/lm_throughput.py --out FILE.json [--rounds 3 --steps 40]
Prints and writes {"langind_tok_s", "bare_tok_s", "ratio", "peak_rss_mb", ...}.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from _common import write_result
from torch.func import functional_call

from langind.lm.model import LMConfig
from langind.lm.recipes import RECIPES
from langind.lm.train import TrainConfig, train_lm
from langind.vocab import load_ids


class BareLM(nn.Module):
    """The same network as langind.lm.model.WordLM, written out plainly."""

    def __init__(self, c: LMConfig, vocab_size: int):
        super().__init__()
        self.c, self.vocab_size = c, vocab_size
        self.emb = nn.Embedding(vocab_size, c.emb_dim)
        dims = [c.emb_dim] + [c.hidden_dim] * (c.n_layers - 1) + [c.emb_dim]
        self.rnns = nn.ModuleList(nn.LSTM(dims[i], dims[i + 1], batch_first=True) for i in range(c.n_layers))
        self.bias = nn.Parameter(torch.zeros(vocab_size))

    @staticmethod
    def lock(x, p):
        return x * x.new_empty(x.size(0), 1, x.size(2)).bernoulli_(1 - p) / (1 - p)

    def forward(self, ids, hidden):
        w = self.emb.weight
        w = w * w.new_empty(w.size(0), 1).bernoulli_(1 - self.c.emb_dropout) / (1 - self.c.emb_dropout)
        x = self.lock(F.embedding(ids, w), self.c.input_dropout)
        new = []
        for i, rnn in enumerate(self.rnns):
            whh = F.dropout(rnn.weight_hh_l0, self.c.weight_dropout, True)
            raw, h = functional_call(rnn, {"weight_hh_l0": whh}, (x, None if hidden is None else hidden[i]))
            new.append((h[0].detach(), h[1].detach()))
            last = i == len(self.rnns) - 1
            x = self.lock(raw, self.c.output_dropout if last else self.c.hidden_dropout)
        return F.linear(x, self.emb.weight, self.bias), new, x, raw


def bare_round(ids: torch.Tensor, c: LMConfig, vocab_size: int, tc: TrainConfig, steps: int) -> float:
    torch.manual_seed(0)
    model = BareLM(c, vocab_size)
    opt = torch.optim.AdamW(model.parameters(), lr=tc.lr, betas=(0.9, 0.99), weight_decay=tc.weight_decay)
    cols = len(ids) // tc.batch_size
    data = ids[: cols * tc.batch_size].view(tc.batch_size, cols)
    hidden, tokens, t_total, i = None, 0, 0.0, 0
    for _ in range(steps):
        t0 = time.perf_counter()
        x, y = data[:, i: i + tc.bptt], data[:, i + 1: i + 1 + tc.bptt]
        logits, hidden, dropped, raw = model(x, hidden)
        loss = F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1))
        loss = loss + tc.ar_alpha * dropped.pow(2).mean() + tc.tar_beta * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.clip)
        opt.step()
        t_total += time.perf_counter() - t0
        tokens += y.numel()
        i += tc.bptt
    return tokens / t_total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--corpus", default="web")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ref = RECIPES["reference"]
    lm = ref.model
    work = Path(tempfile.mkdtemp(prefix="langind-bench-"))
    try:
        tc = replace(ref.train, corpus=args.corpus, max_steps=args.steps, checkpoint_every=10**9, threads=args.threads,
                     progress=True)
        lang, bare = [], []
        for r in range(args.rounds):
            m = train_lm(work / f"lm{r}", tc, lm)
            lang.append(m["step_tokens_per_s"])
            ids = torch.from_numpy(load_ids(work / f"lm{r}" / "data" / "train.npy").astype("int64"))
            bare.append(bare_round(ids, lm, m["vocab_size"], tc, args.steps))
            print(f"round {r + 1}: langind {lang[-1]:.0f} tok/s, bare {bare[-1]:.0f} tok/s")
        res = {
            "langind_tok_s": round(sum(lang) / len(lang), 1),
            "bare_tok_s": round(sum(bare) / len(bare), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        res["ratio"] = round(res["langind_tok_s"] / res["bare_tok_s"], 3)
        res.update({"rounds": args.rounds, "steps_per_round": args.steps, "threads": args.threads,
                    "model": lm.to_dict(), "vocab_size": m["vocab_size"], "batch_size": tc.batch_size, "bptt": tc.bptt,
                    "langind_rounds": lang, "bare_rounds": bare, "torch": torch.__version__})
        write_result(args.out, res)
        print(json.dumps({k: res[k] for k in ("langind_tok_s", "bare_tok_s", "ratio", "peak_rss_mb")}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
