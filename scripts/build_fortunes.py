#!/usr/bin/env python3
"""Build the *different-stories* pair of langind's bundled data from Debian's fortune databases.

    apt-get install -y fortunes fortunes-es apertium-eng-spa lttoolbox
    .venv/bin/python scripts/build_fortunes.py

Why this pair: the Bible pairs tell the same story (or related ones) in the same style with the
same names. Debian's ``fortunes-es`` (Spanish proverbs, aphorisms and quotations, collected by
Spanish speakers) and ``fortunes`` (the English BSD fortune collection: jokes, quotations,
definitions, song lyrics) are two independent collections of short general-vocabulary texts in
two languages: no shared passages by construction (different collectors, different sources), a
general vocabulary instead of a scriptural one, and freely redistributable. Left out: the
offensive sub-collections (``off/``); on the Spanish side ``leydemurphy`` (a translation of the
Murphy's-law lists that the English collection also holds) so that no passage is shared; on the
English side ``ascii-art``, ``perl`` (code), and ``translate-me`` (foreign-language phrases with
their English translations).

Outputs (in ``src/langind/data/files/``)
-----------------------------------------
``fortunes-es.tsv.gz``, ``fortunes-en.tsv.gz``
    One fortune per line, ``KEY<TAB>TEXT<TAB>TOKENS`` as the Bible files: KEY is
    ``collection.N`` (``refranes.17``), TEXT the fortune on one line without its attribution
    (``-- Mark Twain``), TOKENS ``" ".join(tokenize(TEXT, lowercase=True))``.
``apertium.es-en.txt``, ``apertium.en-es.txt``
    An independent gold dictionary: Apertium's English–Spanish bilingual dictionary
    (``apertium-eng-spa``), applied by its own analyser → bilingual dictionary → generator
    (``lt-proc``) to the 20,000 most frequent words of each bundled corpus of the source language,
    so pairs are *surface forms* (``casas house`` would be wrong; ``casas houses`` is what it
    gives). MUSE format, sorted, unique.
``fortunes_stats.json``
    Counts printed by the build.

Rebuilding with the same package versions gives byte-identical files. The helpers shared with
``scripts/build_data.py`` (paths, messages, the package check, gzip writing, word ranking) are in
``scripts/_build/common.py``; the Bibles and their languages are ``langind.data``'s.
"""

from __future__ import annotations

import collections
import gzip
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from _build.common import OUT_DIR, ROOT, fail, log, package_versions, ranked_words, write_gzip_text

sys.path.insert(0, str(ROOT / "src"))
from langind.corpus import tokenize  # noqa: E402
from langind.data import BIBLES, CORPORA  # noqa: E402

FORTUNES = Path("/usr/share/games/fortunes")
APERTIUM = Path("/usr/share/apertium/apertium-eng-spa")
PACKAGES = ("fortunes", "fortunes-es", "apertium-eng-spa", "lttoolbox")
SKIP = {"es": {"leydemurphy"}, "en": {"ascii-art", "perl", "translate-me"}}
DICT_WORDS = 20000  # the most frequent words of each source-language corpus given to Apertium

_CONTROL_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")
_ATTRIBUTION_RE = re.compile(r"^\s*(--|—|―)")


def collection_files(lang: str) -> list[Path]:
    """The fortune files of one language, sorted by name, without the skipped collections."""
    base = FORTUNES / "es" if lang == "es" else FORTUNES
    files = []
    for p in sorted(base.iterdir()):
        if p.is_dir() or p.suffix in (".dat", ".u8") or p.name.endswith("-pre"):
            continue
        name = p.name.removesuffix(".fortunes")
        if name not in SKIP[lang]:
            files.append(p)
    if not files:
        fail(f"no fortune files under {base}; apt-get install -y {' '.join(PACKAGES)}")
    return files


