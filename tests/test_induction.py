"""langind.induction: the induce-cross pipeline as a library function."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from langind.crosslingual.cipher import CipherConfig
from langind.crosslingual.signature import SignatureConfig
from langind.errors import LangindError
from langind.induction import CrossConfig, induce_cross
from langind.induction.pair import check_pair, spelling_is_evidence, top_words_of


def test_decipher_pipeline_writes_lexicon_vectors_and_scores(pair, tmp_path):
    cfg = CrossConfig(src="xa", tgt="xb", method="decipher", src_corpus=str(pair / "a.txt"), lm=str(pair / "lm-b"),
                      dictionary=str(pair / "dict.txt"), minutes=0.05, top=100, threads=1, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)
    assert set(res) == {"decipher"} and res["decipher"]["csls"]["evaluated"] == 40
    for name in ("lexicon.xa-xb.tsv", "vectors.xa.vec", "vectors.xb.vec", "metrics.json", "report.md", "config.json"):
        assert (tmp_path / "run" / name).is_file(), name


@pytest.mark.parametrize("kw,needle", [
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


@pytest.fixture(scope="module")
def cognate_pair(tmp_path_factory):
    """Two Markov texts (different sentences) whose words are spelled alike: ``gato07`` ↔ ``gatto07``."""
    from conftest import make_language_pair

    root = tmp_path_factory.mktemp("cognates")
    a, b, _ = make_language_pair(40, 3000, seed=3)
    (root / "a.txt").write_text("\n".join(line.replace("w", "gato") for line in a) + "\n")
    (root / "b.txt").write_text("\n".join(line.replace("v", "gatto") for line in b) + "\n")
    (root / "dict.txt").write_text("".join(f"gato{i} gatto{i}\n" for i in range(40)))
    return root


def test_spelling_alone_and_the_confidence_block(cognate_pair, tmp_path):
    p = cognate_pair
    cfg = CrossConfig(src="xa", tgt="xb", method="orthography", src_corpus=str(p / "a.txt"),
                      tgt_corpus=str(p / "b.txt"), dictionary=str(p / "dict.txt"), top=100, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)["orthography"]
    assert res["csls"]["P@1"] >= 0.9 and res["family"] == "orthography" and res["orthography"]
    conf = res["confidence"]
    assert {"anchor_agreement", "hidden_anchors", "failed", "message"} <= set(conf)
    # the lexicon says which pairs a spelling anchor vouches for; the metrics count the first choices
    # it vouches for, and score each kind of evidence on its own
    rows = [r.split("\t") for r in (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().splitlines()]
    assert rows[0] == ["source", "target", "score", "evidence"] and {r[3] for r in rows[1:]} <= {"spelled", "-"}
    spelled = {(r[0], r[1]) for r in rows[1:] if r[3] == "spelled"}
    ev = res["evidence"]
    assert ev["words"] == 40 and ev["context"] == 0 and ev["spelled"] >= 30 and len(spelled) == ev["spelled"]
    assert all(a.replace("gato", "") == b.replace("gatto", "") for a, b in spelled)  # gato7 ↔ gatto7
    assert ev["P@1"]["spelled"] == {"words": ev["spelled"], "evaluated": ev["spelled"], "P@1": 1.0}


def test_orthography_on_two_scripts_is_an_error_when_asked_and_off_by_default(pair, tmp_path):
    base = dict(src="xa", tgt="xb", src_corpus=str(pair / "a.txt"), tgt_corpus=str(pair / "b.txt"),
                dictionary=str(pair / "dict.txt"), top=100, progress=False)
    with pytest.raises(LangindError, match="share almost no letters"):
        induce_cross(CrossConfig(method="coocmap", orthography=True, **base), tmp_path / "a", echo=lambda m: None)
    with pytest.raises(LangindError, match="cannot run with --no-orthography"):
        CrossConfig(method="orthography", orthography=False, **base)
    notes = []
    res = induce_cross(CrossConfig(method="coocmap", **base), tmp_path / "b", echo=notes.append)["coocmap"]
    assert res["orthography"] is False and any("without spelling evidence" in n for n in notes)


def test_one_language_twice_and_tiny_texts_are_flagged(pair, tmp_path):
    base = dict(src="xa", tgt="xb", dictionary=str(pair / "dict.txt"), top=100, progress=False, method="coocmap")
    with pytest.raises(LangindError, match="same text"):
        induce_cross(CrossConfig(src_corpus=str(pair / "a.txt"), tgt_corpus=str(pair / "a.txt"), **base),
                     tmp_path / "a", echo=lambda m: None)
    copy = tmp_path / "a2.txt"
    copy.write_text((pair / "a.txt").read_text())
    notes = []
    with pytest.raises(LangindError):  # the dictionary then has no pair in the vocabularies
        induce_cross(CrossConfig(src_corpus=str(pair / "a.txt"), tgt_corpus=str(copy), **base), tmp_path / "b",
                     echo=notes.append)
    assert any("look like one language" in n for n in notes)
    assert any("fewer than --top 100" in n for n in notes)  # the planted languages have 40 words


def test_one_language_in_two_stories_is_flagged_by_its_function_words(pair, tmp_path):
    """Two texts of one language that tell different stories share their frequent (function) words,
    not their rarer ones: the check reads the 100 most frequent words, where 1,000 would miss it."""
    rng = np.random.default_rng(0)
    shared = [f"fn{i}" for i in range(60)]

    def story(tag):
        rare = [f"{tag}{i}" for i in range(1500)]
        p = np.r_[1.0 / np.arange(1, 61), np.full(1500, 0.3 / 1500)]
        words = rng.choice(shared + rare, size=40_000, p=p / p.sum())
        path = tmp_path / f"{tag}.txt"
        path.write_text("\n".join(" ".join(words[i:i + 20]) for i in range(0, len(words), 20)) + "\n")
        return str(path)
    a, b = story("aa"), story("bb")
    cfg = CrossConfig(src="xa", tgt="xb", src_corpus=a, tgt_corpus=b, dictionary=str(pair / "dict.txt"),
                      top=1000, progress=False, method="coocmap")
    assert len(set(top_words_of(a, 1000)) & set(top_words_of(b, 1000))) < 500  # the old check's 50% of 1,000
    notes = []
    check_pair(cfg, notes.append)
    assert any("of the 100 most frequent words are the same on both sides" in n for n in notes), notes
    # two languages: no warning
    notes = []
    check_pair(replace(cfg, src_corpus=str(pair / "a.txt"), tgt_corpus=str(pair / "b.txt"), top=40), notes.append)
    assert not any("look like one language" in n for n in notes), notes


@pytest.mark.parametrize("orthography", [False, True])
def test_a_core_smaller_than_top_places_the_rest_through_its_pairs(cognate_pair, tmp_path, orthography):
    """coocmap on the 20 most frequent tokens; the other words of --top come from the tier (with the
    core's spelling weight and rules when orthography is on). Every word gets ranked rows."""
    p = cognate_pair
    cfg = CrossConfig(src="xa", tgt="xb", method="coocmap-grow", src_corpus=str(p / "a.txt"),
                      tgt_corpus=str(p / "b.txt"), dictionary=str(p / "dict.txt"), top=100, core=20,
                      orthography=orthography, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)["coocmap-grow"]
    tail = res["info"]["tail"]
    assert tail["core"] == [20, 20] and tail["words"] == [40, 40] and tail["dictionary"] >= 5
    assert res["csls"]["evaluated"] == 40 and res["csls"]["P@1"] >= (0.9 if orthography else 0.5), res["csls"]
    rows = (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().splitlines()[1:]  # after the header
    assert len({r.split("\t")[0] for r in rows}) == 40


def test_a_vocabulary_too_large_for_the_machine_is_refused_naming_what_fits(pair, tmp_path, monkeypatch):
    from langind.induction import pair as cross

    monkeypatch.setattr(cross, "machine_memory_gb", lambda: 4.0)
    base = dict(src="xa", tgt="xb", src_corpus=str(pair / "a.txt"), tgt_corpus=str(pair / "b.txt"),
                dictionary=str(pair / "dict.txt"), progress=False)
    with pytest.raises(LangindError, match=r"largest --top that fits is about \d+") as e:  # the tier's top·core part
        cross.check_fits(CrossConfig(method="coocmap-grow", top=400_000, **base))
    largest = int(str(e.value).rsplit(" ", 1)[1])
    assert 10_000 < largest < 400_000 and cross.estimated_peak_gb(
        CrossConfig(method="coocmap-grow", top=largest, **base)) <= 0.9 * 4.0
    with pytest.raises(LangindError, match=r"the largest --core that fits"):
        cross.check_fits(CrossConfig(method="coocmap", top=50_000, core=50_000, **base))
    with pytest.raises(LangindError, match=r"the largest --top that fits .*coocmap methods go further"):
        cross.check_fits(CrossConfig(method="orthography", top=50_000, **base))
    # a --top beyond the texts' own words is no memory problem: the run says how many words there are
    said: list[str] = []
    res = induce_cross(CrossConfig(method="coocmap-grow", top=400_000, **base), tmp_path / "a", echo=said.append)
    assert res["coocmap-grow"]["csls"]["evaluated"] == 40
    assert any("has only 40 distinct words, fewer than --top 400000" in m for m in said)


@pytest.fixture(scope="module")
def unrelated_cognates(tmp_path_factory):
    """Two texts that tell different stories but spell alike: a and b are Markov languages of different
    grammars, b's words renamed by a random permutation, so co-occurrences say nothing about which
    ``gato{i}`` is ``gatto{i}`` and spelling says everything."""
    from conftest import make_markov_language

    root = tmp_path_factory.mktemp("unrelated")
    a = make_markov_language(60, 3000, seed=5, fanout=3)
    perm = np.random.default_rng(0).permutation(60)
    b = [" ".join(f"gatto{perm[int(w[1:])]:02d}" for w in line.split())
         for line in make_markov_language(60, 3000, seed=17, fanout=3)]
    (root / "a.txt").write_text("\n".join(" ".join(f"gato{int(w[1:]):02d}" for w in line.split()) for line in a) + "\n")
    (root / "b.txt").write_text("\n".join(b) + "\n")
    (root / "dict.txt").write_text("".join(f"gato{i:02d} gatto{i:02d}\n" for i in range(60)))
    return root


def test_auto_reranks_a_working_alignment_in_context(pair, tmp_path):
    cfg = CrossConfig(src="xa", tgt="xb", src_corpus=str(pair / "a.txt"), tgt_corpus=str(pair / "b.txt"),
                      dictionary=str(pair / "dict.txt"), top=100, progress=False)
    assert cfg.method == "auto"  # the default pipeline
    notes = []
    res = induce_cross(cfg, tmp_path / "run", echo=notes.append)["auto"]
    auto = res["auto"]
    assert set(auto["tried"]) == {"coocmap-drop", "coocmap-grow"}
    # two "scripts" (w… / v…): no anchors, so each aligner is rated split-half by the other's halves; both
    # work, so their rankings are averaged (the higher rated first) and re-ranked in context
    tried = auto["tried"]
    assert all("split_half" in c for c in tried.values())
    assert auto["aligner"] == max(tried, key=lambda a: tried[a]["estimate"]) and auto["chosen"].startswith("incontext")
    assert auto["combined_with"] == [a for a in tried if a != auto["aligner"]]
    assert "coocmap-grow + coocmap-drop" in auto["chosen"] or "coocmap-drop + coocmap-grow" in auto["chosen"]
    assert any("coocmap-grow rated by coocmap-drop's halves" in m for m in notes)
    assert res["csls"]["P@1"] >= 0.8 and res["family"] == "lm"
    # the first choices the LM in context gave at least half the posterior are marked, and they are the sure ones
    rows = [r.split("\t") for r in (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().splitlines()[1:]]
    ev = res["evidence"]
    assert ev["spelled"] == 0 and ev["context"] >= 20 and sum(r[3] == "context" for r in rows) == ev["context"]
    assert all(float(r[2]) >= 0.5 for r in rows if r[3] == "context") and ev["P@1"]["context"]["P@1"] >= 0.9


def test_two_rankings_combine_by_their_mean_score():
    from langind.induction.spaces import Ranked

    a = Ranked(np.array([[0, 1, 2]]), np.array([[0.9, 0.5, 0.1]]), np.array([[0, 1, 2]]), np.array([0]))
    b = Ranked(np.array([[1, 3, 0]]), np.array([[0.8, 0.7, 0.2]]), np.array([[1, 3, 0]]), np.array([1]))
    both = a.combined(b)
    # 1: (0.5 + 0.8) / 2; 0: (0.9 + 0.2) / 2; 3: b's 0.7 with a's lowest listed 0.1; 2: 0.1 with b's lowest 0.2
    assert both.rows.tolist() == [[1, 0, 3]] and np.allclose(both.scores, [[0.65, 0.55, 0.4]])
    assert both.checked.tolist() == [0] and both.nn.tolist() == [[0, 1, 2]]  # the first ranking's
    with pytest.raises(ValueError, match="cannot combine"):
        a.combined(Ranked(np.zeros((2, 3), int), np.zeros((2, 3)), np.zeros((2, 3), int), np.zeros(2, int)))


def test_auto_falls_back_to_spelling_when_every_aligner_fails(unrelated_cognates, tmp_path):
    p = unrelated_cognates
    # nothing in these texts shows spelling to be evidence (look-alikes share no contexts on either side,
    # and the two grammars differ): spelling is used here because it is asked for
    assert not spelling_is_evidence(str(p / "a.txt"), str(p / "b.txt"))[0]
    cfg = CrossConfig(src="xa", tgt="xb", src_corpus=str(p / "a.txt"), tgt_corpus=str(p / "b.txt"),
                      dictionary=str(p / "dict.txt"), top=100, orthography=True, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=lambda m: None)["auto"]
    auto = res["auto"]
    # the robust aligner found nothing, so the costlier one that collapses on such texts is not tried
    assert set(auto["tried"]) == {"coocmap-grow"} and auto["tried"]["coocmap-grow"]["anchor_agreement"] < 0.10
    assert auto["chosen"].startswith("cipher (spelling") and not auto["aligner_works"]
    # spelling, the decipherment's prior, is kept where the two texts' grammars say nothing
    assert res["family"] == "orthography" and res["csls"]["P@1"] >= 0.9 and res["info"]["cipher"]["spelling_prior"]
    # fully unsupervised there are no anchors: the run is checked split-half (in tiny synthetic languages a
    # failed alignment can fail alike in both halves, so only the kind of check is asserted here; the
    # benchmark measures it on real texts)
    res = induce_cross(replace(cfg, orthography=False), tmp_path / "off", echo=lambda m: None)["auto"]
    assert res["confidence"]["hidden_anchors"] == 0 and "split_half" in res["confidence"]
    assert res["csls"]["P@1"] < 0.2


@pytest.mark.parametrize("orthography", [None, False])  # two "scripts" (w… / v…): None turns spelling off
def test_cipher_deciphers_the_frequent_words_of_a_pair_with_one_grammar(pair, tmp_path, orthography):
    """Two texts of one grammar (different sentences, renamed words, order noise): the target
    bigram read over the source text deciphers the key with no spelling at all, and the unigram
    ablation (frequency alone) does not."""
    cfg = CrossConfig(src="xa", tgt="xb", method="cipher", src_corpus=str(pair / "a.txt"),
                      tgt_corpus=str(pair / "b.txt"), dictionary=str(pair / "dict.txt"), top=100,
                      orthography=orthography, progress=False)
    notes = []
    res = induce_cross(cfg, tmp_path / "run", echo=notes.append)["cipher"]
    assert res["csls"]["evaluated"] == 40 and res["csls"]["P@1"] >= 0.8, res["csls"]
    assert res["family"] == "lm" and res["lm"] == "bigram" and res["info"]["cipher"]["placed"] >= 35
    assert any("deciphered by EM" in n for n in notes) and (tmp_path / "run" / "lexicon.xa-xb.tsv").is_file()
    # the words the decipherment placed with at least half their posterior are marked as such
    ev = res["evidence"]
    marked = [r.split("\t") for r in (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().splitlines()[1:]]
    assert ev["context"] >= 30 and sum(r[3] == "context" for r in marked) >= ev["context"]
    assert ev["P@1"]["context"]["P@1"] >= 0.8
    if orthography is False:
        ablation = induce_cross(replace(cfg, cipher=CipherConfig(unigram=True)), tmp_path / "uni",
                                echo=lambda m: None)["cipher"]
        assert ablation["family"] == "ablation" and ablation["csls"]["P@1"] < res["csls"]["P@1"] - 0.3


def test_neighbour_signatures_break_spelling_ties_in_the_cipher_start(tmp_path):
    """A pair in one alphabet where spelling ties: words 0–19 are spelled alike on both sides (the
    anchors), and words 20–39 come in pairs whose two source words are each one letter from both
    target words. The neighbour signatures, mapped on the anchors, must pick the right one of each
    tie far more often than spelling alone (whose tie-break is frequency rank). The map is learned on
    17 anchors, so the signatures use 8 context words (18 dimensions). Each pair's endings are
    its own, so no suffix rewrite can be learned (a rule needs three sightings)."""
    import random

    from conftest import make_language_pair

    from langind.induction.check import hidden_anchor_pairs
    from langind.induction.context import with_signatures
    from langind.induction.spaces import aligned_scores

    a, b, _ = make_language_pair(40, 6000, seed=5)
    rng = random.Random(0)
    stems = ["".join(rng.choice("bcdfghjklmnprstv") for _ in range(6)) for _ in range(40)]
    src_name = {i: stems[i] for i in range(20)}
    tgt_name = dict(src_name)
    for i in range(20, 40, 2):  # source S+ab, S+cd; target S+ef, S+gh (8 distinct letters): 2 edits to both,
        e = rng.sample("aeiouwxyz", 8)  # similarity 0.75, below an anchor's 0.8
        src_name[i], src_name[i + 1] = stems[i] + e[0] + e[1], stems[i] + e[2] + e[3]
        tgt_name[i], tgt_name[i + 1] = stems[i] + e[4] + e[5], stems[i] + e[6] + e[7]
    (tmp_path / "a.txt").write_text("\n".join(" ".join(src_name[int(w[1:])] for w in l.split()) for l in a) + "\n")
    (tmp_path / "b.txt").write_text("\n".join(" ".join(tgt_name[int(w[1:])] for w in l.split()) for l in b) + "\n")
    (tmp_path / "d.txt").write_text("\n".join(f"{src_name[i]} {tgt_name[i]}" for i in range(40)) + "\n")
    cfg = CrossConfig(src="xa", tgt="xb", method="cipher", src_corpus=str(tmp_path / "a.txt"),
                      tgt_corpus=str(tmp_path / "b.txt"), dictionary=str(tmp_path / "d.txt"), top=100,
                      orthography=True, signature=SignatureConfig(context_words=8, ridge=0.01), progress=False)
    hidden = hidden_anchor_pairs(cfg)
    sw, tw, start, _ = aligned_scores(cfg, "orthography", hidden, echo=lambda m: None)
    truth = {sw.index(src_name[i]): tw.index(tgt_name[i]) for i in range(20, 40)}

    def right(ranked):
        return np.mean([ranked.rows[i, 0] == j for i, j in truth.items()])

    notes = []
    ranked, info = with_signatures(cfg, sw, tw, start, hidden, notes.append)
    assert info["used"] and info["anchors"] == 20 - len(hidden) and any("signatures" in n for n in notes)
    # (spelling's tie-break, frequency rank, is often right here: the two texts share one grammar)
    assert right(ranked) >= 0.9 and right(ranked) >= right(start) + 0.2, (right(start), right(ranked))
    assert (ranked.checked == start.checked).all()  # the run's check is not touched
    off, info = with_signatures(replace(cfg, signature=SignatureConfig(weight=0.0)), sw, tw, start, hidden)
    assert off is start and not info["used"]


def test_csls_candidates_rank_by_csls_on_the_cosine_scale():
    """The candidates every in-context re-ranker starts from (the bigram's and the neural LM's rows of
    the benchmark read the same ones): CSLS ranks, the scores are halved back to the cosine scale."""
    from langind.induction.context import csls_candidates
    from langind.similarity import csls_both_ways

    rng = np.random.default_rng(0)
    sv = rng.normal(size=(30, 8))
    tv = sv[::-1] + 0.05 * rng.normal(size=(30, 8))  # target row 29 - i is source row i, a little noisy
    rows, scores = csls_candidates(sv, tv, 5)
    assert rows.shape == scores.shape == (30, 5)
    assert (rows[:, 0] == np.arange(29, -1, -1)).all()
    assert (np.diff(scores, axis=1) <= 1e-12).all()  # best first
    x = sv / np.linalg.norm(sv, axis=1, keepdims=True)
    z = tv / np.linalg.norm(tv, axis=1, keepdims=True)
    cs = csls_both_ways(x @ z.T, 10)
    # CSLS's own ranking, up to the source term (constant along a row), and half its scale
    assert (np.argsort(-cs, axis=1, kind="stable")[:, :5] == rows).all()
    assert np.allclose(scores - scores[:, :1], (np.take_along_axis(cs, rows, axis=1) - np.take_along_axis(cs, rows[:, :1], axis=1)) / 2)


def test_any_pair_without_a_dictionary_is_induced_and_says_it_was_not_scored(pair, tmp_path):
    """Language codes are free labels: no bundled dictionary and no --dictionary still gives a lexicon,
    its evidence column and a confidence block, and the run says it was not scored."""
    said: list[str] = []
    cfg = CrossConfig(src="xa", tgt="xb", method="coocmap-grow", src_corpus=str(pair / "a.txt"),
                      tgt_corpus=str(pair / "b.txt"), top=100, progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=said.append)["coocmap-grow"]
    assert res["scored"] is False and res["csls"] is None and res["evidence"]["P@1"] is None
    assert {"estimate", "failed", "message"} <= set(res["confidence"])
    assert any("not scored" in m for m in said)
    rows = (tmp_path / "run" / "lexicon.xa-xb.tsv").read_text().splitlines()
    assert rows[0].split("\t") == ["source", "target", "score", "evidence"] and len(rows) > 100


def test_a_dictionary_of_another_pair_is_refused_before_the_run(pair, tmp_path):
    flipped = tmp_path / "flipped.txt"
    flipped.write_text("".join(f"{b} {a}\n" for a, b in (line.split() for line in (pair / "dict.txt").read_text().splitlines())))
    cfg = CrossConfig(src="xa", tgt="xb", method="coocmap-grow", src_corpus=str(pair / "a.txt"),
                      tgt_corpus=str(pair / "b.txt"), dictionary=str(flipped), top=100, progress=False)
    with pytest.raises(LangindError, match="not a xa-xb dictionary for these texts: it fits xb-xa"):
        induce_cross(cfg, tmp_path / "run", echo=lambda m: None)
    assert not (tmp_path / "run").exists()


def test_spelling_is_evidence_only_where_the_texts_show_it(cognate_pair, tmp_path):
    """Spelled alike and translations (gato07 / gatto07): evidence. The same two texts written in codes
    (each through its own codebook): no evidence, so ``auto`` turns spelling off and finds no anchors."""
    a, b = str(cognate_pair / "a.txt"), str(cognate_pair / "b.txt")
    assert spelling_is_evidence(a, b)[0]
    coded_a, coded_b = f"coded:1:{a}", f"coded:2:{b}"
    evidence, why = spelling_is_evidence(coded_a, coded_b)
    assert not evidence and "no meaning" in why
    said: list[str] = []
    cfg = CrossConfig(src="xa", tgt="xb", method="coocmap-grow", src_corpus=coded_a, tgt_corpus=coded_b, top=100,
                      progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=said.append)["coocmap-grow"]
    assert cfg.orthography is False and res["orthography"] is False
    assert any("running without spelling evidence" in m for m in said)
    assert res["evidence"]["spelled"] == 0


def test_auto_on_a_pair_written_in_codes_checks_itself_split_half(pair, tmp_path):
    """The planted pair with each side under its own codebook: no spelling, no anchors; auto still finds
    the alignment, re-ranks it in context, and the split-half check vouches for it (no warning)."""
    from langind.evaluation.bli import coded_dictionary, load_dictionary
    from langind.runs import atomic_write_text

    a, b = f"coded:1:{pair / 'a.txt'}", f"coded:2:{pair / 'b.txt'}"
    gold = coded_dictionary(load_dictionary(pair / "dict.txt"), a, b)
    atomic_write_text(tmp_path / "dict.txt", "".join(f"{s} {t}\n" for s, ts in gold.items() for t in ts))
    said: list[str] = []
    cfg = CrossConfig(src="xa", tgt="xb", src_corpus=a, tgt_corpus=b, dictionary=str(tmp_path / "dict.txt"), top=100,
                      progress=False)
    res = induce_cross(cfg, tmp_path / "run", echo=said.append)["auto"]
    assert res["orthography"] is False and res["auto"]["aligner_works"]
    assert res["csls"]["evaluated"] == 40 and res["csls"]["P@1"] >= 0.8
    conf = res["confidence"]
    assert conf["hidden_anchors"] == 0 and conf["split_half"]["words"] >= 30 and conf["estimate"] >= 0.5
    assert not conf["failed"] and any(m.startswith("split-half check: coocmap-grow on half 2") for m in said)


def test_the_python_entry_point_runs_its_docstring_example(pair, monkeypatch):
    """``induce_lexicon``'s example, run as written in the folder of two texts and a dictionary."""
    import doctest

    import langind.induction as induction

    monkeypatch.chdir(pair)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(induction.induce_lexicon, "induce_lexicon", globs=vars(induction)):
        runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(failed=0, attempted=3)


def test_a_lexicon_read_back_scores_as_its_run_did_and_unknown_options_are_refused(pair, tmp_path):
    from langind.induction import Lexicon, induce_lexicon

    lex = induce_lexicon(pair / "a.txt", pair / "b.txt", src="xa", tgt="xb", method="coocmap-grow", top=100,
                         dictionary=str(pair / "dict.txt"), out=tmp_path / "run")
    assert lex.method == "coocmap-grow" and len(lex) == 40 and lex.path == tmp_path / "run"
    assert lex.evaluate(pair / "dict.txt")["P@1"] == lex.metrics["csls"]["P@1"]
    assert Lexicon.load(tmp_path / "run").candidates == lex.candidates and len(lex.candidates[0]) == 10
    with pytest.raises(LangindError, match="unknown option"):
        induce_lexicon(pair / "a.txt", pair / "b.txt", topp=100)
