"""langind.experiments.self_recovery: wipe and recover on a synthetic language with a known mapping."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PAIR_LM, make_markov_language

from langind.experiments.self_recovery import RecoveryConfig, recover_self, scramble
from langind.lm.train import TrainConfig, train_lm
from langind.mapping.fit import FitConfig


@pytest.fixture(scope="module")
def markov_lm(tmp_path_factory):
    d = tmp_path_factory.mktemp("markov")
    lines = make_markov_language(40, 9000, seed=1, fanout=3)
    (d / "train.txt").write_text("\n".join(lines[:6000]) + "\n")
    (d / "heldout.txt").write_text("\n".join(lines[6000:]) + "\n")
    train_lm(d / "lm", TrainConfig(corpus=str(d / "train.txt"), epochs=3, batch_size=16, bptt=20, lr=1e-2,
                                   threads=1, progress=False, valid_fraction=0.05),
             PAIR_LM)
    return d


def test_scramble_keeps_specials_and_is_a_permutation():
    p = scramble(50, 2, seed=3)
    assert p[0] == 0 and p[1] == 1 and sorted(p) == list(range(50)) and (p[2:] != np.arange(2, 50)).any()


def test_recovers_a_planted_mapping_on_a_synthetic_language(markov_lm, tmp_path):
    """Both sides scrambled, held-out text, start from count matching: the LM does the rest."""
    fit = FitConfig(mode="both", minutes=None, max_steps=600, batch_size=16, bptt=20, progress=False, eval_every=1e9)
    cfg = RecoveryConfig(lm=str(markov_lm / "lm"), head="vector", init="counts", text=str(markov_lm / "heldout.txt"),
                         fit=fit, threads=1)
    r = recover_self(cfg, tmp_path / "rec", echo=lambda m: None)
    assert r["bands"]["all"]["hit@1"] >= 0.9, r["bands"]
    assert r["bands"]["all"]["hit@1"] > r["count_only"]["all"]["assign"] + 0.2  # not just the counts
    assert r["lm_loss"]["recovered_mapping"] < r["lm_loss"]["true_mapping"] + 0.05
    for f in ("metrics.json", "report.md", "hit_vs_rank.png", "config.json"):
        assert (tmp_path / "rec" / f).exists()
