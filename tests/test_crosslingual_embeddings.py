"""langind.crosslingual.embeddings: word2vec text format."""

from __future__ import annotations

import numpy as np
import pytest

from langind.errors import LangindError


def test_word2vec_roundtrip_through_gensim(tmp_path):
    from gensim.models import KeyedVectors

    from langind.crosslingual.embeddings import read_word2vec, write_word2vec

    words = ["<unk>", "<eos>", "agua", "fué", "jehová"]
    vecs = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    p = tmp_path / "e.vec"
    assert write_word2vec(p, words, vecs) == 3
    kv = KeyedVectors.load_word2vec_format(str(p), binary=False)
    assert kv.index_to_key == ["agua", "fué", "jehová"]
    np.testing.assert_allclose(kv["fué"], vecs[3], rtol=1e-5)
    w2, v2 = read_word2vec(p)
    assert w2 == words[2:] and np.allclose(v2, vecs[2:], rtol=1e-5)
    (tmp_path / "bad.vec").write_text("2 3\na 1 2 3\nb 1 2\n")
    with pytest.raises(LangindError, match=r"bad.vec:3: expected a word and 3 numbers"):
        read_word2vec(tmp_path / "bad.vec")
