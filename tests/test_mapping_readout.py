"""langind.mapping.readout: argmax, top-k, exact assignment."""

from __future__ import annotations

import numpy as np

from langind.mapping import readout


def test_assignment_recovers_planted_permutation_from_noisy_scores():
    rng = np.random.default_rng(0)
    n = 300
    perm = rng.permutation(n)
    scores = rng.normal(size=(n, n))
    scores[np.arange(n), perm] += 5.0  # true pairs 5 sigma above the rest: argmax still errs
    greedy = readout.argmax(scores)
    exact = readout.assignment(scores)
    assert (exact == perm).mean() == 1.0
    assert (greedy == perm).mean() < 1.0  # the one-to-one constraint is what fixes the rest


def test_assignment_rectangular_and_restricted():
    s = np.array([[1.0, 0.0, 0.2], [0.9, 0.8, 0.0]])
    assert list(readout.assignment(s)) == [0, 1]
    assert list(readout.assignment(s, rows=np.array([1]), cols=np.array([0, 2]))) == [-1, 0]
    assert list(readout.topk(s, 2)[0]) == [0, 2]
