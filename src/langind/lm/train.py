"""Training the word LM, recipe style: ``setup`` / ``train`` / ``save_checkpoint``.

Read top to bottom: :func:`prepare_data` (corpus → vocab → id arrays in the run directory), then
:class:`LMTrainer` — ``setup`` builds model, optimiser and state (or restores them), ``train`` runs
the loop, ``save_checkpoint`` writes the resumable state. The loop is the AWD-LSTM recipe with
Adam(W) in place of NT-ASGD, because on a few CPU minutes Adam gets further:

* the id stream is read in windows of variable length (:mod:`langind.lm.batching`), the hidden
  state carried across windows;
* the learning rate follows a one-cycle schedule over the run (warm up, then cosine down), scaled
  per window by its length so short windows do not get outsized steps;
* gradients are clipped; AR/TAR penalise large and jumpy activations;
* validation perplexity after every epoch; the best model is kept in ``checkpoints/best``, the
  latest resumable state in ``checkpoints/last`` (every ``checkpoint_every`` steps, atomically).

Multi-process: launched by ``torchrun``, each process reads its own slice of the rows, gradients
are averaged by DDP (gloo on CPU, nccl on GPU); only rank 0 writes files.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from tqdm import tqdm

from langind.corpus import CorpusSource
from langind.errors import LangindError
from langind.lm.batching import batchify, evaluate_ids, one_cycle, sample_bptt, window
from langind.lm.checkpoint import (
    load_lm,
    load_state,
    optimizer_from_flat,
    optimizer_to_flat,
    resolve_checkpoint,
    save_checkpoint,
)
from langind.lm.device import Dist, ddp_param_divergence, setup_distributed
from langind.lm.model import LMConfig, WordLM, detach_hidden
from langind.runs import RunDir, read_json
from langind.vocab import Vocab, encode_to_npy, load_ids


@dataclass
class TrainConfig:
    """Everything that decides a training run besides the model shape (see :class:`LMConfig`)."""

    corpus: str = "web"
    lowercase: bool = True
    max_vocab: int | None = 8000
    min_freq: int = 2
    valid_fraction: float = 0.05
    epochs: int = 3
    max_minutes: float | None = None  # stop (and finish the LR schedule) by wall-clock time
    max_steps: int | None = None  # stop (and finish the LR schedule) after this many updates
    batch_size: int = 32
    bptt: int = 40
    lr: float = 3e-3  # peak of the one-cycle schedule
    weight_decay: float = 0.01
    clip: float = 0.25
    pct_start: float = 0.25  # share of the run spent warming up
    ar_alpha: float = 2.0  # activation regularisation
    tar_beta: float = 1.0  # temporal activation regularisation
    seed: int = 0
    threads: int | None = None
    device: str = "auto"
    checkpoint_every: int = 200
    valid_batch_size: int = 16
    progress: bool = True

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise LangindError(f"epochs must be >= 1, got {self.epochs}")
        if self.batch_size < 1 or self.bptt < 2:
            raise LangindError("batch size must be >= 1 and bptt >= 2")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise LangindError(f"max minutes must be > 0, got {self.max_minutes}")
        if self.lr <= 0:
            raise LangindError(f"learning rate must be > 0, got {self.lr}")
        if not 0.0 <= self.valid_fraction < 1.0:
            raise LangindError(f"valid fraction must be in [0, 1), got {self.valid_fraction}")


@dataclass
class TrainState:
    """Where a run stands; saved (with optimiser and RNG states) in every resumable checkpoint."""

    epoch: int = 0
    pos: int = 0  # column of the next window in the current epoch
    step: int = 0
    elapsed: float = 0.0  # seconds of training before the current session
    best_valid_loss: float | None = None
    history: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainState":
        return cls(**{f.name: d[f.name] for f in fields(cls)})


# -- data ---------------------------------------------------------------------------------------
def prepare_data(run: RunDir, cfg: TrainConfig, d: Dist, log=print) -> tuple[Vocab, np.ndarray, np.ndarray]:
    """Build the vocab on the training split and encode both splits into ``RUN/data/*.npy``.

    Done once by rank 0 (others wait), skipped when the files exist (a resumed run).
    """
    vocab_path, train_path, valid_path = run / "vocab.json", run / "data" / "train.npy", run / "data" / "valid.npy"
    if d.main and not (vocab_path.exists() and train_path.exists() and valid_path.exists()):
        src = CorpusSource(cfg.corpus, lowercase=cfg.lowercase)
        t0 = time.time()
        vocab = Vocab.build(src.split("train", cfg.valid_fraction, cfg.seed),
                            max_size=cfg.max_vocab, min_freq=cfg.min_freq)
        n_train = encode_to_npy(src.split("train", cfg.valid_fraction, cfg.seed), vocab, train_path)
        n_valid = encode_to_npy(src.split("valid", cfg.valid_fraction, cfg.seed), vocab, valid_path)
        vocab.save(vocab_path)
        log(f"corpus {src.name}: vocab {len(vocab)}, train {n_train} tokens, valid {n_valid} tokens "
            f"({time.time() - t0:.1f}s)")
    d.barrier()
    vocab = Vocab.load(vocab_path)
    train_ids, valid_ids = load_ids(train_path), load_ids(valid_path)
    if len(valid_ids) < 2:
        raise LangindError("the validation split is empty; raise --valid-fraction or give more text")
    return vocab, train_ids, valid_ids


# -- the recipe ---------------------------------------------------------------------------------
class LMTrainer:
    """One training run in run directory ``out``: ``setup()``, then ``train()`` returns the metrics."""

    def __init__(self, out: str | Path, cfg: TrainConfig | None = None, model_cfg: LMConfig | None = None,
                 resume: bool = False):
        self.run = RunDir(out)
        self.resume = resume
        if resume:
            saved = read_json(self.run / "config.json", "run config (is this a langind lm run?)")
            self.cfg = TrainConfig(**{**saved["train"], **({"progress": cfg.progress} if cfg else {})})
            self.model_cfg = LMConfig.from_dict(saved["lm"])
            resolve_checkpoint(self.run / "checkpoints" / "last")
        else:
            self.cfg, self.model_cfg = cfg or TrainConfig(), model_cfg or LMConfig()
            if (self.run / "checkpoints").exists():
                raise LangindError(f"{self.run.path} already holds a trained model; pass --resume to continue it "
                                   "or choose another --out")

    def log(self, message: str) -> None:
        if self.d.main:
            self.run.log(message)
            print(message, flush=True)

    # -- setup ----------------------------------------------------------------------------------
    def setup(self) -> "LMTrainer":
        cfg = self.cfg
        self.d = d = setup_distributed(cfg.device)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed + d.rank)  # dropout masks differ per rank, as they should
        self.vocab, self.train_ids, self.valid_ids = prepare_data(self.run, cfg, d, self.log)
        if d.main and not self.resume:
            self.run.write_config({"command": "lm train", "train": asdict(cfg),
                                   "lm": {**self.model_cfg.to_dict(), "vocab_size": len(self.vocab)}})

        self.model = WordLM(self.model_cfg, len(self.vocab)).to(d.device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, betas=(0.9, 0.99),
                                     weight_decay=cfg.weight_decay)
        self.rng = np.random.default_rng(cfg.seed)  # BPTT lengths: identical on every rank
        rows = batchify(self.train_ids, cfg.batch_size * d.world)
        self.rows = rows[d.rank * cfg.batch_size:(d.rank + 1) * cfg.batch_size]
        self.steps_per_epoch = max(1, (self.rows.shape[1] - 1) // cfg.bptt)
        self.total_steps = self.steps_per_epoch * cfg.epochs
        if cfg.max_steps:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        self.state, self.hidden = TrainState(), None
        if self.resume:
            self._restore()
        self.net = self.model
        if d.world > 1:
            self.net = torch.nn.parallel.DistributedDataParallel(
                self.model, device_ids=[d.device.index] if d.device.type == "cuda" else None)
        return self

    def _restore(self) -> None:
        last = self.run / "checkpoints" / "last"
        saved_model, _ = load_lm(last, self.d.device, self.vocab)
        self.model.load_state_dict(saved_model.state_dict())
        st, tensors = load_state(last)
        self.state = TrainState.from_dict(st)
        optimizer_from_flat(self.opt, st["optimizer"], tensors)
        torch.set_rng_state(tensors["rng/torch"])
        self.rng.bit_generator.state = st["numpy_rng"]
        if "hidden/0/h" in tensors:
            self.hidden = [(tensors[f"hidden/{k}/h"].to(self.d.device), tensors[f"hidden/{k}/c"].to(self.d.device))
                           for k in range(self.model_cfg.n_layers)]
        self.log(f"resuming at epoch {self.state.epoch + 1}, step {self.state.step}")

    # -- checkpoints ------------------------------------------------------------------------------
    def save_checkpoint(self) -> None:
        """The resumable state (weights, optimiser, RNGs, carried hidden state) into ``checkpoints/last``."""
        if not self.d.main:
            return
        meta, tensors = optimizer_to_flat(self.opt)
        tensors["rng/torch"] = torch.get_rng_state()
        if self.hidden is not None:
            for k, (h, c) in enumerate(self.hidden):
                tensors[f"hidden/{k}/h"], tensors[f"hidden/{k}/c"] = h, c
        state = {**asdict(self.state), "optimizer": meta, "numpy_rng": self.rng.bit_generator.state}
        save_checkpoint(self.run / "checkpoints" / "last", self.model, self.vocab, state=state, state_tensors=tensors)

    # -- the loop ---------------------------------------------------------------------------------
    def progress(self) -> float:
        """Share of the run done, by steps or by wall-clock budget, whichever is further."""
        p = self.state.step / self.total_steps
        if self.cfg.max_minutes:
            p = max(p, (self.state.elapsed + time.time() - self._t_start) / (self.cfg.max_minutes * 60))
        return p

    def _mark_time(self) -> None:
        self.state.elapsed += time.time() - self._t_start
        self._t_start = time.time()

    def train_step(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """One update on window (x, y); returns (loss, learning rate)."""
        cfg = self.cfg
        lr = one_cycle(self.progress(), cfg.lr, cfg.pct_start) * x.size(1) / cfg.bptt
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.hidden = detach_hidden(self.hidden)
        logits, self.hidden, (dropped, raw) = self.net(x, self.hidden)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        reg = cfg.ar_alpha * dropped.pow(2).mean() + cfg.tar_beta * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
        self.opt.zero_grad(set_to_none=True)
        (loss + reg).backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.clip)
        self.opt.step()
        return loss.item(), lr

    def budget_reached(self) -> bool:
        """Whether the step/time budget is spent (agreed across ranks)."""
        if not (self.cfg.max_minutes or self.cfg.max_steps):
            return False
        flag = torch.tensor([float(self.progress() >= 1.0)], device=self.d.device)
        if self.d.world > 1:
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def end_epoch(self, train_loss: float, stopped: bool) -> None:
        """Validate, keep the best model, record the epoch, start the next one at column 0."""
        st = self.state
        valid_loss = evaluate_ids(self.model, self.valid_ids, self.d.device, self.cfg.valid_batch_size)
        self._mark_time()
        st.history.append({"epoch": st.epoch + 1, "train_loss": train_loss, "valid_loss": valid_loss,
                           "valid_ppl": math.exp(valid_loss), "elapsed_s": round(st.elapsed, 1),
                           "complete": not stopped})
        self.log(f"epoch {st.epoch + 1}: train ppl {math.exp(train_loss):.1f}, valid ppl {math.exp(valid_loss):.1f}"
                 + (" (stopped: budget reached)" if stopped and st.pos < self.rows.shape[1] - 2 else ""))
        if st.best_valid_loss is None or valid_loss < st.best_valid_loss:
            st.best_valid_loss = valid_loss
            if self.d.main:
                save_checkpoint(self.run / "checkpoints" / "best", self.model, self.vocab)
        st.epoch += 1
        st.pos = 0
        self.hidden = None
        self.save_checkpoint()

    def train(self) -> dict:
        cfg, d, st = self.cfg, self.d, self.state
        if d.main:
            self.log(f"training {sum(p.numel() for p in self.model.parameters()):,} parameters on {d.device} "
                     f"x{d.world}, {cfg.epochs} epochs of ~{self.steps_per_epoch} steps"
                     + (f", at most {cfg.max_minutes} min" if cfg.max_minutes else ""))
        bar = tqdm(total=self.total_steps, initial=st.step, disable=not (cfg.progress and d.main),
                   dynamic_ncols=True, unit="step")
        self._t_start = time.time()
        window_tokens, window_time, tok_s = 0, time.time(), 0.0
        step_time, step_tokens = 0.0, 0  # time inside update steps only (no validation/checkpoints)
        stop = False
        try:
            while st.epoch < cfg.epochs and not stop:
                self.model.train()
                epoch_loss, epoch_count = 0.0, 0
                while st.pos < self.rows.shape[1] - 2:
                    # one window: sample its length, update, advance
                    t_step = time.perf_counter()
                    x, y = window(self.rows, st.pos, sample_bptt(self.rng, cfg.bptt), d.device)
                    loss, lr = self.train_step(x, y)
                    st.pos += x.size(1)
                    st.step += 1
                    epoch_loss += loss * y.numel()
                    epoch_count += y.numel()
                    # progress bar and throughput
                    window_tokens += y.numel() * d.world
                    if time.time() - window_time > 2.0:
                        tok_s = window_tokens / (time.time() - window_time)
                        window_tokens, window_time = 0, time.time()
                    bar.update(1)
                    bar.set_postfix(loss=f"{loss:.3f}", ppl=f"{math.exp(min(loss, 50)):.1f}",
                                    tok_s=f"{tok_s:.0f}", lr=f"{lr:.1e}", refresh=False)
                    stop = self.budget_reached()
                    step_time += time.perf_counter() - t_step
                    step_tokens += y.numel() * d.world
                    # a resumable checkpoint every so often, and when the budget ends the run
                    if st.step % cfg.checkpoint_every == 0 or stop:
                        self._mark_time()
                        self.save_checkpoint()
                    if stop:
                        break
                self.end_epoch(epoch_loss / max(1, epoch_count), stop)
        except KeyboardInterrupt:
            self._mark_time()
            self.save_checkpoint()
            bar.close()
            raise LangindError(f"interrupted; the last state is saved: continue with "
                               f"`langind lm train --resume {self.run.path}`") from None
        bar.close()
        return self.finish(tok_s, step_tokens / max(step_time, 1e-9))

    def finish(self, tok_s: float, step_tok_s: float) -> dict:
        """Final metrics, written to ``metrics.json``."""
        st, d = self.state, self.d
        metrics = {
            "corpus": self.cfg.corpus, "vocab_size": len(self.vocab), "train_tokens": int(len(self.train_ids)),
            "valid_tokens": int(len(self.valid_ids)), "epochs": st.history, "steps": st.step,
            "best_valid_ppl": math.exp(st.best_valid_loss), "final_valid_ppl": st.history[-1]["valid_ppl"],
            "train_seconds": round(st.elapsed, 1), "tokens_per_s": round(tok_s, 1),
            "step_tokens_per_s": round(step_tok_s, 1), "device": str(d.device), "world_size": d.world,
        }
        if d.world > 1:
            metrics["ddp_param_max_abs_diff"] = ddp_param_divergence(self.model)
            dist.barrier()
        if d.main:
            self.run.write_metrics(metrics)
        return metrics


def train_lm(out: str | Path, cfg: TrainConfig | None = None, model_cfg: LMConfig | None = None,
             resume: bool = False) -> dict:
    """Train (or, with ``resume``, continue) an LM into run directory ``out``; returns the final metrics."""
    return LMTrainer(out, cfg, model_cfg, resume).setup().train()
