"""The numbers the data build measures, and the statistics block of the data README.

:func:`keys_in_common` (verse keys the Bibles share), :func:`top_k` (the frequent words of a
corpus) and :func:`dictionary_coverage` (how well a dictionary meets the corpora) compute what
``stats.json`` records besides the per-corpus and per-dictionary counts made while building;
:func:`render_stats_markdown` turns ``stats.json``'s content into the Markdown tables that
:func:`update_readme` writes between the generated-block markers of ``src/langind/data/README.md``
(the prose around them is hand-written).
"""

from __future__ import annotations

import collections

from _build.common import README, log, ranked_words
from _build.freedict import DROP_REASONS
from langind.corpus import fold_accents

TOP_K = 5000  # "frequent word" threshold used in the dictionary statistics


def keys_in_common(texts: dict[str, dict[str, str]]) -> dict[str, int]:
    """How many verse keys each pair of Bibles, and all three, have in common."""
    keys = {n: set(t) for n, t in texts.items()}
    return {
        "web & rv1909": len(keys["web"] & keys["rv1909"]),
        "web & kjv": len(keys["web"] & keys["kjv"]),
        "rv1909 & kjv": len(keys["rv1909"] & keys["kjv"]),
        "web & rv1909 & kjv": len(keys["web"] & keys["rv1909"] & keys["kjv"]),
    }


def top_k(counts: collections.Counter, k: int) -> set[str]:
    """The k most frequent alphabetic word types (ties broken alphabetically, for determinism)."""
    return set(ranked_words(counts, k))


def dictionary_coverage(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str,
                        vocab: dict[str, set[str]], top: dict[str, set[str]]) -> dict:
    """How well a dictionary meets the corpora, exactly and with accents folded (not applied)."""
    stats: dict = {}
    folded_vocab = {lang: {fold_accents(w) for w in v} for lang, v in vocab.items()}
    folded_top = {lang: {fold_accents(w) for w in v} for lang, v in top.items()}
    for side, lang in (("source", src_lang), ("target", tgt_lang)):
        words = {p[0] if side == "source" else p[1] for p in pairs}
        exact = {w for w in words if w in vocab[lang]}
        folded = {w for w in words if w not in exact and fold_accents(w) in folded_vocab[lang]}
        stats[f"{side}_words_in_corpus_vocab"] = len(exact)
        stats[f"{side}_words_matching_only_after_accent_folding"] = len(folded)
    stats[f"pairs_both_in_top{TOP_K}"] = sum(
        1 for s, t in pairs if s in top[src_lang] and t in top[tgt_lang])
    stats[f"pairs_both_in_top{TOP_K}_if_accents_folded"] = sum(
        1 for s, t in pairs
        if fold_accents(s) in folded_top[src_lang] and fold_accents(t) in folded_top[tgt_lang])
    return stats


# --------------------------------------------------------------------------------------------
# The README statistics block
# --------------------------------------------------------------------------------------------

README_BEGIN = "<!-- BEGIN build_data.py statistics (generated; do not edit by hand) -->"
README_END = "<!-- END build_data.py statistics -->"


def render_stats_markdown(stats: dict) -> str:
    c, d = stats["corpora"], stats["dictionaries"]
    names = list(c)
    rows = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for label, key in [("verses", "verses"), ("empty verses skipped", "empty_verses_skipped"),
                       ("non-canonical verses skipped", "non_canonical_verses_skipped"),
                       ("tokens (words + punctuation)", "tokens"), ("types", "types"),
                       ("word tokens (alphabetic)", "word_tokens"),
                       ("word types (alphabetic)", "word_types")]:
        rows.append(f"| {label} | " + " | ".join(f"{c[n][key]:,}" for n in names) + " |")
    rules = sorted({r for n in names for r in c[n]["cleaning"]})
    for r in rules:
        rows.append(f"| cleaning: {r} | " + " | ".join(f"{c[n]['cleaning'].get(r, 0):,}" for n in names) + " |")
    checks = sorted({r for n in names for r in c[n]["cross_check"]})
    for r in checks:
        rows.append(f"| cross-check: {r} | " + " | ".join(f"{c[n]['cross_check'].get(r, 0):,}" for n in names) + " |")
    out = ["Corpora:", "", *rows, "", "Verse keys in common:", ""]
    out += [f"- {k}: {v:,}" for k, v in stats["keys_in_common"].items()]
    out += ["", "Empty verse keys skipped: " + "; ".join(
        f"{n}: {', '.join(c[n]['empty_verse_keys']) or 'none'}" for n in names), ""]
    dn = list(d)
    out += ["Dictionaries:", "", "| | " + " | ".join(dn) + " |", "|---|" + "---:|" * len(dn)]
    keys = ["entries", "entries_with_truncated_headword", "candidate_translations", "pairs",
            "source_words", "target_words", "pairs_with_unknown_source_word",
            "pairs_with_unknown_target_word"]
    for k in keys:
        out.append(f"| {k.replace('_', ' ')} | " + " | ".join(f"{d[n][k]:,}" for n in dn) + " |")
    for r in DROP_REASONS:
        out.append(f"| dropped: {r} | " + " | ".join(
            f"{d[n]['dropped_pairs_by_reason'][r]:,}" for n in dn) + " |")
    for k in d[dn[0]]["coverage"]:
        out.append(f"| {k.replace('_', ' ')} | " + " | ".join(
            f"{d[n]['coverage'][k]:,}" for n in dn) + " |")
    out += ["", f"Top-{TOP_K} definition: {stats['top_k_definition']}", ""]
    return "\n".join(out)


def update_readme(stats: dict) -> None:
    """Replace the generated statistics block of the data README (prose around it is hand-written)."""
    if not README.exists():
        log(f"note: {README} does not exist; statistics are in stats.json only")
        return
    text = README.read_text("utf-8")
    if README_BEGIN not in text or README_END not in text:
        log(f"note: {README} has no statistics markers; left unchanged")
        return
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    README.write_text(head + README_BEGIN + "\n" + render_stats_markdown(stats) + "\n"
                      + README_END + tail, "utf-8")
