"""langind.crosslingual.lexicon: induced lexicons as TSV."""

from __future__ import annotations

import pytest

from langind.crosslingual.lexicon import read_lexicon
from langind.errors import LangindError


def test_read_lexicon_rejects_bad_lines(tmp_path):
    p = tmp_path / "lex.tsv"
    p.write_text("source\ttarget\tscore\nuno\tone\t0.5\ndos two\n")
    with pytest.raises(LangindError, match=r"lex.tsv:3: expected"):
        read_lexicon(p)
    p.write_text("uno\tone\tmuch\n")
    with pytest.raises(LangindError, match="not a number"):
        read_lexicon(p)
