"""``langind translate``: source text in, target text out, through an induced lexicon and the
target language's bigram LM (:mod:`langind.crosslingual.translate`).

The lexicon is any ``lexicon.SRC-TGT.tsv`` (``induce cross`` writes each source word's ten best
rows, best first); the target text gives the LM and the spelling of names. Before anything long
starts, the lexicon is checked against both texts: a lexicon of the other direction or of other
languages stops with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from langind.corpus import CorpusSource, iter_lines, tokenize
from langind.crosslingual.lexicon import read_lexicon
from langind.crosslingual.translate import DecoderConfig, TargetSide, decode, detokenize, word_by_word
from langind.errors import LangindError
from langind.mapping.fit import load_frozen_lm
from langind.progress import progress_bar
from langind.runs import atomic_write_text, check_writable

MIN_COVERAGE = 0.2  # share of the source text's tokens the lexicon must know (stops a wrong-language lexicon)


@dataclass
class TranslateConfig:
    """What ``langind translate`` reads and how it decodes."""

    source: str  # text file (one sentence per line) or corpus spec to translate
    lexicon: str  # lexicon TSV: source<TAB>target<TAB>score, each word's best rows first
    target: str  # target-language text (file or corpus spec): the bigram LM and the spelling of names
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    word_by_word: bool = False  # the baseline instead: each word's first translation, no LM
    lm: str | None = None  # a frozen neural LM run of the target language scores the candidates (beam search)
    progress: bool = True


def read_source(spec: str) -> tuple[list[str], list[list[str]]]:
    """The lines to translate as (keys, token lists). A file keeps every line, blank ones included
    (one output line per input line); a corpus spec gives its verses."""
    source = CorpusSource(spec)
    if source.bundled:
        pairs = list(source)
        return [k for k, _ in pairs], [list(s) for _, s in pairs]
    lines = list(iter_lines(source.path))
    if not any(line.strip() for line in lines):
        raise LangindError(f"{spec}: nothing to translate (no words)")
    return [f"line{i + 1}" for i in range(len(lines))], [tokenize(line) for line in lines]


def check_lexicon(lexicon: list[tuple[str, str, float]], source: list[list[str]], target: TargetSide,
                  lexicon_path: str) -> float:
    """The share of the source text's word tokens that the lexicon translates; stops in one line when
    the lexicon plainly belongs to other languages or the other direction."""
    words = [w for s in source for w in s if any(c.isalpha() for c in w)]
    if not words:
        raise LangindError("the source text has no words to translate")
    src_side = {s for s, _, _ in lexicon}
    tgt_side = {t for _, t, _ in lexicon}
    covered = sum(w in src_side for w in words) / len(words)
    reversed_ = sum(w in tgt_side for w in words) / len(words)
    if covered < MIN_COVERAGE:
        hint = ("it looks like the other direction (its targets are the source text's words); induce the "
                "lexicon the other way round" if reversed_ > 2 * max(covered, 0.05)
                else "are the lexicon and the source text in the same language?")
        raise LangindError(f"{lexicon_path}: its source words cover {covered:.0%} of the source text's words; {hint}")
    known = sum(t in target.lm_words for t in tgt_side) / max(len(tgt_side), 1)
    if known < MIN_COVERAGE:
        raise LangindError(f"{lexicon_path}: only {known:.0%} of its target words occur in the target text; "
                           "is --tgt-corpus in the lexicon's target language?")
    return covered


def check_lm(lm_vocab, lexicon: list[tuple[str, str, float]], lm_path: str) -> None:
    """A frozen LM that knows few of the lexicon's target words is of another language (e.g. the
    source's): one line, before decoding."""
    targets = {t for _, t, _ in lexicon}
    known = sum(t in lm_vocab.stoi for t in targets) / max(len(targets), 1)
    if known < MIN_COVERAGE:
        raise LangindError(f"{lm_path}: the LM knows {known:.0%} of the lexicon's target words; give an LM of the "
                           "target language")


def target_side(spec: str, lexicon: list[tuple[str, str, float]]) -> TargetSide:
    """The target text's LM and spellings, with every word the lexicon proposes in its table."""
    source = CorpusSource(spec)
    return TargetSide(list(source.sentences()), [text for _, text in source.lines()],
                      extra_words=sorted({t for _, t, _ in lexicon}))


def translate(cfg: TranslateConfig, out: str | Path | None = None, echo: Callable[[str], None] = print) -> dict:
    """Translate ``cfg.source`` into ``out`` (one detokenised line per input line, written
    atomically; checked to be writable before any work); returns ``{"keys", "tokens", "text", "info"}`` (the
    translation as token lists and as text)."""
    if out is not None:
        check_writable(Path(out), "translation (--out)")
    lexicon = read_lexicon(cfg.lexicon)
    keys, sents = read_source(cfg.source)
    target = target_side(cfg.target, lexicon)
    coverage = check_lexicon(lexicon, sents, target, cfg.lexicon)
    echo(f"translating {sum(1 for s in sents if s):,} lines of {cfg.source}: the lexicon knows {coverage:.0%} of "
         f"their words; target LM from {cfg.target} ({len(target.lm_words):,} words)")
    if cfg.word_by_word:
        tokens, info = word_by_word(sents, lexicon), {"method": "word-by-word"}
    else:
        neural = None
        if cfg.lm is not None:
            lm, lm_vocab, device = load_frozen_lm(cfg.lm)
            check_lm(lm_vocab, lexicon, cfg.lm)
            neural = (lm, lm_vocab, device)
        bar = progress_bar(total=len(sents), enabled=cfg.progress, unit="line")
        tokens, info = decode(sents, lexicon, target, cfg.decoder, echo=echo, progress=bar.update, neural=neural)
        bar.close()
        info["method"] = "decoder"
    text = [detokenize(t, target) if t else "" for t in tokens]
    if out is not None:
        atomic_write_text(Path(out), "\n".join(text) + "\n")
    return {"keys": keys, "tokens": tokens, "text": text, "info": {**info, "coverage": round(coverage, 4)}}
