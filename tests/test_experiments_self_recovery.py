"""langind.experiments.self_recovery: wipe and recover on a synthetic language with a known mapping."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import BENCH, PAIR_LM, bench_module, markov_lm_with_heldout

from langind.experiments.self_recovery import RecoveryConfig, recover_self, scramble
from langind.lm.train import TrainConfig, train_lm
from langind.mapping.context import ContextConfig
from langind.mapping.fit import FitConfig


@pytest.fixture(scope="module")
def markov_lm(tmp_path_factory):
    return markov_lm_with_heldout(tmp_path_factory.mktemp("markov"), 40, 9000, n_train=6000, seed=1)


def test_scramble_keeps_specials_and_is_a_permutation():
    p = scramble(50, 2, seed=3)
    assert p[0] == 0 and p[1] == 1 and sorted(p) == list(range(50)) and (p[2:] != np.arange(2, 50)).any()


def test_recovers_a_planted_mapping_on_a_synthetic_language(markov_lm, tmp_path):
    """Both sides scrambled, held-out text, start from count matching: the LM does the rest."""
    fit = FitConfig(scramble="both", minutes=None, max_steps=600, batch_size=16, bptt=20, progress=False, eval_every=None)
    cfg = RecoveryConfig(lm=str(markov_lm / "lm"), head="vector", init="counts", text=str(markov_lm / "heldout.txt"),
                         fit=fit, threads=1)
    r = recover_self(cfg, tmp_path / "rec", echo=lambda m: None)
    assert r["bands"]["all"]["hit@1"] >= 0.9, r["bands"]
    assert r["bands"]["all"]["hit@1"] > r["count_only"]["all"]["assign"] + 0.2  # not just the counts
    assert r["lm_loss"]["recovered_mapping"] < r["lm_loss"]["true_mapping"] + 0.05
    for f in ("metrics.json", "report.md", "hit_vs_rank.png", "config.json"):
        assert (tmp_path / "rec" / f).exists()


def test_held_out_books_of_a_bundled_bible_are_wired(tmp_path):
    """An LM of WEB's odd-numbered books recovering on its even-numbered ones (text it never saw),
    both pipeline stages, every band reported."""
    train_lm(tmp_path / "lm", TrainConfig(corpus="web:odd-books", max_vocab=1500, max_steps=15, batch_size=16, bptt=20,
                                          threads=1, progress=False), PAIR_LM)
    fit = FitConfig(scramble="both", minutes=None, max_steps=10, batch_size=16, bptt=20, progress=False, eval_every=None)
    cfg = RecoveryConfig(lm=str(tmp_path / "lm"), head="vector", init="counts", text="web:even-books",
                         max_text_tokens=30_000, fit=fit, threads=1, pipeline="head+context", select=True,
                         context=ContextConfig(rounds=1))
    r = recover_self(cfg, tmp_path / "rec", echo=lambda m: None)
    assert set(r["bands"]) == set(r["head_bands"]) == {"10-110", "10-1010", "freq5", "all"}
    assert r["text"] == "corpus web:even-books" and r["text_tokens"] == 30_000
    assert 0 < r["bands"]["freq5"]["words"] < r["bands"]["all"]["words"]


@pytest.mark.slow
def test_benchmark_seed_setting_writes_its_layout(trained, tmp_path):
    """`benchmarks/self_recovery.py --seed-setting` on a tiny LM: the earlier setting's rows (its own
    training text), each pipeline stage a row, with every band and the count-only baseline."""

    def bench(out, *extra):
        r = subprocess.run([sys.executable, str(BENCH / "self_recovery.py"), "--seed-setting", *extra,
                            "--lm-web", str(trained[0]), "--minutes", "0.05", "--context-seconds", "1",
                            "--threads", "1", "--work", str(tmp_path / "w"), "--out", str(out)],
                           capture_output=True, text=True, timeout=600, cwd=BENCH)
        assert r.returncode == 0, r.stderr
        return r.stdout, json.loads(out.read_text())["runs"]

    stdout, runs = bench(tmp_path / "sr.json")
    assert [(x["head"], x["pipeline"], x["text"]) for x in runs] == [
        ("linear", "head", "train"), ("linear", "head+context", "train"),
        ("vector", "head", "train"), ("vector", "head+context", "train")]
    for x in runs:
        assert x["scramble"] == "input" and x["seeds"] == 1
        assert set(x["bands"]) == set(x["count_only"]) == {"10-110", "10-1010", "freq5", "all"}
    assert "| train | linear | input | random | head+context |" in stdout

    # a rerun with the same --work reuses each finished run whose config is the same, and --heads filters
    stdout, rerun = bench(tmp_path / "again.json", "--heads", "linear")
    assert "reusing the finished run" in stdout
    assert [x["head"] for x in rerun] == ["linear", "linear"]
    assert [x["bands"] for x in rerun] == [x["bands"] for x in runs[:2]]

    # --only keeps the rows of one setting and --head runs them with another head
    _, other = bench(tmp_path / "other.json", "--heads", "vector", "--only", "train/input", "--head", "sinkhorn-lowrank")
    assert [(x["head"], x["pipeline"], x["text"]) for x in other] == [
        ("sinkhorn-lowrank", "head", "train"), ("sinkhorn-lowrank", "head+context", "train")]
    r = subprocess.run([sys.executable, str(BENCH / "self_recovery.py"), "--seed-setting", "--only", "kjv/both",
                        "--out", str(tmp_path / "none.json")], capture_output=True, text=True, timeout=60, cwd=BENCH)
    assert r.returncode == 2 and "no chosen row has a setting among ['kjv/both']" in r.stderr


@pytest.mark.slow
def test_heads_benchmark_runs_every_variant_at_one_budget(trained, tmp_path):
    """`benchmarks/heads.py` on a tiny LM, the earlier setting: one run per variant in its own process
    (its peak RSS measured), the summary and the learning-curve plot written, finished runs reused."""

    def bench(out, *extra):
        r = subprocess.run([sys.executable, str(BENCH / "heads.py"), "--settings", "train/input",
                            "--variants", "linear", "linear, row-wise", "linear, row-wise, decayed", "sinkhorn-sparse",
                            "vector", *extra,
                            "--lm-web", str(trained[0]), "--minutes", "0.03", "--threads", "1",
                            "--work", str(tmp_path / "w"), "--out", str(out)],
                           capture_output=True, text=True, timeout=600, cwd=BENCH)
        assert r.returncode == 0, r.stderr
        return r.stdout, json.loads(out.read_text())

    stdout, res = bench(tmp_path / "heads.json")
    assert [x["variant"] for x in res["runs"]] == ["linear", "linear, row-wise", "linear, row-wise, decayed",
                                                   "sinkhorn-sparse", "vector"]
    assert res["runs"][1]["head_options"] == res["runs"][2]["head_options"] == {"row_update": True}
    assert res["runs"][1]["fit_options"] == {} and res["runs"][2]["fit_options"]["lr_schedule"] == "linear"
    for x in res["runs"]:
        assert x["setting"] == "train/input" and x["steps"] > 0 and x["steps_per_s"] > 0
        assert x["peak_rss_gb"] > 0.05 and set(x["bands"]) == {"10-110", "10-1010", "freq5", "all"}
    assert [s["variant"] for s in res["summary"]] == [x["variant"] for x in res["runs"]]
    assert (tmp_path / "heads.png").stat().st_size > 1000
    assert "| train/input | vector |" in stdout
    # a rerun with the same --work reuses every finished run, its peak RSS kept beside it — also a run
    # saved before a config field existed (here: right_lm), as long as the field is at its default
    vector_run = tmp_path / "w" / "train-input-vector-s0" / "config.json"
    saved = json.loads(vector_run.read_text())
    assert saved.pop("right_lm") is None and saved["fit"].pop("precision") == "float32"
    vector_run.write_text(json.dumps(saved))
    stdout, again = bench(tmp_path / "again.json")
    assert stdout.count("reusing the finished run") == 5
    assert [x["bands"] for x in again["runs"]] == [x["bands"] for x in res["runs"]]
    assert [x["peak_rss_gb"] for x in again["runs"]] == [x["peak_rss_gb"] for x in res["runs"]]
    # a field set to something else than its default is another run
    saved["fit"]["precision"] = "bfloat16"
    vector_run.write_text(json.dumps(saved))
    stdout, _ = bench(tmp_path / "third.json", "--variants", "vector")
    assert "reusing the finished run" not in stdout


def test_heads_plot_draws_the_mean_of_the_seeds(tmp_path):
    """The learning-curve plot's line is the mean of a variant's seeds on the first seed's time grid
    (each curve interpolated, over the span every curve covers), with their range; one seed is itself."""
    heads = bench_module("heads")

    def run(seed, pts):
        return {"variant": "vector", "setting": "kjv/both", "seed": seed,
                "curve": [{"seconds": 60 * m, "10-1010": y} for m, y in pts]}
    runs = [run(0, [(0, 0.0), (1, 0.4), (2, 0.6), (3, 0.7)]), run(1, [(0, 0.2), (2, 0.8), (2.5, 0.9)])]
    grid, mean, (lo, hi) = heads.mean_curve(runs)
    assert grid.tolist() == [0, 1, 2]  # seed 1 ends at 2.5 minutes: seed 0's point at 3 is not shared
    assert np.allclose(mean, [0.1, 0.45, 0.7]) and np.allclose(lo, [0.0, 0.4, 0.6]) and np.allclose(hi, [0.2, 0.5, 0.8])
    grid, mean, (lo, hi) = heads.mean_curve(runs[:1])
    assert np.allclose(mean, [0.0, 0.4, 0.6, 0.7]) and np.allclose(lo, hi)
    late = run(2, [(1, 0.5), (3, 0.9)])  # a seed whose first point comes later: the span all three cover
    grid, mean, _ = heads.mean_curve(runs + [late])
    assert grid.tolist() == [1, 2] and np.allclose(mean, [(0.4 + 0.5 + 0.5) / 3, (0.6 + 0.8 + 0.7) / 3])
    one = {**run(0, [(0, 0.1), (1, 0.2)]), "variant": "linear"}  # lines of different seed counts in one panel
    heads.plot(runs + [one], tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000
