"""An induced lexicon as a Python object: what a run wrote, read back, and scored on demand.

Induction and evaluation are two steps: a run (:func:`langind.induction.induce_lexicon`, ``langind
induce cross``) writes its lexicon, its confidence and its target vocabulary whether or not a test
dictionary exists; :meth:`Lexicon.evaluate` scores it against one later, with the protocol the
benchmarks use (vecmap's: a test word counts when it and one of its translations are in the two
vocabularies)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from langind.crosslingual.lexicon import NO_EVIDENCE
from langind.errors import LangindError
from langind.evaluation.bli import load_dictionary, ranked_precision
from langind.induction.result import TARGET_WORDS
from langind.runs import read_json


@dataclass
class Lexicon:
    """Each source word's ranked translations, with the run's scores, evidence and confidence.

    ``words[i]``'s translations are ``candidates[i]`` (best first), with ``scores[i]`` (the method's)
    and ``evidence[i]`` (``spelled``, ``context`` or ``-``: what beyond the score vouches for each
    pair). ``confidence`` is the run's dictionary-free estimate of its quality (``estimate``,
    ``failed``: it warned, ``message``); ``metrics`` the run's ``metrics.json``; ``path`` its run
    directory."""

    src: str
    tgt: str
    method: str
    words: list[str]
    candidates: list[list[str]]
    scores: list[list[float]]
    evidence: list[list[str]]
    target_words: list[str]
    confidence: dict
    metrics: dict
    path: Path

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, word: str) -> str:
        """The first translation of ``word`` (KeyError for a word the lexicon does not have)."""
        return self.candidates[self._index()[word]][0]

    def _index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    @classmethod
    def load(cls, run: str | Path) -> "Lexicon":
        """The lexicon a corpus-level ``induce cross`` run wrote into directory ``run``."""
        run = Path(run)
        metrics = read_json(run / "metrics.json", "run metrics (metrics.json)")
        src, tgt = metrics.get("src"), metrics.get("tgt")
        table, vocab = run / f"lexicon.{src}-{tgt}.tsv", run / f"{TARGET_WORDS}.{tgt}.txt"
        if not table.is_file() or not vocab.is_file():
            raise LangindError(f"{run}: no lexicon of a corpus-level induce cross run ({table.name}, {vocab.name})")
        index: dict[str, int] = {}
        words, candidates, scores, evidence = [], [], [], []
        for line in table.read_text(encoding="utf-8").splitlines()[1:]:
            s, t, score, ev = (line.split("\t") + [NO_EVIDENCE])[:4]
            if s not in index:
                index[s] = len(words)
                words.append(s)
                candidates.append([])
                scores.append([])
                evidence.append([])
            i = index[s]
            candidates[i].append(t)
            scores[i].append(float(score))
            evidence[i].append(ev)
        return cls(src, tgt, metrics.get("method", "?"), words, candidates, scores, evidence,
                   vocab.read_text(encoding="utf-8").split("\n")[:-1], metrics.get("confidence", {}), metrics, run)

    def evaluate(self, dictionary: str | Path | dict[str, list[str]], fold: bool = False) -> dict:
        """P@1, P@5 and P@10 against a test ``dictionary`` (a MUSE-format file, or ``{source:
        [targets]}``); ``fold`` compares words after folding accents. Returns the P@k with
        ``evaluated`` (test words scored) and ``coverage`` (their share of the dictionary's source words)."""
        d = dictionary if isinstance(dictionary, dict) else load_dictionary(dictionary)
        position = {w: j for j, w in enumerate(self.target_words)}
        depth = max(len(c) for c in self.candidates)
        rows = np.array([[position.get(t, -1) for t in c] + [-1] * (depth - len(c)) for c in self.candidates])
        return ranked_precision(self.words, self.target_words, rows, d, fold=fold)
