"""Shared fixtures: small synthetic corpora and a way to run the CLI as a user would."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

# Tests share 2 cores with nothing else; one torch thread keeps runs reproducible and fast.
os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402

from langind.lm.model import LMConfig  # noqa: E402
from langind.lm.train import TrainConfig, train_lm  # noqa: E402

torch.set_num_threads(1)

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def bench_module(name: str):
    """``benchmarks/NAME.py`` as a module (the benchmarks are scripts beside the package, not in it)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))  # a benchmark imports its siblings (`_common`, `self_recovery`)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def make_toy_language(n_lines: int, seed: int = 0) -> list[str]:
    """A tiny language with grammar: determiners, adjectives, nouns, verbs, a full stop.

    Word order and agreement give every word a distinctive context, so an LM learns it quickly.
    """
    rng = random.Random(seed)
    det = ["the", "a", "this"]
    adj = ["big", "small", "red", "old"]
    noun_sg = ["man", "dog", "king", "tree", "house"]
    noun_pl = ["men", "dogs", "kings", "trees", "houses"]
    verb_sg = ["sees", "loves", "finds"]
    verb_pl = ["see", "love", "find"]
    lines = []
    for _ in range(n_lines):
        plural = rng.random() < 0.4
        np_ = ([rng.choice(det[:1])] if plural else [rng.choice(det)]) + \
              ([rng.choice(adj)] if rng.random() < 0.5 else []) + \
              [rng.choice(noun_pl if plural else noun_sg)]
        vp = [rng.choice(verb_pl if plural else verb_sg), rng.choice(det), rng.choice(noun_sg)]
        lines.append(" ".join(np_ + vp) + " .")
    return lines


