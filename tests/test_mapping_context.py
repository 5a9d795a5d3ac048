"""langind.mapping.context: the frozen LM re-assigning scrambled words by their contexts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import markov_lm_with_heldout

from langind.errors import LangindError
from langind.evaluation.recovery import recovery_metrics
from langind.experiments.self_recovery import RecoveryConfig, read_out, setup
from langind.experiments.self_recovery import fit as fit_stage
from langind.lm.model import LMConfig, WordLM
from langind.mapping import readout
from langind.mapping.context import (
    ContextConfig,
    context_scores,
    reversed_scores,
    right_scores,
    successor_table,
)
from langind.mapping.fit import FitConfig


def tiny_lm_and_text(seed: int, V: int = 12, n_src: int = 9):
    """An untrained one-layer LM over ``V`` words, a 90-token text of ``n_src`` source ids and a random
    decoding of them: what the context scores' brute-force checks run on."""
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16, n_layers=1), V).freeze()
    rng = np.random.default_rng(seed)
    return lm, rng.integers(0, n_src, size=90), rng.integers(0, V, size=n_src), rng


def test_context_scores_sum_the_lms_log_probabilities_per_source_word():
    V, n_src = 12, 9
    lm, src, decode, _ = tiny_lm_and_text(0, V, n_src)
    got = context_scores(lm, src, decode, n_src, batch_size=3, bptt=7)
    # brute force: each of the 3 rows read whole, every prediction added to its source word's row
    want = np.zeros((n_src, V))
    rows = src[: len(src) // 3 * 3].reshape(3, -1)
    with torch.no_grad():
        for row in rows:
            logits, _, _ = lm(torch.as_tensor(decode[row][None, :-1]))
            lp = torch.log_softmax(logits[0], -1).numpy()
            for t, f in enumerate(row[1:]):
                want[f] += lp[t]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_right_scores_sum_the_successor_table_over_each_words_next_decoded_word():
    torch.manual_seed(1)
    V, n_src = 10, 7
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16, n_layers=1), V).freeze()
    B = successor_table(lm, start_id=1, chunk=3)
    with torch.no_grad():
        logits, _, _ = lm(torch.tensor([[1, 4]]))
    np.testing.assert_allclose(B[4], torch.log_softmax(logits[0, 1], -1).numpy(), rtol=1e-5, atol=1e-6)
    rng = np.random.default_rng(1)
    src, decode = rng.integers(0, n_src, size=40), rng.integers(0, V, size=n_src)
    want = np.zeros((n_src, V))
    for t in range(len(src) - 1):
        want[src[t]] += B[:, decode[src[t + 1]]]
    np.testing.assert_allclose(right_scores(src, decode, B, n_src), want, rtol=1e-5, atol=1e-4)


def test_reversed_scores_read_the_text_backwards_in_the_right_lms_ids():
    V, n_src = 12, 9
    lm, src, decode, rng = tiny_lm_and_text(1, V, n_src)
    backwards = context_scores(lm, src[::-1].copy(), decode, n_src, batch_size=3, bptt=7)
    np.testing.assert_allclose(reversed_scores(lm, np.arange(V), src, decode, n_src, batch_size=3, bptt=7), backwards,
                               rtol=1e-5, atol=1e-5)
    # the right LM numbers the words differently: the text is decoded into its ids and the scores come
    # back in the mapping's
    perm = rng.permutation(V)
    got = reversed_scores(lm, perm, src, decode, n_src, batch_size=3, bptt=7)
    want = context_scores(lm, src[::-1].copy(), perm[decode], n_src, batch_size=3, bptt=7)[:, perm]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_context_config_is_validated():
    with pytest.raises(LangindError):
        ContextConfig(rounds=0)
    with pytest.raises(LangindError):
        ContextConfig(head_temperature=0)
    with pytest.raises(LangindError):
        ContextConfig(right_weight=-1)
    with pytest.raises(LangindError):
        ContextConfig(max_seconds=0)


@pytest.fixture(scope="module")
def zipf_lm(tmp_path_factory):
    """An LM of a 150-word Markov language with Zipfian frequencies: rare words are seen rarely."""
    return markov_lm_with_heldout(tmp_path_factory.mktemp("zipf"), 150, 12000, n_train=7000, seed=4)


