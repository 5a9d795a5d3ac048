"""Named LM recipes: the one place where the shapes and schedules used by the demo, by
``induce cross`` (when it must train an LM) and by the benchmarks are written down.

A recipe is a model shape (:class:`~langind.lm.model.LMConfig`) and a training configuration
(:class:`~langind.lm.train.TrainConfig`) without a corpus; :func:`train_recipe` adds the corpus and any
overrides (budget, seed, threads) and trains. Their measured results are in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from langind.errors import check_choice
from langind.lm.model import LMConfig
from langind.lm.train import TrainConfig, train_lm


@dataclass(frozen=True)
class Recipe:
    model: LMConfig
    train: TrainConfig
    about: str


# The dataclass defaults *are* the reference recipe: a plain `langind lm train` trains the shape every
# measurement in the README uses.
_REFERENCE_MODEL = LMConfig()
_REFERENCE_TRAIN = TrainConfig()

RECIPES: dict[str, Recipe] = {
    "reference": Recipe(_REFERENCE_MODEL, _REFERENCE_TRAIN,
                        "the README's reference LMs: vocab 6,000, 2×LSTM (emb 128, hidden 384), 4 epochs"),
    "demo": Recipe(_REFERENCE_MODEL, replace(_REFERENCE_TRAIN, epochs=2, minutes=4.0, checkpoint_every=100),
                   "the reference shape on a 4-minute, 2-epoch schedule (langind demo)"),
    # A transformer sized for 2 CPU cores and the reference LSTM's ~6 minutes (benchmarks/transformer.py
    # measures both at one budget): width 192 in 3 blocks of 3 heads (head size 64), SwiGLU of 512, windows
    # of 64 words with the 32 before them as memory; half the LSTM's dropout (a few epochs underfit
    # more than they overfit) and half its peak learning rate (Adam on a pre-norm stack).
    "transformer": Recipe(LMConfig(arch="transformer", emb_dim=192, hidden_dim=512, n_layers=3, n_heads=3,
                                   context=32).scaled_dropout(0.5),
                          replace(_REFERENCE_TRAIN, bptt=64, lr=2e-3, minutes=6.0),
                          "decoder-only transformer for 2 cores: width 192, 3 blocks, memory 32, 6 minutes"),
}


def recipe(name: str) -> Recipe:
    check_choice("LM recipe", name, RECIPES)
    return RECIPES[name]


def train_recipe(name: str, corpus: str, out: str | Path, **overrides) -> dict:
    """Train recipe ``name`` on ``corpus`` into ``out``; ``overrides`` replace TrainConfig fields
    (e.g. ``minutes``, ``seed``, ``threads``, ``progress``). Returns the training metrics."""
    r = recipe(name)
    return train_lm(out, replace(r.train, corpus=corpus, **overrides), r.model)
