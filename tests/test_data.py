"""langind.data: the bundled corpora and dictionaries."""

from __future__ import annotations

import pytest

from langind import data
from langind.corpus import tokenize
from langind.errors import LangindError


def test_bundled_corpora_sizes_and_alignment():
    sizes = {}
    keys = {}
    for name in ("web", "rv1909", "kjv"):
        verses = data.load_bible(name)
        sizes[name] = sum(len(v.tokens) for v in verses)
        keys[name] = {v.key for v in verses}
        assert verses[0].key == "Gen.1.1" and verses[-1].key == "Rev.22.21"
    assert 850_000 < sizes["web"] < 950_000
    assert 780_000 < sizes["rv1909"] < 880_000
    assert len(keys["web"] & keys["rv1909"]) > 30_000


def test_tokens_column_is_the_tokenizer_output():
    for v in data.load_bible("rv1909")[:200]:
        assert list(v.tokens) == tokenize(v.text)
    gen = data.load_bible("rv1909")[0]
    assert "principio" in gen.tokens and "crió" in gen.tokens


def test_no_glued_translator_additions():
    words = {t for v in data.load_bible("rv1909") for t in v.tokens}
    assert "yjesús" not in words


def test_dictionaries_are_single_word_muse_pairs():
    for src, tgt in (("en", "es"), ("es", "en")):
        lines = data.dictionary_path(src, tgt).read_text(encoding="utf-8").splitlines()
        assert len(lines) > 7000
        for line in lines:
            a, b = line.split(" ")
            assert a.isalpha() and b.isalpha(), line
    en_es = set(data.dictionary_path("en", "es").read_text(encoding="utf-8").splitlines())
    assert "water agua" in en_es


def test_book_split_specs_are_disjoint_halves():
    from langind.corpus import CorpusSource

    odd, even = CorpusSource("rv1909:odd-books"), CorpusSource("web:even-books")
    odd_keys = {k for k, _ in odd}
    even_keys = {k for k, _ in even}
    assert not odd_keys & even_keys
    assert {k.split(".")[0] for k in odd_keys} == set(data.BOOKS[0::2])  # Genesis, Leviticus, ...
    assert {k.split(".")[0] for k in even_keys} == set(data.BOOKS[1::2])  # Exodus, Numbers, ...
    full = {k for k, _ in CorpusSource("rv1909")}
    assert odd_keys | {k for k, _ in CorpusSource("rv1909:even-books")} == full
    assert odd.name == "rv1909:odd-books" and data.corpus_language("web:even-books") == "en"
    assert all(v.key.split(".")[0] in data.BOOKS for name in data.CORPORA for v in data.load_bible(name))


@pytest.mark.parametrize("spec,needle", [("rv1909:odd", "unknown selection"), ("mine.txt:odd-books", "bundled corpora"),
                                         ("bundled:latin", "unknown bundled corpus")])
def test_bad_corpus_specs_are_clear_errors(spec, needle):
    from langind.corpus import CorpusSource

    with pytest.raises(LangindError, match=needle):
        CorpusSource(spec)
