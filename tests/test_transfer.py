"""Cross-lingual transfer through a frozen LM (swap, decipher, hybrid) on a planted language pair."""

from __future__ import annotations

import random

import pytest
from conftest import make_language_pair, run_cli

from langind.crosslingual.lexicon import read_lexicon
from langind.crosslingual.transfer import TransferConfig, transfer
from langind.errors import LangindError
from langind.lm.train import TrainConfig, train_lm

TINY = {"emb_dim": 32, "hidden_dim": 64, "n_layers": 2}
STEPS = {"minutes": None, "batch_size": 16, "bptt": 20, "threads": 1, "progress": False}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Languages a (source) and b (target, renamed words + order noise) and an LM trained on b."""
    root = tmp_path_factory.mktemp("pair")
    a, b, d = make_language_pair(40, 6000, seed=2)
    (root / "a.txt").write_text("\n".join(a) + "\n")
    (root / "b.txt").write_text("\n".join(b) + "\n")
    (root / "dict.txt").write_text("\n".join(d) + "\n")
    train_lm(root / "lm-b", TrainConfig(corpus=str(root / "b.txt"), max_vocab=None, epochs=3, batch_size=16, bptt=20,
                                        lr=1e-2, threads=1, progress=False, checkpoint_every=10**6), TINY)
    return root


def test_hybrid_refinement_corrects_a_noisy_lexicon(pair, tmp_path):
    # about half of the starting lexicon is wrong; reading the source text through the frozen
    # target LM must repair most of it (the LM loss adds what the starting lexicon lacks)
    rng = random.Random(0)
    rows = [f"w{i}\tv{i if rng.random() > 0.5 else rng.randrange(40)}\t1.0" for i in range(40)]
    (tmp_path / "noisy.tsv").write_text("source\ttarget\tscore\n" + "\n".join(rows) + "\n")
    cfg = TransferConfig(method="hybrid", lm=str(pair / "lm-b"), src_corpus=str(pair / "a.txt"),
                         init_lexicon=str(tmp_path / "noisy.tsv"), max_steps=300, **STEPS)
    r = transfer(cfg, tmp_path / "run", "xa", "xb", pair / "dict.txt", top=100, echo=lambda m: None)
    assert r["csls"]["evaluated"] == 40
    assert r["start_csls"]["P@1"] <= 0.7
    assert r["csls"]["P@1"] >= 0.8, (r["start_csls"], r["csls"])
    lex = read_lexicon(tmp_path / "run" / "lexicon.xa-xb.tsv")
    assert len(lex) == 40 and all(t.startswith("v") for _, t, _ in lex)
    assert (tmp_path / "run" / "report.md").read_text().startswith("# Cross-lingual xa→xb")


def test_swap_of_a_models_own_table_starts_and_stays_exact(pair, tmp_path):
    # the plain swap (A = identity) of the LM's own embeddings is the true mapping
    cfg = TransferConfig(method="swap", lm=str(pair / "lm-b"), src_lm=str(pair / "lm-b"), src_corpus=str(pair / "b.txt"),
                         max_steps=100, **STEPS)
    own = tmp_path / "own.txt"
    own.write_text("\n".join(f"v{i} v{i}" for i in range(40)) + "\n")
    r = transfer(cfg, tmp_path / "run", "xb", "xb", own, top=100, echo=lambda m: None)
    assert r["start_csls"]["P@1"] == 1.0 and r["csls"]["P@1"] >= 0.95


def test_anchor_holds_vectors_near_their_start(pair):
    # the same 60 steps through the frozen LM, with and without the anchor: the anchored vectors
    # must stay much closer to where they started, and the anchor needs the vector head
    import numpy as np
    import torch

    from langind.mapping.fit import DecipherConfig, load_frozen_lm, train_head
    from langind.mapping.heads import make_head

    lm, vocab, device = load_frozen_lm(str(pair / "lm-b"), "cpu", seed=0, threads=1)
    ids = np.random.default_rng(0).integers(vocab.n_specials, len(vocab), size=4000)
    drift = {}
    for anchor in (0.0, 100.0):
        torch.manual_seed(0)
        head = make_head("vector", lm.input_table, lm.out_bias, len(vocab), init="random")
        assert head.drift(torch.as_tensor(ids[:50])).item() == 0.0
        cfg = DecipherConfig(mode="both", minutes=None, max_steps=60, batch_size=16, bptt=20, lr=1e-2,
                             progress=False, anchor=anchor)
        train_head(lm, head, ids, ids, cfg, device=device)
        drift[anchor] = head.drift(torch.as_tensor(ids)).item()
    assert drift[0.0] > 0 and drift[100.0] < 0.2 * drift[0.0], drift
    linear = make_head("linear", lm.input_table, lm.out_bias, len(vocab))
    with pytest.raises(LangindError, match="vector head"):
        train_head(lm, linear, ids, ids, DecipherConfig(max_steps=1, minutes=None, anchor=1.0, progress=False))
    with pytest.raises(LangindError, match="anchor must be"):
        DecipherConfig(anchor=-1.0)


def test_transfer_config_errors():
    with pytest.raises(LangindError, match="--src-lm"):
        TransferConfig(method="swap", lm="x")
    with pytest.raises(LangindError, match="--init-lexicon"):
        TransferConfig(method="hybrid", lm="x")
    with pytest.raises(LangindError, match="unknown method"):
        TransferConfig(method="magic", lm="x")
    with pytest.raises(LangindError, match="not swap"):
        TransferConfig(method="swap", lm="x", src_lm="y", anchor=1.0)


def test_read_lexicon_rejects_bad_lines(tmp_path):
    p = tmp_path / "lex.tsv"
    p.write_text("source\ttarget\tscore\nuno\tone\t0.5\ndos two\n")
    with pytest.raises(LangindError, match=r"lex.tsv:3: expected"):
        read_lexicon(p)
    p.write_text("uno\tone\tmuch\n")
    with pytest.raises(LangindError, match="not a number"):
        read_lexicon(p)


def test_cli_decipher_writes_lexicon_and_evaluates(pair, tmp_path):
    r = run_cli("induce", "cross", "--method", "decipher", "--src", "xa", "--tgt", "xb",
                "--src-corpus", str(pair / "a.txt"), "--tgt-corpus", str(pair / "b.txt"), "--lm", str(pair / "lm-b"),
                "--dictionary", str(pair / "dict.txt"), "--minutes", "0.05", "--threads", "1", "--quiet",
                "--out", str(tmp_path / "run"))
    assert r.returncode == 0, r.stderr
    assert "decipher xa->xb csls" in r.stdout
    for name in ("lexicon.xa-xb.tsv", "vectors.xa.vec", "vectors.xb.vec", "metrics.json", "report.md"):
        assert (tmp_path / "run" / name).is_file(), name


def test_cli_hybrid_rejects_a_lexicon_of_the_wrong_languages(pair, tmp_path):
    (tmp_path / "lex.tsv").write_text("uno\tone\t1.0\n")
    r = run_cli("induce", "cross", "--method", "hybrid", "--src", "xa", "--tgt", "xb",
                "--src-corpus", str(pair / "a.txt"), "--lm", str(pair / "lm-b"), "--init-lexicon", str(tmp_path / "lex.tsv"),
                "--dictionary", str(pair / "dict.txt"), "--minutes", "0.05", "--threads", "1", "--quiet",
                "--out", str(tmp_path / "run"))
    assert r.returncode == 2 and "shares no word pair" in r.stderr and "Traceback" not in r.stderr
