"""langind.lm.checkpoint: damaged, mismatched and half-swapped checkpoints."""

from __future__ import annotations

import json
import shutil

from conftest import (
    one_line_error,
    run_cli,
)

from langind.lm.checkpoint import load_lm


def test_corrupted_and_truncated_checkpoints(trained, tmp_path):
    ck = tmp_path / "ck"
    shutil.copytree(trained[0] / "checkpoints" / "best", ck)
    w = ck / "model.safetensors"
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    one_line_error(run_cli("lm", "generate", str(ck), "the"), "corrupted or truncated")
    w.write_bytes(b"\xff" * 64)
    one_line_error(run_cli("lm", "eval", str(ck), "--corpus", "/dev/null"), "corrupted or truncated")
    (ck / "lm_config.json").write_text("{")
    one_line_error(run_cli("lm", "generate", str(ck), "the"), "not valid JSON")


def test_vocab_checkpoint_mismatch(trained, tmp_path):
    ck = tmp_path / "ck"
    shutil.copytree(trained[0] / "checkpoints" / "best", ck)
    v = json.loads((ck / "vocab.json").read_text())
    v["itos"] = v["itos"][:-1]
    v["counts"] = v["counts"][:-1]
    (ck / "vocab.json").write_text(json.dumps(v))
    one_line_error(run_cli("lm", "generate", str(ck), "the"), "does not match checkpoint")


def test_interrupted_swap_falls_back_to_old_copy(trained, tmp_path):
    base = tmp_path / "checkpoints"
    shutil.copytree(trained[0] / "checkpoints" / "best", base / "best.old")
    model, vocab = load_lm(base / "best")  # "best" itself is gone: the rename was interrupted
    assert len(vocab) == trained[1]["vocab_size"]


def test_trained_reversed_reads_the_runs_corpus(tmp_path):
    from langind.lm.checkpoint import trained_reversed
    from langind.runs import atomic_write_json

    for name, corpus, expected in [("fwd", "web", False), ("back", "reversed:web", True)]:
        (tmp_path / name).mkdir()
        atomic_write_json(tmp_path / name / "config.json", {"command": "lm train", "train": {"corpus": corpus}})
        assert trained_reversed(tmp_path / name) is expected
    assert trained_reversed(tmp_path) is None  # no config: a bare checkpoint directory says nothing
