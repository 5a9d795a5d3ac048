"""Room 6 — lexicons: bilingual dictionaries in, induced lexicons out.

Dictionaries use the MUSE format (Conneau et al. 2018): one ``source target`` pair per line,
whitespace-separated, a source word may have several lines. Malformed lines stop with the file and
line number. Induced lexicons are written as TSV ``source<TAB>target<TAB>score``.

Spelling: RV1909 writes 1909 accents ("fué", "á") while FreeDict is modern. Evaluation never folds
accents silently; :func:`fold_accents` is applied only when asked for, and reported separately.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from langind.corpus import iter_lines
from langind.errors import LangindError
from langind.runs import atomic_write_text


def fold_accents(word: str) -> str:
    """Strip combining marks after NFD decomposition ("fué" → "fue", "á" → "a"; "ñ" → "n")."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def load_dictionary(path: str | Path, lowercase: bool = True) -> dict[str, list[str]]:
    """Read a MUSE-format dictionary into ``{source: [targets...]}`` (order of first appearance)."""
    pairs: dict[str, list[str]] = {}
    n = 0
    for lineno, line in enumerate(iter_lines(path), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 2:
            raise LangindError(
                f"{path}:{lineno}: expected two words 'source target', got {len(fields)} field(s): {line[:60]!r}")
        src, tgt = (unicodedata.normalize("NFC", f) for f in fields)
        if lowercase:
            src, tgt = src.lower(), tgt.lower()
        targets = pairs.setdefault(src, [])
        if tgt not in targets:
            targets.append(tgt)
        n += 1
    if n == 0:
        raise LangindError(f"{path}: no dictionary pairs found")
    return pairs


def induce_lexicon(src_words: list[str], src_emb: np.ndarray, tgt_words: list[str], tgt_emb: np.ndarray,
                   n: int | None = None) -> list[tuple[str, str, float]]:
    """The best target word for each of the first ``n`` source words of two aligned spaces, by CSLS.

    Rows are (source, target, CSLS score), in source-word order — what :func:`write_lexicon` writes.
    """
    from langind.evaluation.metrics import (  # evaluate sits after lexicon in the flow
        _unit,
        retrieval_scores,
    )

    x, z = _unit(np.asarray(src_emb, dtype=np.float64)), _unit(np.asarray(tgt_emb, dtype=np.float64))
    n = len(src_words) if n is None else min(n, len(src_words))
    scores = retrieval_scores(x[:n], x, z, "csls")
    best = scores.argmax(axis=1)
    return [(src_words[i], tgt_words[j], float(scores[i, j])) for i, j in enumerate(best)]


def write_lexicon(path: str | Path, rows: Iterable[tuple[str, str, float]]) -> None:
    """Write an induced lexicon as TSV (source, target, score), atomically."""
    lines = ["source\ttarget\tscore"] + [f"{s}\t{t}\t{score:.6f}" for s, t, score in rows]
    atomic_write_text(Path(path), "\n".join(lines) + "\n")


def read_lexicon(path: str | Path) -> list[tuple[str, str, float]]:
    """Read a lexicon TSV written by :func:`write_lexicon` (header optional; score column optional)."""
    rows: list[tuple[str, str, float]] = []
    for lineno, line in enumerate(iter_lines(path), start=1):
        if not line.strip() or (lineno == 1 and line.split("\t")[:2] == ["source", "target"]):
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) not in (2, 3):
            raise LangindError(f"{path}:{lineno}: expected 'source<TAB>target[<TAB>score]', got {len(fields)} field(s)")
        try:
            score = float(fields[2]) if len(fields) == 3 else 0.0
        except ValueError:
            raise LangindError(f"{path}:{lineno}: score {fields[2]!r} is not a number") from None
        rows.append((unicodedata.normalize("NFC", fields[0]), unicodedata.normalize("NFC", fields[1]), score))
    if not rows:
        raise LangindError(f"{path}: no lexicon rows found")
    return rows
