"""``langind demo``: the whole pipeline on the bundled data, in a few CPU minutes.

Stage 1 trains an English word LM on the World English Bible with a wall-clock budget and reports
its validation perplexity and a generated sample. Stage 2 freezes it, scrambles its vocabulary
(input and output) and recovers the mapping from the King James Version — a text the LM never saw —
printing hit@k per frequency band beside the count-matching baseline. Every stage writes its own run directory under
``OUT`` and adds its figures to ``OUT/metrics.json``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable

import torch

from langind.runs import RunDir
from langind.train import TrainConfig, lm_run_checkpoint, train_lm

# Small enough to learn something in ~4 CPU minutes, large enough for the recovery stages.
DEMO_LM = {"emb_dim": 128, "hidden_dim": 384, "n_layers": 2}
DEMO_PROMPT = "in the beginning"
DEMO_HEAD = "vector"


def run_demo(out: str | Path, minutes: float = 4.0, threads: int | None = None, progress: bool = True,
             echo: Callable[[str], None] = print, recovery_minutes: float = 2.0) -> dict:
    from langind.checkpoint import load_lm
    from langind.corpus import tokenize

    demo = RunDir(out)
    t0 = time.time()
    lm_dir = demo / "lm-en"
    if (lm_dir / "checkpoints").exists():
        # A previous demo's LM is the user's work: keep it, train the new one beside it.
        shutil.move(str(lm_dir), str(demo / f"lm-en.previous-{int(t0)}"))
    echo(f"[1/2] training an English word LM on the World English Bible ({minutes:g} min budget)")
    cfg = TrainConfig(corpus="web", max_vocab=6000, epochs=2, max_minutes=minutes, batch_size=32, bptt=35,
                      lr=4e-3, threads=threads, progress=progress, checkpoint_every=100)
    lm_metrics = train_lm(lm_dir, cfg, DEMO_LM)

    model, vocab = load_lm(lm_run_checkpoint(lm_dir))
    g = torch.Generator().manual_seed(0)
    prompt = tokenize(DEMO_PROMPT)
    sample_ids = model.generate(vocab.encode(prompt), 20, temperature=0.8, top_k=50, generator=g,
                                banned=[vocab.unk_id])
    sample = " ".join(prompt + vocab.decode(sample_ids))
    echo(f"validation perplexity: {lm_metrics['best_valid_ppl']:.1f} "
         f"(vocab {lm_metrics['vocab_size']}, {lm_metrics['train_tokens']:,} training tokens, "
         f"{lm_metrics['train_seconds']:.0f}s)")
    echo(f"sample: {sample}")

    rec = None
    if recovery_minutes > 0:
        from langind.recovery import RecoveryConfig, recover_self
        from langind.report import band_table

        echo(f"[2/2] wiping the LM's word<->embedding mapping and recovering it from the King James text "
             f"({recovery_minutes:g} min, vector head, both sides scrambled)")
        rcfg = RecoveryConfig(lm=str(lm_dir), head=DEMO_HEAD, mode="both", init="counts", text="kjv",
                              minutes=recovery_minutes, threads=threads, progress=progress,
                              eval_every=1e9)
        rec_dir = demo / "recover-self"
        rec = recover_self(rcfg, rec_dir, echo=echo)
        echo(band_table(rec["bands"], rec["count_only"]))
        echo(f"(count-only = matching words by frequency rank alone; report: {rec_dir / 'report.md'})")

    metrics = {
        "lm": {"run": str(lm_dir), "valid_ppl": lm_metrics["best_valid_ppl"],
               "vocab_size": lm_metrics["vocab_size"], "train_tokens": lm_metrics["train_tokens"],
               "train_seconds": lm_metrics["train_seconds"], "sample": sample},
        "recover_self": None if rec is None else {
            "run": str(demo / "recover-self"), "head": DEMO_HEAD, "scramble": "both", "init": "counts",
            "seconds": rec["seconds"], "bands": rec["bands"], "count_only": rec["count_only"]},
        "total_seconds": round(time.time() - t0, 1),
    }
    demo.write_metrics(metrics)
    echo(f"metrics written to {demo / 'metrics.json'}")
    return metrics
