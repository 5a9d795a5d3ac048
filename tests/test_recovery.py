"""End-to-end wipe-and-recover on a synthetic language with a known mapping, and the demo."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_markov_language, run_cli

from langind.experiments.self_recovery import RecoveryConfig, recover_self, scramble
from langind.lm.train import TrainConfig, train_lm


@pytest.fixture(scope="module")
def markov_lm(tmp_path_factory):
    d = tmp_path_factory.mktemp("markov")
    lines = make_markov_language(40, 9000, seed=1, fanout=3)
    (d / "train.txt").write_text("\n".join(lines[:6000]) + "\n")
    (d / "heldout.txt").write_text("\n".join(lines[6000:]) + "\n")
    train_lm(d / "lm", TrainConfig(corpus=str(d / "train.txt"), epochs=3, batch_size=16, bptt=20, lr=1e-2,
                                   threads=1, progress=False, valid_fraction=0.05),
             {"emb_dim": 32, "hidden_dim": 64})
    return d


def test_scramble_keeps_specials_and_is_a_permutation():
    p = scramble(50, 2, seed=3)
    assert p[0] == 0 and p[1] == 1 and sorted(p) == list(range(50)) and (p[2:] != np.arange(2, 50)).any()


def test_recovers_a_planted_mapping_on_a_synthetic_language(markov_lm, tmp_path):
    """Both sides scrambled, held-out text, start from count matching: the LM does the rest."""
    cfg = RecoveryConfig(lm=str(markov_lm / "lm"), head="vector", mode="both", init="counts",
                         text=str(markov_lm / "heldout.txt"), minutes=None, max_steps=600, batch_size=16,
                         bptt=20, threads=1, progress=False, eval_every=1e9)
    r = recover_self(cfg, tmp_path / "rec", echo=lambda m: None)
    assert r["bands"]["all"]["hit@1"] >= 0.9, r["bands"]
    assert r["bands"]["all"]["hit@1"] > r["count_only"]["all"]["assign"] + 0.2  # not just the counts
    assert r["lm_loss"]["recovered_mapping"] < r["lm_loss"]["true_mapping"] + 0.05
    for f in ("metrics.json", "report.md", "hit_vs_rank.png", "config.json"):
        assert (tmp_path / "rec" / f).exists()


def test_demo_runs_end_to_end_on_the_bundled_data(tmp_path):
    """`langind demo` with tiny budgets: LM on WEB, recovery on KJV, es→en lexicon, metrics written."""
    out = tmp_path / "demo"
    r = run_cli("demo", "--out", str(out), "--minutes", "0.2", "--recovery-minutes", "0.1", "--cross-minutes", "0.1",
                "--threads", "1", "--quiet")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "validation perplexity" in r.stdout and "| 10-110 |" in r.stdout
    m = json.loads((out / "metrics.json").read_text())
    assert 1 < m["lm"]["valid_ppl"] < 6000 and m["lm"]["vocab_size"] == 6000
    bands = m["recover_self"]["bands"]
    assert set(bands) == {"10-110", "10-1010", "all"} and bands["all"]["words"] > 4000
    assert (out / "recover-self" / "report.md").exists()
    cross = m["cross_es_en"]
    assert cross["test_words"] > 700 and 0 <= cross["P@1"] <= 1 and len(cross["sample"]) == 20
    assert "es→en P@1" in r.stdout and (out / "cross-es-en" / "lexicon.es-en.tsv").exists()
