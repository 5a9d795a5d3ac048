"""Lexicons: induced translations of two aligned spaces, written and read as TSV.

Induced lexicons are written as TSV ``source<TAB>target<TAB>score`` (a header line first), those of
``induce cross`` with a fourth column ``evidence`` (what, beyond the method's score, vouches for the
pair: :data:`EVIDENCE_LABELS`); any of them can start ``induce cross --method hybrid
--init-lexicon``. Test dictionaries (MUSE format) are read by
:func:`langind.evaluation.bli.load_dictionary`: they only score.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from langind.corpus import iter_lines
from langind.errors import LangindError
from langind.evaluation.bli import bli_precision, retrieval_scores
from langind.runs import atomic_write_text
from langind.similarity import unit_rows


def induce_lexicon(src_words: list[str], src_emb: np.ndarray, tgt_words: list[str], tgt_emb: np.ndarray,
                   n: int | None = None) -> list[tuple[str, str, float]]:
    """The best target word for each of the first ``n`` source words of two aligned spaces, by CSLS.

    Rows are (source, target, CSLS score), in source-word order — what :func:`write_lexicon` writes.
    The retrieval is the evaluation's (:func:`langind.evaluation.bli.retrieval_scores`), so the
    lexicon's first choice is exactly what P@1 scores.
    """
    x, z = unit_rows(np.asarray(src_emb, dtype=np.float64)), unit_rows(np.asarray(tgt_emb, dtype=np.float64))
    n = len(src_words) if n is None else min(n, len(src_words))
    scores = retrieval_scores(x[:n], x, z, "csls")
    best = scores.argmax(axis=1)
    return [(src_words[i], tgt_words[j], float(scores[i, j])) for i, j in enumerate(best)]


# what a lexicon's ``evidence`` column may say of a pair (NO_EVIDENCE: nothing beyond the method's own score)
SPELLED, CONTEXT, NO_EVIDENCE = "spelled", "context", "-"
EVIDENCE_LABELS = {
    SPELLED: "a spelling anchor: each word the other's best spelling match, spelled at least 0.8 alike",
    CONTEXT: ("the target LM reading the source text (the decipherment, or the in-context re-ranking) gave it at "
              "least half of the word's posterior"),
}


def write_lexicon(path: str | Path, rows: Iterable[tuple], evidence: bool = False) -> None:
    """Write an induced lexicon as TSV, atomically: rows (source, target, score), or with ``evidence``
    (source, target, score, label) — a label of :data:`EVIDENCE_LABELS` or :data:`NO_EVIDENCE`."""
    if evidence:
        lines = ["source\ttarget\tscore\tevidence"] + [f"{s}\t{t}\t{score:.6f}\t{e}" for s, t, score, e in rows]
    else:
        lines = ["source\ttarget\tscore"] + [f"{s}\t{t}\t{score:.6f}" for s, t, score in rows]
    atomic_write_text(Path(path), "\n".join(lines) + "\n")


def read_lexicon(path: str | Path) -> list[tuple[str, str, float]]:
    """Read a lexicon TSV written by :func:`write_lexicon` (header optional; score and evidence
    columns optional, the evidence not returned)."""
    rows: list[tuple[str, str, float]] = []
    for lineno, line in enumerate(iter_lines(path), start=1):
        if not line.strip() or (lineno == 1 and line.split("\t")[:2] == ["source", "target"]):
            continue
        fields = line.rstrip("\n").split("\t")
        if len(fields) not in (2, 3, 4):
            raise LangindError(f"{path}:{lineno}: expected 'source<TAB>target[<TAB>score[<TAB>evidence]]', "
                               f"got {len(fields)} field(s)")
        try:
            score = float(fields[2]) if len(fields) >= 3 else 0.0
        except ValueError:
            raise LangindError(f"{path}:{lineno}: score {fields[2]!r} is not a number") from None
        rows.append((unicodedata.normalize("NFC", fields[0]), unicodedata.normalize("NFC", fields[1]), score))
    if not rows:
        raise LangindError(f"{path}: no lexicon rows found")
    return rows


def score_and_write(out: Path, src: str, tgt: str, sw: list[str], sv: np.ndarray, tw: list[str], tv: np.ndarray,
                    dictionary: dict[str, list[str]] | None, n_sample: int = 30) -> dict:
    """What every cross-lingual method reports for two aligned spaces: P@k by NN, CSLS and
    accent-folded CSLS (when a test dictionary is given), the CSLS lexicon written to
    ``out/lexicon.SRC-TGT.tsv``, and a sample of it."""
    result: dict = {}
    if dictionary is not None:
        for retrieval in ("nn", "csls"):
            result[retrieval] = bli_precision(sw, sv, tw, tv, dictionary, retrieval)
        result["csls_folded"] = bli_precision(sw, sv, tw, tv, dictionary, "csls", fold=True)
    lexicon = induce_lexicon(sw, sv, tw, tv)
    write_lexicon(Path(out) / f"lexicon.{src}-{tgt}.tsv", lexicon)
    result["sample"] = [(s, t) for s, t, _ in lexicon[:n_sample]]
    return result
