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

from langind.corpus import CorpusSource
from langind.errors import LangindError
from langind.lm.batching import batchify, budget_progress, evaluate_ids, one_cycle, sample_bptt, window
from langind.lm.checkpoint import (
    load_lm,
    load_multilingual,
    load_state,
    optimizer_from_flat,
    optimizer_to_flat,
    resolve_checkpoint,
    save_checkpoint,
)
from langind.lm.device import Dist, ddp_param_divergence, setup_distributed
from langind.lm.model import LMConfig, WordLM, detach_hidden, hidden_from_tensors, hidden_tensors
from langind.lm.multilingual import MultilingualLM
from langind.progress import progress_bar
from langind.runs import RunDir, read_json
from langind.vocab import Vocab, encode_to_npy, load_ids


@dataclass
class TrainConfig:
    """Everything that decides a training run besides the model shape (see :class:`LMConfig`).
    The defaults are the ``reference`` recipe (:mod:`langind.lm.recipes`)."""

    # one corpus, or {language: corpus} for one shared-body LM over several languages
    # (:class:`~langind.lm.multilingual.MultilingualLM`; one vocabulary of ``max_vocab`` per language)
    corpus: str | dict[str, str] = "web"
    lowercase: bool = True
    max_vocab: int | None = 6000
    min_freq: int = 2
    valid_fraction: float = 0.05
    epochs: int = 4
    minutes: float | None = None  # stop (and finish the LR schedule) by wall-clock time
    max_steps: int | None = None  # stop (and finish the LR schedule) after this many updates
    batch_size: int = 32
    bptt: int = 35
    lr: float = 4e-3  # peak of the one-cycle schedule
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
        if self.minutes is not None and self.minutes <= 0:
            raise LangindError(f"minutes must be > 0, got {self.minutes}")
        if self.lr <= 0:
            raise LangindError(f"learning rate must be > 0, got {self.lr}")
        if not 0.0 <= self.valid_fraction < 1.0:
            raise LangindError(f"valid fraction must be in [0, 1), got {self.valid_fraction}")
        if isinstance(self.corpus, dict) and len(self.corpus) == 1:  # {} is "to be filled in" (JointConfig)
            raise LangindError(f"a multilingual LM needs two or more languages, got {sorted(self.corpus)}")

    @property
    def corpora(self) -> dict[str, str]:
        """{language: corpus}; a monolingual run is the one language ``""``."""
        return dict(self.corpus) if isinstance(self.corpus, dict) else {"": self.corpus}


@dataclass
class TrainState:
    """Where a run stands; saved (with optimiser and RNG states) in every resumable checkpoint."""

    epoch: int = 0
    pos: dict[str, int] = field(default_factory=dict)  # column of each language's next window
    step: int = 0
    elapsed: float = 0.0  # seconds of training before the current session
    best_valid_loss: float | None = None
    history: list[dict] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainState":
        st = cls(**{f.name: d[f.name] for f in fields(cls)})
        if isinstance(st.pos, int):  # checkpoints of 0.1: one language, one position
            st.pos = {"": st.pos}
        return st


def _suffix(lang: str) -> str:
    """File-name infix of a language's vocab and ids (``vocab.es.json``); none for a monolingual run."""
    return f".{lang}" if lang else ""