def clean_fortune(raw: str) -> str | None:
    """One fortune (the lines between two ``%``) → one line of text, or None to leave it out.

    The attribution is dropped: a line starting with ``--``, or a deeply indented last line
    (Spanish collections put the author there). Fortunes that are mostly not letters (tables,
    drawings, code) are left out."""
    lines = [_CONTROL_RE.sub("", ln.replace("\t", "        ")).rstrip() for ln in raw.split("\n")]
    lines = [ln for ln in lines if ln.strip()]
    while lines and (_ATTRIBUTION_RE.match(lines[-1]) or (len(lines) > 1 and lines[-1].startswith(" " * 5))):
        lines.pop()
    lines = [ln for ln in lines if not _ATTRIBUTION_RE.match(ln)]
    text = " ".join(ln.strip() for ln in lines)
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()
    if not text:
        return None
    letters = sum(c.isalpha() for c in text)
    if letters < 10 or letters / len(text.replace(" ", "")) < 0.7:
        return None
    return text


def read_collection(path: Path) -> list[str]:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raw = path.read_bytes().decode("latin-1")
    return [t for t in (clean_fortune(chunk) for chunk in raw.split("\n%\n")) if t]


def build_corpus(lang: str) -> tuple[list[str], dict]:
    seen: set[str] = set()
    rows, per_file = [], {}
    for path in collection_files(lang):
        name = path.name.removesuffix(".fortunes")
        kept = 0
        for i, text in enumerate(read_collection(path), start=1):
            key = text.lower()
            if key in seen:  # the same fortune in two collections: keep the first
                continue
            seen.add(key)
            toks = tokenize(text, lowercase=True)
            if toks:
                rows.append(f"{name}.{i}\t{text}\t{' '.join(toks)}")
                kept += 1
        per_file[name] = kept
    n_tokens = sum(len(r.split("\t")[2].split(" ")) for r in rows)
    n_words = sum(sum(any(c.isalpha() for c in t) for t in r.split("\t")[2].split(" ")) for r in rows)
    return rows, {"fortunes": len(rows), "tokens": n_tokens, "words": n_words, "collections": per_file}


# -- the Apertium dictionary -----------------------------------------------------------------------
def _units(line: str) -> list[str]:
    return re.findall(r"\^(.*?)\$", line)


def apertium_pairs(words: list[str], direction: str) -> list[tuple[str, str]]:
    """Surface → surface translations of ``words`` through Apertium's analyser, bilingual
    dictionary and generator (``direction`` ``spa-eng`` or ``eng-spa``). A word gets every
    translation of every analysis; multi-word outputs and untranslated lemmas are left out."""
    morf, bil, gen = (APERTIUM / f"{direction}.{k}.bin" for k in ("automorf", "autobil", "autogen"))
    for f in (morf, bil, gen):
        if not f.is_file():
            fail(f"{f} is missing; apt-get install -y {' '.join(PACKAGES)}")
    # 1. analyse: one ^word/an1/an2$ per word (input separated by blank lines keeps them apart)
    analysed = subprocess.run(["lt-proc", str(morf)], input="\n".join(words) + "\n", capture_output=True,
                              text=True, check=True).stdout.split("\n")
    queries: list[tuple[str, str]] = []
    for w, line in zip(words, analysed):
        for unit in _units(line)[:1]:
            surface, *analyses = unit.split("/")
            if surface.lower() != w:
                continue
            for a in analyses:
                if a.startswith("*") or "+" in a or "#" in a:
                    continue
                queries.append((w, a))
    # 2. bilingual dictionary: each analysis → its target lemma(s) with tags
    bil_out = subprocess.run(["lt-proc", "-b", str(bil)], input="\n".join(f"^{a}$" for _, a in queries) + "\n",
                             capture_output=True, text=True, check=True).stdout.split("\n")
    gen_q: list[tuple[str, str]] = []
    for (w, _), line in zip(queries, bil_out):
        for unit in _units(line)[:1]:
            for t in unit.split("/")[1:]:
                if t.startswith("@") or t.startswith("*") or " " in t.split("<")[0]:
                    continue
                gen_q.append((w, t))
    # 3. generate the target surface form of each tagged target lemma. Apertium's structural
    # transfer (which we do not run) would adapt the tags to the target grammar; instead each
    # analysis is tried with a few tag variants (as is; gender dropped; Spanish tenses as English
    # ones; an English adjective or determiner as Spanish masculine singular) and the first that
    # generates a form wins.
    variants = [tag_variants(t, direction) for _, t in gen_q]
    flat = [v for vs in variants for v in vs]
    gen_out = subprocess.run(["lt-proc", "-g", str(gen)], input="\n".join(f"^{t}$" for t in flat) + "\n",
                             capture_output=True, text=True, check=True).stdout.split("\n")
    pairs = set()
    pos = 0
    for (w, _), vs in zip(gen_q, variants):
        outs, pos = gen_out[pos:pos + len(vs)], pos + len(vs)
        form = next((o.strip().lower().lstrip("~") for o in outs if o.strip() and not any(c in o for c in "#@*")), "")
        if not form or any(c in form for c in "^$<> ") or not any(c.isalpha() for c in form):
            continue
        for alt in form.split("/"):
            pairs.add((w, unicodedata.normalize("NFC", alt)))
    return sorted(pairs)


