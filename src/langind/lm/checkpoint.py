"""Checkpoints: a directory of safetensors weights, JSON config and vocab — never pickles.

``torch.load`` of a pickled file executes code from that file, so a checkpoint downloaded from a
colleague would be a program. A langind checkpoint is data only::

    CKPT/
      model.safetensors      LM weights
      lm_config.json         LMConfig + the vocab fingerprint + format version
      vocab.json             the Vocab (a multilingual LM: vocab.LANG.json, one per language)
      state.safetensors      (optional) optimiser moments, RNG states, carried hidden state
      state.json             (optional) step, epoch, position, schedule, best validation loss

It is written to a temporary sibling directory and swapped into place with two renames (the old
copy stays as ``CKPT.old`` until the new one is in), so ``kill -9`` at any moment leaves a complete
checkpoint on disk. Loading validates every part and reports damage in one line.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from langind.errors import LangindError
from langind.lm.model import LMConfig, WordLM
from langind.lm.multilingual import MultilingualLM
from langind.runs import atomic_write_json, read_json
from langind.vocab import Vocab

FORMAT = "langind-checkpoint/1"


def save_checkpoint(path: str | Path, model: WordLM | MultilingualLM, vocab: Vocab | dict[str, Vocab], *,
                    state: dict[str, Any] | None = None,
                    state_tensors: dict[str, torch.Tensor] | None = None) -> Path:
    """Write a checkpoint directory atomically; ``state``/``state_tensors`` make it resumable.
    A :class:`MultilingualLM` comes with one vocab per language (``{lang: Vocab}``)."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-"))
    try:
        weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        save_file(weights, str(tmp / "model.safetensors"))
        meta: dict[str, Any] = {"format": FORMAT, "lm": model.config.to_dict()}
        if isinstance(model, MultilingualLM):
            meta.update(vocab_sizes=model.vocab_sizes, vocab_fingerprints={lg: v.fingerprint() for lg, v in vocab.items()})
            for lg, v in vocab.items():
                v.save(tmp / f"vocab.{lg}.json")
        else:
            meta.update(vocab_size=model.vocab_size, vocab_fingerprint=vocab.fingerprint())
            vocab.save(tmp / "vocab.json")
        atomic_write_json(tmp / "lm_config.json", meta)
        if state is not None:
            atomic_write_json(tmp / "state.json", state)
            tensors = {k: v.detach().cpu().contiguous() for k, v in (state_tensors or {}).items()}
            save_file(tensors, str(tmp / "state.safetensors"))
        _fsync_dir(tmp)
        _swap_in(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _fsync_dir(d: Path) -> None:
    for f in d.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())


def _swap_in(tmp: Path, final: Path) -> None:
    old = final.with_name(final.name + ".old")
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def resolve_checkpoint(path: str | Path) -> Path:
    """The checkpoint directory to read: ``path`` or, if a swap was interrupted, ``path.old``."""
    p = Path(path)
    if p.is_dir():
        return p
    old = p.with_name(p.name + ".old")
    if old.is_dir():
        return old
    raise LangindError(f"{p}: no checkpoint here (expected a directory with model.safetensors)")


def _load_tensors(path: Path, what: str) -> dict[str, torch.Tensor]:
    if not path.exists():
        raise LangindError(f"{path}: {what} is missing; the checkpoint is incomplete")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LangindError(f"{path}: {what} is corrupted or truncated ({msg})") from None


