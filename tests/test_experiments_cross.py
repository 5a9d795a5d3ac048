"""langind.experiments.cross: the induce-cross pipeline as a library function."""

from __future__ import annotations

import pytest

from langind.errors import LangindError
from langind.experiments.cross import CrossConfig, induce_cross


def test_decipher_pipeline_writes_lexicon_vectors_and_scores(pair, tmp_path):
    cfg = CrossConfig(src="xa", tgt="xb", method="decipher", src_corpus=str(pair / "a.txt"), lm=str(pair / "lm-b"),
                      dictionary=str(pair / "dict.txt"), minutes=0.05, top=100, threads=1, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)
    assert set(res) == {"decipher"} and res["decipher"]["csls"]["evaluated"] == 40
    for name in ("lexicon.xa-xb.tsv", "vectors.xa.vec", "vectors.xb.vec", "metrics.json", "report.md", "config.json"):
        assert (tmp_path / "run" / name).is_file(), name


@pytest.mark.parametrize("kw,needle", [
    ({"src": "xa", "tgt": "xb", "src_corpus": "x", "tgt_corpus": "y"}, "pass --dictionary"),
    ({"src": "es", "tgt": "es"}, "must differ"),
    ({"method": "magic"}, "unknown method"),
    ({"method": "swap", "anchor": 1.0}, "not swap"),
    ({"src": "xx", "tgt": "en", "dictionary": "d.txt"}, "no bundled corpus for language 'xx'"),
])
def test_config_errors_come_before_any_run_directory(kw, needle, tmp_path):
    with pytest.raises(LangindError, match=needle):
        CrossConfig(**kw)


@pytest.mark.parametrize("method", ["coocmap-grow", "incontext"])
def test_corpus_level_methods_on_the_planted_pair(pair, tmp_path, method):
    """coocmap (no LM) and its candidates re-ranked by the target LM, from the two texts alone."""
    cfg = CrossConfig(src="xa", tgt="xb", method=method, candidates="coocmap", src_corpus=str(pair / "a.txt"),
                      tgt_corpus=str(pair / "b.txt"), dictionary=str(pair / "dict.txt"), top=100, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)[method]
    assert res["csls"]["evaluated"] == 40 and res["csls"]["P@1"] >= 0.8, res["csls"]
    assert (tmp_path / "run" / "lexicon.xa-xb.tsv").is_file() and (tmp_path / "run" / "metrics.json").is_file()
    if method == "incontext":
        assert res["csls"]["P@1"] >= res["start"]["P@1"] - 0.05 and {"beta", "lam"} <= set(res["rerank"])
