"""The bundled corpora and dictionaries are present, parallel and of the documented size."""

from __future__ import annotations

from langind import data
from langind.corpus import tokenize


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
