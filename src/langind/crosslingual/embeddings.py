"""Word embeddings in word2vec text format: the exchange format of vecmap, MUSE and gensim.

The first line is ``COUNT DIM``; then one ``word v1 v2 ... vDIM`` per line. Files written here load
with ``gensim.models.KeyedVectors.load_word2vec_format(path, binary=False)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from langind.corpus import iter_lines
from langind.errors import LangindError
from langind.runs import atomic_write_text


def write_word2vec(path: str | Path, words: list[str], vectors: np.ndarray, skip_specials: bool = True) -> int:
    """Write embeddings atomically; returns the number of words written."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(words) != len(vectors):
        raise LangindError(f"{len(words)} words but {len(vectors)} vectors")
    rows = [(w, v) for w, v in zip(words, vectors)
            if not (skip_specials and w.startswith("<") and w.endswith(">"))]
    for w, _ in rows:
        if not w or any(c.isspace() for c in w):
            raise LangindError(f"word {w!r} contains whitespace; word2vec text format cannot hold it")
    lines = [f"{len(rows)} {vectors.shape[1]}"]
    lines += [w + " " + " ".join(f"{x:.6g}" for x in v) for w, v in rows]
    atomic_write_text(Path(path), "\n".join(lines) + "\n")
    return len(rows)


def read_word2vec(path: str | Path, max_words: int | None = None) -> tuple[list[str], np.ndarray]:
    """Read word2vec text format; malformed lines stop with the file and line number."""
    lines = iter_lines(path)
    header = next(lines, "").split()
    if len(header) != 2 or not all(h.isdigit() for h in header):
        raise LangindError(f"{path}:1: expected a 'COUNT DIM' header line (word2vec text format)")
    count, dim = int(header[0]), int(header[1])
    words: list[str] = []
    vecs = np.empty((min(count, max_words or count), dim), dtype=np.float32)
    for lineno, line in enumerate(lines, start=2):
        if max_words is not None and len(words) >= max_words:
            break
        fields = line.rstrip().split(" ")
        if len(fields) != dim + 1:
            raise LangindError(f"{path}:{lineno}: expected a word and {dim} numbers, got {len(fields) - 1} numbers")
        try:
            vecs[len(words)] = np.asarray(fields[1:], dtype=np.float32)
        except (ValueError, IndexError):
            raise LangindError(f"{path}:{lineno}: not a number among the vector values, or more rows than the header's {count}") from None
        words.append(fields[0])
    if len(words) < len(vecs):
        raise LangindError(f"{path}: header says {count} words, file has {len(words)}")
    return words, vecs


def train_word2vec(spec: str | Path, dim: int = 300, window: int = 5, min_count: int = 2, epochs: int = 20,
                   seed: int = 0, workers: int = 2, top: int | None = None,
                   sg: int = 1) -> tuple[list[str], np.ndarray]:
    """Word2vec (gensim; skip-gram, or CBOW with ``sg=0``) on a corpus tokenised as langind's LMs see it.

    This is what a user would otherwise feed vecmap or MUSE, so the alignment baselines are run on
    it as well as on the LMs' tables. Small corpora need many epochs (the README's word2vec-settings
    table shows how much the alignment baselines depend on it). Returns words in
    frequency order (the first ``top``) and their vectors. gensim is only reproducible with
    ``workers=1``; with more, runs vary slightly.
    """
    from gensim.models import Word2Vec

    from langind.corpus import CorpusSource

    source = CorpusSource(spec)
    sentences = list(source.sentences())
    model = Word2Vec(sentences, vector_size=dim, window=window, min_count=min_count, sg=sg, negative=10,
                     sample=1e-4, epochs=epochs, seed=seed, workers=workers)
    words = list(model.wv.index_to_key)
    if top:
        words = words[:top]
    return words, np.array([model.wv[w] for w in words], dtype=np.float32)
