"""Sentence translation es→en scored against held-out reference verses (chrF, BLEU by sacrebleu).

The test set is the books in ``langind.data.TEST_BOOKS`` (1,023 verses: Ruth, Jonah, Mark,
Philippians, James): no lexicon and no LM is trained on them, in either language. Two settings:

* ``parallel`` — the lexicon is induced from ``rv1909:train-books`` and ``web:train-books`` (the
  same books, never aligned by verse) and the target LM is ``web:train-books``;
* ``disjoint`` — from ``rv1909:odd-train-books`` and ``web:even-train-books`` (no book in common),
  target LM ``web:even-train-books``.

The lexicon is the best measured pipeline of each setting, fully unsupervised (README: in-context
re-ranking of coocmap-drop's candidates on parallel text, of coocmap-grow's on the disjoint halves;
``--no-orthography``). Systems: copying the source (the floor), word by word through the lexicon's
first choice, the decoder (without insertions; the default, with them; with local swaps too),
the decoder with a frozen neural LM of the target text (reference recipe, ``--neural-minutes``)
choosing instead of the bigram, re-estimation rounds (the training source
text translated by the decoder, IBM model 1 on the synthetic pairs, the new lexicon decoded again),
and two ceilings that are *not* unsupervised: word by word and the decoder with an IBM-1 lexicon
learned from the true verse pairs of the training books. Every setting of the decoder is chosen
without the references (β by held-out source likelihood).

Usage: python benchmarks/translate.py --out benchmarks/results/translate.json [--work DIR]
       [--settings parallel disjoint] [--rounds 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import write_result

from langind import data
from langind.corpus import CorpusSource
from langind.crosslingual.lexicon import read_lexicon, write_lexicon
from langind.crosslingual.translate import (
    DecoderConfig,
    TargetSide,
    decode,
    detokenize,
    ibm_model1,
    lexicon_rows,
    word_by_word,
)
from langind.evaluation.bli import gold_pairs, load_dictionary
from langind.evaluation.translation import translation_scores
from langind.induction import CrossConfig, induce_cross
from langind.induction.pair import top_words_of
from langind.experiments.translate import target_side
from langind.lm.recipes import train_recipe
from langind.mapping.fit import load_frozen_lm

SETTINGS = {
    "parallel": {"src": "rv1909:train-books", "tgt": "web:train-books", "candidates": "coocmap-drop"},
    "disjoint": {"src": "rv1909:odd-train-books", "tgt": "web:even-train-books", "candidates": "coocmap-grow"},
}
TEST_SRC, TEST_REF = "rv1909:test-books", "web:test-books"
SHOW = ("Mark.1.2", "Ruth.1.16", "Jas.1.5")  # verses shown side by side in the README


def lexicon_p1(rows: list[tuple[str, str, float]], src_spec: str, tgt_spec: str, top: int = 5000) -> dict:
    """P@1 of a lexicon's first choices on the FreeDict test words among the ``top`` most frequent
    source words (the BLI benchmark's protocol)."""
    best: dict[str, str] = {}
    for s, t, _ in rows:
        best.setdefault(s, t)
    sw = list(top_words_of(src_spec, top))
    tw = sorted(set(top_words_of(tgt_spec, top)) | set(best.values()))
    gold, _ = gold_pairs(sw, tw, load_dictionary(data.dictionary_path("es", "en")))
    ti = {w: j for j, w in enumerate(tw)}
    hits = [ti.get(best.get(sw[i], ""), -1) in js for i, js in gold.items()]
    return {"P@1": round(float(np.mean(hits)), 4), "test_words": len(hits)}


def verse_pairs(src_spec: str, tgt_spec: str) -> list[tuple[list[str], list[str]]]:
    """The true verse pairs of two Bibles' selections (by verse key): the supervised ceiling's data."""
    tgt = {k: toks for k, toks in CorpusSource(tgt_spec)}
    return [(toks, tgt[k]) for k, toks in CorpusSource(src_spec) if k in tgt]


def score(name: str, out: list[list[str]], target: TargetSide, refs: list[str], seconds: float, **extra) -> dict:
    row = {**translation_scores([detokenize(o, target) for o in out], refs), "seconds": round(seconds, 1), **extra}
    sig = row.pop("signatures")
    print(f"  {name:42s} chrF {row['chrF']:5.1f}  BLEU {row['BLEU']:5.1f}  ({row['seconds']:.0f} s)", flush=True)
    return {**row, "_signatures": sig}


def run_setting(name: str, spec: dict, args, test_src: list[list[str]], test_keys: list[str], refs: list[str],
                supervised: list[tuple[str, str, float]]) -> dict:
    print(f"\n{name}: lexicon from {spec['src']} ↔ {spec['tgt']}", flush=True)
    work = args.work / name
    lex_path = work / "lexicon" / "lexicon.es-en.tsv"
    t0 = time.time()
    if not lex_path.exists():
        cfg = CrossConfig(src="es", tgt="en", method="incontext", candidates=spec["candidates"], src_corpus=spec["src"],
                          tgt_corpus=spec["tgt"], orthography=False, threads=args.threads, progress=False)
        induce_cross(cfg, work / "lexicon", echo=lambda m: None)
    lexicon = read_lexicon(lex_path)
    lex_seconds = json.loads((work / "lexicon" / "metrics.json").read_text())["seconds"]
    print(f"  lexicon: {lexicon_p1(lexicon, spec['src'], spec['tgt'])} ({lex_seconds:.0f} s)", flush=True)
    target = target_side(spec["tgt"], lexicon + supervised)  # every word either lexicon proposes in its table
    raw_src = {k: t for k, t in CorpusSource(TEST_SRC).lines()}
    systems: dict[str, dict] = {}
    shown: dict[str, dict[str, str]] = {k: {"source": raw_src[k], "reference": refs[test_keys.index(k)]}
                                        for k in SHOW if k in test_keys}

    def keep(system: str, out: list[list[str]]) -> None:
        for k in shown:
            shown[k][system] = detokenize(out[test_keys.index(k)], target)

    copied = translation_scores([raw_src[k] for k in test_keys], refs)  # the Spanish verses as printed
    copied.pop("signatures")
    systems["copy the source"] = {**copied, "seconds": 0.0, "_signatures": None}
    print(f"  {'copy the source':42s} chrF {copied['chrF']:5.1f}  BLEU {copied['BLEU']:5.1f}", flush=True)
    t = time.time()
    wbw = word_by_word(test_src, lexicon)
    systems["word by word"] = score("word by word", wbw, target, refs, time.time() - t, **lexicon_p1(lexicon, spec["src"], spec["tgt"]))
    keep("word by word", wbw)
    variants = {"decoder, no insertions": DecoderConfig(insertions=False), "decoder (default)": DecoderConfig(),
                "decoder + swaps": DecoderConfig(swaps=True)}
    for label, dcfg in variants.items():
        t = time.time()
        out, info = decode(test_src, lexicon, target, dcfg, echo=lambda m: None)
        systems[label] = score(label, out, target, refs, time.time() - t, beta=info["beta"], swaps=info["swaps"],
                               inserted=info["inserted"])
        keep(label, out)
    # the frozen neural LM of the target text (reference recipe) choosing instead of the bigram
    if args.neural_minutes:
        lm_dir = work / "lm-en"
        if not (lm_dir / "metrics.json").exists():
            train_recipe("reference", spec["tgt"], lm_dir, minutes=args.neural_minutes, threads=args.threads,
                         progress=False)
        lm_metrics = json.loads((lm_dir / "metrics.json").read_text())
        neural = load_frozen_lm(str(lm_dir), threads=args.threads)
        t = time.time()
        out, info = decode(test_src, lexicon, target, DecoderConfig(), echo=lambda m: None, neural=neural)
        label = "decoder with the frozen neural LM"
        systems[label] = score(label, out, target, refs, time.time() - t, beta=info["beta"], inserted=info["inserted"],
                               lm_valid_ppl=round(lm_metrics["best_valid_ppl"], 1), lm_seconds=lm_metrics["train_seconds"])
        keep(label, out)
    # re-estimation: translate the training source text, learn IBM model 1 on the synthetic pairs
    train_src = list(CorpusSource(spec["src"]).sentences())
    current = lexicon
    for r in range(1, args.rounds + 1):
        t = time.time()
        synthetic, _ = decode(train_src, current, target, DecoderConfig(), echo=lambda m: None)
        table = ibm_model1(list(zip(train_src, synthetic)), iterations=5, max_words=args.ibm_words, echo=lambda m: None)
        current = lexicon_rows(table)
        write_lexicon(work / f"lexicon.round{r}.tsv", current)
        out, info = decode(test_src, current, target, DecoderConfig(), echo=lambda m: None)
        label = f"re-estimation round {r}"
        systems[label] = score(label, out, target, refs, time.time() - t, beta=info["beta"],
                               **lexicon_p1(current, spec["src"], spec["tgt"]))
        keep(label, out)
    # the ceilings (supervised: IBM-1 on true verse pairs of the training books)
    t = time.time()
    systems["ceiling: word by word, IBM-1 on true verse pairs"] = score(
        "ceiling: word by word, IBM-1 (supervised)", word_by_word(test_src, supervised), target, refs, time.time() - t,
        **lexicon_p1(supervised, spec["src"], spec["tgt"]))
    t = time.time()
    out, info = decode(test_src, supervised, target, DecoderConfig(), echo=lambda m: None)
    systems["ceiling: decoder, IBM-1 on true verse pairs"] = score(
        "ceiling: decoder, IBM-1 (supervised)", out, target, refs, time.time() - t, beta=info["beta"])
    keep("ceiling: decoder, IBM-1", out)
    signatures = systems["word by word"]["_signatures"]
    for row in systems.values():
        row.pop("_signatures")
    return {"src": spec["src"], "tgt": spec["tgt"], "candidates": spec["candidates"], "lexicon_seconds": lex_seconds,
            "test_verses": len(refs), "signatures": signatures, "systems": systems, "examples": shown,
            "seconds": round(time.time() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--work", type=Path, default=Path("runs/bench-translate"))
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--rounds", type=int, default=2, help="re-estimation rounds")
    ap.add_argument("--ibm-words", type=int, default=10000, help="IBM-1 vocabulary per side")
    ap.add_argument("--neural-minutes", type=float, default=6.0,
                    help="budget of each target LM (reference recipe) for the neural decoder row (0: no such row)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    test = list(CorpusSource(TEST_SRC))
    ref_text = {k: t for k, t in CorpusSource(TEST_REF).lines()}
    test = [(k, toks) for k, toks in test if k in ref_text]
    keys, test_src, refs = [k for k, _ in test], [toks for _, toks in test], [ref_text[k] for k, _ in test]
    print(f"test set: {len(keys)} verses of {', '.join(data.TEST_BOOKS)}", flush=True)
    t = time.time()
    supervised = lexicon_rows(ibm_model1(verse_pairs("rv1909:train-books", "web:train-books"), iterations=5,
                                         max_words=args.ibm_words, echo=lambda m: None))
    print(f"supervised IBM-1 lexicon from the training books' verse pairs: {time.time() - t:.0f} s", flush=True)
    result = {"test_books": list(data.TEST_BOOKS), "test_verses": len(keys), "settings": {}}
    if args.out.exists():  # a run of some settings keeps the others' rows
        result["settings"] = json.loads(args.out.read_text(encoding="utf-8")).get("settings", {})
    for name in args.settings:
        result["settings"][name] = run_setting(name, SETTINGS[name], args, test_src, keys, refs, supervised)
        result["total_seconds"] = round(time.time() - t0, 1)
        write_result(args.out, result)
    print(f"\ntotal {time.time() - t0:.0f} s; wrote {args.out}")


if __name__ == "__main__":
    main()
