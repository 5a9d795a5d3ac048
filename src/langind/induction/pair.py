"""The two texts of a run, read once and checked before any long step: their most frequent words,
whether they fit this machine's memory, whether they look like one language, whether a test
dictionary fits them, and whether spelling is evidence between them."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

from langind.corpus import CorpusSource
from langind.crosslingual.coocmap import corpus_cooccurrence
from langind.crosslingual.orthography import shared_letters, spelling_links, spelling_meaning
from langind.errors import LangindError
from langind.evaluation.bli import gold_pairs, load_dictionary
from langind.induction.config import CrossConfig
from langind.vocab import SPECIALS, Vocab


def top_words_of(spec: str, top: int) -> tuple[str, ...]:
    """The ``top`` most frequent alphabetic words of a corpus, in frequency order. A run asks for them
    several times (checks, anchors, spelling), so they are read once per corpus state: the key holds
    a file's size and modification time."""
    return _top_words(spec, top, _stamp(spec))


@functools.lru_cache(maxsize=16)
def _top_words(spec: str, top: int, stamp) -> tuple[str, ...]:
    vocab = Vocab.build(CorpusSource(spec).sentences(), max_size=top * 2 + len(SPECIALS))
    return tuple([w for w in vocab.itos[vocab.n_specials:] if any(ch.isalpha() for ch in w)][:top])


def _stamp(spec: str):
    """A corpus file's size and modification time (None for a bundled text): a cache key part, so a
    file rewritten between two runs of one process is read again."""
    path = Path(spec)
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.is_file() else None


# this much of the SAME_LANGUAGE_WORDS most frequent words spelled the same on both sides: one language. The
# frequent words are the function words, which two texts of one language share whatever their stories
# and styles (measured on the bundled texts: English fortunes / KJV 0.61, fortunes / WEB 0.66, Spanish
# fortunes / RV1909 0.48, WEB / KJV 0.88), and two languages rarely do (es / en 0.03-0.05 on every
# pairing of the bundled texts); among the 1,000 most frequent, the rarer words of two stories differ
# (0.43, 0.48, 0.44: the check used to miss all three at 0.5)
SAME_LANGUAGE_WORDS = 100
SAME_LANGUAGE_OVERLAP = 0.35


# Peak memory of a corpus-level run, measured (benchmarks/vocab_scale.py, README): ~90 bytes per word
# pair of the all-against-all part (coocmap's core; vecmap's and spelling's whole vocabulary), ~20 bytes
# per word × core word for the tier, and the interpreter, LM-free, on top.
DENSE_BYTES_PER_PAIR = 90
TAIL_BYTES_PER_PAIR = 20
BASE_GB = 0.6


