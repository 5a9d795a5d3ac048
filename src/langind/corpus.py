"""Corpus: raw UTF-8 text in, lists of tokens out.

Everything that touches a user's text file goes through here, so this is where bad input is caught:
missing, empty, binary and non-UTF-8 files all stop with a one-line :class:`LangindError`.

Files are read line by line (``iter_lines``), so a corpus larger than memory can be counted and
encoded in one streaming pass (see :mod:`langind.vocab`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from langind.errors import LangindError

# A word is a run of letters/digits (Unicode-aware, accents kept), optionally joined by an internal
# apostrophe or hyphen ("don't", "well-known"); every other non-space character is its own token, so
# punctuation is split off. Underscore is excluded from words because it is markup, not language.
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|[^\w\s]|_", re.UNICODE)

# How much of a file we sniff for NUL bytes before trusting it is text.
_SNIFF_BYTES = 8192


def tokenize(text: str, lowercase: bool = True) -> list[str]:
    """Split ``text`` into word and punctuation tokens.

    The text is NFC-normalised first so that "é" typed as e + combining accent and as one code point
    give the same token. Typographic apostrophes are mapped to ASCII ``'``.
    """
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    if lowercase:
        text = text.lower()
    return _TOKEN_RE.findall(text)


def fold_accents(word: str) -> str:
    """Strip combining marks after NFD decomposition ("fué" → "fue", "á" → "a"; "ñ" → "n").

    Used only where asked for (accent-folded evaluation, reported separately; data statistics)."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def check_text_file(path: str | Path) -> Path:
    """Validate that ``path`` is a readable, non-empty UTF-8 text file (optionally gzip'd).

    Raises :class:`LangindError` with a one-line message otherwise. Only the start of the file is
    sniffed for binary content; a UTF-8 error later in the file is reported by :func:`iter_lines`.
    """
    p = Path(path)
    if not p.exists():
        raise LangindError(f"{p}: no such file; give the path of a UTF-8 text file")
    if p.is_dir():
        raise LangindError(f"{p}: is a directory; give the path of a UTF-8 text file")
    if p.stat().st_size == 0:
        raise LangindError(f"{p}: file is empty; a corpus needs at least one line of text")
    try:
        with _open_binary(p) as fh:
            head = fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LangindError(f"{p}: cannot read ({exc})") from None
    if b"\x00" in head:
        raise LangindError(f"{p}: looks like a binary file (contains NUL bytes); give UTF-8 text")
    if not head.strip():
        raise LangindError(f"{p}: contains only whitespace; a corpus needs at least one line of text")
    return p


def _open_binary(p: Path):
    if p.suffix == ".gz":
        return gzip.open(p, "rb")
    return open(p, "rb")


