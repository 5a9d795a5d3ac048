"""langind.evaluation.bli: dictionaries, CSLS retrieval and P@k."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import BENCH, bench_module

from langind.errors import LangindError


def test_csls_and_precision_on_a_hand_checked_fixture(tmp_path):
    """Three source and three target words in 2-D; every number below is worked out by hand.

    Unit vectors: s0=(1,0) s1=(0,1) s2=(.6,.8); t0=(1,0) t1=(0,1) t2=(.8,.6).
    Cosines s·t: s0: [1, 0, .8]; s1: [0, 1, .6]; s2: [.6, .8, .96].
    NN: s0→t0, s1→t1, s2→t2.
    CSLS (k=1): r_S(t) = max_s cos = [1, 1, .96]; 2cos−r: s0: [1, −1, .64]; s1: [−1, 1, .24];
    s2: [.2, .6, .96]. With the dictionary below, P@1 = 2/3 and P@2 = 1 (vecmap's protocol).
    """
    from langind.evaluation.bli import bli_precision, load_dictionary, retrieval_scores

    src = np.array([[1, 0], [0, 1], [0.6, 0.8]])
    tgt = np.array([[1, 0], [0, 1], [0.8, 0.6]])
    csls = retrieval_scores(src, src, tgt, "csls", k=1)
    np.testing.assert_allclose(csls, [[1, -1, 0.64], [-1, 1, 0.24], [0.2, 0.6, 0.96]], atol=1e-12)
    d = tmp_path / "d.txt"
    # s0 is right (t0); s1's gold is t2 (wrong, t1 is nearest); s2 has gold t1 and t2 (right);
    # "zz" is not in the source vocab and "s0 qq" has no target in vocab: coverage 3/4.
    d.write_text("s0 t0\ns1 t2\ns2 t1\ns2 t2\nzz t0\ns0 qq\n")
    res = bli_precision(["s0", "s1", "s2"], src, ["t0", "t1", "t2"], tgt, load_dictionary(d), "nn", ks=(1, 2))
    assert res["evaluated"] == 3 and res["coverage"] == pytest.approx(3 / 4)
    assert res["P@1"] == pytest.approx(2 / 3)
    assert res["P@2"] == pytest.approx(1.0)  # s1's second choice by cosine is t2 (.6)


def test_dictionary_errors_and_accent_folding(tmp_path):
    from langind.corpus import fold_accents
    from langind.evaluation.bli import bli_precision, load_dictionary

    bad = tmp_path / "bad.txt"
    bad.write_text("water agua\nat dawn al alba\n")
    with pytest.raises(LangindError, match=r"bad.txt:2: expected two words"):
        load_dictionary(bad)
    assert fold_accents("fué") == "fue" and fold_accents("Á") == "A"
    d = tmp_path / "d.txt"
    d.write_text("was fue\n")
    emb = np.eye(2)
    with pytest.raises(LangindError, match="zero overlap"):
        bli_precision(["was", "is"], emb, ["fué", "es"], emb, load_dictionary(d), "nn")
    res = bli_precision(["was", "is"], emb, ["fué", "es"], emb, load_dictionary(d), "nn", fold=True)
    assert res["P@1"] == 1.0 and res["fold_accents"] is True


def test_grouped_precision_scores_each_group_of_rows_on_its_own():
    from langind.evaluation.bli import grouped_precision

    gold = {0: {0}, 1: {5}, 2: {2, 3}, 4: {4}}  # row 3 has no test pair
    first = np.array([0, 1, 3, 9, 4])
    out = grouped_precision(first, gold, ["a", "a", "b", "b", "c"])
    assert out == {"a": {"words": 2, "evaluated": 2, "P@1": 0.5}, "b": {"words": 2, "evaluated": 1, "P@1": 1.0},
                   "c": {"words": 1, "evaluated": 1, "P@1": 1.0}}
    assert grouped_precision(first, {}, ["a"] * 5) == {"a": {"words": 5, "evaluated": 0, "P@1": None}}


@pytest.mark.slow
def test_bli_benchmark_runs_a_check_pair_only_when_named(tmp_path):
    """`benchmarks/bli.py --corpora fortunes-es-bible-en`: a check pair runs in the benchmark's JSON
    layout (corpora → pair → methods, each with its family, P@k, seconds and confidence); the
    default run leaves the check pairs out."""
    import json
    import subprocess

    out = tmp_path / "bli.json"
    r = subprocess.run([sys.executable, str(BENCH / "bli.py"), "--corpora", "fortunes-es-bible-en",
                        "--directions", "es-en", "--skip-joint", "--rows", "=orthography (spelling alone)",
                        "--work", str(tmp_path / "w"), "--out", str(out)],
                       capture_output=True, text=True, timeout=600, cwd=BENCH)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert list(res["corpora"]) == ["fortunes-es-bible-en"] and list(res["corpora"]["fortunes-es-bible-en"]) == ["es-en"]
    pair = res["corpora"]["fortunes-es-bible-en"]["es-en"]
    row = pair["methods"]["orthography (spelling alone)"]
    assert list(pair["methods"]) == ["orthography (spelling alone)"] and pair["test_words"] > 500
    assert row["family"] == "orthography" and 0.0 < row["P@1"] <= row["P@10"] <= 1.0 and row["seconds"] > 0
    assert "estimate" in row["confidence"][0] and row["apertium"]["test_words"] > 500
    bli = bench_module("bli")
    assert set(bli.DEFAULT_CORPORA) == {"bible", "bible-disjoint", "fortunes"} < set(bli.CORPORA)
    # a row's family is what it ran: auto after the decipherment with spelling is `lm`, as the cipher row is
    fallback = {"family": "orthography", "auto": {"aligner_works": False}}
    assert bli.row_family("auto", fallback) == bli.row_family("cipher", {"family": "orthography"}) == "lm"
    assert bli.row_family("auto", {"family": "lm", "auto": {"aligner_works": True}}) == "lm"
    assert bli.row_family("cipher", {"family": "ablation"}) == "ablation"
    assert bli.row_family("orthography", {"family": "orthography"}) == "orthography"


def test_bli_benchmark_plan_presets_and_overrides(tmp_path):
    """What `benchmarks/bli.py` runs: the default preset is the targets' rows (Bible pairs es→en, the
    different-stories pair both ways, every family with its ablation); `--rows` replaces the preset
    on every pair and both directions; `--corpora`/`--directions` override; every preset row name is
    a row the benchmark builds (a misspelt name would silently run nothing)."""
    import argparse
    import re

    bli = bench_module("bli")

    def plan(**kw):
        return bli.plan(argparse.Namespace(**{"corpora": None, "rows": None, "directions": None,
                                              "preset": "targets", **kw}))

    p = plan()
    assert list(p) == list(bli.DEFAULT_CORPORA)
    assert p["bible"]["directions"] == p["bible-disjoint"]["directions"] == ["es-en"]
    assert p["fortunes"]["directions"] == ["es-en", "en-es"]
    rows = p["fortunes"]["rows"]
    assert "auto: the default pipeline" in rows and "cipher: bigram LM, no orthography" in rows
    for lm in [r for r in rows if r.endswith("bigram LM") and r.startswith(("in-context", "cipher"))]:
        assert lm.replace("bigram LM", "unigram (no context)") in rows  # each LM row has its ablation
    assert not any(r.startswith("cipher") for r in p["bible"]["rows"])
    assert plan(corpora=["bible-es-fortunes-en"])["bible-es-fortunes-en"]["rows"] == rows
    assert plan(rows=["auto"]) == {c: {"directions": ["es-en", "en-es"], "rows": None} for c in bli.DEFAULT_CORPORA}
    assert plan(directions=["en-es"])["bible"]["directions"] == ["en-es"]
    assert all(v["rows"] is None for v in plan(preset="all").values())
    # every name a preset lists is built by run_seed (literal names or the in-context / cipher patterns)
    src = (BENCH / "bli.py").read_text(encoding="utf-8")
    built = set(re.findall(r'"((?:cipher|auto|orthography|vecmap|identical)[^"]*)"', src)) | {"coocmap-drop", "coocmap-grow"}
    built |= {f"in-context: {v} + {k}" for v in ("coocmap-drop", "coocmap-grow")
              for k in ("bigram LM", "unigram (no context)")}
    assert set(rows) | set(p["bible"]["rows"]) <= built
    # a run asks its plan which rows to build; --neural adds the neural rows to the preset's
    for neural in (False, True):
        run = bli.SeedRun(0, argparse.Namespace(work=str(tmp_path), corpora=None, rows=None, directions=None,
                                                preset="targets", neural=neural), lambda m: None)
        assert run.wanted("fortunes", "auto: the default pipeline") and not run.wanted("fortunes", "joint LM")
        assert run.wanted("fortunes", "in-context: orthography + neural LM, both directions") is neural
        assert run.wanted("bible", "in-context: coocmap-grow + neural LM") is neural  # the bigram rows' twins
        assert not run.wanted("bible", "cipher: orthography + bigram LM")


@pytest.mark.slow
def test_incontext_beta_benchmark_layout(tmp_path):
    """`benchmarks/incontext_beta.py` on a small vocabulary: each LM at each β of the grid, the β its
    held-out likelihood chooses, and the context's gain at equal β and at each LM's own choice."""
    import json
    import subprocess

    out = tmp_path / "ib.json"
    r = subprocess.run([sys.executable, str(BENCH / "incontext_beta.py"), "--corpora", "bible-disjoint", "--top", "300",
                        "--betas", "1", "10", "--out", str(out)],
                       capture_output=True, text=True, timeout=600, cwd=BENCH)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    assert res["betas"] == [1.0, 10.0] and res["candidates"] == "coocmap-grow" and res["top"] == 300
    p = res["pairs"]["bible-disjoint"]["es-en"]
    big, uni = p["lms"]["bigram"], p["lms"]["unigram"]
    assert set(big["P@1"]) == set(uni["heldout_loglik"]) == {"1", "10"} and p["test_words"] > 50
    for lm in (big, uni):
        assert lm["chosen_beta"] == max(lm["heldout_loglik"], key=lm["heldout_loglik"].get)
        assert all(0.0 <= lm["P@1"][b] <= lm["P@10"][b] <= 1.0 for b in lm["P@1"])
    assert p["context_gain"]["10"] == round(big["P@1"]["10"] - uni["P@1"]["10"], 4)
    assert p["chosen_gain"] == round(big["P@1"][big["chosen_beta"]] - uni["P@1"][uni["chosen_beta"]], 4)
    assert "context gain" in r.stdout and "bible-disjoint es-en" in r.stdout
    bad = subprocess.run([sys.executable, str(BENCH / "incontext_beta.py"), "--betas", "0"],
                         capture_output=True, text=True, timeout=60, cwd=BENCH)
    assert bad.returncode != 0 and "--betas must be positive" in bad.stderr
    bad = subprocess.run([sys.executable, str(BENCH / "incontext_beta.py"), "--top", "6000"],
                         capture_output=True, text=True, timeout=60, cwd=BENCH)
    assert bad.returncode != 0 and "--top must be in" in bad.stderr
