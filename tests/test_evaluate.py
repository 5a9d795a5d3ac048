from __future__ import annotations

import numpy as np
import pytest

from langind.errors import LangindError
from langind.evaluation.metrics import (
    WordNet,
    error_analysis,
    parse_band,
    recovery_metrics,
)


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


def test_bands_and_hits():
    # 4 source words (ids 2..5 after 2 specials); truth is identity, ranks 0..3
    scores = np.eye(6)
    scores[3] = [0, 0, 0.5, 0.4, 0, 0]  # word 3's best guess is 2, true 3 is second
    truth = np.array([-1, -1, 2, 3, 4, 5])
    ranks = np.array([-2, -1, 0, 1, 2, 3])
    present = np.array([True, True, True, True, True, False])
    m = recovery_metrics(scores, truth, ranks, present, assign=np.array([0, 1, 2, 3, 4, 5]),
                         bands=("0-2", "all"), ks=(1, 2))
    assert m["0-2"] == {"words": 2, "hit@1": 0.5, "hit@2": 1.0, "assign": 1.0}
    assert m["all"]["words"] == 3  # word 5 never occurs in the text
    assert parse_band("10-110", 50) == (10, 50)
    with pytest.raises(LangindError):
        parse_band("110-10", 500)


def test_csls_and_precision_on_a_hand_checked_fixture(tmp_path):
    """Three source and three target words in 2-D; every number below is worked out by hand.

    Unit vectors: s0=(1,0) s1=(0,1) s2=(.6,.8); t0=(1,0) t1=(0,1) t2=(.8,.6).
    Cosines s·t: s0: [1, 0, .8]; s1: [0, 1, .6]; s2: [.6, .8, .96].
    NN: s0→t0, s1→t1, s2→t2.
    CSLS (k=1): r_S(t) = max_s cos = [1, 1, .96]; 2cos−r: s0: [1, −1, .64]; s1: [−1, 1, .24];
    s2: [.2, .6, .96]. With the dictionary below, P@1 = 2/3 and P@2 = 1 (vecmap's protocol).
    """
    from langind.crosslingual.lexicon import load_dictionary
    from langind.evaluation.metrics import bli_precision, retrieval_scores

    src = np.array([[1, 0], [0, 1], [0.6, 0.8]])
    tgt = np.array([[1, 0], [0, 1], [0.8, 0.6]])
    csls = retrieval_scores(src, src, tgt, "csls", k=1)
    np.testing.assert_allclose(csls, [[1, -1, 0.64], [-1, 1, 0.24], [0.2, 0.6, 0.96]], atol=1e-12)
    d = tmp_path / "d.txt"
    # s0 is right (t0); s1's gold is t2 (wrong, t1 is nearest); s2 has gold t1 and t2 (right);
    # "zz" is not in the source vocab and "s0 qq" has no target in vocab: coverage 3/4.
    d.write_text("s0 t0\ns1 t2\ns2 t1\ns2 t2\nzz t0\ns0 qq\n")
    res = bli_precision(["s0", "s1", "s2"], src, ["t0", "t1", "t2"], tgt, load_dictionary(d), "nn", ks=(1, 2))
    assert res["evaluated"] == 3 and res["coverage"] == pytest.approx(3 / 4)
    assert res["P@1"] == pytest.approx(2 / 3)
    assert res["P@2"] == pytest.approx(1.0)  # s1's second choice by cosine is t2 (.6)


def test_dictionary_errors_and_accent_folding(tmp_path):
    from langind.crosslingual.lexicon import fold_accents, load_dictionary
    from langind.evaluation.metrics import bli_precision

    bad = tmp_path / "bad.txt"
    bad.write_text("water agua\nat dawn al alba\n")
    with pytest.raises(LangindError, match=r"bad.txt:2: expected two words"):
        load_dictionary(bad)
    assert fold_accents("fué") == "fue" and fold_accents("Á") == "A"
    d = tmp_path / "d.txt"
    d.write_text("was fue\n")
    emb = np.eye(2)
    with pytest.raises(LangindError, match="zero overlap"):
        bli_precision(["was", "is"], emb, ["fué", "es"], emb, load_dictionary(d), "nn")
    res = bli_precision(["was", "is"], emb, ["fué", "es"], emb, load_dictionary(d), "nn", fold=True)
    assert res["P@1"] == 1.0 and res["fold_accents"] is True


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
