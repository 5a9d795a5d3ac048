"""langind.corpus: tokenisation, validation of user files, streaming, the deterministic split."""

from __future__ import annotations

import gzip

import pytest

from langind.corpus import (
    CorpusSource,
    check_text_file,
    is_valid,
    iter_lines,
    split_sentences,
    tokenize,
)
from langind.errors import LangindError


def test_tokenize_keeps_accents_and_splits_punctuation():
    assert tokenize("Y dijo Dios: Sea la luz; y fué la luz.") == [
        "y", "dijo", "dios", ":", "sea", "la", "luz", ";", "y", "fué", "la", "luz", "."]
    assert tokenize("God’s “Word” don't well-known", lowercase=False) == [
        "God's", "“", "Word", "”", "don't", "well-known"]


def test_tokenize_normalises_combining_accents():
    assert tokenize("fue\u0301") == tokenize("fué") == ["fué"]


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"), (b"", "empty"), (b"  \n\n", "whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
])
def test_bad_files_give_clear_errors(tmp_path, content, needle):
    p = tmp_path / "in.txt"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(LangindError, match=needle):
        check_text_file(p)


def test_non_utf8_reports_line(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("good line\nmañana\n".encode("latin-1"))
    with pytest.raises(LangindError, match=r"latin1.txt:2: not valid UTF-8"):
        list(iter_lines(p))


def test_gzip_input(tmp_path):
    p = tmp_path / "c.txt.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        fh.write("uno dos\ntres\n")
    assert [t for _, t in CorpusSource(p)] == [["uno", "dos"], ["tres"]]


def test_split_is_deterministic_and_disjoint():
    sents = [[str(i)] for i in range(2000)]
    tr1, va1 = split_sentences(sents, 0.1, seed=3)
    tr2, va2 = split_sentences(sents, 0.1, seed=3)
    assert tr1 == tr2 and va1 == va2
    assert len(tr1) + len(va1) == 2000 and 120 < len(va1) < 280
    assert is_valid("Gen.1.1", 0.5) == is_valid("Gen.1.1", 0.5)


def test_reversed_spec_reverses_every_sentence(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("the dog runs .\n\na cat sleeps\n", encoding="utf-8")
    fwd, back = CorpusSource(str(f)), CorpusSource(f"reversed:{f}")
    assert list(back.sentences()) == [s[::-1] for s in fwd.sentences()]
    assert [t for _, t in back.lines()] == [". runs dog the", "sleeps cat a"]
    assert back.name == "reversed:t.txt" and back.reverse and not fwd.reverse
    assert next(iter(CorpusSource("reversed:web")))[1] == next(iter(CorpusSource("web")))[1][::-1]
    with pytest.raises(LangindError, match="reversed twice"):
        CorpusSource(f"reversed:reversed:{f}")
    with pytest.raises(LangindError, match="no such file"):
        CorpusSource("reversed:no-such-file.txt")
    with pytest.raises(LangindError, match="name the text to reverse"):
        CorpusSource("reversed:")


def test_a_coded_text_rewrites_every_token_through_its_seeded_codebook(tmp_path):
    from langind.corpus import CorpusSource, codebook
    from langind.evaluation.bli import coded_dictionary

    text = tmp_path / "t.txt"
    text.write_text("the cat sat .\nthe dog sat on the cat .\n")
    plain = list(CorpusSource(text).sentences())
    coded = list(CorpusSource(f"coded:3:{text}").sentences())
    book = codebook(f"coded:3:{text}")
    assert coded == [[book[w] for w in s] for s in plain]
    assert len(set(book.values())) == len(book) == 6 and all(c.startswith("u") for c in book.values())
    assert codebook(f"coded:3:{text}") == book and codebook(f"coded:4:{text}") != book  # seeded
    assert [t[::-1] for t in coded] == list(CorpusSource(f"reversed:coded:3:{text}").sentences())
    other = codebook(f"coded:4:{text}")
    assert coded_dictionary({"cat": ["cat", "kitten"], "emu": ["emu"]}, f"coded:3:{text}", f"coded:4:{text}") == {
        book["cat"]: [other["cat"]]}
    assert coded_dictionary({"cat": ["cat"]}, f"coded:3:{text}", str(text)) == {book["cat"]: ["cat"]}


@pytest.mark.parametrize("spec", ["coded:x:web", "coded:1:", "coded:"])
def test_a_malformed_coded_spec_says_how_to_write_one(spec):
    from langind.corpus import CorpusSource

    with pytest.raises(LangindError, match="coded:SEED:TEXT"):
        CorpusSource(spec)


def test_a_head_spec_keeps_the_first_whole_sentences_up_to_n_tokens(tmp_path):
    from langind.corpus import CorpusSource

    text = tmp_path / "t.txt"
    text.write_text("a b c\nd e\nf g h i\nj\n")
    assert list(CorpusSource(f"head:4:{text}").sentences()) == [["a", "b", "c"], ["d", "e"]]
    assert list(CorpusSource(f"head:3:{text}").sentences()) == [["a", "b", "c"]]
    assert len(list(CorpusSource(f"head:1000:{text}").sentences())) == 4  # more than there is: all of it
    coded = list(CorpusSource(f"coded:2:head:4:{text}").sentences())
    assert len(coded) == 2 and all(w.startswith("u") for s in coded for w in s)
    assert list(CorpusSource(f"head:2:reversed:{text}").sentences()) == [["c", "b", "a"]]
    assert CorpusSource(f"head:4:{text}").name == f"head:4:{text}"
    assert [line for _, line in CorpusSource(f"head:4:{text}").lines()] == ["a b c", "d e"]
    assert sum(map(len, CorpusSource("head:25000:web").sentences())) in range(25000, 25200)


@pytest.mark.parametrize("spec", ["head:x:web", "head:0:web", "head:5:", "head:"])
def test_a_malformed_head_spec_says_how_to_write_one(spec):
    from langind.corpus import CorpusSource

    with pytest.raises(LangindError, match="head:N:TEXT"):
        CorpusSource(spec)
