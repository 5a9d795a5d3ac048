"""Room 3, continued — training the word LM.

Read top to bottom: :func:`prepare_data` (corpus → vocab → id arrays in the run directory),
:func:`train_lm` (the loop), :func:`evaluate_ids` (perplexity). The loop is the AWD-LSTM recipe
with Adam(W) in place of NT-ASGD, because on a few CPU minutes Adam gets further:

* the id stream is cut into ``batch_size`` contiguous rows and read left to right in windows of
  variable length (BPTT ~ N(bptt, 5), sometimes bptt/2), so the model sees every token with
  varying context and the hidden state is carried across windows;
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
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from tqdm import tqdm

from langind.corpus import CorpusSource
from langind.errors import LangindError
from langind.lm.checkpoint import (
    load_lm,
    load_state,
    optimizer_from_flat,
    optimizer_to_flat,
    resolve_checkpoint,
    save_checkpoint,
)
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


@dataclass
class Dist:
    """Where this process sits in a (possibly single-process) job."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    """``auto`` means CUDA when present, else CPU; never hard-coded."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise LangindError("--device cuda asked for, but no CUDA device is available; use --device cpu")
        if name == "cuda":
            name = f"cuda:{local_rank}"
    try:
        return torch.device(name)
    except RuntimeError:
        raise LangindError(f"unknown device {name!r}; use auto, cpu or cuda[:N]") from None


