"""What the benchmark scripts share: word2vec spaces for a language pair, vecmap's lexicon, quiet
warnings, and atomic result files. Library code stays in ``langind``; this is only glue."""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from langind.crosslingual import align
from langind.crosslingual.embeddings import train_word2vec
from langind.crosslingual.lexicon import induce_lexicon, write_lexicon
from langind.runs import atomic_write_json
from langind.vocab import alphabetic_words

STARTED = time.time()  # a benchmark's wall time is counted from when it imported this module

# the bundled corpus of each language
CORPUS = {"en": "web", "es": "rv1909"}

# Warnings the solvers give on every run of a benchmark, and that its tables already account for:
# POT's inner Sinkhorn on every outer GW step, vecmap-style stopped by its time limit, GW's epsilon retry.
EXPECTED_WARNINGS = (r"Sinkhorn did not converge", r"vecmap self-learning stopped before converging",
                     r"Gromov-Wasserstein diverged with epsilon")


@contextlib.contextmanager
def expected_warnings_silenced():
    """Silence the warnings listed in EXPECTED_WARNINGS (by message); any other warning still shows."""
    with warnings.catch_warnings():
        for pattern in EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=pattern)
        yield


def word2vec_space(spec: str, top: int, seed: int, **kw) -> tuple[list[str], np.ndarray]:
    """gensim word2vec on a corpus spec, cut to its ``top`` most frequent alphabetic words."""
    return alphabetic_words(*train_word2vec(spec, seed=seed, **kw), top)


def bilingual_word2vec(specs: dict[str, str], top: int, seed: int, **kw) -> dict[str, tuple[list[str], np.ndarray]]:
    """One word2vec space per language (``{lang: corpus spec}``), each cut to ``top`` words."""
    return {lang: word2vec_space(spec, top, seed, **kw) for lang, spec in specs.items()}


def vecmap_lexicon(src: tuple[list[str], np.ndarray], tgt: tuple[list[str], np.ndarray], seed: int,
                   time_limit: float | None, lexicon: Path | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """vecmap-style self-learning of two spaces; writes the CSLS lexicon when ``lexicon`` is given.
    Returns the mapped spaces and the seconds the alignment took."""
    (sw, sv), (tw, tv) = src, tgt
    t0 = time.time()
    with expected_warnings_silenced():
        xw, zw, _ = align.vecmap_unsupervised(sv, tv, seed=seed, time_limit=time_limit)
    seconds = time.time() - t0
    if lexicon is not None:
        write_lexicon(lexicon, induce_lexicon(sw, xw, tw, zw))
    return xw, zw, seconds


def _commit() -> str | None:
    """The checked-out commit, ``+dirty`` when tracked files differ from it."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                                  cwd=Path(__file__).resolve().parent).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""
    commit = git("rev-parse", "HEAD") or None
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "+dirty"
    return commit


# read when the benchmark starts: its results belong to the code it imported, not to what is checked out
# by the time it writes them
STARTED_AT_COMMIT = _commit()


def provenance() -> dict:
    """What made a result: the commit the benchmark started at (``+dirty`` when the work tree differed
    from it), the command line, the date, the machine (cores, CPU model, torch version, device) and
    the wall time so far."""
    import datetime
    import os
    import platform

    import torch

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"commit": STARTED_AT_COMMIT, "command": "python " + " ".join(sys.argv),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cores": os.cpu_count(), "cpu": cpu, "torch": torch.__version__,
                        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"},
            "wall_seconds": round(time.time() - STARTED, 1)}


def write_result(path: str | Path | None, obj: dict) -> None:
    """The benchmark's JSON, written atomically (a killed run leaves the old file or the new one), with
    its :func:`provenance` under ``provenance``."""
    if path:
        atomic_write_json(Path(path), {**obj, "provenance": provenance()})
