"""langind.mapping.heads: every head runs, learns only what it should, fails clearly."""

from __future__ import annotations

import pytest
import torch

from langind.errors import LangindError
from langind.lm.model import LMConfig, WordLM
from langind.mapping.fit import head_loss
from langind.mapping.heads import HEADS, INITS, make_head


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("mode", ["input", "both"])
@pytest.mark.parametrize("normalize", [False, True])
def test_every_head_runs_forward_and_backward(head, mode, normalize):
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    match = torch.randperm(30)
    for init in INITS:
        h = make_head(head, lm.input_table, lm.out_bias, 30, init=init, match=match, normalize=normalize)
        x = torch.randint(0, 30, (4, 7))
        loss, _ = head_loss(lm, h, x, x, mode)
        loss = loss + h.penalty()
        loss.backward()
        grads = [p.grad for p in h.parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)
        assert any(g.abs().sum() > 0 for g in grads)
        assert all(p.grad is None for p in lm.parameters())
        assert h.scores().shape == (30, 30)


def test_mixing_heads_compute_only_batch_rows():
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    h = make_head("softmax", lm.input_table, lm.out_bias, 30)
    x = torch.tensor([[3, 3, 7]])
    h.vectors(x).sum().backward()
    touched = (h.logits.grad.abs().sum(1) > 0).nonzero().flatten().tolist()
    assert touched == [3, 7]


def test_unknown_head_and_init():
    lm = WordLM(LMConfig(emb_dim=4, hidden_dim=8), 10)
    with pytest.raises(LangindError, match="unknown head"):
        make_head("nope", lm.input_table, lm.out_bias, 10)
    with pytest.raises(LangindError, match="unknown init"):
        make_head("vector", lm.input_table, lm.out_bias, 10, init="zeros")


def test_the_l1_l2_penalty_is_zero_exactly_on_permutations():
    from langind.mapping.heads import l1_l2_penalty, sum_penalty

    perm = torch.eye(6)[torch.randperm(6)]
    assert float(l1_l2_penalty(perm)) == pytest.approx(0, abs=1e-6)
    assert float(l1_l2_penalty(-perm)) == pytest.approx(0, abs=1e-6)  # signed, as the linear head's P
    assert float(sum_penalty(perm)) == 0
    uniform = torch.full((6, 6), 1 / 6)  # doubly stochastic, far from a permutation
    assert float(l1_l2_penalty(uniform)) > 1 and float(sum_penalty(uniform)) == pytest.approx(0, abs=1e-6)
    mixed = 0.9 * perm + 0.1 * uniform
    assert 0 < float(l1_l2_penalty(mixed)) < float(l1_l2_penalty(uniform))


@pytest.mark.parametrize("head", ["linear", "softmax", "sinkhorn", "sinkhorn-sparse"])
def test_the_l1_l2_penalty_is_an_option_of_the_mixing_heads(head):
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    plain = make_head(head, lm.input_table, lm.out_bias, 30, init="counts", match=torch.randperm(30))
    h = make_head(head, lm.input_table, lm.out_bias, 30, init="random", penalty="l1-l2", penalty_weight=0.01)
    assert h.penalty_weight == 0.01 and float(h.penalty().detach()) > 0
    h.penalty().backward()
    assert h.logits.grad.abs().sum() > 0
    assert (plain.penalty_weight > 0) == (head == "linear")  # only the linear head is penalised by default
    with pytest.raises(LangindError, match="penalty"):
        make_head(head, lm.input_table, lm.out_bias, 30, penalty="l3")


def test_the_sparse_sinkhorn_head_is_the_dense_one_when_k_is_v():
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    dense = make_head("sinkhorn", lm.input_table, lm.out_bias, 30)
    sparse = make_head("sinkhorn-sparse", lm.input_table, lm.out_bias, 30, k=30)
    with torch.no_grad():
        sparse.logits.copy_(torch.gather(dense.logits, 1, sparse.cand))
    assert_same_mapping(sparse, dense, scores_atol=1e-4)


