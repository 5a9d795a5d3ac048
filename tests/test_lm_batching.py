"""langind.lm.batching: windows and the one-cycle schedule."""

from __future__ import annotations

import math

import pytest

from langind.lm.batching import one_cycle


def test_one_cycle_schedule():
    assert one_cycle(0.0, 1.0, 0.25) == pytest.approx(1 / 25)
    assert one_cycle(0.25, 1.0, 0.25) == pytest.approx(1.0)
    assert one_cycle(1.0, 1.0, 0.25) == pytest.approx(1e-4)
    vals = [one_cycle(p / 100, 1.0, 0.25) for p in range(101)]
    assert max(vals) == pytest.approx(1.0) and all(math.isfinite(v) for v in vals)