def iter_lines(path: str | Path) -> Iterator[str]:
    """Yield the lines of a UTF-8 (or gzip'd UTF-8) text file without their newline, streaming."""
    p = check_text_file(path)
    lineno = 0
    try:
        with _open_binary(p) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if b"\x00" in raw:
                    raise LangindError(f"{p}:{lineno}: contains NUL bytes; the file looks binary")
                yield raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise LangindError(
            f"{p}:{lineno + 0}: not valid UTF-8 ({exc.reason} at byte {exc.start}); "
            "convert the file to UTF-8 first (e.g. iconv -f LATIN1 -t UTF-8)"
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LangindError(f"{p}: cannot read ({exc})") from None


def iter_sentences(path: str | Path, lowercase: bool = True) -> Iterator[list[str]]:
    """Yield one token list per non-blank line of ``path`` (one sentence or paragraph per line)."""
    for line in iter_lines(path):
        toks = tokenize(line, lowercase=lowercase)
        if toks:
            yield toks


def is_valid(key: str, valid_fraction: float, seed: int = 0) -> bool:
    """Deterministic train/valid assignment of one line, by a hash of its key.

    Hashing (rather than a random shuffle) means the split does not depend on file order or on the
    other lines, so the same sentence always lands on the same side, across runs and machines.
    """
    if not 0.0 <= valid_fraction < 1.0:
        raise LangindError(f"valid fraction must be in [0, 1), got {valid_fraction}")
    h = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64 < valid_fraction


def split_sentences(
    sentences: Iterable[list[str]], valid_fraction: float = 0.05, seed: int = 0
) -> tuple[list[list[str]], list[list[str]]]:
    """Split sentences into (train, valid) deterministically; the key is the line's index."""
    train: list[list[str]] = []
    valid: list[list[str]] = []
    for i, s in enumerate(sentences):
        (valid if is_valid(str(i), valid_fraction, seed) else train).append(s)
    return train, valid


REVERSED = "reversed:"  # corpus-spec prefix: every sentence's words in reverse order (CorpusSource)
CODED = "coded:"  # corpus-spec prefix: coded:SEED:SPEC, every token of SPEC rewritten through a seeded codebook
HALF = "half:"  # corpus-spec prefix: half:1:SPEC / half:2:SPEC, every other sentence of SPEC (from the 1st / 2nd)
HEAD = "head:"  # corpus-spec prefix: head:N:SPEC, SPEC's first sentences, until N tokens are reached


def parse_half(spec: str) -> tuple[int, str] | None:
    """``"half:2:web"`` → (2, "web"); None when ``spec`` is no half spec."""
    if not spec.startswith(HALF) or Path(spec).exists():
        return None
    part, _, inner = spec.removeprefix(HALF).partition(":")
    if part not in ("1", "2") or not inner:
        raise LangindError(f"{spec!r}: write half:1:TEXT or half:2:TEXT (every other sentence of TEXT)")
    return int(part), inner


def parse_head(spec: str) -> tuple[int, str] | None:
    """``"head:25000:web"`` → (25000, "web"); None when ``spec`` is no head spec."""
    if not spec.startswith(HEAD) or Path(spec).exists():
        return None
    n, _, inner = spec.removeprefix(HEAD).partition(":")
    if not n.isdigit() or int(n) < 1 or not inner:
        raise LangindError(f"{spec!r}: write head:N:TEXT (TEXT's first sentences, N tokens; N a whole number >= 1)")
    return int(n), inner


def parse_coded(spec: str) -> tuple[int, str] | None:
    """``"coded:7:web:odd-books"`` → (7, "web:odd-books"); None when ``spec`` is no coded spec."""
    if not spec.startswith(CODED) or Path(spec).exists():
        return None
    seed, _, inner = spec.removeprefix(CODED).partition(":")
    if not seed.isdigit() or not inner:
        raise LangindError(f"{spec!r}: write coded:SEED:TEXT, e.g. coded:1:fortunes-en (SEED a whole number)")
    return int(seed), inner


def codebook(spec: str) -> dict[str, str]:
    """The codebook of a ``coded:SEED:SPEC`` corpus: every distinct token of SPEC (after
    tokenizing and lower-casing) → ``u`` + a number, the numbers a seeded random permutation of
    the sorted token types, so that a code's spelling says nothing about its word (not its
    frequency, not its letters) and two codebooks share code strings by chance only. Pairs written
    in codes are how langind checks its methods where spelling is no evidence; a dictionary of the
    plain texts maps through the two codebooks into the coded pair's (``evaluation.bli.coded_dictionary``)."""
    import random

    parsed = parse_coded(spec)
    if parsed is None:
        raise LangindError(f"{spec!r} is no coded corpus spec (coded:SEED:TEXT)")
    seed, inner = parsed
    types = sorted({w for toks in CorpusSource(inner).sentences() for w in toks})
    numbers = list(range(len(types)))
    random.Random(seed).shuffle(numbers)
    width = len(str(max(len(types) - 1, 0)))
    return {w: f"u{n:0{width}d}" for w, n in zip(types, numbers)}


class CorpusSource:
    """A re-iterable source of ``(key, tokens)`` pairs: a bundled corpus or a user's text file.

    ``spec`` is a path to a UTF-8 text file (one sentence or paragraph per line, optionally
    ``.gz``), or the name of a bundled corpus (``web``, ``rv1909``, ``kjv``, optionally written
    ``bundled:web``), optionally restricted to its odd- or even-numbered books (``rv1909:odd-books``,
    ``web:even-books``: two halves that share no verse). An existing file wins over a bundled name.
    Iterating twice streams the file twice, so vocab building and encoding never hold a user's corpus
    in memory.

    ``reversed:SPEC`` is SPEC with every sentence's words in reverse order: the text a right-to-left LM
    is trained on and reads (``langind lm train --corpus reversed:fortunes-en``), so the LM code has one
    direction and the data says which.

    ``coded:SEED:SPEC`` is SPEC with every token rewritten through a seeded random codebook
    (:func:`codebook`): a text with no spelling to lean on, whose true lexicon is still known.
    ``half:1:SPEC`` and ``half:2:SPEC`` are SPEC's odd- and even-numbered sentences: two halves of one
    text that tell the same kind of story (what a run's split-half check reads). ``head:N:SPEC`` is
    SPEC's first sentences up to N tokens: how a run does on less text (``benchmarks/text_size.py``).
    """

    def __init__(self, spec: str | Path, lowercase: bool = True):
        from langind import data

        self.spec = str(spec)
        self.lowercase = lowercase
        self.reverse = self.spec.startswith(REVERSED) and not Path(self.spec).exists()
        self.code: dict[str, str] | None = None
        self._inner: CorpusSource | None = None  # the text a reversed:, coded: or half: spec rewrites
        self.half: int | None = None
        self.head: int | None = None
        head = None if self.reverse else parse_head(self.spec)
        if head is not None:
            self.head = head[0]
            self._rewrites(CorpusSource(head[1], lowercase))
            return
        half = None if self.reverse else parse_half(self.spec)
        if half is not None:
            self.half = half[0]
            self._rewrites(CorpusSource(half[1], lowercase))
            return
        coded = None if self.reverse else parse_coded(self.spec)
        if coded is not None:
            # codes are made from the lower-cased tokens whatever ``lowercase`` says: a code has no case
            self._rewrites(CorpusSource(coded[1]))
            self.code = _codebook_cached(self.spec)
            return
        if self.reverse:
            if not self.spec.removeprefix(REVERSED):
                raise LangindError(f"{self.spec!r}: name the text to reverse after it, e.g. reversed:fortunes-en")
            inner = CorpusSource(self.spec.removeprefix(REVERSED), lowercase)
            if inner.reverse:
                raise LangindError(f"{self.spec}: reversed twice is the text itself; write {inner.spec.removeprefix(REVERSED)}")
            self._rewrites(inner)
            return
        parsed = None if Path(self.spec).exists() else data.parse_spec(self.spec)
        self.selection: str | None = None
        if parsed is None:
            if self.spec.startswith("bundled:"):
                raise LangindError(f"unknown bundled corpus {self.spec.removeprefix('bundled:')!r}; "
                                   f"choose one of {sorted(data.CORPORA)}")
            name, _, selection = self.spec.rpartition(":")
            if selection in data.BOOK_SELECTIONS and not Path(self.spec).exists():
                raise LangindError(f"{self.spec}: book selections ({selection}) work with the bundled corpora "
                                   f"({', '.join(data.CORPORA)}) only; {name!r} has no book structure")
            self.path: Path | None = check_text_file(self.spec)
            self.bundled: str | None = None
        else:
            self.path = None
            self.bundled, self.selection = parsed

    def _rewrites(self, inner: "CorpusSource") -> None:
        """This source rewrites ``inner`` (reversed, coded, halved or cut): it reads inner's text."""
        self._inner = inner
        self.path, self.bundled, self.selection = inner.path, inner.bundled, inner.selection

    @property
    def name(self) -> str:
        if self.code is not None or self.half is not None or self.head is not None:
            return self.spec
        if self.reverse:
            return REVERSED + self._inner.name  # type: ignore[union-attr]
        if self.bundled:
            return self.bundled + (f":{self.selection}" if self.selection else "")
        return self.path.name  # type: ignore[union-attr]

    def __iter__(self) -> Iterator[tuple[str, list[str]]]:
        if self.reverse:
            return ((key, toks[::-1]) for key, toks in self._inner)  # type: ignore[union-attr]
        return self._forward()

    def _forward(self) -> Iterator[tuple[str, list[str]]]:
        from langind import data

        if self.half is not None:
            yield from (item for k, item in enumerate(self._inner) if k % 2 == self.half - 1)  # type: ignore[arg-type]
            return
        if self.head is not None:
            seen = 0
            for key, toks in self._inner:  # type: ignore[union-attr]
                if seen >= self.head:
                    return
                seen += len(toks)
                yield key, toks
            return
        if self.code is not None:
            code = self.code
            yield from ((key, [code[w] for w in toks]) for key, toks in self._inner)  # type: ignore[union-attr]
            return
        if self.bundled:
            for v in data.select_books(data.load_corpus(self.bundled), self.selection):
                toks = list(v.tokens) if self.lowercase else tokenize(v.text, lowercase=False)
                if toks:
                    yield v.key, toks
            return
        n = 0
        for i, line in enumerate(iter_lines(self.path)):  # type: ignore[arg-type]
            toks = tokenize(line, lowercase=self.lowercase)
            if toks:
                n += 1
                yield f"line{i + 1}", toks
        if n == 0:
            raise LangindError(f"{self.path}: no tokens found; a corpus needs words")

    def lines(self) -> Iterator[tuple[str, str]]:
        """Every non-blank line as (key, raw text): a Bible's verses as printed, a file's lines as
        they are (what recasing and references read); a ``reversed:``, ``coded:``, ``half:`` or ``head:``
        text's lines are its tokens as this source yields them, joined by spaces."""
        from langind import data

        if self.reverse or self.code is not None or self.half is not None or self.head is not None:
            yield from ((key, " ".join(toks)) for key, toks in self)
            return

        if self.bundled:
            for v in data.select_books(data.load_corpus(self.bundled), self.selection):
                yield v.key, v.text
            return
        for i, line in enumerate(iter_lines(self.path)):  # type: ignore[arg-type]
            if line.strip():
                yield f"line{i + 1}", line

    def sentences(self) -> Iterator[list[str]]:
        """Every sentence's tokens, in order (the corpus read as a stream of token lists)."""
        return (toks for _, toks in self)

    def split(self, part: str, valid_fraction: float, seed: int = 0) -> Iterator[list[str]]:
        """Stream the sentences of one side of the deterministic train/valid split."""
        if part not in ("train", "valid", "all"):
            raise ValueError(part)
        for key, toks in self:
            if part == "all" or is_valid(key, valid_fraction, seed) == (part == "valid"):
                yield toks


@functools.lru_cache(maxsize=8)
def _codebook_cached(spec: str) -> dict[str, str]:
    # a run reads a coded text many times (vocabularies, counts, the LM); the codebook is made once.
    # Keyed by the spec alone: a coded spec names a bundled text or a file, read once per process
    return codebook(spec)