_GENDER = re.compile(r"<(m|f|mf|nt)>")
_ES_TENSE_TO_EN = {"ifi": "past", "pii": "past", "pri": "pres", "prs": "pres", "pis": "past"}


def tag_variants(tagged: str, direction: str) -> list[str]:
    """Tag variants of one bilingual-dictionary output to try with the target generator."""
    out = [tagged, _GENDER.sub("", tagged)]
    if direction == "spa-eng":
        base = _GENDER.sub("", tagged)
        lemma, _, tags = base.partition("<")
        tags = "<" + tags if tags else ""
        for es, en in _ES_TENSE_TO_EN.items():
            if f"<{es}>" in tags:
                t = tags.replace(f"<{es}>", f"<{en}>")
                out += [lemma + t, lemma + re.sub(r"<p[123]><(sg|pl)>", "", t)]
        if tags.startswith(("<adj", "<det")):
            out.append(lemma + re.sub(r"<(sg|pl|sp)>", "", tags))
    else:
        tagged = tagged.replace("<GD>", "<m>").replace("<ND>", "<sg>").replace("<sp>", "<sg>")
        tagged = tagged.replace("<past>", "<ifi><p3><sg>").replace("<pres>", "<pri><p3><sg>")
        out.append(tagged)
        lemma, _, tags = tagged.partition("<")
        if tags.startswith(("adj", "det", "n>")) and "<sg>" not in tags and "<pl>" not in tags:
            out += [f"{tagged}<m><sg>", f"{tagged}<f><sg>", f"{tagged}<mf><sg>"]
        elif "<pl>" in tags or "<sg>" in tags:
            out += [re.sub(r"<(sg|pl)>", r"<m><\1>", tagged), re.sub(r"<(sg|pl)>", r"<f><\1>", tagged),
                    re.sub(r"<(sg|pl)>", r"<mf><\1>", tagged)]
    return list(dict.fromkeys(out))


def frequent_words(rows_by_corpus: list[list[str]], n: int) -> list[str]:
    counts: collections.Counter = collections.Counter()
    for rows in rows_by_corpus:
        for r in rows:
            counts.update(t for t in r.split("\t")[2].split(" ") if t.isalpha())
    return ranked_words(counts, n)


def bible_rows(name: str) -> list[str]:
    with gzip.open(OUT_DIR / f"{name}.tsv.gz", "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def main() -> None:
    stats: dict = {"debian_packages": package_versions(PACKAGES)}
    rows = {}
    for lang in ("es", "en"):
        rows[lang], stats[f"fortunes-{lang}"] = build_corpus(lang)
        write_gzip_text(OUT_DIR / f"fortunes-{lang}.tsv.gz", rows[lang])
        s = stats[f"fortunes-{lang}"]
        log(f"fortunes-{lang}: {s['fortunes']:,} fortunes, {s['tokens']:,} tokens, {s['words']:,} words")
    for src, tgt, direction in (("es", "en", "spa-eng"), ("en", "es", "eng-spa")):
        bibles = [b for b in BIBLES if CORPORA[b][0] == src]  # rv1909; web, kjv
        words = frequent_words([rows[src]] + [bible_rows(b) for b in bibles], DICT_WORDS)
        pairs = apertium_pairs(words, direction)
        (OUT_DIR / f"apertium.{src}-{tgt}.txt").write_text("".join(f"{a} {b}\n" for a, b in pairs), encoding="utf-8")
        stats[f"apertium.{src}-{tgt}"] = {"pairs": len(pairs), "source_words": len({a for a, _ in pairs})}
        log(f"apertium.{src}-{tgt}: {len(pairs):,} pairs for {len({a for a, _ in pairs}):,} source words")
    (OUT_DIR / "fortunes_stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
