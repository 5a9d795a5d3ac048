"""Lexicon induction: map one text's words onto another's, from the two texts alone.

The package is one pipeline read top to bottom — check the pair (:mod:`~langind.induction.pair`),
fit (align :mod:`~langind.induction.spaces`, read in context :mod:`~langind.induction.context`),
read out and write (:mod:`~langind.induction.result`), each method registered by name
(:mod:`~langind.induction.methods`) — and two entry points: :func:`induce_lexicon` for Python and
``langind induce cross`` for the shell, which run the same code.
"""

from __future__ import annotations

import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Callable

from langind.errors import LangindError
from langind.induction.config import CrossConfig
from langind.induction.lexicon import Lexicon
from langind.induction.methods import METHODS, induce_cross

__all__ = ["CrossConfig", "Lexicon", "METHODS", "induce_cross", "induce_lexicon"]


def induce_lexicon(src_text: str | Path, tgt_text: str | Path, src: str = "src", tgt: str = "tgt",
                   out: str | Path | None = None, echo: Callable[[str], None] | None = None, **options) -> Lexicon:
    """Induce a bilingual lexicon from two monolingual texts; no dictionary needed.

    Parameters
    ----------
    src_text, tgt_text : str or Path
        The two texts: UTF-8 files (one sentence or paragraph a line) or corpus specs (a bundled name,
        ``coded:SEED:TEXT``, ``half:1:TEXT``, …).
    src, tgt : str
        Free labels of the two languages: they name the output files, and a bundled dictionary of
        the pair, if there is one, scores the run.
    out : str or Path, optional
        The run directory (default: a new temporary one).
    echo : callable, optional
        Where progress lines go (default: nowhere).
    **options
        Any field of :class:`CrossConfig`: ``method`` (default ``"auto"``; see :data:`METHODS`),
        ``top``, ``orthography``, ``dictionary``, ``seed``, …

    Returns
    -------
    Lexicon
        Each source word's ranked translations, with evidence and the run's confidence;
        :meth:`Lexicon.evaluate` scores it against a dictionary.

    Examples
    --------
    Two texts in a directory with a test dictionary (the tests' planted pair: ``w7`` means ``v7``):

    >>> lex = induce_lexicon("a.txt", "b.txt", src="xa", tgt="xb", top=100)
    >>> lex["w0"], lex.confidence["failed"]
    ('v0', False)
    >>> lex.evaluate("dict.txt")["P@1"] >= 0.8
    True
    """
    known = {f.name for f in fields(CrossConfig)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise LangindError(f"unknown option(s) {', '.join(unknown)}; choose among {', '.join(sorted(known))}")
    cfg = CrossConfig(src=src, tgt=tgt, src_corpus=str(src_text), tgt_corpus=str(tgt_text),
                      **{"progress": False, **options})
    out = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="langind-lexicon-"))
    induce_cross(cfg, out, echo=echo or (lambda message: None))
    return Lexicon.load(out)