# -- data ---------------------------------------------------------------------------------------
def prepare_data(run: RunDir, cfg: TrainConfig, d: Dist, echo=print
                 ) -> tuple[dict[str, Vocab], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Build each language's vocab on its training split and encode both splits into
    ``RUN/data/*.npy`` (``vocab.json``, ``data/train.npy``; a multilingual run ``vocab.LANG.json``,
    ``data/LANG.train.npy``). Done once by rank 0 (others wait), skipped when the files exist (a
    resumed run). Returns ({lang: vocab}, {lang: train ids}, {lang: valid ids})."""
    if not cfg.corpora:
        raise LangindError("no corpus to train on")
    vocabs, train, valid = {}, {}, {}
    for lang, corpus in cfg.corpora.items():
        vocab_path = run / f"vocab{_suffix(lang)}.json"
        train_path, valid_path = (run / "data" / f"{lang + '.' if lang else ''}{split}.npy" for split in ("train", "valid"))
        if d.main and not (vocab_path.exists() and train_path.exists() and valid_path.exists()):
            src = CorpusSource(corpus, lowercase=cfg.lowercase)
            t0 = time.time()
            vocab = Vocab.build(src.split("train", cfg.valid_fraction, cfg.seed),
                                max_size=cfg.max_vocab, min_freq=cfg.min_freq)
            n_train = encode_to_npy(src.split("train", cfg.valid_fraction, cfg.seed), vocab, train_path)
            n_valid = encode_to_npy(src.split("valid", cfg.valid_fraction, cfg.seed), vocab, valid_path)
            vocab.save(vocab_path)
            echo(f"{lang + ': ' if lang else ''}corpus {src.name}: vocab {len(vocab)}, train {n_train} tokens, "
                f"valid {n_valid} tokens ({time.time() - t0:.1f}s)")
        d.barrier()
        vocabs[lang] = Vocab.load(vocab_path)
        train[lang], valid[lang] = load_ids(train_path), load_ids(valid_path)
        if len(valid[lang]) < 2:
            raise LangindError(f"the validation split{' of ' + lang if lang else ''} is empty; "
                               "raise --valid-fraction or give more text")
    return vocabs, train, valid


def check_resumed_shape(run: str | Path, given: dict) -> None:
    """A resumed run continues the model it saved: a shape option (``arch``, ``emb_dim``, …) given
    with ``--resume`` that differs from the run's is a one-line error, not silently ignored."""
    saved = read_json(Path(run) / "config.json", "run config (is this a langind lm run?)").get("lm", {})
    differ = {k: v for k, v in given.items() if saved.get(k, getattr(LMConfig, k, None)) != v}
    if differ:
        k, v = next(iter(differ.items()))
        flag = "--" + k.removeprefix("n_").replace("_", "-")
        arch = saved.get("arch", LMConfig.arch)
        what = f"an {arch.upper()} LM" if arch == "lstm" else f"a {arch} LM"
        if k != "arch":
            what += f" with {flag} {saved.get(k, getattr(LMConfig, k))}"
        raise LangindError(f"{run} holds {what}; --resume continues it as it was trained "
                           f"(drop {flag} {v}, or train a new run with --out)")


# -- the recipe ---------------------------------------------------------------------------------
class LMTrainer:
    """One training run in run directory ``out``: ``setup()``, then ``train()`` returns the metrics.

    One loop for the monolingual LM (:class:`WordLM`) and the shared-body multilingual LM
    (:class:`MultilingualLM`, ``cfg.corpus`` = {language: corpus}): each step reads one window per
    language (the same length), sums their losses and makes one update. An epoch is one pass over
    the longest language's text; shorter texts wrap around."""

    def __init__(self, out: str | Path, cfg: TrainConfig | None = None, model_cfg: LMConfig | None = None,
                 resume: bool = False, command: str = "lm train", echo=None):
        if not resume:  # a missing, empty or unreadable corpus fails before the run directory is made
            corpus = (cfg or TrainConfig()).corpus
            for spec in corpus.values() if isinstance(corpus, dict) else [corpus]:
                CorpusSource(spec)
        self.run = RunDir(out)
        self.resume, self.command = resume, command
        self.echo = echo or (lambda m: print(m, flush=True))
        if resume:
            saved = read_json(self.run / "config.json", "run config (is this a langind lm run?)")
            train = dict(saved["train"])
            if "max_minutes" in train:  # runs of 0.1
                train["minutes"] = train.pop("max_minutes")
            self.cfg = TrainConfig(**{**train, **({"progress": cfg.progress} if cfg else {})})
            self.model_cfg = LMConfig.from_dict(saved["lm"])
            resolve_checkpoint(self.run / "checkpoints" / "last")
        else:
            self.cfg, self.model_cfg = cfg or TrainConfig(), model_cfg or LMConfig()
            if (self.run / "checkpoints").exists():
                raise LangindError(f"{self.run.path} already holds a trained model; pass --resume to continue it "
                                   "or choose another --out")
        self.multilingual = isinstance(self.cfg.corpus, dict)

    def log(self, message: str) -> None:
        if self.d.main:
            self.run.log(message)
            self.echo(message)

    # -- setup ----------------------------------------------------------------------------------
    def setup(self) -> "LMTrainer":
        cfg = self.cfg
        self.d = d = setup_distributed(cfg.device)
        if self.multilingual and d.world > 1:
            raise LangindError("the multilingual LM trains in one process; launch it without torchrun")
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed + d.rank)  # dropout masks differ per rank, as they should
        self.vocabs, self.train_ids, self.valid_ids = prepare_data(self.run, cfg, d, self.log)
        sizes = {lg: len(v) for lg, v in self.vocabs.items()}
        if d.main and not self.resume:
            self.run.write_config({"command": self.command, "train": asdict(cfg),
                                   "lm": {**self.model_cfg.to_dict(),
                                          "vocab_size": sizes if self.multilingual else sizes[""]}})
        if self.multilingual:
            self.model = MultilingualLM(self.model_cfg, sizes).to(d.device)
            self.vocab = self.vocabs  # what a checkpoint saves beside the weights
        else:
            self.model = WordLM(self.model_cfg, sizes[""]).to(d.device)
            self.vocab = self.vocabs[""]
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, betas=(0.9, 0.99),
                                     weight_decay=cfg.weight_decay)
        self.rng = np.random.default_rng(cfg.seed)  # BPTT lengths: identical on every rank
        self.rows = {}
        for lg, ids in self.train_ids.items():
            rows = batchify(ids, cfg.batch_size * d.world)
            self.rows[lg] = rows[d.rank * cfg.batch_size:(d.rank + 1) * cfg.batch_size]
        self.lead = max(self.rows, key=lambda lg: self.rows[lg].shape[1])  # its pass is an epoch
        self.steps_per_epoch = max(1, (self.rows[self.lead].shape[1] - 1) // cfg.bptt)
        self.total_steps = self.steps_per_epoch * cfg.epochs
        if cfg.max_steps:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        self.state = TrainState(pos=dict.fromkeys(self.rows, 0))
        self.hidden: dict = dict.fromkeys(self.rows)
        if self.resume:
            self._restore()
        net = self.model
        if d.world > 1:
            net = torch.nn.parallel.DistributedDataParallel(
                self.model, device_ids=[d.device.index] if d.device.type == "cuda" else None)
        # each language's LM with the WordLM calling convention (the monolingual one is the model)
        self.nets = {lg: self.model.monolingual_view(lg) for lg in self.rows} if self.multilingual else {"": net}
        return self

    @staticmethod
    def _hidden_prefix(lang: str) -> str:
        return f"hidden/{lang + '/' if lang else ''}"

    def _restore(self) -> None:
        last = self.run / "checkpoints" / "last"
        if self.multilingual:
            saved_model, _ = load_multilingual(last, self.d.device, self.vocabs)
        else:
            saved_model, _ = load_lm(last, self.d.device, self.vocab)
        if saved_model.config.arch != self.model_cfg.arch:
            raise LangindError(f"{last} holds a {saved_model.config.arch} LM but {self.run.path}/config.json says "
                               f"{self.model_cfg.arch}; resume a run with the architecture it was trained with")
        self.model.load_state_dict(saved_model.state_dict())
        st, tensors = load_state(last)
        self.state = TrainState.from_dict(st)
        optimizer_from_flat(self.opt, st["optimizer"], tensors)
        torch.set_rng_state(tensors["rng/torch"])
        self.rng.bit_generator.state = st["numpy_rng"]
        for lg in self.rows:
            prefix = self._hidden_prefix(lg)
            # a run is monolingual ("") or multilingual (its languages): the prefixes never overlap
            mine = {k.removeprefix(prefix): v.to(self.d.device) for k, v in tensors.items() if k.startswith(prefix)}
            self.hidden[lg] = hidden_from_tensors(mine)
        self.log(f"resuming at epoch {self.state.epoch + 1}, step {self.state.step}")

    # -- checkpoints ------------------------------------------------------------------------------
    def save_checkpoint(self) -> None:
        """The resumable state (weights, optimiser, RNGs, carried hidden state) into ``checkpoints/last``."""
        if not self.d.main:
            return
        meta, tensors = optimizer_to_flat(self.opt)
        tensors["rng/torch"] = torch.get_rng_state()
        for lg, hidden in self.hidden.items():
            tensors.update({self._hidden_prefix(lg) + k: v for k, v in hidden_tensors(hidden).items()})
        state = {**asdict(self.state), "optimizer": meta, "numpy_rng": self.rng.bit_generator.state}
        save_checkpoint(self.run / "checkpoints" / "last", self.model, self.vocab, state=state, state_tensors=tensors)

    # -- the loop ---------------------------------------------------------------------------------
    def progress(self) -> float:
        """Share of the run done, by steps or by wall-clock budget, whichever is further."""
        return budget_progress(self.state.step, self.total_steps, self.state.elapsed + time.time() - self._t_start,
                               self.cfg.minutes)

    def _mark_time(self) -> None:
        self.state.elapsed += time.time() - self._t_start
        self._t_start = time.time()

    def train_step(self, windows: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> tuple[dict[str, float], float]:
        """One update on one window (x, y) per language, losses summed; returns ({lang: loss}, lr)."""
        cfg = self.cfg
        lr = one_cycle(self.progress(), cfg.lr, cfg.pct_start) * windows[self.lead][0].size(1) / cfg.bptt
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.zero_grad(set_to_none=True)
        losses = {}
        for lg, (x, y) in windows.items():
            self.hidden[lg] = detach_hidden(self.hidden[lg])
            logits, self.hidden[lg], (dropped, raw) = self.nets[lg](x, self.hidden[lg])
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
            if self.model_cfg.arch == "lstm":  # AR/TAR regularise recurrent activations (AWD-LSTM's, not a transformer's)
                loss_reg = cfg.ar_alpha * dropped.pow(2).mean() + cfg.tar_beta * (raw[:, 1:] - raw[:, :-1]).pow(2).mean()
            else:
                loss_reg = 0.0
            (loss + loss_reg).backward()  # gradients of the languages add up
            losses[lg] = loss.item()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.clip)
        self.opt.step()
        return losses, lr

    def next_windows(self) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """Each language's next window (one sampled length for all); a text that ran out (not the
        lead language's: that ends the epoch) starts again from its beginning."""
        seq_len = sample_bptt(self.rng, self.cfg.bptt)
        out = {}
        for lg, rows in self.rows.items():
            if self.state.pos[lg] >= rows.shape[1] - 2:
                self.state.pos[lg], self.hidden[lg] = 0, None
            out[lg] = window(rows, self.state.pos[lg], seq_len, self.d.device)
            self.state.pos[lg] += out[lg][0].size(1)
        return out

    def budget_reached(self) -> bool:
        """Whether the step/time budget is spent (agreed across ranks)."""
        if not (self.cfg.minutes or self.cfg.max_steps):
            return False
        flag = torch.tensor([float(self.progress() >= 1.0)], device=self.d.device)
        if self.d.world > 1:
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item())

    def validate(self) -> dict[str, float]:
        """Each language's validation loss (nats per token)."""
        return {lg: evaluate_ids(net, self.valid_ids[lg], self.d.device, self.cfg.valid_batch_size)
                for lg, net in ((lg, self.model.monolingual_view(lg) if self.multilingual else self.model)
                                for lg in self.rows)}

    def end_epoch(self, train_loss: float, stopped: bool) -> None:
        """Validate, keep the best model, record the epoch, start the next one at column 0."""
        st = self.state
        by_lang = self.validate()
        valid_loss = float(np.mean(list(by_lang.values())))  # a multilingual LM is kept by its mean
        self._mark_time()
        record = {"epoch": st.epoch + 1, "train_loss": train_loss, "valid_loss": valid_loss,
                  "valid_ppl": math.exp(valid_loss), "elapsed_s": round(st.elapsed, 1), "complete": not stopped}
        if self.multilingual:
            record["valid_ppl_by_lang"] = {lg: math.exp(v) for lg, v in by_lang.items()}
        st.history.append(record)
        shown = (", ".join(f"{lg} {math.exp(v):.1f}" for lg, v in by_lang.items()) if self.multilingual
                 else f"{math.exp(valid_loss):.1f}")
        self.log(f"epoch {st.epoch + 1}: train ppl {math.exp(train_loss):.1f}, valid ppl {shown}"
                 + (" (stopped: budget reached)" if stopped and st.pos[self.lead] < self.rows[self.lead].shape[1] - 2
                    else ""))
        if st.best_valid_loss is None or valid_loss < st.best_valid_loss:
            st.best_valid_loss = valid_loss
            if self.d.main:
                save_checkpoint(self.run / "checkpoints" / "best", self.model, self.vocab)
        st.epoch += 1
        st.pos = dict.fromkeys(self.rows, 0)
        self.hidden = dict.fromkeys(self.rows)
        self.save_checkpoint()

    def train(self) -> dict:
        cfg, d, st = self.cfg, self.d, self.state
        if d.main:
            self.log(f"training {sum(p.numel() for p in self.model.parameters()):,} parameters on {d.device} "
                     f"x{d.world}, {cfg.epochs} epochs of ~{self.steps_per_epoch} steps"
                     + (f", at most {cfg.minutes} min" if cfg.minutes else ""))
        bar = progress_bar(total=self.total_steps, initial=st.step, enabled=cfg.progress and d.main, unit="step")
        self._t_start = time.time()
        window_tokens, window_time, tok_s = 0, time.time(), 0.0
        step_time, step_tokens = 0.0, 0  # time inside update steps only (no validation/checkpoints)
        lead_rows = self.rows[self.lead]
        stop = False
        try:
            while st.epoch < cfg.epochs and not stop:
                self.model.train()
                epoch_loss, epoch_count = 0.0, 0
                while st.pos[self.lead] < lead_rows.shape[1] - 2:
                    # one window per language: sample its length, update, advance
                    t_step = time.perf_counter()
                    windows = self.next_windows()
                    losses, lr = self.train_step(windows)
                    st.step += 1
                    n_tokens = sum(y.numel() for _, y in windows.values())
                    epoch_loss += sum(losses[lg] * y.numel() for lg, (_, y) in windows.items())
                    epoch_count += n_tokens
                    # progress bar and throughput
                    window_tokens += n_tokens * d.world
                    if time.time() - window_time > 2.0:
                        tok_s = window_tokens / (time.time() - window_time)
                        window_tokens, window_time = 0, time.time()
                    bar.update(1)
                    shown = ({f"ppl_{lg}": f"{math.exp(min(v, 50)):.1f}" for lg, v in losses.items()} if self.multilingual
                             else {"loss": f"{losses['']:.3f}", "ppl": f"{math.exp(min(losses[''], 50)):.1f}"})
                    bar.set_postfix(**shown, tok_s=f"{tok_s:.0f}", lr=f"{lr:.1e}", refresh=False)
                    stop = self.budget_reached()
                    step_time += time.perf_counter() - t_step
                    step_tokens += n_tokens * d.world
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

        def per_lang(values: dict):
            return values if self.multilingual else values[""]

        metrics = {
            "corpus": self.cfg.corpus, "vocab_size": per_lang({lg: len(v) for lg, v in self.vocabs.items()}),
            "train_tokens": per_lang({lg: int(len(v)) for lg, v in self.train_ids.items()}),
            "valid_tokens": per_lang({lg: int(len(v)) for lg, v in self.valid_ids.items()}),
            "epochs": st.history, "steps": st.step,
            "best_valid_ppl": math.exp(st.best_valid_loss), "final_valid_ppl": st.history[-1]["valid_ppl"],
            "train_seconds": round(st.elapsed, 1), "tokens_per_s": round(tok_s, 1),
            "step_tokens_per_s": round(step_tok_s, 1), "device": str(d.device), "world_size": d.world,
            "params": sum(p.numel() for p in self.model.parameters()),
        }
        if self.multilingual:
            metrics["final_valid_ppl_by_lang"] = st.history[-1]["valid_ppl_by_lang"]
        if d.world > 1:
            metrics["ddp_param_max_abs_diff"] = ddp_param_divergence(self.model)
            dist.barrier()
        if d.main:
            self.run.write_metrics(metrics)
        return metrics


def train_lm(out: str | Path, cfg: TrainConfig | None = None, model_cfg: LMConfig | None = None,
             resume: bool = False, command: str = "lm train", echo=None) -> dict:
    """Train (or, with ``resume``, continue) an LM into run directory ``out``; returns the final metrics.
    ``cfg.corpus`` = {language: corpus} trains the shared-body multilingual LM."""
    return LMTrainer(out, cfg, model_cfg, resume, command, echo).setup().train()