def machine_memory_gb() -> float:
    """Physical memory of this machine in GB (what a run must fit in)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def estimated_peak_gb(cfg: CrossConfig) -> float:
    """The peak memory a corpus-level run of ``cfg`` is expected to need (GB)."""
    dense = cfg.dense_words ** 2 * DENSE_BYTES_PER_PAIR
    tail = cfg.top * cfg.dense_words * TAIL_BYTES_PER_PAIR if cfg.top > cfg.dense_words else 0
    return BASE_GB + max(dense, tail) / 2**30


def check_fits(cfg: CrossConfig) -> None:
    """A vocabulary that would not fit this machine's memory is refused before any long computation,
    naming the largest size that fits."""
    have = 0.9 * machine_memory_gb()
    need = estimated_peak_gb(cfg)
    if need <= have:
        return
    room = max(have - BASE_GB, 0.0) * 2**30
    largest_dense = int((room / DENSE_BYTES_PER_PAIR) ** 0.5)
    if cfg.method_aligner.startswith("coocmap") and cfg.dense_words <= largest_dense:
        largest = int(room / (TAIL_BYTES_PER_PAIR * cfg.dense_words))
        raise LangindError(f"--top {cfg.top} with --core {cfg.core} needs about {need:.0f} GB, this machine has "
                           f"{have / 0.9:.0f} GB: the largest --top that fits is about {largest}")
    what = "--core" if cfg.method_aligner.startswith("coocmap") else "--top"
    hint = "" if what == "--core" else " (coocmap methods go further: their --core bounds the all-against-all part)"
    raise LangindError(f"{what} {cfg.dense_words} needs about {need:.0f} GB, this machine has {have / 0.9:.0f} GB: "
                       f"the largest {what} that fits is about {largest_dense}{hint}")


def check_pair(cfg: CrossConfig, echo: Callable[[str], None] = print) -> None:
    """Before a corpus-level run: one text given twice, or a vocabulary too large for this machine,
    is an error; two texts in one language, or a text with fewer words than ``top``, get a one-line
    warning."""
    if cfg.src_corpus == cfg.tgt_corpus:
        raise LangindError(f"source and target are the same text ({cfg.src_corpus}); give one text per language")
    sw, tw = top_words_of(cfg.src_corpus, cfg.top), top_words_of(cfg.tgt_corpus, cfg.top)
    # the memory a run needs is that of the words the texts have, not of a --top larger than both
    used = max(len(sw), len(tw))
    check_fits(cfg if used >= cfg.top else replace(cfg, top=max(used, 1), core=max(min(cfg.core, used), 10)))
    n = SAME_LANGUAGE_WORDS
    overlap = len(set(sw[:n]) & set(tw[:n])) / max(1, min(len(sw[:n]), len(tw[:n])))
    if overlap >= SAME_LANGUAGE_OVERLAP:
        echo(f"warning: {overlap:.0%} of the {n} most frequent words are the same on both sides: "
             f"{cfg.src_corpus} and {cfg.tgt_corpus} look like one language, not {cfg.src} and {cfg.tgt}")
    for spec, words in ((cfg.src_corpus, sw), (cfg.tgt_corpus, tw)):
        if len(words) < cfg.top:
            echo(f"warning: {spec} has only {len(words)} distinct words, fewer than --top {cfg.top}; "
                 "all of them are used")


def test_dictionary(cfg: CrossConfig) -> dict[str, list[str]] | None:
    """The run's test dictionary (:attr:`CrossConfig.dictionary_path`), or None: the run is not scored.
    Evaluation only: nothing a method chooses reads it. Read once per file state."""
    path = cfg.dictionary_path
    return None if path is None else _load_dictionary(str(path), _stamp(str(path)))


@functools.lru_cache(maxsize=4)
def _load_dictionary(path: str, stamp) -> dict[str, list[str]]:
    return load_dictionary(path)


def check_dictionary(cfg: CrossConfig) -> dict[str, list[str]]:
    """The run's test dictionary, loaded and checked against the two texts before any long step: one
    with no pair between them, or one that fits the pair the other way round far better, is a
    dictionary for another pair (a one-line error)."""
    d = test_dictionary(cfg)
    if cfg.tgt_corpus is None:  # an LM method given its target LM: the target text is not read
        return d
    sw, tw = list(top_words_of(cfg.src_corpus, cfg.top)), list(top_words_of(cfg.tgt_corpus, cfg.top))

    def evaluable(pairs: dict[str, list[str]]) -> int:
        try:
            return len(gold_pairs(sw, tw, pairs)[0])
        except LangindError:  # no pair at all between the two vocabularies
            return 0
    backward: dict[str, list[str]] = {}
    for a, bs in d.items():
        for b in bs:
            backward.setdefault(b, []).append(a)
    forward, reverse = evaluable(d), evaluable(backward)
    if forward == 0 or reverse > 3 * forward:
        what = (f"it fits {cfg.tgt}-{cfg.src} ({reverse} pairs) better than {cfg.src}-{cfg.tgt} ({forward})" if reverse
                else f"none of its pairs has the source word in {cfg.src_corpus} and the target in {cfg.tgt_corpus}")
        raise LangindError(f"{cfg.dictionary_path}: not a {cfg.src}-{cfg.tgt} dictionary for these texts: {what}")
    return d


MIN_SHARED_LETTERS = 0.5  # --orthography needs the two sides to share at least this much of an alphabet


SPELLING_TEST_WORDS = 3000  # tokens a side the spelling test reads


def shares_alphabet(src_corpus: str, tgt_corpus: str) -> tuple[bool, float]:
    """Whether two texts write their 500 most frequent words in one alphabet (:func:`shared_letters` ≥
    :data:`MIN_SHARED_LETTERS`), and the share: without it, spelling has nothing to compare."""
    share = shared_letters(top_words_of(src_corpus, 500), top_words_of(tgt_corpus, 500))
    return share >= MIN_SHARED_LETTERS, share


def spelling_is_evidence(src_corpus: str, tgt_corpus: str) -> tuple[bool, str]:
    """Whether spelling is evidence between two texts, and why (one line). It is when they share an
    alphabet (:func:`shares_alphabet`) and either their spelling anchors keep company alike
    (:func:`langind.crosslingual.orthography.spelling_links`: the look-alikes are translations) or
    in each text words spelled alike occur in like contexts (:func:`langind.crosslingual.orthography.spelling_meaning`: spelling
    carries meaning on both sides, as in two related languages that tell different stories). Two
    texts written in codes fail both. Spelling anchors, the confidence's check, exist only where it is."""
    return _spelling_is_evidence(src_corpus, tgt_corpus, _stamp(src_corpus), _stamp(tgt_corpus))


