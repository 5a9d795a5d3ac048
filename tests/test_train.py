"""Training, checkpoints, resume after kill -9, DDP, and the CLI's handling of bad input."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TINY_LM, run_cli

from langind.errors import LangindError
from langind.lm.checkpoint import load_lm
from langind.lm.train import TrainConfig, train_lm

TINY = {"emb_dim": 16, "hidden_dim": 32}


def tiny_cfg(corpus, **kw) -> TrainConfig:
    base = dict(corpus=str(corpus), epochs=2, batch_size=8, bptt=20, threads=1, progress=False,
                checkpoint_every=10, lr=1e-2)
    return TrainConfig(**{**base, **kw})


@pytest.fixture(scope="module")
def trained(tmp_path_factory, toy_corpus):
    out = tmp_path_factory.mktemp("runs") / "lm"
    metrics = train_lm(out, tiny_cfg(toy_corpus), TINY)
    return out, metrics


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


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    r = run_cli("lm", "train", "--resume", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _one_line_error(r, needle):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"), (b"", "empty"), (b"\x00\x01\x02binary\x00", "binary"),
    ("línea uno\nlínea dos\n".encode("latin-1"), "not valid UTF-8"),
])
def test_cli_bad_corpus(tmp_path, content, needle):
    p = tmp_path / "corpus.txt"
    if content is not None:
        p.write_bytes(content)
    r = run_cli("lm", "train", "--corpus", str(p), "--out", str(tmp_path / "run"), *TINY_LM)
    _one_line_error(r, needle)


def test_cli_eval_and_generate(trained):
    r = run_cli("lm", "eval", str(trained[0]))
    assert r.returncode == 0 and "perplexity" in r.stdout, r.stderr
    ppl = float(r.stdout.split("perplexity ")[1].split()[0])
    assert ppl == pytest.approx(trained[1]["best_valid_ppl"], rel=1e-3)
    r = run_cli("lm", "generate", str(trained[0]), "the big", "-n", "8")
    assert r.returncode == 0 and r.stdout.startswith("the big") and len(r.stdout.strip().replace("\n", " <eos> ").split()) == 10


def test_corrupted_and_truncated_checkpoints(trained, tmp_path):
    ck = tmp_path / "ck"
    shutil.copytree(trained[0] / "checkpoints" / "best", ck)
    w = ck / "model.safetensors"
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    _one_line_error(run_cli("lm", "generate", str(ck), "the"), "corrupted or truncated")
    w.write_bytes(b"\xff" * 64)
    _one_line_error(run_cli("lm", "eval", str(ck), "--corpus", "/dev/null"), "corrupted or truncated")
    (ck / "lm_config.json").write_text("{")
    _one_line_error(run_cli("lm", "generate", str(ck), "the"), "not valid JSON")


def test_vocab_checkpoint_mismatch(trained, tmp_path):
    ck = tmp_path / "ck"
    shutil.copytree(trained[0] / "checkpoints" / "best", ck)
    v = json.loads((ck / "vocab.json").read_text())
    v["itos"] = v["itos"][:-1]
    v["counts"] = v["counts"][:-1]
    (ck / "vocab.json").write_text(json.dumps(v))
    _one_line_error(run_cli("lm", "generate", str(ck), "the"), "does not match checkpoint")


def test_interrupted_swap_falls_back_to_old_copy(trained, tmp_path):
    base = tmp_path / "checkpoints"
    shutil.copytree(trained[0] / "checkpoints" / "best", base / "best.old")
    model, vocab = load_lm(base / "best")  # "best" itself is gone: the rename was interrupted
    assert len(vocab) == trained[1]["vocab_size"]


def test_ddp_two_processes_gloo(tmp_path, toy_corpus):
    out = tmp_path / "ddp"
    torchrun = Path(sys.executable).with_name("torchrun")
    cmd = [str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "langind", "lm", "train",
           "--corpus", str(toy_corpus), "--out", str(out), "--epochs", "2", "--lr", "0.01", *TINY_LM]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((out / "metrics.json").read_text())
    assert m["world_size"] == 2
    assert m["ddp_param_max_abs_diff"] == 0.0  # replicas stayed identical
    assert math.isfinite(m["best_valid_ppl"]) and m["best_valid_ppl"] < 12


def test_export_embeddings_and_evaluate_identity(trained, tmp_path):
    """An LM's table against itself, with a word→same-word dictionary: every word is its own NN."""
    vec = tmp_path / "e.vec"
    r = run_cli("embeddings", "export", str(trained[0]), str(vec))
    assert r.returncode == 0, r.stderr
    words = [line.split(" ")[0] for line in vec.read_text().splitlines()[1:]]
    alpha = [w for w in words if w.isalpha()]
    (tmp_path / "d.txt").write_text("".join(f"{w} {w}\n" for w in alpha))
    r = run_cli("evaluate", str(vec), str(vec), "--dictionary", str(tmp_path / "d.txt"), "--retrieval", "nn")
    assert r.returncode == 0, r.stderr
    assert "P@1 1.000" in r.stdout and f"{len(alpha)} words evaluated" in r.stdout
    (tmp_path / "bad.txt").write_text("only-one-field\n")
    _one_line_error(run_cli("evaluate", str(vec), str(vec), "--dictionary", str(tmp_path / "bad.txt")),
                    "expected two words")
