"""langind.lm.train: training, kill -9 and resume, DDP."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    TINY,
    TINY_LM,
    run_cli,
    tiny_cfg,
)

from langind.errors import LangindError
from langind.lm.checkpoint import load_lm
from langind.lm.train import TrainConfig, train_lm


def test_training_learns_the_toy_language(trained):
    out, m = trained
    # 21 word types: a uniform guess has perplexity ~21; the grammar allows far fewer choices.
    assert m["best_valid_ppl"] < 8.0, m
    assert m["epochs"][-1]["valid_loss"] < m["epochs"][0]["train_loss"]
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["best_valid_ppl"] == pytest.approx(m["best_valid_ppl"])
    assert (out / "config.json").exists() and (out / "log.txt").exists()
    model, vocab = load_lm(out / "checkpoints" / "best")
    assert len(vocab) == m["vocab_size"] and model.config.emb_dim == 16


def test_refuses_to_overwrite_a_trained_run(trained, toy_corpus):
    with pytest.raises(LangindError, match="--resume"):
        train_lm(trained[0], tiny_cfg(toy_corpus), TINY)


@pytest.mark.slow
def test_kill_9_then_resume_matches_uninterrupted_run(trained, tmp_path, toy_corpus):
    """A run killed mid-training and resumed ends exactly where an uninterrupted run ends."""
    out = tmp_path / "killed"
    args = ["lm", "train", "--corpus", str(toy_corpus), "--out", str(out), "--epochs", "2",
            "--lr", "0.01", "--checkpoint-every", "10", "--dropout-scale", "1.0", *TINY_LM]
    proc = subprocess.Popen([sys.executable, "-m", "langind", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "OMP_NUM_THREADS": "1"})
    state = out / "checkpoints" / "last" / "state.json"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if state.exists() and json.loads(state.read_text())["step"] >= 30:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "training finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "metrics.json").exists()
    r = run_cli("lm", "train", "--resume", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    resumed = json.loads((out / "metrics.json").read_text())
    assert "resuming at epoch" in (out / "log.txt").read_text()
    assert resumed["steps"] == trained[1]["steps"]
    assert resumed["best_valid_ppl"] == pytest.approx(trained[1]["best_valid_ppl"], rel=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("arch", [[], ["--arch", "transformer", "--heads", "2", "--context", "8"]], ids=["lstm", "transformer"])
def test_ddp_two_processes_gloo(tmp_path, toy_corpus, arch):
    out = tmp_path / "ddp"
    torchrun = Path(sys.executable).with_name("torchrun")
    cmd = [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "langind", "lm", "train",
           "--corpus", str(toy_corpus), "--out", str(out), "--epochs", "2", "--lr", "0.01", *TINY_LM, *arch]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((out / "metrics.json").read_text())
    assert m["world_size"] == 2
    assert m["ddp_param_max_abs_diff"] == 0.0  # replicas stayed identical
    assert math.isfinite(m["best_valid_ppl"]) and m["best_valid_ppl"] < 12


def test_the_multilingual_lm_resumes_where_an_uninterrupted_run_ends(tmp_path, monkeypatch):
    """The shared-body LM goes through the same loop and checkpoints: a run that dies right after a
    checkpoint (every language's position, hidden state, the RNGs saved) and is resumed ends exactly
    where an uninterrupted run ends."""
    from conftest import make_language_pair

    from langind.lm.checkpoint import load_multilingual
    from langind.lm.train import LMTrainer, TrainConfig

    a, b, _ = make_language_pair(20, 600, seed=3)
    (tmp_path / "a.txt").write_text("\n".join(a) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(b[:400]) + "\n")  # a shorter text wraps around
    cfg = TrainConfig(corpus={"xa": str(tmp_path / "a.txt"), "xb": str(tmp_path / "b.txt")}, epochs=2,
                      batch_size=8, bptt=20, lr=1e-2, threads=1, progress=False, checkpoint_every=10,
                      valid_fraction=0.1)
    whole = train_lm(tmp_path / "whole", cfg, TINY)

    class Died(Exception):
        pass

    save = LMTrainer.save_checkpoint

    def dies_after_step_20(self):
        save(self)
        if self.state.step >= 20:
            raise Died

    monkeypatch.setattr(LMTrainer, "save_checkpoint", dies_after_step_20)
    with pytest.raises(Died):
        train_lm(tmp_path / "died", cfg, TINY)
    monkeypatch.undo()
    assert not (tmp_path / "died" / "metrics.json").exists()
    resumed = train_lm(tmp_path / "died", TrainConfig(progress=False), resume=True)
    assert resumed["steps"] == whole["steps"] > 20
    assert resumed["best_valid_ppl"] == pytest.approx(whole["best_valid_ppl"], rel=1e-5)
    assert set(resumed["final_valid_ppl_by_lang"]) == {"xa", "xb"}
    model, vocabs = load_multilingual(tmp_path / "died" / "checkpoints" / "best")
    assert model.langs == ["xa", "xb"] and set(vocabs) == {"xa", "xb"}
    with pytest.raises(LangindError, match="multilingual"):
        load_lm(tmp_path / "died" / "checkpoints" / "best")


def test_a_bad_corpus_fails_before_the_run_directory_is_made(tmp_path):
    for spec in [str(tmp_path / "missing.txt"), "reversed:"]:
        with pytest.raises(LangindError):
            train_lm(tmp_path / "run", TrainConfig(corpus=spec, progress=False))
        assert not (tmp_path / "run").exists()
