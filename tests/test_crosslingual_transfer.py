"""langind.crosslingual.transfer: swap, decipher and hybrid on a planted language pair."""

from __future__ import annotations

import random

import pytest

from langind.crosslingual.lexicon import read_lexicon
from langind.crosslingual.transfer import TransferConfig
from langind.errors import LangindError
from langind.induction.transfer import transfer
from langind.mapping.fit import FitConfig


def steps(n: int) -> dict:
    """A step budget, small batches, one thread, quiet."""
    return {"fit": FitConfig(scramble="both", minutes=None, max_steps=n, batch_size=16, bptt=20, eval_every=None,
                             progress=False), "threads": 1}


def test_hybrid_refinement_corrects_a_noisy_lexicon(pair, target_lm, tmp_path):
    # about half of the starting lexicon is wrong; reading the source text through the frozen
    # target LM must repair most of it (the LM loss adds what the starting lexicon lacks)
    rng = random.Random(0)
    rows = [f"w{i}\tv{i if rng.random() > 0.5 else rng.randrange(40)}\t1.0" for i in range(40)]
    (tmp_path / "noisy.tsv").write_text("source\ttarget\tscore\n" + "\n".join(rows) + "\n")
    cfg = TransferConfig(method="hybrid", lm=str(target_lm), src_corpus=str(pair / "a.txt"),
                         init_lexicon=str(tmp_path / "noisy.tsv"), **steps(300))
    r = transfer(cfg, tmp_path / "run", "xa", "xb", pair / "dict.txt", top=100, echo=lambda m: None)
    assert r["csls"]["evaluated"] == 40
    assert r["start_csls"]["P@1"] <= 0.7
    assert r["csls"]["P@1"] >= 0.8, (r["start_csls"], r["csls"])
    lex = read_lexicon(tmp_path / "run" / "lexicon.xa-xb.tsv")
    assert len(lex) == 40 and all(t.startswith("v") for _, t, _ in lex)
    assert (tmp_path / "run" / "report.md").read_text().startswith("# Cross-lingual xa→xb")


def test_swap_of_a_models_own_table_starts_and_stays_exact(pair, target_lm, tmp_path):
    # the plain swap (A = identity) of the LM's own embeddings is the true mapping
    cfg = TransferConfig(method="swap", lm=str(target_lm), src_lm=str(target_lm), src_corpus=str(pair / "b.txt"),
                         **steps(100))
    own = tmp_path / "own.txt"
    own.write_text("\n".join(f"v{i} v{i}" for i in range(40)) + "\n")
    r = transfer(cfg, tmp_path / "run", "xb", "xb", own, top=100, echo=lambda m: None)
    assert r["start_csls"]["P@1"] == 1.0 and r["csls"]["P@1"] >= 0.95


def test_transfer_config_errors():
    with pytest.raises(LangindError, match="--src-lm"):
        TransferConfig(method="swap", lm="x")
    with pytest.raises(LangindError, match="--init-lexicon"):
        TransferConfig(method="hybrid", lm="x")
    with pytest.raises(LangindError, match="unknown method"):
        TransferConfig(method="magic", lm="x")
    with pytest.raises(LangindError, match="not swap"):
        TransferConfig(method="swap", lm="x", src_lm="y", fit=FitConfig(anchor=1.0))