@functools.lru_cache(maxsize=8)
def _spelling_is_evidence(src_corpus: str, tgt_corpus: str, *stamps) -> tuple[bool, str]:
    shared, share = shares_alphabet(src_corpus, tgt_corpus)
    if not shared:
        return False, f"{src_corpus} and {tgt_corpus} share almost no letters ({share:.0%})"
    (sw, sc), (tw, tc) = (corpus_cooccurrence(spec, SPELLING_TEST_WORDS) for spec in (src_corpus, tgt_corpus))
    links = spelling_links(sw, tw, sc, tc)
    if links["linked"]:
        return True, f"the texts' spelling anchors keep company alike (z {links['z']:.1f})"
    for spec, words, counts in ((src_corpus, sw, sc), (tgt_corpus, tw, tc)):
        m = spelling_meaning(words, counts)
        if not m["meaningful"]:
            z = "too few look-alike words to tell" if m["z"] is None else f"z {m['z']:.1f}"
            return False, (f"words spelled alike in {spec} do not occur in like contexts ({z}), nor do the two "
                           "texts' look-alikes keep company alike: spelling carries no meaning here")
    return True, "in both texts words spelled alike occur in like contexts"


def resolve_orthography(cfg: CrossConfig, echo: Callable[[str], None] = print) -> None:
    """Decide ``cfg.orthography`` before a corpus-level run: by default spelling is used only where the
    texts show it to be evidence (:func:`spelling_is_evidence`), and turned off with a one-line note
    where they do not. ``--orthography`` (or ``--method orthography``) forces it — but on two scripts
    there is nothing to compare, a one-line error; ``--no-orthography`` forces it off."""
    needs = cfg.orthography is True or "orthography" in (cfg.method, cfg.method == "incontext" and cfg.candidates)
    if cfg.orthography is False and not needs:
        return
    evidence, why = spelling_is_evidence(cfg.src_corpus, cfg.tgt_corpus)
    if evidence:
        cfg.orthography = True
        return
    if needs and not shares_alphabet(cfg.src_corpus, cfg.tgt_corpus)[0]:
        raise LangindError(f"--orthography: {why}; spelling is no evidence here — run with --no-orthography")
    if needs:
        echo(f"note: {why}; spelling used because it was asked for (--orthography)")
        return
    echo(f"note: {why}: running without spelling evidence (fully unsupervised)")
    cfg.orthography = False