def setup_distributed(device: str) -> Dist:
    """Join the process group when launched by ``torchrun`` (WORLD_SIZE > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Dist(device=pick_device(device))
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = pick_device(device, local_rank)
    backend = "nccl" if dev.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    return Dist(rank=rank, world=world, local_rank=local_rank, device=dev)


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


def batchify(ids: np.ndarray, n_rows: int) -> np.ndarray:
    """Cut a 1-D id stream into ``n_rows`` contiguous rows (a view; memory-mapped stays mapped)."""
    cols = len(ids) // n_rows
    if cols < 3:
        raise LangindError(f"corpus too small for {n_rows} batch rows ({len(ids)} tokens); lower --batch-size")
    return ids[: n_rows * cols].reshape(n_rows, cols)


def window(rows: np.ndarray, i: int, seq_len: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    seq_len = min(seq_len, rows.shape[1] - 1 - i)
    chunk = torch.from_numpy(np.asarray(rows[:, i: i + seq_len + 1], dtype=np.int64)).to(device)
    return chunk[:, :-1], chunk[:, 1:]


def one_cycle(progress: float, peak: float, pct_start: float, div: float = 25.0, final_div: float = 1e4) -> float:
    """One-cycle learning rate (Smith 2018) as a function of training progress in [0, 1]."""
    progress = min(max(progress, 0.0), 1.0)
    lo, end = peak / div, peak / final_div
    if progress < pct_start:
        t = progress / pct_start
        return lo + (peak - lo) * (1 - math.cos(math.pi * t)) / 2
    t = (progress - pct_start) / max(1e-9, 1 - pct_start)
    return end + (peak - end) * (1 + math.cos(math.pi * t)) / 2


def sample_bptt(rng: np.random.Generator, bptt: int) -> int:
    base = bptt if rng.random() < 0.95 else bptt / 2
    return max(5, int(round(rng.normal(base, 5))))


@torch.no_grad()
def evaluate_ids(model: WordLM, ids: np.ndarray, device: torch.device, batch_size: int = 16,
                 bptt: int = 70) -> float:
    """Mean per-token cross-entropy (nats) of ``model`` on an id stream; exp() of it is perplexity."""
    was_training = model.training
    model.eval()
    n_rows = max(1, min(batch_size, len(ids) // 3))
    rows = batchify(ids, n_rows)
    total, count, hidden = 0.0, 0, None
    i = 0
    while i < rows.shape[1] - 1:
        x, y = window(rows, i, bptt, device)
        logits, hidden, _ = model(x, hidden)
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
        count += y.numel()
        i += x.size(1)
    model.train(was_training)
    return total / count


# -- the loop -----------------------------------------------------------------------------------
def train_lm(out: str | Path, cfg: TrainConfig | None = None, lm_cfg: dict | None = None,
             resume: bool = False) -> dict:
    """Train (or resume) an LM into run directory ``out``; returns the final metrics."""
    run = RunDir(out)
    if resume:
        saved = read_json(run / "config.json", "run config (is this a langind lm run?)")
        cfg = TrainConfig(**{**saved["train"], **({"progress": cfg.progress} if cfg else {})})
        lm_cfg = saved["lm"]
        resolve_checkpoint(run / "checkpoints" / "last")
    else:
        cfg = cfg or TrainConfig()
        if (run / "checkpoints").exists():
            raise LangindError(f"{run.path} already holds a trained model; pass --resume to continue it or choose another --out")
    d = setup_distributed(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed + d.rank)  # dropout masks differ per rank, as they should
    log = (lambda m: (run.log(m), print(m, flush=True))) if d.main else (lambda m: None)

    vocab, train_ids, valid_ids = prepare_data(run, cfg, d, log)
    lm_config = LMConfig(**{**(lm_cfg or {}), "vocab_size": len(vocab)})
    if d.main and not resume:
        run.write_config({"command": "lm train", "train": asdict(cfg), "lm": lm_config.to_dict()})

    model = WordLM(lm_config).to(d.device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=cfg.weight_decay)
    rng = np.random.default_rng(cfg.seed)  # BPTT lengths: identical on every rank
    rows = batchify(train_ids, cfg.batch_size * d.world)[d.rank * cfg.batch_size:(d.rank + 1) * cfg.batch_size]
    steps_per_epoch = max(1, (rows.shape[1] - 1) // cfg.bptt)
    total_steps = steps_per_epoch * cfg.epochs
    if cfg.max_steps:
        total_steps = min(total_steps, cfg.max_steps)

    st = {"epoch": 0, "pos": 0, "step": 0, "elapsed": 0.0, "best_valid_loss": None, "history": []}
    hidden = None
    if resume:
        model_state, _ = load_lm(run / "checkpoints" / "last", d.device, vocab)
        model.load_state_dict(model_state.state_dict())
        st, tensors = load_state(run / "checkpoints" / "last")
        optimizer_from_flat(opt, st["optimizer"], tensors)
        torch.set_rng_state(tensors["rng/torch"])
        rng.bit_generator.state = st["numpy_rng"]
        if "hidden/0/h" in tensors:
            hidden = [(tensors[f"hidden/{k}/h"].to(d.device), tensors[f"hidden/{k}/c"].to(d.device))
                      for k in range(lm_config.n_layers)]
        log(f"resuming at epoch {st['epoch'] + 1}, step {st['step']}")

    net = model
    if d.world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[d.device.index] if d.device.type == "cuda" else None)

    def save_last() -> None:
        if not d.main:
            return
        meta, tensors = optimizer_to_flat(opt)
        tensors["rng/torch"] = torch.get_rng_state()
        if hidden is not None:
            for k, (h, c) in enumerate(hidden):
                tensors[f"hidden/{k}/h"], tensors[f"hidden/{k}/c"] = h, c
        state = {**st, "optimizer": meta, "numpy_rng": rng.bit_generator.state}
        save_checkpoint(run / "checkpoints" / "last", model, vocab, state=state, state_tensors=tensors)

    def progress() -> float:
        p = st["step"] / total_steps
        if cfg.max_minutes:
            p = max(p, (st["elapsed"] + time.time() - t_start) / (cfg.max_minutes * 60))
        return p

    if d.main:
        log(f"training {sum(p.numel() for p in model.parameters()):,} parameters on {d.device} "
            f"x{d.world}, {cfg.epochs} epochs of ~{steps_per_epoch} steps"
            + (f", at most {cfg.max_minutes} min" if cfg.max_minutes else ""))
    bar = tqdm(total=total_steps, initial=st["step"], disable=not (cfg.progress and d.main),
               dynamic_ncols=True, unit="step")
    t_start = time.time()
    window_tokens, window_time, tok_s = 0, time.time(), 0.0
    step_time, step_tokens = 0.0, 0  # time inside update steps only (no validation/checkpoints)
    stop = False
    try:
        while st["epoch"] < cfg.epochs and not stop:
            model.train()
            epoch_loss, epoch_count = 0.0, 0
            while st["pos"] < rows.shape[1] - 2:
                t_step = time.perf_counter()
                seq_len = sample_bptt(rng, cfg.bptt)
                x, y = window(rows, st["pos"], seq_len, d.device)
                lr = one_cycle(progress(), cfg.lr, cfg.pct_start) * x.size(1) / cfg.bptt
                for g in opt.param_groups:
                    g["lr"] = lr
                hidden = detach_hidden(hidden)
                logits, hidden, (dropped, raw) = net(x, hidden)
                loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
                reg = cfg.ar_alpha * dropped.pow(2).mean() + cfg.tar_beta * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
                opt.zero_grad(set_to_none=True)
                (loss + reg).backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
                opt.step()

                st["pos"] += x.size(1)
                st["step"] += 1
                epoch_loss += loss.item() * y.numel()
                epoch_count += y.numel()
                window_tokens += y.numel() * d.world
                if time.time() - window_time > 2.0:
                    tok_s = window_tokens / (time.time() - window_time)
                    window_tokens, window_time = 0, time.time()
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}", ppl=f"{math.exp(min(loss.item(), 50)):.1f}",
                                tok_s=f"{tok_s:.0f}", lr=f"{lr:.1e}", refresh=False)
                if cfg.max_minutes or cfg.max_steps:
                    flag = torch.tensor([float(progress() >= 1.0)], device=d.device)
                    if d.world > 1:
                        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                    stop = bool(flag.item())
                step_time += time.perf_counter() - t_step
                step_tokens += y.numel() * d.world
                if st["step"] % cfg.checkpoint_every == 0 or stop:
                    st["elapsed"] += time.time() - t_start
                    t_start = time.time()
                    save_last()
                if stop:
                    break
            # end of an epoch (or of the time budget): validate, keep the best
            valid_loss = evaluate_ids(model, valid_ids, d.device, cfg.valid_batch_size)
            train_loss = epoch_loss / max(1, epoch_count)
            st["elapsed"] += time.time() - t_start
            t_start = time.time()
            st["history"].append({"epoch": st["epoch"] + 1, "train_loss": train_loss,
                                  "valid_loss": valid_loss, "valid_ppl": math.exp(valid_loss),
                                  "elapsed_s": round(st["elapsed"], 1), "complete": not stop})
            log(f"epoch {st['epoch'] + 1}: train ppl {math.exp(train_loss):.1f}, valid ppl {math.exp(valid_loss):.1f}"
                + (" (stopped: budget reached)" if stop and st["pos"] < rows.shape[1] - 2 else ""))
            if st["best_valid_loss"] is None or valid_loss < st["best_valid_loss"]:
                st["best_valid_loss"] = valid_loss
                if d.main:
                    save_checkpoint(run / "checkpoints" / "best", model, vocab)
            st["epoch"] += 1
            st["pos"] = 0
            hidden = None
            save_last()
    except KeyboardInterrupt:
        st["elapsed"] += time.time() - t_start
        save_last()
        bar.close()
        raise LangindError(f"interrupted; the last state is saved: continue with `langind lm train --resume {run.path}`") from None
    bar.close()

    metrics = {
        "corpus": cfg.corpus, "vocab_size": len(vocab), "train_tokens": int(len(train_ids)),
        "valid_tokens": int(len(valid_ids)), "epochs": st["history"], "steps": st["step"],
        "best_valid_ppl": math.exp(st["best_valid_loss"]), "final_valid_ppl": st["history"][-1]["valid_ppl"],
        "train_seconds": round(st["elapsed"], 1), "tokens_per_s": round(tok_s, 1),
        "step_tokens_per_s": round(step_tokens / max(step_time, 1e-9), 1),
        "device": str(d.device), "world_size": d.world,
    }
    if d.world > 1:
        metrics["ddp_param_max_abs_diff"] = ddp_param_divergence(model)
        dist.barrier()
    if d.main:
        run.write_metrics(metrics)
    return metrics


@torch.no_grad()
def ddp_param_divergence(model: torch.nn.Module) -> float:
    """Largest difference of any weight across ranks: 0 means DDP kept the replicas in sync."""
    worst = torch.zeros(1, device=next(model.parameters()).device)
    for p in model.parameters():
        hi = p.detach().clone()
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        worst = torch.maximum(worst, (hi - p).abs().max().reshape(1))
    dist.all_reduce(worst, op=dist.ReduceOp.MAX)
    return float(worst.item())


def lm_run_checkpoint(run: str | Path, which: str = "best") -> Path:
    """The checkpoint directory of a run (or a checkpoint directory given directly)."""
    p = Path(run)
    if (p / "model.safetensors").exists() or (p / "lm_config.json").exists():
        return p
    if not p.exists():
        raise LangindError(f"{p}: no such run directory or checkpoint")
    cand = p / "checkpoints" / which
    if cand.exists() or cand.with_name(which + ".old").exists():
        return cand
    raise LangindError(f"{p}: holds no {which} checkpoint; train one with `langind lm train --out {p}`")


# The recipe of the README's reference LMs (valid ppl 41.2 on WEB, 43.1 on RV1909 in 16 CPU minutes):
# used when a cross-lingual method needs an LM and the user gave none.
REFERENCE_LM = {"emb_dim": 128, "hidden_dim": 384, "n_layers": 2}


def train_reference_lm(corpus: str, out: str | Path, minutes: float | None, seed: int = 0,
                       threads: int | None = None, progress: bool = True) -> dict:
    """Train an LM with the reference recipe (vocab 6,000, 4 epochs or ``minutes``) into ``out``."""
    cfg = TrainConfig(corpus=corpus, max_vocab=6000, epochs=4, max_minutes=minutes, batch_size=32, bptt=35,
                      lr=4e-3, seed=seed, threads=threads, progress=progress)
    return train_lm(out, cfg, REFERENCE_LM)
