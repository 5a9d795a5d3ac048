"""langind.vocab: frequency order, limits, persistence, streaming encoding."""

from __future__ import annotations

import numpy as np
import pytest

from langind.errors import LangindError
from langind.vocab import Vocab, encode_sentences, encode_to_npy, load_ids


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
