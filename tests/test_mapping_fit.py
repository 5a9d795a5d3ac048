"""langind.mapping.fit: fitting a head through a frozen LM."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from langind.errors import LangindError
from langind.mapping.heads import make_head


def test_anchor_holds_vectors_near_their_start(pair):
    # the same 60 steps through the frozen LM, with and without the anchor: the anchored vectors
    # must stay much closer to where they started, and the anchor needs the vector head

    from langind.mapping.fit import FitConfig, fit_head, load_frozen_lm

    lm, vocab, device = load_frozen_lm(str(pair / "lm-b"), "cpu", seed=0, threads=1)
    ids = np.random.default_rng(0).integers(vocab.n_specials, len(vocab), size=4000)
    drift = {}
    for anchor in (0.0, 100.0):
        torch.manual_seed(0)
        head = make_head("vector", lm.input_table, lm.out_bias, len(vocab), init="random")
        assert head.drift(torch.as_tensor(ids[:50])).item() == 0.0
        cfg = FitConfig(scramble="both", minutes=None, max_steps=60, batch_size=16, bptt=20, lr=1e-2,
                             progress=False, anchor=anchor)
        fit_head(lm, head, ids, ids, cfg, device=device)
        drift[anchor] = head.drift(torch.as_tensor(ids)).item()
    assert drift[0.0] > 0 and drift[100.0] < 0.2 * drift[0.0], drift
    linear = make_head("linear", lm.input_table, lm.out_bias, len(vocab))
    with pytest.raises(LangindError, match="vector head"):
        fit_head(lm, linear, ids, ids, FitConfig(max_steps=1, minutes=None, anchor=1.0, progress=False))
    with pytest.raises(LangindError, match="anchor must be"):
        FitConfig(anchor=-1.0)


def test_linear_schedule_decays_the_heads_step_size_to_zero_over_the_budget(pair):
    from langind.mapping.fit import FitConfig, fit_head, load_frozen_lm, scheduled_lr

    assert scheduled_lr(0.01, 0.25, "constant") == 0.01
    assert scheduled_lr(0.01, 0.25, "linear") == pytest.approx(0.0075)
    assert scheduled_lr(0.01, 1.5, "linear") == 0.0
    with pytest.raises(LangindError, match="learning-rate schedule"):
        FitConfig(lr_schedule="cosine")
    lm, vocab, device = load_frozen_lm(str(pair / "lm-b"), "cpu", seed=0, threads=1)
    ids = np.random.default_rng(0).integers(vocab.n_specials, len(vocab), size=4000)
    head = make_head("linear", lm.input_table, lm.out_bias, len(vocab), row_update=True)
    cfg = FitConfig(scramble="input", minutes=None, max_steps=20, batch_size=16, bptt=20, lr=1e-2,
                    lr_schedule="linear", progress=False, eval_every=None)
    history = fit_head(lm, head, ids, ids, cfg, device=device)
    # the last step ran at 1/20 of the base rate (progress 19/20 when it was set)
    assert history[-1]["lr"] == pytest.approx(1e-2 / 20)


def test_bfloat16_body_matches_float32_and_fits_without_touching_the_lm(pair):
    # the frozen body in bfloat16 must read like the float32 LM (logits within bf16 rounding), leave
    # the LM itself in float32, and a fit through it must lower the loss as a float32 fit does
    from langind.mapping.fit import BodyInPrecision, FitConfig, fit_head, in_precision, load_frozen_lm

    lm, vocab, device = load_frozen_lm(str(pair / "lm-b"), "cpu", seed=0, threads=1)
    assert in_precision(lm, "float32") is lm
    low = in_precision(lm, "bfloat16")
    assert isinstance(low, BodyInPrecision)
    x = lm.input_table[torch.randint(vocab.n_specials, len(vocab), (4, 12))]
    with torch.no_grad():
        ref, _ = lm.forward_vectors(x)
        got, _ = low.forward_vectors(x)
    assert got.dtype == torch.float32 and got.shape == ref.shape
    assert (got - ref).abs().max().item() < 0.05 * ref.abs().max().item()
    assert (got.argmax(-1) == ref.argmax(-1)).float().mean().item() > 0.9
    assert all(p.dtype == torch.float32 for p in lm.parameters())
    ids = np.random.default_rng(0).integers(vocab.n_specials, len(vocab), size=4000)
    torch.manual_seed(0)
    head = make_head("vector", lm.input_table, lm.out_bias, len(vocab), init="random")
    cfg = FitConfig(scramble="both", minutes=None, max_steps=40, batch_size=16, bptt=20, lr=1e-2,
                    precision="bfloat16", progress=False, eval_every=None)
    history = fit_head(lm, head, ids, ids, cfg, device=device)
    assert history[-1]["step"] == 40 and np.isfinite(history[-1]["loss"])
    assert all(p.dtype == torch.float32 for p in head.parameters())
    with pytest.raises(LangindError, match="precision"):
        FitConfig(precision="float16")