def _read_meta(path: str | Path) -> tuple[Path, dict, LMConfig]:
    ckpt = resolve_checkpoint(path)
    meta = read_json(ckpt / "lm_config.json", "checkpoint config")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise LangindError(f"{ckpt}: not a langind checkpoint (format {meta.get('format') if isinstance(meta, dict) else None!r})")
    try:
        return ckpt, meta, LMConfig.from_dict(meta["lm"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LangindError(f"{ckpt}/lm_config.json: damaged model config ({exc})") from None


def _check_vocab(v: Vocab | None, where, ckpt: Path, size: int, fingerprint: str | None) -> None:
    if v is not None and (len(v) != size or v.fingerprint() != fingerprint):
        raise LangindError(f"{where} does not match checkpoint {ckpt} (vocab size {len(v)} vs model {size}); "
                           "use the vocab saved with the checkpoint")


def _load_weights(model: torch.nn.Module, ckpt: Path) -> None:
    weights = _load_tensors(ckpt / "model.safetensors", "model weights")
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        raise LangindError(
            f"{ckpt}: weights do not fit the model config ({first[1].strip() if len(first) > 1 else first[0]})"
        ) from None


def load_lm(path: str | Path, device: str | torch.device = "cpu",
            vocab: Vocab | None = None) -> tuple[WordLM, Vocab]:
    """Load a :class:`WordLM` and its vocab from a checkpoint directory, validating everything.

    If ``vocab`` is given it must be the vocab the checkpoint was trained with.
    """
    ckpt, meta, config = _read_meta(path)
    if "vocab_sizes" in meta:
        raise LangindError(f"{ckpt} holds a multilingual LM ({', '.join(meta['vocab_sizes'])}); "
                           "give a monolingual LM run (`langind lm train`)")
    try:
        vocab_size = int(meta.get("vocab_size", meta["lm"].get("vocab_size")))  # 0.1 kept it inside "lm"
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LangindError(f"{ckpt}/lm_config.json: damaged model config ({exc})") from None
    own_vocab = Vocab.load(ckpt / "vocab.json")
    for v, where in ((own_vocab, ckpt / "vocab.json"), (vocab, "the given vocab")):
        _check_vocab(v, where, ckpt, vocab_size, meta.get("vocab_fingerprint"))
    model = WordLM(config, vocab_size)
    _load_weights(model, ckpt)
    return model.to(device), own_vocab


def load_multilingual(path: str | Path, device: str | torch.device = "cpu",
                      vocabs: dict[str, Vocab] | None = None) -> tuple[MultilingualLM, dict[str, Vocab]]:
    """Load a :class:`MultilingualLM` and its per-language vocabs, validating everything (``vocabs``,
    if given, must be the ones it was trained with)."""
    ckpt, meta, config = _read_meta(path)
    sizes = meta.get("vocab_sizes")
    if not isinstance(sizes, dict):
        raise LangindError(f"{ckpt} holds a monolingual LM, not a multilingual one")
    own = {lg: Vocab.load(ckpt / f"vocab.{lg}.json") for lg in sizes}
    for lg, size in sizes.items():
        for v, where in ((own[lg], ckpt / f"vocab.{lg}.json"), ((vocabs or {}).get(lg), f"the given {lg} vocab")):
            _check_vocab(v, where, ckpt, int(size), meta.get("vocab_fingerprints", {}).get(lg))
    model = MultilingualLM(config, {lg: int(n) for lg, n in sizes.items()})
    _load_weights(model, ckpt)
    return model.to(device), own


def lm_run_checkpoint(run: str | Path, which: str = "best") -> Path:
    """The checkpoint directory of an LM run (or a checkpoint directory given directly)."""
    p = Path(run)
    if (p / "model.safetensors").exists() or (p / "lm_config.json").exists():
        return p
    if not p.exists():
        raise LangindError(f"{p}: no such run directory or checkpoint")
    cand = p / "checkpoints" / which
    if cand.exists() or cand.with_name(which + ".old").exists():
        return cand
    raise LangindError(f"{p}: holds no {which} checkpoint; train one with `langind lm train --out {p}`")


def trained_reversed(run: str | Path) -> bool | None:
    """Whether an LM run was trained right to left (on a ``reversed:`` corpus spec, the words of every
    sentence in reverse order: :class:`langind.corpus.CorpusSource`); None when the run records no
    training corpus (a bare checkpoint directory)."""
    from langind.corpus import REVERSED

    cfg = Path(run) / "config.json"
    if not cfg.exists():
        return None
    corpus = read_json(cfg, "run config").get("train", {}).get("corpus")
    return None if corpus is None else str(corpus).startswith(REVERSED)


def check_direction(run: str, reversed_: bool, flag: str = "--lm") -> str:
    """``run`` if it holds an LM trained in the direction asked for (``reversed_``: right to left, on a
    ``reversed:`` corpus); a one-line error otherwise, naming ``flag`` (the left-to-right LM's option;
    the other is ``--right-lm``) — a left-to-right LM reading reversed text, or the other way round,
    would score nonsense without failing — or when it holds no LM at all."""
    lm_run_checkpoint(run)
    found = trained_reversed(run)
    if found is not None and found != reversed_:
        want, got = ("right-to-left", "left-to-right") if reversed_ else ("left-to-right", "right-to-left")
        flag = "--right-lm" if reversed_ else flag
        raise LangindError(f"{run} is a {got} LM (trained on {'a reversed' if found else 'an unreversed'} corpus); "
                           f"{flag} needs a {want} one" + (" (`langind lm train --corpus reversed:TEXT`)" if reversed_ else ""))
    return run


def load_state(path: str | Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read the resumable training state of a checkpoint."""
    ckpt = resolve_checkpoint(path)
    if not (ckpt / "state.json").exists():
        raise LangindError(f"{ckpt}: has no training state, so it cannot be resumed")
    return read_json(ckpt / "state.json", "training state"), _load_tensors(ckpt / "state.safetensors", "training state")


# -- optimiser state <-> flat tensors + JSON ------------------------------------------------------
def optimizer_to_flat(opt: torch.optim.Optimizer) -> tuple[dict, dict[str, torch.Tensor]]:
    sd = opt.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, st in sd["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                tensors[f"optim/{idx}/{k}"] = v
            else:
                scalars.setdefault(str(idx), {})[k] = v
    return {"param_groups": sd["param_groups"], "scalars": scalars}, tensors


def optimizer_from_flat(opt: torch.optim.Optimizer, meta: dict, tensors: dict[str, torch.Tensor]) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, v in tensors.items():
        if key.startswith("optim/"):
            _, idx, k = key.split("/", 2)
            state.setdefault(int(idx), {})[k] = v
    for idx, st in meta.get("scalars", {}).items():
        state.setdefault(int(idx), {}).update(st)
    try:
        opt.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    except (KeyError, ValueError, RuntimeError) as exc:
        raise LangindError(f"optimiser state does not fit this model ({exc})") from None