def test_context_step_lifts_rare_words_over_the_head_alone(zipf_lm):
    """A short head run learns the frequent words; the frozen LM, reading the decoded text, then
    recovers rare words the head got wrong (words ranked 50-150 of 150)."""
    fit = FitConfig(scramble="both", minutes=None, max_steps=150, batch_size=16, bptt=20, progress=False, eval_every=None)
    cfg = RecoveryConfig(lm=str(zipf_lm / "lm"), head="vector", init="counts", text=str(zipf_lm / "heldout.txt"),
                         fit=fit, threads=1, pipeline="head+context", context=ContextConfig(rounds=4))
    pb = setup(cfg)
    head, _, _ = fit_stage(cfg, pb, echo=lambda m: None)
    scores, assign, stages = read_out(cfg, pb, head, echo=lambda m: None)
    bands = ("50-150", "all")
    hs = head.scores().numpy()
    rows = np.flatnonzero(pb.present & (pb.truth >= 0))
    head_assign = readout.assignment(hs, rows=rows, cols=np.arange(pb.vocab.n_specials, len(pb.vocab)))
    before = recovery_metrics(hs, pb.truth, pb.ranks, pb.src_counts, head_assign, bands=bands)
    assert stages["head_bands"]["all"]["assign"] == pytest.approx(before["all"]["assign"])
    after = recovery_metrics(scores, pb.truth, pb.ranks, pb.src_counts, assign, bands=bands)
    assert after["50-150"]["assign"] >= before["50-150"]["assign"] + 0.15, (before, after)
    assert after["50-150"]["hit@1"] >= before["50-150"]["hit@1"] + 0.15, (before, after)
    assert after["all"]["assign"] > before["all"]["assign"]
    assert 1 <= len(stages["context"]["rounds"]) <= 4


def test_a_right_to_left_lm_joins_the_context_step(zipf_lm):
    """The same run with a right-to-left LM of the language (trained on the reversed text) reading the
    decoded text backwards: still lifts the rare words; an LM of the wrong direction is refused."""
    from conftest import PAIR_LM

    from langind.lm.train import TrainConfig, train_lm

    right = zipf_lm / "lm-reversed"
    if not right.exists():
        train_lm(right, TrainConfig(corpus=f"reversed:{zipf_lm / 'train.txt'}", epochs=3, batch_size=16, bptt=20,
                                    lr=1e-2, threads=1, progress=False, valid_fraction=0.05), PAIR_LM)
    fit = FitConfig(scramble="both", minutes=None, max_steps=150, batch_size=16, bptt=20, progress=False, eval_every=None)
    cfg = RecoveryConfig(lm=str(zipf_lm / "lm"), head="vector", init="counts", text=str(zipf_lm / "heldout.txt"),
                         fit=fit, threads=1, pipeline="head+context", context=ContextConfig(rounds=4),
                         right_lm=str(right))
    pb = setup(cfg)
    head, _, _ = fit_stage(cfg, pb, echo=lambda m: None)
    scores, assign, stages = read_out(cfg, pb, head, echo=lambda m: None)
    hs = head.scores().numpy()
    rows = np.flatnonzero(pb.present & (pb.truth >= 0))
    head_assign = readout.assignment(hs, rows=rows, cols=np.arange(pb.vocab.n_specials, len(pb.vocab)))
    before = recovery_metrics(hs, pb.truth, pb.ranks, pb.src_counts, head_assign, bands=("50-150", "all"))
    after = recovery_metrics(scores, pb.truth, pb.ranks, pb.src_counts, assign, bands=("50-150", "all"))
    assert after["50-150"]["assign"] >= before["50-150"]["assign"] + 0.15, (before, after)
    assert after["all"]["assign"] > before["all"]["assign"]
    with pytest.raises(LangindError, match="left-to-right LM"):
        setup(RecoveryConfig(lm=str(zipf_lm / "lm"), head="vector", text=str(zipf_lm / "heldout.txt"), fit=fit,
                             pipeline="head+context", right_lm=str(zipf_lm / "lm")))
    with pytest.raises(LangindError, match="head\\+context"):
        RecoveryConfig(lm=str(zipf_lm / "lm"), head="vector", right_lm=str(right))
