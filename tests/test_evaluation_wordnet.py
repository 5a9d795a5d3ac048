"""langind.evaluation.wordnet: the WordNet reader and error analysis."""

from __future__ import annotations

import pytest

from langind.errors import LangindError
from langind.evaluation.wordnet import WordNet, error_analysis


@pytest.fixture()
def tiny_wordnet(tmp_path):
    """A four-synset WordNet in the real file format (data.*, index.*, *.exc)."""
    (tmp_path / "data.noun").write_text(
        "  1 This software and database is being provided\n"
        "00000100 03 n 01 number 0 000 | a numeral\n"
        "00000200 03 n 01 two 0 001 @ 00000100 n 0000 | 2\n"
        "00000300 03 n 01 three 0 001 @ 00000100 n 0000 | 3\n"
        "00000400 03 n 02 size 0 magnitude 0 000 | bigness\n", encoding="latin-1")
    (tmp_path / "index.noun").write_text(
        "  1 This software and database is being provided\n"
        "number n 1 0 1 0 00000100\n"
        "two n 1 1 @ 1 0 00000200\n"
        "three n 1 1 @ 1 0 00000300\n"
        "size n 1 0 1 0 00000400\n"
        "magnitude n 1 0 1 0 00000400\n", encoding="latin-1")
    (tmp_path / "data.verb").write_text("00000500 40 v 01 have 0 000 00 | own\n", encoding="latin-1")
    (tmp_path / "index.verb").write_text("have v 1 0 1 0 00000500\n", encoding="latin-1")
    (tmp_path / "verb.exc").write_text("has have\nhad have\n", encoding="latin-1")
    return WordNet(tmp_path)


def test_wordnet_relations(tiny_wordnet):
    wn = tiny_wordnet
    assert wn.relation("two", "three") == "co-hyponym"
    assert wn.relation("has", "have") == "same-lemma"
    assert wn.relation("size", "magnitude") == "synonym"
    assert wn.relation("twos", "number") == "co-hyponym"  # number is two's hypernym: related
    assert wn.relation("two", "size") == "none"
    assert wn.relation("two", "xyzzy") == "unknown"
    res = error_analysis([("two", "three"), ("has", "have"), ("two", "size"), ("a", "b")], wn)
    assert res["counts"] == {"same-lemma": 1, "synonym": 0, "co-hyponym": 1, "none": 1, "unknown": 1}
    assert res["related_share"] == pytest.approx(2 / 3)


def test_wordnet_missing_is_a_clear_error(tmp_path):
    with pytest.raises(LangindError, match="wordnet-base"):
        WordNet(tmp_path)
