"""Bundled data: Bible translations and FreeDict dictionaries, shipped inside the package.

Built once by ``scripts/build_data.py`` from Debian packages (see ``data/README.md`` for sources,
licences and statistics); read here with :mod:`importlib.resources`, never downloaded.

Corpora are gzip'd TSV, one verse per line: ``KEY<TAB>TEXT<TAB>TOKENS`` with ``KEY`` an OSIS
reference (``Gen.1.1``) shared by all translations, so an *evaluation* can align verses; training
never uses the keys.
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
}
DICTIONARIES = {("en", "es"): "freedict.en-es.txt", ("es", "en"): "freedict.es-en.txt"}


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
    return CORPORA[name][0]


def load_bible(name: str) -> list[Verse]:
    """All verses of a bundled translation, in canonical order."""
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


def dictionary_path(src: str, tgt: str):
    """A :class:`importlib.resources` path to the bundled MUSE-format dictionary src→tgt."""
    name = DICTIONARIES.get((src, tgt))
    if name is None:
        raise LangindError(f"no bundled dictionary {src}-{tgt}; bundled: {['-'.join(k) for k in DICTIONARIES]}")
    return _files() / name
