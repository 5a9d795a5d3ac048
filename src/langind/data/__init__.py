"""Bundled data: Bible translations, two fortune collections, FreeDict and Apertium dictionaries,
shipped inside the package.

Built once by ``scripts/build_data.py`` (Bibles, FreeDict) and ``scripts/build_fortunes.py``
(fortunes, Apertium) from Debian packages (see ``data/README.md`` for sources,
licences and statistics); read here with :mod:`importlib.resources`, never downloaded.

Corpora are gzip'd TSV, one verse (or fortune) per line: ``KEY<TAB>TEXT<TAB>TOKENS`` with ``KEY``
an OSIS reference (``Gen.1.1``) shared by all translations, so an *evaluation* can align verses
(fortunes: ``collection.N``); training never uses the keys.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from importlib import resources

from langind.errors import LangindError

CORPORA = {
    "web": ("en", "World English Bible (2015, 66 books)"),
    "rv1909": ("es", "Reina-Valera 1909"),
    "kjv": ("en", "King James Version (2006 edition)"),
    "fortunes-es": ("es", "Debian fortunes-es: Spanish proverbs, aphorisms, quotations"),
    "fortunes-en": ("en", "Debian fortunes: English jokes, quotations, definitions, lyrics"),
}
BIBLES = ("web", "rv1909", "kjv")  # the corpora with book structure (NAME:odd-books / NAME:even-books)
# Gold dictionaries (evaluation only), by source: FreeDict is the default everywhere; Apertium's
# bilingual dictionary, applied to surface forms by its own morphology, is the independent second.
DICTIONARY_SOURCES = ("freedict", "apertium")
DICTIONARIES = {("en", "es"): "freedict.en-es.txt", ("es", "en"): "freedict.es-en.txt"}

# The 66 books of the Protestant canon (OSIS names) in canonical order: every bundled Bible has
# exactly these. A corpus spec ``NAME:odd-books`` keeps books 1, 3, 5, ... (Genesis, Leviticus, ...)
# and ``NAME:even-books`` books 2, 4, ... (Exodus, Numbers, ...), so the two halves share no verse:
# ``rv1909:odd-books`` against ``web:even-books`` is a pair of texts that are not translations of
# each other.
BOOKS = (
    "Gen Exod Lev Num Deut Josh Judg Ruth 1Sam 2Sam 1Kgs 2Kgs 1Chr 2Chr Ezra Neh Esth Job Ps Prov "
    "Eccl Song Isa Jer Lam Ezek Dan Hos Joel Amos Obad Jonah Mic Nah Hab Zeph Hag Zech Mal "
    "Matt Mark Luke John Acts Rom 1Cor 2Cor Gal Eph Phil Col 1Thess 2Thess 1Tim 2Tim Titus Phlm Heb "
    "Jas 1Pet 2Pet 1John 2John 3John Jude Rev"
).split()
# Held-out books for sentence translation (``langind translate``, benchmarks/translate.py): about
# 1,000 verses, from both halves of the odd/even split, that no lexicon and no LM is trained on.
# ``NAME:test-books`` is them; ``NAME:train-books`` every other book; ``NAME:odd-train-books`` /
# ``NAME:even-train-books`` the odd / even books without them (the book-disjoint pair whose test
# verses neither side saw).
TEST_BOOKS = ("Ruth", "Jonah", "Mark", "Phil", "Jas")
BOOK_SELECTIONS = ("odd-books", "even-books", "test-books", "train-books", "odd-train-books", "even-train-books")


def parse_spec(spec: str) -> tuple[str, str | None] | None:
    """``"rv1909:odd-books"`` → ("rv1909", "odd-books"); ``"web"`` → ("web", None); None when
    ``spec`` names no bundled corpus. Raises for a bundled name with an unknown selection."""
    name, _, selection = spec.removeprefix("bundled:").partition(":")
    if name not in CORPORA:
        return None
    if selection and name not in BIBLES:
        raise LangindError(f"{spec!r}: book selections work with the Bibles ({', '.join(BIBLES)}) only; "
                           f"{name} has no books")
    if selection and selection not in BOOK_SELECTIONS:
        raise LangindError(f"unknown selection {selection!r} in corpus spec {spec!r}; write {name} or "
                           + ", ".join(f"{name}:{s}" for s in BOOK_SELECTIONS))
    return name, selection or None


def book_number(key: str) -> int:
    """1-based canonical number of a verse key's book (``Exod.3.14`` → 2)."""
    return BOOKS.index(key.split(".", 1)[0]) + 1


def in_selection(key: str, selection: str | None) -> bool:
    """Whether the verse ``key`` belongs to a book selection (:data:`BOOK_SELECTIONS`; None = all)."""
    if selection is None:
        return True
    book = key.split(".", 1)[0]
    test = book in TEST_BOOKS
    if selection == "test-books":
        return test
    if selection == "train-books":
        return not test
    parity = book_number(key) % 2 == (1 if selection.startswith("odd") else 0)
    return parity and not (test and selection.endswith("train-books"))


def select_books(verses: list["Verse"], selection: str | None) -> list["Verse"]:
    """The verses of a book selection (:func:`in_selection`; all verses when ``selection`` is None)."""
    return verses if selection is None else [v for v in verses if in_selection(v.key, selection)]


@dataclass(frozen=True)
class Verse:
    key: str
    text: str
    tokens: tuple[str, ...]


def _files():
    return resources.files("langind.data") / "files"


def available_corpora() -> list[str]:
    return [name for name in CORPORA if (_files() / f"{name}.tsv.gz").is_file()]


def corpus_language(name: str) -> str:
    """Language of a bundled corpus or corpus spec (``rv1909:odd-books`` → ``es``)."""
    parsed = parse_spec(name)
    if parsed is None:
        raise LangindError(f"{name!r} is no bundled corpus; choose one of {sorted(CORPORA)}")
    return CORPORA[parsed[0]][0]


def load_corpus(name: str) -> list[Verse]:
    """All lines of a bundled corpus (a Bible's verses in canonical order, or the fortunes)."""
    if name not in CORPORA:
        raise LangindError(f"unknown bundled corpus {name!r}; choose one of {sorted(CORPORA)}")
    f = _files() / f"{name}.tsv.gz"
    if not f.is_file():
        raise LangindError(f"bundled corpus {name!r} is missing from this installation; run scripts/build_data.py")
    verses = []
    with gzip.open(io.BytesIO(f.read_bytes()), "rt", encoding="utf-8") as fh:
        for line in fh:
            key, text, toks = line.rstrip("\n").split("\t")
            verses.append(Verse(key, text, tuple(toks.split(" ")) if toks else ()))
    return verses


def dictionary_path(src: str, tgt: str, source: str = "freedict"):
    """A :class:`importlib.resources` path to the bundled MUSE-format dictionary src→tgt from
    ``source`` (``freedict`` or ``apertium``)."""
    if source not in DICTIONARY_SOURCES:
        raise LangindError(f"unknown dictionary source {source!r}; choose one of {list(DICTIONARY_SOURCES)}")
    if (src, tgt) not in DICTIONARIES:
        raise LangindError(f"no bundled dictionary {src}-{tgt}; bundled: {['-'.join(k) for k in DICTIONARIES]}")
    return _files() / f"{source}.{src}-{tgt}.txt"
