"""The lexicon-induction methods by name, and :func:`induce_cross`, which runs one.

Each :class:`Method` has a one-line summary (what ``langind induce cross --help`` and the docs show),
its family, the :class:`~langind.induction.config.CrossConfig` fields that are its options, and the
function that runs it. ``auto`` is the one pipeline for any pair; the others are its parts and its
rivals:

* ``auto`` — coocmap-grow, then (if it found an alignment) coocmap-drop; the one the run's own check
  rates higher re-ranked in context by the target text's bigram LM; where coocmap-grow found nothing,
  the most frequent words deciphered by that LM (spelling as the prior and for the other words where
  the texts show spelling to be evidence);
* no LM: ``coocmap``, ``coocmap-clip``, ``coocmap-drop`` (Wang 2023, :mod:`langind.crosslingual.coocmap`),
  ``coocmap-grow`` (langind: frequent words first; holds on non-parallel text), ``vecmap`` (gensim
  word2vec, then vecmap-style self-learning, :mod:`langind.crosslingual.align`), ``orthography``
  (spelling alone, :mod:`langind.crosslingual.orthography`);
* the target LM reading the source text: ``incontext`` (an aligner's candidates re-ranked by the bigram
  HMM, :mod:`langind.crosslingual.incontext`, or by a frozen neural LM, :mod:`langind.crosslingual.neural_context`),
  ``cipher`` (EM decipherment of the frequent words, :mod:`langind.crosslingual.cipher`);
* neural LMs: ``joint-lm`` (shared LSTM body, Wada & Iwata; :mod:`langind.crosslingual.joint`),
  ``decipher`` / ``hybrid`` / ``swap`` (the source text read by a frozen target LM,
  :mod:`langind.crosslingual.transfer`).

Spelling (``orthography``), where the texts show it to be evidence, is added to the corpus-level
methods' similarities: such a run is *weakly supervised by spelling*, not fully unsupervised.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from langind.induction.config import CROSS_METHODS, CrossConfig
from langind.induction.pipeline import (
    align_corpora,
    auto_result,
    cipher_result,
    incontext_result,
    lm_methods,
    setup,
)
from langind.runs import RunDir


@dataclass(frozen=True)
class Method:
    """One lexicon-induction method: ``run(cfg, run_dir, echo)`` returns ``{name: metrics}`` (an LM
    method that trains the joint LM first also returns ``joint-lm``'s)."""

    name: str
    family: str  # "default", "alignment", "orthography", "lm"
    summary: str  # one line, for --help and the docs
    options: tuple[str, ...]  # the CrossConfig fields this method reads beyond the pair, top, seed and device
    run: Callable[[CrossConfig, RunDir, Callable[[str], None]], dict]


def _corpus_level(step):
    def run(cfg: CrossConfig, run_dir: RunDir, echo: Callable[[str], None]) -> dict:
        run_dir.write_config({"command": f"induce cross ({cfg.method})", **asdict(cfg)})
        return {cfg.method: step(cfg, run_dir, echo)}
    return run


_ALIGN = ("core", "window", "orthography", "spelling_weight")
METHODS: dict[str, Method] = {m.name: m for m in [
    Method("auto", "default", "one pipeline for any pair: the better coocmap re-ranked in context, else the frequent "
           "words deciphered", _ALIGN + ("incontext", "cipher", "signature", "lm", "right_lm", "neural"),
           _corpus_level(auto_result)),
    Method("coocmap", "alignment", "co-occurrence matching (Wang 2023)", _ALIGN, _corpus_level(align_corpora)),
    Method("coocmap-clip", "alignment", "coocmap with its normalised counts clipped at high/low percentiles", _ALIGN, _corpus_level(align_corpora)),
    Method("coocmap-drop", "alignment", "coocmap-clip without the top singular directions: strongest on parallel text",
           _ALIGN, _corpus_level(align_corpora)),
    Method("coocmap-grow", "alignment", "coocmap from the frequent words out: holds on non-parallel text", _ALIGN,
           _corpus_level(align_corpora)),
    Method("vecmap", "alignment", "word2vec on each text, then vecmap-style self-learning",
           ("w2v_epochs", "minutes", "orthography", "spelling_weight"), _corpus_level(align_corpora)),
    Method("orthography", "orthography", "spelling alone (weakly supervised)", ("core",), _corpus_level(align_corpora)),
    Method("incontext", "lm", "an aligner's candidates re-ranked by the target LM reading the source text",
           _ALIGN + ("candidates", "incontext", "lm", "right_lm", "neural"), _corpus_level(incontext_result)),
    Method("cipher", "lm", "the frequent source words deciphered by EM with the target text's bigram LM",
           ("orthography", "cipher", "signature"), _corpus_level(cipher_result)),
    Method("joint-lm", "lm", "one LSTM body, an embedding table per language (Wada & Iwata)",
           ("minutes", "joint"), lm_methods),
    Method("decipher", "lm", "the source text read by the frozen target LM through learned vectors",
           ("minutes", "lm", "lm_minutes", "anchor"), lm_methods),
    Method("hybrid", "lm", "joint-lm's lexicon (or --init-lexicon) refined by decipher",
           ("minutes", "lm", "lm_minutes", "anchor", "init_lexicon", "joint"), lm_methods),
    Method("swap", "lm", "a source LM's embeddings fed to the frozen target LM through a learned map",
           ("minutes", "lm", "src_lm", "lm_minutes"), lm_methods),
]}
assert set(METHODS) == set(CROSS_METHODS)


def induce_cross(cfg: CrossConfig, out: str | Path, echo: Callable[[str], None] = print) -> dict:
    """Run ``cfg.method`` (:data:`METHODS`) into run directory ``out``: check the pair
    (:func:`~langind.induction.pipeline.setup`), then run; returns ``{METHOD: metrics}`` (and
    ``joint-lm``'s where it was trained on the way), each with the lexicon ``sample``, the
    ``confidence`` and ``evidence`` blocks of a corpus-level method, and P@k (``nn``, ``csls``,
    ``csls_folded``) where a test dictionary is given or bundled (None otherwise)."""
    setup(cfg, echo)
    return METHODS[cfg.method].run(cfg, RunDir(Path(out)), echo)
