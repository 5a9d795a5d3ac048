"""langind.crosslingual.lexicon: induced lexicons as TSV."""

from __future__ import annotations

import pytest

from langind.crosslingual.lexicon import read_lexicon, write_lexicon
from langind.errors import LangindError


def test_read_lexicon_rejects_bad_lines(tmp_path):
    p = tmp_path / "lex.tsv"
    p.write_text("source\ttarget\tscore\nuno\tone\t0.5\ndos two\n")
    with pytest.raises(LangindError, match=r"lex.tsv:3: expected"):
        read_lexicon(p)
    p.write_text("uno\tone\tmuch\n")
    with pytest.raises(LangindError, match="not a number"):
        read_lexicon(p)
    p.write_text("uno\tone\t0.5\tspelled\textra\n")
    with pytest.raises(LangindError, match=r"lex.tsv:1: expected 'source<TAB>target\[<TAB>score\[<TAB>evidence\]\]', got 5"):
        read_lexicon(p)


def test_the_evidence_column_is_written_and_read_past(tmp_path):
    p = tmp_path / "lex.tsv"
    write_lexicon(p, [("uno", "one", 0.5, "spelled"), ("uno", "on", 0.25, "-")], evidence=True)
    assert p.read_text().splitlines() == ["source\ttarget\tscore\tevidence", "uno\tone\t0.500000\tspelled",
                                          "uno\ton\t0.250000\t-"]
    assert read_lexicon(p) == [("uno", "one", 0.5), ("uno", "on", 0.25)]
    write_lexicon(p, [("dos", "two", 1.0)])
    assert p.read_text().splitlines() == ["source\ttarget\tscore", "dos\ttwo\t1.000000"]