@pytest.fixture(scope="session")
def toy_corpus(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("corpus") / "toy.txt"
    p.write_text("\n".join(make_toy_language(4000)) + "\n", encoding="utf-8")
    return p


def run_cli(*args: str, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m langind ARGS`` in a subprocess and capture its output."""
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "langind", *args], capture_output=True, text=True,
                           timeout=timeout, env=full_env)


TINY_LM = ["--emb-dim", "16", "--hidden-dim", "32", "--batch-size", "8", "--bptt", "20",
           "--threads", "1", "--quiet"]


def make_markov_language(n_words: int, n_lines: int, seed: int = 0, fanout: int = 4) -> list[str]:
    """A synthetic language in which every word is identifiable from its neighbours.

    Words ``w0..w{n-1}`` have Zipfian frequencies; each word has its own small random set of
    likely successors, so the bigram statistics of any two words differ and a mapping between two
    copies of the language is recoverable from text alone.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, n_words + 1)
    zipf /= zipf.sum()
    succ = [rng.choice(n_words, size=fanout, replace=False, p=zipf) for _ in range(n_words)]
    probs = [rng.dirichlet(np.ones(fanout)) for _ in range(n_words)]
    lines = []
    for _ in range(n_lines):
        w = int(rng.choice(n_words, p=zipf))
        words = [w]
        for _ in range(int(rng.integers(5, 15))):
            w = int(succ[w][rng.choice(fanout, p=probs[w])]) if rng.random() < 0.9 else int(rng.choice(n_words, p=zipf))
            words.append(w)
        lines.append(" ".join(f"w{i}" for i in words))
    return lines


def markov_lm_with_heldout(root: Path, n_words: int, n_lines: int, n_train: int, seed: int) -> Path:
    """A Markov language's first ``n_train`` lines as an LM's training text (``root/lm``, shape
    PAIR_LM) and the rest as ``root/heldout.txt``, a text the LM never saw. Returns ``root``."""
    lines = make_markov_language(n_words, n_lines, seed=seed, fanout=3)
    (root / "train.txt").write_text("\n".join(lines[:n_train]) + "\n")
    (root / "heldout.txt").write_text("\n".join(lines[n_train:]) + "\n")
    train_lm(root / "lm", TrainConfig(corpus=str(root / "train.txt"), epochs=3, batch_size=16, bptt=20, lr=1e-2,
                                      threads=1, progress=False, valid_fraction=0.05), PAIR_LM)
    return root


def make_language_pair(n_words: int, n_lines: int, seed: int = 0, swap_prob: float = 0.1):
    """Two "languages": a Markov language and a copy with every word renamed and some word order
    noise (adjacent words swapped with ``swap_prob``). Returns (lines_a, lines_b, dictionary_lines)
    where the dictionary maps each ``a`` word to its planted ``b`` counterpart."""
    import random

    a = make_markov_language(n_words, n_lines, seed=seed, fanout=3)
    b_lines = make_markov_language(n_words, n_lines, seed=seed, fanout=3)  # same grammar, ...
    rng = random.Random(seed + 1)
    rng.shuffle(b_lines)  # ... different sentences: the corpora are not parallel
    out_b = []
    for line in b_lines:
        words = [f"v{w[1:]}" for w in line.split()]
        for i in range(len(words) - 1):
            if rng.random() < swap_prob:
                words[i], words[i + 1] = words[i + 1], words[i]
        out_b.append(" ".join(words))
    dictionary = [f"w{i} v{i}" for i in range(n_words)]
    return a, out_b, dictionary


# -- trained models shared by several test modules (session scope: each is trained once) -----------
TINY = LMConfig(emb_dim=16, hidden_dim=32)  # the toy language's LM
PAIR_LM = LMConfig(emb_dim=32, hidden_dim=64)  # the planted language pair's target LM


def tiny_cfg(corpus, **kw) -> TrainConfig:
    base = dict(corpus=str(corpus), epochs=2, batch_size=8, bptt=20, threads=1, progress=False,
                checkpoint_every=10, lr=1e-2)
    return TrainConfig(**{**base, **kw})


@pytest.fixture(scope="session")
def trained(tmp_path_factory, toy_corpus):
    """An LM trained on the toy language: (run directory, metrics)."""
    out = tmp_path_factory.mktemp("runs") / "lm"
    metrics = train_lm(out, tiny_cfg(toy_corpus), TINY)
    return out, metrics


@pytest.fixture(scope="session")
def pair(tmp_path_factory):
    """Languages a (source) and b (target, renamed words + order noise) and an LM trained on b."""
    root = tmp_path_factory.mktemp("pair")
    a, b, d = make_language_pair(40, 6000, seed=2)
    (root / "a.txt").write_text("\n".join(a) + "\n")
    (root / "b.txt").write_text("\n".join(b) + "\n")
    (root / "dict.txt").write_text("\n".join(d) + "\n")
    train_lm(root / "lm-b", TrainConfig(corpus=str(root / "b.txt"), max_vocab=None, epochs=3, batch_size=16, bptt=20,
                                        lr=1e-2, threads=1, progress=False, checkpoint_every=10**6), PAIR_LM)
    return root


PAIR_TRANSFORMER = LMConfig(arch="transformer", emb_dim=32, hidden_dim=64, n_layers=2, n_heads=2, context=16)


@pytest.fixture(scope="session")
def pair_transformer(pair):
    """A transformer LM of ``pair``'s language b, trained like ``lm-b``: the second architecture every
    LM-consuming method is tested with."""
    out = pair / "lm-b-transformer"
    train_lm(out, TrainConfig(corpus=str(pair / "b.txt"), max_vocab=None, epochs=3, batch_size=16, bptt=20,
                              lr=1e-2, threads=1, progress=False, checkpoint_every=10**6), PAIR_TRANSFORMER)
    return out


@pytest.fixture(params=["lstm", "transformer"])
def target_lm(request, pair):
    """The target LM of ``pair`` with either body (run directory): tests taking it run once per architecture."""
    return pair / "lm-b" if request.param == "lstm" else request.getfixturevalue("pair_transformer")


def hide_transformers(monkeypatch) -> None:
    """Make ``import transformers`` fail for the rest of a test, as it does without the ``hf`` extra."""
    import builtins

    real_import = builtins.__import__

    def no_transformers(name, *args, **kw):
        if name == "transformers":
            raise ImportError(name)
        return real_import(name, *args, **kw)
    monkeypatch.setattr(builtins, "__import__", no_transformers)


def one_line_error(r, needle: str) -> None:
    """A CLI run that failed the way users should see failures: exit 2, one line, no traceback."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
