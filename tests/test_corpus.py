from __future__ import annotations

import gzip

import numpy as np
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
from langind.vocab import Vocab, encode_sentences, encode_to_npy, load_ids


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


def test_vocab_order_limits_and_roundtrip(tmp_path):
    sents = [["b", "a", "a", "c"], ["a", "b", "d"]]
    v = Vocab.build(sents, min_freq=1)
    assert v.itos == ["<unk>", "<eos>", "a", "b", "c", "d"]  # by count, ties alphabetical
    assert Vocab.build(sents, min_freq=2).itos == ["<unk>", "<eos>", "a", "b"]
    assert Vocab.build(sents, max_size=3).itos == ["<unk>", "<eos>", "a"]
    v.save(tmp_path / "v.json")
    w = Vocab.load(tmp_path / "v.json")
    assert w.itos == v.itos and w.counts == v.counts and w.fingerprint() == v.fingerprint()
    assert v.encode(["a", "zzz"]) == [2, v.unk_id]


def test_streaming_encoding_matches_in_memory(tmp_path):
    sents = [["a", "b"], ["c"], ["a", "x", "b"]] * 50
    v = Vocab.build(sents)
    n = encode_to_npy(iter(sents), v, tmp_path / "ids.npy", chunk_tokens=7)
    ids = load_ids(tmp_path / "ids.npy")
    assert n == len(ids) and ids.dtype == np.uint16
    np.testing.assert_array_equal(ids, encode_sentences(sents, v))
    assert not list(tmp_path.glob("*.raw")) and not list(tmp_path.glob("*.tmp"))


def test_vocab_load_rejects_garbage(tmp_path):
    p = tmp_path / "v.json"
    p.write_text("not json")
    with pytest.raises(LangindError, match="not a langind vocab"):
        Vocab.load(p)
