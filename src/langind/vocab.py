"""Vocab and ids: token lists in, compact integer arrays out.

A :class:`Vocab` is an ordered list of word types: the special tokens first, then words by
descending corpus frequency (ties broken alphabetically so the order is deterministic). The id of a
word is its position, so *frequency rank* and *id* coincide after the specials — the evaluation
bands of later rooms ("ranks 10-110") rely on this.

Encoded corpora are stored as ``.npy`` arrays (uint16 when the vocab fits, else uint32) that can be
memory-mapped, with an ``<eos>`` id after every sentence. :func:`encode_to_npy` streams, so a corpus
larger than memory can be encoded.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from langind.errors import LangindError
from langind.runs import atomic_write_text

UNK = "<unk>"
EOS = "<eos>"
SPECIALS = (UNK, EOS)


@dataclass
class Vocab:
    """Word types with their ids and training-corpus counts.

    ``itos[i]`` is the word with id ``i``; ``counts[i]`` its count in the corpus the vocab was built
    from (0 for specials). Use :meth:`build` to make one from token lists.
    """

    itos: list[str]
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if list(self.itos[: len(SPECIALS)]) != list(SPECIALS):
            raise LangindError(f"a vocab must start with the special tokens {list(SPECIALS)}")
        if len(set(self.itos)) != len(self.itos):
            raise LangindError("vocab has duplicate entries")
        if not self.counts:
            self.counts = [0] * len(self.itos)
        if len(self.counts) != len(self.itos):
            raise LangindError("vocab counts and words differ in length")
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def build(
        cls, sentences: Iterable[list[str]], max_size: int | None = None, min_freq: int = 1
    ) -> "Vocab":
        """Count tokens (streaming) and keep the ``max_size`` most frequent with ``min_freq``."""
        counter: Counter[str] = Counter()
        for s in sentences:
            counter.update(s)
        return cls.from_counter(counter, max_size=max_size, min_freq=min_freq)

    @classmethod
    def from_counter(
        cls, counter: Counter[str], max_size: int | None = None, min_freq: int = 1
    ) -> "Vocab":
        if max_size is not None and max_size <= len(SPECIALS):
            raise LangindError(f"vocab max size must exceed {len(SPECIALS)} (the special tokens)")
        words = [(w, c) for w, c in counter.items() if c >= min_freq and w not in SPECIALS]
        if not words:
            raise LangindError(
                "no word reaches the minimum frequency; lower --min-freq or give more text"
            )
        words.sort(key=lambda wc: (-wc[1], wc[0]))
        if max_size is not None:
            words = words[: max_size - len(SPECIALS)]
        itos = list(SPECIALS) + [w for w, _ in words]
        counts = [0] * len(SPECIALS) + [c for _, c in words]
        return cls(itos, counts)

    # -- lookups --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: str) -> bool:
        return word in self.stoi

    @property
    def unk_id(self) -> int:
        return self.stoi[UNK]

    @property
    def eos_id(self) -> int:
        return self.stoi[EOS]

    @property
    def n_specials(self) -> int:
        return len(SPECIALS)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        unk = self.unk_id
        return [self.stoi.get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[int(i)] for i in ids]

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.uint16 if len(self) <= np.iinfo(np.uint16).max else np.uint32)

    def fingerprint(self) -> str:
        """A short hash of the word list: checkpoints store it to detect a mismatched vocab."""
        return hashlib.sha256("\n".join(self.itos).encode()).hexdigest()[:16]

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        data = {"format": "langind-vocab/1", "itos": self.itos, "counts": self.counts}
        atomic_write_text(Path(path), json.dumps(data, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> "Vocab":
        p = Path(path)
        if not p.exists():
            raise LangindError(f"{p}: vocab file not found")
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            itos, counts = data["itos"], data.get("counts", [])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise LangindError(f"{p}: not a langind vocab file (expected JSON with 'itos')") from None
        return cls(list(itos), list(counts))


def encode_sentences(sentences: Iterable[list[str]], vocab: Vocab) -> np.ndarray:
    """Encode sentences in memory into one id array with ``<eos>`` after each sentence."""
    out: list[int] = []
    eos = vocab.eos_id
    for s in sentences:
        out.extend(vocab.encode(s))
        out.append(eos)
    return np.asarray(out, dtype=vocab.dtype)


def encode_to_npy(
    sentences: Iterable[list[str]], vocab: Vocab, path: str | Path, chunk_tokens: int = 1 << 20
) -> int:
    """Stream-encode sentences into an ``.npy`` file; returns the number of ids written.

    The ids go to a temporary raw file in chunks (memory stays bounded by ``chunk_tokens``); the
    ``.npy`` header, which needs the final length, is written once the stream ends, and the result
    is renamed into place so a killed run never leaves a half-written array.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dtype = vocab.dtype
    n = 0
    buf: list[int] = []
    eos = vocab.eos_id
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".raw") as raw:
        raw_path = Path(raw.name)
        try:
            for s in sentences:
                buf.extend(vocab.encode(s))
                buf.append(eos)
                if len(buf) >= chunk_tokens:
                    raw.write(np.asarray(buf, dtype=dtype).tobytes())
                    n += len(buf)
                    buf.clear()
            if buf:
                raw.write(np.asarray(buf, dtype=dtype).tobytes())
                n += len(buf)
        except BaseException:
            raw.close()
            raw_path.unlink(missing_ok=True)
            raise
    tmp = path.with_suffix(".npy.tmp")
    try:
        with open(tmp, "wb") as out, open(raw_path, "rb") as src:
            np.lib.format.write_array_header_1_0(
                out, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": (n,)}
            )
            while chunk := src.read(1 << 24):
                out.write(chunk)
        os.replace(tmp, path)
    finally:
        raw_path.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    return n


def load_ids(path: str | Path) -> np.ndarray:
    """Memory-map an encoded corpus written by :func:`encode_to_npy`."""
    p = Path(path)
    try:
        return np.load(p, mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise LangindError(f"{p}: not a readable id array ({exc})") from None


def alphabetic_words(words: list[str], vectors: np.ndarray, top: int | None = None,
                     start: int = 0) -> tuple[list[str], np.ndarray]:
    """The first ``top`` rows from ``start`` on whose word contains a letter, with their vectors.

    Lexicon induction is evaluated on words, not punctuation or numerals; with a frequency-ordered
    vocab this is "the ``top`` most frequent words" (pass ``start=vocab.n_specials`` to skip specials).
    """
    idx = [i for i in range(start, len(words)) if any(ch.isalpha() for ch in words[i])]
    idx = idx[:top] if top else idx
    return [words[i] for i in idx], vectors[idx]


def top_words(vocab: Vocab, vectors: np.ndarray, top: int | None) -> tuple[list[str], np.ndarray]:
    """The ``top`` most frequent words of ``vocab`` (no specials, no punctuation) and their rows of
    ``vectors`` (indexed by vocab id): the word list every lexicon evaluation uses."""
    return alphabetic_words(vocab.itos, vectors, top, start=vocab.n_specials)
