"""langind.crosslingual.align: the baselines on planted problems (a space and a rotated, permuted, noisy copy)."""

from __future__ import annotations

import numpy as np
import pytest

from langind.crosslingual import align
from langind.crosslingual.embeddings import read_word2vec, write_word2vec
from langind.crosslingual.lexicon import read_lexicon
from langind.errors import LangindError
from langind.evaluation.bli import bli_precision
from langind.experiments.align import AlignConfig, align_files
from langind.similarity import normalize


def planted_pair(n=400, d=40, noise=0.02, seed=0):
    """Anisotropic clustered vectors (like real embeddings) and an orthogonally rotated noisy copy."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, d)) * np.linspace(2.0, 0.2, d)
    x = centres[rng.integers(0, 20, n)] + rng.normal(size=(n, d)) * np.linspace(1.0, 0.1, d)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    z = x @ q + noise * rng.normal(size=x.shape)
    return x, z


def top1(xw, zw):
    return float(np.mean((normalize(xw) @ normalize(zw).T).argmax(axis=1) == np.arange(len(xw))))


def test_procrustes_recovers_a_rotation():
    x, z = planted_pair(noise=0.0)
    idx = np.arange(len(x))
    w = align.procrustes(x, z, idx, idx)
    assert np.allclose(w @ w.T, np.eye(w.shape[0]), atol=1e-8)
    assert np.allclose(x @ w, z, atol=1e-6)


def test_vecmap_unsupervised_recovers_planted_mapping():
    x, z = planted_pair()
    xw, zw, info = align.vecmap_unsupervised(x, z, patience=5, seed=1)
    assert top1(xw, zw) >= 0.95
    assert info["iterations"] > 1


def test_vecmap_under_a_time_budget_still_ends_without_dropout():
    # a budget far below vecmap's schedule: the run is cut off while keep_prob < 1, so it must end
    # with dropout-free iterations (a map fitted to a 10%-kept dictionary would be mostly noise)
    x, z = planted_pair()
    with pytest.warns(RuntimeWarning, match="stopped before converging"):
        xw, zw, info = align.vecmap_unsupervised(x, z, seed=1, time_limit=1e-6)
    assert info["iterations"] == 1 and not info["converged"] and info["finishing_iterations"] == 5
    assert top1(xw, zw) >= 0.95


def test_vecmap_identical_init_needs_word_lists():
    x, z = planted_pair(n=50)
    with pytest.raises(LangindError, match="word lists"):
        align.vecmap_unsupervised(x, z, init="identical")


def test_vecmap_from_a_seed_dictionary_recovers_planted_mapping():
    # semi-supervised mode: 40 known pairs (10% of the words), target rows shuffled
    x, z = planted_pair()
    perm = np.random.default_rng(3).permutation(len(z))
    src_words = [f"s{i}" for i in range(len(x))]
    tgt_words = [f"t{i}" for i in perm]  # row j of z[perm] is the translation of s{perm[j]}
    seed = {f"s{i}": [f"t{i}"] for i in range(0, 400, 10)} | {"absent": ["t1"], "s1": ["absent"]}
    pairs = align.dictionary_pairs(src_words, tgt_words, seed)
    assert len(pairs[0]) == 40 and all(tgt_words[j] == "t" + src_words[i][1:] for i, j in zip(*pairs))
    xw, zw, info = align.vecmap_unsupervised(x, z[perm], init="seed", seed_pairs=pairs, keep_prob=1.0, patience=5)
    best = (normalize(xw) @ normalize(zw).T).argmax(axis=1)
    assert np.mean(perm[best] == np.arange(len(x))) >= 0.95
    with pytest.raises(LangindError, match="no seed-dictionary pair"):
        align.dictionary_pairs(src_words, tgt_words, {"x": ["y"]})


@pytest.mark.filterwarnings("ignore:Sinkhorn did not converge")  # POT's inner loop, on every outer GW step
def test_gromov_wasserstein_procrustes_recovers_planted_mapping():
    x, z = planted_pair()
    # GW is non-convex: the starting coupling (seed) picks the basin; seed 0 finds the planted one
    xw, zw, info = align.gromov_wasserstein_procrustes(x, z, n=400, epsilon=2e-3, refine_vocab=400, seed=0)
    assert top1(xw, zw) >= 0.95
    assert info["seed_pairs"] == 800


def test_identical_strings_reads_out_only_twins():
    xw, zw, info = align.identical_strings(["dios", "a", "israel"], ["god", "israel", "a"])
    best = (xw @ zw.T).argmax(axis=1)
    assert info["pairs"] == 2
    assert best[1] == 2 and best[2] == 1
    with pytest.raises(LangindError, match="share no word"):
        align.identical_strings(["x"], ["y"])


def test_dimension_mismatch_is_a_clear_error():
    with pytest.raises(LangindError, match="different dimensions"):
        align.vecmap_unsupervised(np.ones((5, 3)), np.ones((5, 4)))


@pytest.mark.filterwarnings("ignore:Sinkhorn did not converge")
def test_gromov_wasserstein_retries_with_a_larger_epsilon_when_sinkhorn_overflows(monkeypatch):
    import ot

    real = ot.gromov.entropic_gromov_wasserstein
    tried = []

    def overflowing_below(limit):
        def solver(*args, epsilon, **kwargs):
            tried.append(epsilon)
            t = real(*args, epsilon=epsilon, **kwargs)
            return np.full_like(t, np.nan) if epsilon < limit else t
        return solver

    x, z = planted_pair()
    monkeypatch.setattr(ot.gromov, "entropic_gromov_wasserstein", overflowing_below(4e-3))
    with pytest.warns(RuntimeWarning, match="diverged with epsilon 0.002"):
        xw, zw, info = align.gromov_wasserstein_procrustes(x, z, n=400, epsilon=2e-3, refine_vocab=400, seed=0)
    assert tried == [2e-3, 1e-2] and info["epsilon"] == 1e-2
    assert top1(xw, zw) >= 0.95
    monkeypatch.setattr(ot.gromov, "entropic_gromov_wasserstein", overflowing_below(1.0))
    with pytest.raises(LangindError, match="pass a larger epsilon"), pytest.warns(RuntimeWarning, match="diverged"):
        align.gromov_wasserstein_procrustes(x, z, n=100, epsilon=2e-3, max_iter=2)


def test_align_files_writes_spaces_that_evaluate(tmp_path):
    x, z = planted_pair(n=200, d=20)
    write_word2vec(tmp_path / "s.vec", [f"w{i}" for i in range(200)], x)
    write_word2vec(tmp_path / "t.vec", [f"v{i}" for i in range(200)], z)
    files = [tmp_path / "s.vec", tmp_path / "t.vec", tmp_path / "a.vec", tmp_path / "b.vec"]
    quiet = {"echo": lambda m: None}
    align_files(AlignConfig(method="vecmap"), *files, lexicon=tmp_path / "lex.tsv", **quiet)
    lex = read_lexicon(tmp_path / "lex.tsv")  # the planted mapping, ready for induce cross --init-lexicon
    assert len(lex) == 200 and sum(t == "v" + s[1:] for s, t, _ in lex) >= 198
    sw, sv = read_word2vec(tmp_path / "a.vec")
    tw, tv = read_word2vec(tmp_path / "b.vec")
    d = {f"w{i}": [f"v{i}"] for i in range(200)}
    assert bli_precision(sw, sv, tw, tv, d)["P@1"] >= 0.99
    with pytest.raises(LangindError, match="unknown method"):
        AlignConfig(method="nope")
    with pytest.raises(LangindError, match="vecmap only"):
        AlignConfig(method="gw", seed_dictionary="x")
    (tmp_path / "seed.txt").write_text("".join(f"w{i} v{i}\n" for i in range(0, 200, 10)), encoding="utf-8")
    said = []
    align_files(AlignConfig(seed_dictionary=str(tmp_path / "seed.txt")), *files[:2], tmp_path / "c.vec",
                tmp_path / "d.vec", echo=said.append)
    assert "seeded (not unsupervised): 20 pairs" in said[0]
    (tmp_path / "wrong.txt").write_text("v1 w1\n", encoding="utf-8")  # reversed direction
    with pytest.raises(LangindError, match="check the language direction"):
        align_files(AlignConfig(seed_dictionary=str(tmp_path / "wrong.txt")), *files[:2], tmp_path / "e.vec",
                    tmp_path / "f.vec", **quiet)
    assert not (tmp_path / "e.vec").exists()


def test_a_prior_stays_inside_every_dictionary_step():
    # two unrelated spaces: cosines alone pair words at random, the prior's pairs must still be chosen,
    # and the objective the loop watches stays the cosines' own
    rng = np.random.default_rng(0)
    x, z = normalize(rng.normal(size=(60, 8))), normalize(rng.normal(size=(60, 8)))
    prior = np.zeros((60, 60), dtype=np.float32)
    prior[np.arange(20), np.arange(20)[::-1]] = 5.0
    src, trg, objective = align.csls_dictionary(x, z, prior=prior)
    plain_src, plain_trg, plain_objective = align.csls_dictionary(x, z)
    chosen = set(zip(src.tolist(), trg.tolist()))
    assert {(i, 19 - i) for i in range(20)} <= chosen
    assert len({(i, 19 - i) for i in range(20)} & set(zip(plain_src.tolist(), plain_trg.tolist()))) < 5
    assert objective == pytest.approx(plain_objective)
    # the whole loop, seeded by the prior's pairs, converges with it; a prior of the wrong shape is refused
    xw, zw, info = align.vecmap_unsupervised(x, z, init="seed", seed_pairs=(np.arange(20), np.arange(20)[::-1]),
                                             prior=prior, patience=3)
    assert info["converged"]
    with pytest.raises(LangindError, match="prior is"):
        align.vecmap_unsupervised(x, z, prior=prior[:, :10])
