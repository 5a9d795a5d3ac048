"""langind.crosslingual.translate: the decoder chooses translations in context, IBM model 1 learns
a planted lexicon from sentence pairs, and token lists become text again."""

from __future__ import annotations

import numpy as np
from conftest import make_language_pair

from langind.crosslingual.bigram import BigramLM
from langind.crosslingual.incontext import build_lattice, forward_backward, viterbi
from langind.crosslingual.translate import (
    DecoderConfig,
    TargetSide,
    decode,
    detokenize,
    ibm_model1,
    lexicon_rows,
    local_swaps,
    word_by_word,
)


def _noisy_lexicon(n: int, seed: int) -> list[tuple[str, str, float]]:
    """Each source word w_i gets 4 candidates, its true translation v_i among them but ranked first
    only half of the time (the other half a random word wins by a small margin)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        others = [f"v{j}" for j in rng.choice([j for j in range(n) if j != i], size=3, replace=False)]
        if rng.random() < 0.5:
            cands = [f"v{i}"] + others
        else:
            cands = others[:1] + [f"v{i}"] + others[1:]
        rows += [(f"w{i}", t, 1.0 - 0.05 * r) for r, t in enumerate(cands)]
    return rows


def test_the_target_lm_in_context_fixes_what_word_by_word_gets_wrong():
    a, b, _ = make_language_pair(30, 3000, seed=4, swap_prob=0.0)
    src = [line.split() for line in a[:300]]
    target = TargetSide([line.split() for line in b], extra_words=[f"v{i}" for i in range(30)])
    lexicon = _noisy_lexicon(30, seed=1)

    def accuracy(out):
        pairs = [(w, e) for s, o in zip(src, out) for w, e in zip(s, o)]
        return np.mean([e == "v" + w[1:] for w, e in pairs])

    wbw = accuracy(word_by_word(src, lexicon))
    out, info = decode(src, lexicon, target, DecoderConfig(k=4, swaps=False), echo=lambda m: None)
    assert [len(o) for o in out] == [len(s) for s in src]
    assert wbw < 0.7 and accuracy(out) >= wbw + 0.3, (wbw, accuracy(out), info)


def test_a_frozen_neural_lm_can_choose_instead_of_the_bigram(pair, target_lm):
    from langind.mapping.fit import load_frozen_lm

    src = [line.split() for line in (pair / "a.txt").read_text().splitlines()[:200]]
    target = TargetSide([line.split() for line in (pair / "b.txt").read_text().splitlines()],
                        extra_words=[f"v{i}" for i in range(40)])
    lexicon = _noisy_lexicon(40, seed=2)

    def accuracy(out):
        return np.mean([e == "v" + w[1:] for s, o in zip(src, out) for w, e in zip(s, o)])

    lm, vocab, device = load_frozen_lm(str(target_lm), threads=1)
    cfg = DecoderConfig(k=4, insertions=False)
    out, _ = decode(src, lexicon, target, cfg, echo=lambda m: None, neural=(lm, vocab, device))
    assert [len(o) for o in out] == [len(s) for s in src]
    assert accuracy(out) >= accuracy(word_by_word(src, lexicon)) + 0.2


def test_viterbi_is_the_best_path_of_the_forward_backward_lattice():
    rng = np.random.default_rng(0)
    sents = [rng.integers(0, 8, size=n) for n in (5, 3, 7)]
    lm = BigramLM(sents, 8)
    cand = np.array([rng.choice(8, size=3, replace=False) for _ in range(8)])
    log_emit = np.log(rng.dirichlet(np.ones(3), size=8))
    lat = build_lattice(sents, cand, lm)
    path = viterbi(lat, log_emit)
    gamma, _ = forward_backward(lat, log_emit)
    for s, sent in enumerate(sents):
        best, best_score = None, -np.inf  # brute force over every path of the short sentences
        for combo in np.ndindex(*(3,) * len(sent)):
            ids = cand[sent, list(combo)]
            score = (lm.logp(np.r_[lm.boundary, ids], np.r_[ids, lm.boundary]).sum()
                     + log_emit[sent, list(combo)].sum())
            if score > best_score:
                best, best_score = combo, score
        assert tuple(path[s, :len(sent)]) == best
    assert gamma.shape[:2] == path.shape


def test_local_swaps_follow_the_lm_and_leave_punctuation_alone():
    lm = BigramLM([np.array([0, 1, 2])] * 50, 4)  # the LM has only ever seen "0 1 2"
    picks, n = local_swaps([(1, "b"), (0, "a"), (2, "c")], lm)
    assert [w for _, w in picks] == ["a", "b", "c"] and n == 1
    picks, n = local_swaps([(1, ","), (0, "a"), (2, "c")], lm)
    assert n == 0


def test_ibm_model1_learns_a_planted_lexicon_from_sentence_pairs():
    rng = np.random.default_rng(2)
    pairs = []
    for _ in range(400):
        ids = rng.integers(0, 20, size=6)
        e = [f"v{i}" for i in ids]
        rng.shuffle(e)  # word order carries nothing for model 1
        pairs.append(([f"w{i}" for i in ids], e))
    table = ibm_model1(pairs, iterations=8, echo=lambda m: None)
    assert sum(table[f"w{i}"][0][0] == f"v{i}" for i in range(20)) >= 19
    rows = lexicon_rows(table)
    assert rows[0][0] == "w0" or rows[0][0].startswith("w") and len(rows) >= 20


def test_detokenize_restores_spacing_and_case():
    target = TargetSide([["and", "god", "said", "."]], ["And God said, “Let there be light.”"])
    # each word as the target text mostly spells it ("Let": the only time it occurs)
    assert detokenize(["and", "god", "said", ",", "“", "let", "there", "be", "light", ".", "”"], target) == \
        "And God said, “Let there be light.”"
    assert detokenize(["¿", "qué", "?"]) == "¿Qué?"
