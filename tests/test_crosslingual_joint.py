"""langind.crosslingual.joint: the shared-body multilingual LM aligns two languages it only saw monolingually."""

from __future__ import annotations

from conftest import PAIR_LM, make_language_pair

from langind.crosslingual.joint import evaluate_joint, joint_config, train_joint


def test_joint_lm_learns_a_planted_mapping(tmp_path):
    a, b, d = make_language_pair(40, 6000, seed=2)
    (tmp_path / "a.txt").write_text("\n".join(a) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(b) + "\n")
    (tmp_path / "dict.txt").write_text("\n".join(d) + "\n")
    cfg = joint_config("xa", "xb", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), model=PAIR_LM, minutes=None,
                       epochs=3, batch_size=16, bptt=20, lr=1e-2, threads=1, progress=False)
    train_joint(cfg, tmp_path / "run", echo=lambda m: None)
    res = evaluate_joint(tmp_path / "run", "xa", "xb", tmp_path / "dict.txt", top=100)
    assert res["csls"]["evaluated"] == 40
    assert res["csls"]["P@1"] >= 0.8, res["csls"]
    assert (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().startswith("source\ttarget\tscore\n")
