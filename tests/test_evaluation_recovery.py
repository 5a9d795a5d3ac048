"""langind.evaluation.recovery: hit@k bands."""

from __future__ import annotations

import numpy as np
import pytest

from langind.errors import LangindError
from langind.evaluation.recovery import band_mask, parse_band, recovery_metrics


def test_bands_and_hits():
    # 4 source words (ids 2..5 after 2 specials); truth is identity, ranks 0..3
    scores = np.eye(6)
    scores[3] = [0, 0, 0.5, 0.4, 0, 0]  # word 3's best guess is 2, true 3 is second
    truth = np.array([-1, -1, 2, 3, 4, 5])
    ranks = np.array([-2, -1, 0, 1, 2, 3])
    counts = np.array([9, 9, 7, 2, 5, 0])
    m = recovery_metrics(scores, truth, ranks, counts, assign=np.array([0, 1, 2, 3, 4, 5]),
                         bands=("0-2", "freq5", "all"), ks=(1, 2))
    assert m["0-2"] == {"words": 2, "hit@1": 0.5, "hit@2": 1.0, "assign": 1.0}
    assert m["all"]["words"] == 3  # word 5 never occurs in the text
    assert m["freq5"] == {"words": 2, "hit@1": 1.0, "hit@2": 1.0, "assign": 1.0}  # words 2 and 4
    # (the specials' negative ranks are outside every band)
    assert band_mask("0-2", ranks, counts, 4).tolist() == [False, False, True, True, False, False]
    assert band_mask("freq5", ranks, counts, 4).tolist() == [False, False, True, False, True, False]
    assert parse_band("10-110", 50) == (10, 50)
    assert parse_band("freq5", 50) == (0, 50)
    for bad in ("110-10", "freqx", "freq0"):
        with pytest.raises(LangindError):
            parse_band(bad, 500)
