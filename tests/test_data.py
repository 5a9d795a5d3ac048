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
        verses = data.load_corpus(name)
        sizes[name] = sum(len(v.tokens) for v in verses)
        keys[name] = {v.key for v in verses}
        assert verses[0].key == "Gen.1.1" and verses[-1].key == "Rev.22.21"
    assert 850_000 < sizes["web"] < 950_000
    assert 780_000 < sizes["rv1909"] < 880_000
    assert len(keys["web"] & keys["rv1909"]) > 30_000


def test_tokens_column_is_the_tokenizer_output():
    for v in data.load_corpus("rv1909")[:200]:
        assert list(v.tokens) == tokenize(v.text)
    gen = data.load_corpus("rv1909")[0]
    assert "principio" in gen.tokens and "crió" in gen.tokens


def test_no_glued_translator_additions():
    words = {t for v in data.load_corpus("rv1909") for t in v.tokens}
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
    assert all(v.key.split(".")[0] in data.BOOKS for name in data.BIBLES for v in data.load_corpus(name))


@pytest.mark.parametrize("spec,needle", [("rv1909:odd", "unknown selection"), ("mine.txt:odd-books", "bundled corpora"),
                                         ("bundled:latin", "unknown bundled corpus")])
def test_bad_corpus_specs_are_clear_errors(spec, needle):
    from langind.corpus import CorpusSource

    with pytest.raises(LangindError, match=needle):
        CorpusSource(spec)


def test_fortune_pair_is_two_unrelated_general_texts():
    es, en = data.load_corpus("fortunes-es"), data.load_corpus("fortunes-en")
    n_es, n_en = sum(len(v.tokens) for v in es), sum(len(v.tokens) for v in en)
    assert 130_000 < n_es < 160_000 and 400_000 < n_en < 480_000
    assert all(list(v.tokens) == tokenize(v.text) for v in es[:300] + en[:300])
    assert not any(v.text.lstrip().startswith("--") for v in en)  # attributions are dropped
    assert data.corpus_language("fortunes-es") == "es" and data.corpus_language("fortunes-en") == "en"
    with pytest.raises(LangindError, match="no books"):
        data.parse_spec("fortunes-en:odd-books")


def test_apertium_dictionaries_are_surface_form_pairs():
    for src, tgt in (("es", "en"), ("en", "es")):
        lines = data.dictionary_path(src, tgt, "apertium").read_text(encoding="utf-8").splitlines()
        assert len(lines) > 5000 and all(len(line.split(" ")) == 2 for line in lines)
    es_en = set(data.dictionary_path("es", "en", "apertium").read_text(encoding="utf-8").splitlines())
    assert {"casas houses", "perro dog"} <= es_en
    with pytest.raises(LangindError, match="dictionary source"):
        data.dictionary_path("es", "en", "wiktionary")