def assert_same_mapping(a, b, scores_atol: float) -> None:
    """Two heads over the same 30-word table map every word alike: vectors, output layer, scores."""
    x = torch.randint(0, 30, (3, 5))
    torch.testing.assert_close(a.vectors(x), b.vectors(x), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(a.out_table(), b.out_table(), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(a.out_bias(), b.out_bias(), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(a.scores(), b.scores(), rtol=1e-4, atol=scores_atol)


def test_sparse_sinkhorn_candidates_start_near_the_count_match_and_refresh():
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 100).freeze()
    match = torch.randperm(100)
    h = make_head("sinkhorn-sparse", lm.input_table, lm.out_bias, 100, init="counts", match=match, k=8)
    assert h.cand.shape == (100, 8) and (h.cand == match[:, None]).any(dim=1).all()
    assert (h.scores().argmax(dim=1) == match).all()  # the counts start is the count match
    opt = torch.optim.Adam(h.parameters(), lr=0.1)
    h.begin_step()
    h.out_table().sum().backward()
    opt.step()
    h.end_step(opt)
    best = h.scores().argmax(dim=1)
    changed = h.refresh(opt)
    assert 0 < changed <= 100 * 4  # at most the lighter half of each row is replaced
    assert (h.scores().argmax(dim=1) == best).all()  # the heaviest candidates are kept
    assert len(set(map(tuple, h.cand.sort(dim=1).values.tolist()))) > 1
    assert all(len(set(row)) == 8 for row in h.cand.tolist())  # no candidate twice in a row


def test_the_low_rank_sinkhorn_head_is_dense_sinkhorn_on_cosines_when_k_is_v():
    """sinkhorn-lowrank with every target word a candidate is the dense Sinkhorn head whose logits
    are the cosines of its vectors with the table."""
    from langind.similarity import unit_rows

    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 30).freeze()
    low = make_head("sinkhorn-lowrank", lm.input_table, lm.out_bias, 30, k=30)
    dense = make_head("sinkhorn", lm.input_table, lm.out_bias, 30, tau_start=low.tau_start, tau_end=low.tau_end)
    with torch.no_grad():
        dense.logits.copy_(unit_rows(low.x) @ unit_rows(lm.input_table).T / low.gap)
    low.eval(), dense.eval()
    assert_same_mapping(low, dense, scores_atol=1e-3)


def test_low_rank_sinkhorn_candidates_follow_the_vectors():
    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 100).freeze()
    match = torch.randperm(100)
    h = make_head("sinkhorn-lowrank", lm.input_table, lm.out_bias, 100, init="counts", match=match, k=8,
                  penalty="l1-l2", penalty_weight=0.01)
    assert (h.cand[:, 0] == match).all()  # each word's own start row is its nearest candidate
    assert (h.scores().argmax(dim=1) == match).all()  # the counts start is the count match
    h.begin_step()
    penalty = h.penalty()
    assert float(penalty.detach()) > 0
    (h.out_table().sum() + penalty).backward()
    assert h.x.grad.abs().sum() > 0  # gradients reach the vectors through the cosines
    with torch.no_grad():  # move word 0 onto target row 7: its candidates follow at the next refresh
        h.x[0] = lm.input_table[7]
    assert h.refresh() > 0 and h.cand[0, 0] == 7
    assert all(len(set(row)) == 8 for row in h.cand.tolist())


def test_the_context_stage_reads_every_head_on_the_cosine_scale():
    """The context stage's temperature was set on cosines: the vector head hands it its scores, the
    low-rank Sinkhorn head the cosines of its vectors over every target word (its own scores are
    log-Sinkhorn at the candidates only, far sharper), and the two agree on each word's best row."""
    from langind.similarity import unit_rows

    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 40).freeze()
    match = torch.randperm(40)
    low = make_head("sinkhorn-lowrank", lm.input_table, lm.out_bias, 40, init="counts", match=match, k=6)
    vec = make_head("vector", lm.input_table, lm.out_bias, 40, init="counts", match=match)
    assert torch.equal(vec.context_prior(), vec.scores())
    cos = low.context_prior()
    assert torch.allclose(cos, unit_rows(low.x) @ unit_rows(lm.input_table).T, atol=1e-6)
    assert cos.min() > -1.01 and cos.max() < 1.01  # every target word has a finite, cosine-scale score
    assert (cos.argmax(dim=1) == low.scores().argmax(dim=1)).all()


@pytest.mark.parametrize("penalty", ["sum", "l1-l2"])
def test_row_updates_give_the_full_penalty_gradient_on_the_batch_rows(penalty):
    """The linear head's row-wise update: the penalty as a function of the batch's rows has the full
    penalty's gradient on them; only those rows move; the kept column sums stay exact."""
    from langind.mapping.fit import FitConfig, fit_step, head_optimizer

    torch.manual_seed(0)
    lm = WordLM(LMConfig(emb_dim=8, hidden_dim=16), 40).freeze()
    h = make_head("linear", lm.input_table, lm.out_bias, 40, penalty=penalty, row_update=True)
    full = make_head("linear", lm.input_table, lm.out_bias, 40, penalty=penalty)
    with torch.no_grad():
        full.logits.copy_(h.logits)
    x = torch.tensor([[3, 5, 5, 9]])
    h.train()
    h.vectors(x)
    h.penalty().backward()
    full.penalty().backward()
    rows = torch.tensor([3, 5, 9])
    torch.testing.assert_close(h.logits.grad.to_dense()[rows], full.logits.grad[rows])
    cfg = FitConfig(scramble="input", max_steps=3, minutes=None, eval_every=None, progress=False)
    opt = head_optimizer(h, cfg)
    assert isinstance(opt, torch.optim.SparseAdam)
    before = h.logits.detach().clone()
    fit_step(lm, h, opt, x, x, cfg)
    moved = (h.logits.detach() != before).any(dim=1).nonzero().flatten().tolist()
    assert moved == [3, 5, 9]
    torch.testing.assert_close(h.col_abs, h.logits.detach().abs().sum(0).double(), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(h.col_sq, h.logits.detach().pow(2).sum(0).double(), rtol=1e-5, atol=1e-5)
    with pytest.raises(LangindError, match="need --scramble input"):
        head_optimizer(h, FitConfig(scramble="both", max_steps=1, minutes=None))
