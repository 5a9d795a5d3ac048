#!/usr/bin/env python3
"""Build langind's bundled data (``src/langind/data/files/``) from Debian packages.

Nothing is downloaded: every input is a file installed by a Debian package, so the build is
repeatable offline and the provenance of each byte is a package name and version.

    apt-get install -y diatheke python3-sword sword-text-web sword-text-sparv sword-text-kjv \\
        dict-freedict-eng-spa dict-freedict-spa-eng wamerican wspanish hunspell-es espeak-ng
    .venv/bin/python scripts/build_data.py

Outputs
-------
``web.tsv.gz``, ``rv1909.tsv.gz``, ``kjv.tsv.gz``
    One verse per line, ``KEY<TAB>TEXT<TAB>TOKENS``: KEY is ``Book.Chapter.Verse`` with OSIS book
    names (``Gen.1.1``; the same scheme in every corpus, so they join on KEY), TEXT the cleaned verse
    (original case, single spaces, no markup), TOKENS ``" ".join(tokenize(TEXT, lowercase=True))``.
    Only the 66 books of the Protestant canon, in canonical order; empty verses are left out.
``freedict.en-es.txt``, ``freedict.es-en.txt``
    Single-word translation pairs in MUSE format (``src tgt``, lowercase, sorted, unique).
``stats.json``
    Everything the build measured; the same numbers are printed and written into the statistics
    block of ``src/langind/data/README.md``.

How the Bible text is read
--------------------------
The SWORD modules are read with the SWORD library's Python binding (``python3-sword``), which only
exists for Debian's ``/usr/bin/python3``. This script therefore re-runs itself under that
interpreter (``--sword-dump MODULE``) to dump each verse's *raw OSIS markup* as JSON lines, and does
all cleaning itself, in the project's Python (which has ``langind`` for tokenisation). Raw markup
is used instead of SWORD's or diatheke's plain-text rendering because those renderings glue words
together where they strip footnotes ("Godcreated") or translator additions ("allítambiénbdelio"),
and cannot tell a psalm superscription from an editorial heading.

Two independent checks guard the cleaning: every verse's letters are compared with SWORD's own
plain-text rendering (spaces and the deliberately removed pieces aside, they must agree), and a
few verses are compared with the ``diatheke`` command-line front end. Both fail the build loudly,
as does a module that yields no text (``diatheke -b WEB`` with a wrong module name prints nothing
and exits 0; we never trust an empty answer).

Code layout
-----------
This file holds the command line and :func:`main`; the work is in ``scripts/_build/``, one module
per source: ``sword_dump`` (the part run under Debian's Python, standard library only),
``sword`` (Bibles: OSIS cleaning and checks), ``freedict`` (dictionaries), ``stats`` (measured
numbers and the README statistics block), and ``common`` (helpers shared with
``scripts/build_fortunes.py``). The corpus names, their languages and the 66-book list are
``langind.data``'s ``BIBLES``, ``CORPORA`` and ``BOOKS``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _build.common import BUILD_COMMAND, DEBIAN_PYTHON, OUT_DIR, fail, log, package_versions


def main() -> None:
    versions = package_versions()
    if not Path(DEBIAN_PYTHON).exists():
        fail(f"{DEBIAN_PYTHON} not found; python3-sword only works with Debian's Python 3")
    try:
        import langind.corpus  # noqa: F401
    except ImportError:
        fail(f"langind is not importable; run this script with the project venv: {BUILD_COMMAND}")
    # Imported only now: these modules import langind, checked just above.
    from _build.freedict import GlueDetector, build_dictionary, read_wordlist
    from _build.stats import TOP_K, dictionary_coverage, keys_in_common, top_k, update_readme
    from _build.sword import SWORD_MODULES, build_corpus

    from langind.data import BIBLES

    if set(SWORD_MODULES) != set(BIBLES):
        fail(f"langind.data.BIBLES {BIBLES} and the SWORD modules of _build/sword.py "
             f"({', '.join(SWORD_MODULES)}) name different corpora")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stats: dict = {"build_command": BUILD_COMMAND, "debian_packages": versions, "corpora": {}}

    texts, counts, lowercase = {}, {}, {}
    for corpus in BIBLES:
        stats["corpora"][corpus], texts[corpus], counts[corpus], lowercase[corpus] = \
            build_corpus(corpus)
    stats["keys_in_common"] = keys_in_common(texts)
    log(f"verse keys in common: {stats['keys_in_common']}")

    # Vocabularies by language: English from WEB + KJV, Spanish from RV1909. "Top-k" ranks the
    # alphabetic word types of WEB (English) and RV1909 (Spanish), the pair the package aligns.
    vocab = {"en": {w for n in ("web", "kjv") for w in counts[n] if w.isalpha()},
             "es": {w for w in counts["rv1909"] if w.isalpha()}}
    top = {"en": top_k(counts["web"], TOP_K), "es": top_k(counts["rv1909"], TOP_K)}
    stats["top_k_definition"] = (
        f"the {TOP_K} most frequent lowercase alphabetic (str.isalpha) token types of web.tsv.gz "
        f"(English) and rv1909.tsv.gz (Spanish), ties broken alphabetically")
    # Word lists for the glued-translation test. wspanish is small, so hunspell-es's stems are
    # added to the *known* Spanish words (not to the split parts: its stems include fragments).
    english = read_wordlist("/usr/share/dict/american-english")
    spanish = read_wordlist("/usr/share/dict/spanish")
    spanish_stems, _ = read_wordlist("/usr/share/hunspell/es_ES.dic")
    detectors = {
        "en": GlueDetector("en", vocab["en"], lowercase["web"] | lowercase["kjv"], english),
        "es": GlueDetector("es", vocab["es"], lowercase["rv1909"],
                           (spanish[0] | spanish_stems, spanish[1])),
    }
    stats["dictionaries"] = {}
    for direction, name, src, tgt, truncation in [
        ("en-es", "freedict-eng-spa", "en", "es", True),
        ("es-en", "freedict-spa-eng", "es", "en", False),
    ]:
        glue_examples: list[str] = []
        pairs, dstats = build_dictionary(name, src, tgt, detectors, truncation, glue_examples)
        dstats["glued_target_examples"] = glue_examples
        dstats["coverage"] = dictionary_coverage(pairs, src, tgt, vocab, top)
        (OUT_DIR / f"freedict.{direction}.txt").write_text(
            "".join(f"{s} {t}\n" for s, t in pairs), "utf-8")
        stats["dictionaries"][direction] = dstats
        log(f"[{direction}] {name}: {dstats['pairs']} pairs from {dstats['entries']} entries")
        for reason, n in dstats["dropped_pairs_by_reason"].items():
            log(f"[{direction}]   dropped, {reason}: {n}")
        log(f"[{direction}]   coverage: {dstats['coverage']}")

    (OUT_DIR / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n",
                                        "utf-8")
    update_readme(stats)
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir() if p.is_file())
    log(json.dumps(stats, ensure_ascii=False, indent=1))
    log(f"wrote {OUT_DIR} ({total / 1e6:.1f} MB)")
    if total > 12e6:
        fail(f"{OUT_DIR} is {total / 1e6:.1f} MB, over the 12 MB budget")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sword-dump", metavar="MODULE",
                        help="internal: dump a SWORD module as JSON lines (run by /usr/bin/python3)")
    args = parser.parse_args()
    if args.sword_dump:
        from _build.sword_dump import sword_dump

        sword_dump(args.sword_dump)
    else:
        main()
