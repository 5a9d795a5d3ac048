"""The FreeDict dictionaries: read the dictd files, drop unusable entries, keep single-word pairs.

:func:`read_dictd` parses ``/usr/share/dictd/NAME.index`` and ``NAME.dict.dz``;
:func:`find_truncated_headwords` finds eng-spa entries whose multi-word headword was cut to its
first word (comparing FreeDict's pronunciation with espeak-ng's); :class:`GlueDetector` finds
multi-word translations that lost their spaces ("unmomento", "goout"), using the Bible
vocabularies and Debian's word lists (:func:`read_wordlist`); :func:`build_dictionary` applies
the rules of :data:`DROP_REASONS` in order and returns the pairs with their counts.

The rules and the numbers they give are described in ``src/langind/data/README.md``.
"""

from __future__ import annotations

import collections
import re
import subprocess
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from _build.common import APT_INSTALL, fail
from langind.corpus import fold_accents, tokenize

# --------------------------------------------------------------------------------------------
# dictd files
# --------------------------------------------------------------------------------------------

DICTD_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _dictd_number(s: str) -> int:
    """dictd index numbers are base-64 digits (most significant first), with no padding."""
    n = 0
    for ch in s:
        n = n * 64 + DICTD_B64.index(ch)
    return n


@dataclass
class Entry:
    headword: str  # as written on the entry's first line (the index key may be mangled)
    pron: str  # IPA between slashes on the first line
    translations: list[str]  # every comma-separated translation of every numbered sense


def read_dictd(name: str) -> list[Entry]:
    """Parse ``/usr/share/dictd/NAME.index`` + ``NAME.dict.dz``.

    Entry format (FreeDict eng-spa / spa-eng)::

        abate /əbeit/            <- headword and pronunciation
        1. calmarse, sosegarse   <- numbered senses, or a single unnumbered line;
        2. amainar                  translations are comma-separated, no labels or examples

    The index key is the headword lowercased with punctuation removed, so the entry's own first
    line is used as the headword ("God's Acre", not "gods acre").
    """
    base = Path("/usr/share/dictd")
    index, dz = base / f"{name}.index", base / f"{name}.dict.dz"
    for p in (index, dz):
        if not p.exists():
            fail(f"{p} not found; install it with: {APT_INSTALL}")
    data = zlib.decompress(dz.read_bytes(), 16 + zlib.MAX_WBITS)  # dictzip is plain gzip
    entries = []
    for line in index.read_text("utf-8").splitlines():
        key, off, length = line.split("\t")
        if key.startswith("00database"):
            continue  # metadata records, not entries
        text = data[_dictd_number(off) : _dictd_number(off) + _dictd_number(length)].decode("utf-8")
        first, *senses = [ln for ln in text.split("\n") if ln.strip()]
        m = re.fullmatch(r"(.+?) /([^/]*)/", first.strip())
        if not m:
            fail(f"{name}: unexpected entry header {first!r}")
        translations = []
        for sense in senses:
            sense = re.sub(r"^\s*\d+\.\s*", "", sense)
            translations += [t.strip() for t in sense.split(",") if t.strip()]
        entries.append(Entry(m.group(1).strip(), m.group(2), translations))
    if len(entries) < 1000:
        fail(f"{name}: only {len(entries)} entries read")
    return entries


# ---- truncated multi-word English headwords ------------------------------------------------

def _ipa_norm(s: str) -> str:
    """Map FreeDict's and espeak-ng's IPA conventions onto one coarse alphabet for comparison.

    Stress and length marks go; British-diphthong spellings are unified; post-vocalic r, which
    FreeDict writes and espeak-ng (en-gb) does not, is dropped.
    """
    s = re.sub(r"[ˈˌː\s]", "", s)
    for a, b in [("eɪ", "ei"), ("əʊ", "ou"), ("aɪ", "ai"), ("ɔɪ", "ɔi"), ("aʊ", "au"), ("ʊ", "u"),
                 ("ɒ", "ɔ"), ("ɜ", "ə"), ("ɛ", "e"), ("ɐ", "ʌ"), ("ᵻ", "i"), ("ɑ", "a"),
                 ("æ", "a"), ("ɹ", "r"), ("ɡ", "g"), ("ɾ", "t")]:
        s = s.replace(a, b)
    return re.sub(r"r(?![aeiouəɔʌ])", "", s)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def espeak_ipa(words: list[str]) -> dict[str, str]:
    """British-English IPA of each word from espeak-ng (one word per line, one line out each)."""
    if not words:
        return {}
    r = subprocess.run(["espeak-ng", "-v", "en-gb", "-q", "--ipa"], capture_output=True,
                       text=True, input="".join(w + ".\n" for w in words))
    out = [ln.strip() for ln in r.stdout.strip("\n").split("\n")]
    if r.returncode != 0 or len(out) != len(words):
        fail(f"espeak-ng returned {len(out)} lines for {len(words)} words (exit {r.returncode})")
    return dict(zip(words, out))


def find_truncated_headwords(entries: list[Entry]) -> dict[int, str]:
    """Find eng-spa entries whose headword lost all but its first word. Returns {index: rule}.

    In FreeDict eng-spa many multi-word headwords were cut to their first word, both in the index
    and in the entry ("butcher /butʃəzʃɔp/ carnicería" is "butcher's shop"; "scale /skeilɔf/
    desconcharse" is "scale off"), but the pronunciation still covers the whole phrase. Rules, in
    order (espeak-ng's British pronunciation of the headword is the reference for the last two):

    * ``prefix``: another entry of the same headword has a pronunciation that is a proper prefix
      of this one ("turn /təːn/" vs "turn /təːnɔf/").
    * ``sibling``: the pronunciation is >= 2 sounds longer than espeak-ng's, and the headword has
      other entries with other pronunciations ("be /bwəːθ/", "be /bmærid/", "here /heriz/").
    * ``espeak``: the pronunciation is >= 2 sounds longer than espeak-ng's and splits into a head
      at least as long as espeak-ng's and close to it (edit distance <= max(1, len/3)) plus a tail
      (with a consonant) made of 1-3 pronunciations of other FreeDict headwords
      ("butʃəz" + "ʃɔp" = shop; "skeil" + "ɔf" = off).
    """
    norm = [_ipa_norm(e.pron) for e in entries]
    by_head: dict[str, list[int]] = collections.defaultdict(list)
    for i, e in enumerate(entries):
        by_head[e.headword.lower()].append(i)
    found: dict[int, str] = {}
    for i, e in enumerate(entries):
        if any(norm[j] != norm[i] and norm[i].startswith(norm[j]) for j in by_head[e.headword.lower()]):
            found[i] = "prefix"
    lexicon = {norm[i] for i, e in enumerate(entries)
               if i not in found and " " not in e.headword and len(norm[i]) >= 2}

    def is_pron_sequence(t: str, parts: int = 3) -> bool:
        return t in lexicon or (parts > 1 and any(
            t[:k] in lexicon and is_pron_sequence(t[k:], parts - 1) for k in range(2, len(t) - 1)))

    singles = sorted({e.headword for i, e in enumerate(entries)
                      if i not in found and re.fullmatch(r"[A-Za-z]+", e.headword)})
    esp = {w: _ipa_norm(p) for w, p in espeak_ipa(singles).items()}
    for i, e in enumerate(entries):
        if i in found or e.headword not in esp:
            continue
        q, ref = norm[i], esp[e.headword]
        if len(q) - len(ref) < 2:
            continue
        if len({norm[j] for j in by_head[e.headword.lower()]}) > 1:
            found[i] = "sibling"
            continue
        for k in range(len(q) - 2, len(ref) - 1, -1):
            head, tail = q[:k], q[k:]
            if (re.search(r"[^aeiouəɔʌ]", tail) and is_pron_sequence(tail)
                    and _edit_distance(head, ref) <= max(1, len(ref) // 3)):
                found[i] = "espeak"
                break
    return found


# ---- glued multi-word translations ---------------------------------------------------------

def read_wordlist(path: str) -> tuple[set[str], set[str]]:
    """Alphabetic words of a word list: (all, lowercased; only those written in lowercase).

    Reads /usr/share/dict lists (one word a line) and hunspell ``.dic`` files (a count line, then
    ``stem/FLAGS``; only the stems are used, affixes are not expanded).
    """
    if not Path(path).exists():
        fail(f"{path} not found; install it with: {APT_INSTALL}")
    everything, common = set(), set()
    for w in Path(path).read_text("utf-8").split("\n"):
        w = unicodedata.normalize("NFC", w.split("/")[0].strip())
        if w.isalpha():
            everything.add(w.lower())
            if w == w.lower():
                common.add(w)
    return everything, common


# Closed-class words (articles, prepositions, pronouns, conjunctions, copulas): what a multi-word
# translation that lost its spaces almost always contains ("en|el|extranjero", "go|out").
FUNCTION_WORDS = {
    "en": set(
        "a an the of to in on at by for from with into onto up down out off over under about away "
        "back as and or but nor not no is are be been was were am it its one that this these those "
        "there here what who how when where which so too all his her him them they we you your my "
        "our their i me us he she if than then".split()),
    "es": set(
        "a al ante bajo con contra de del desde en entre hacia hasta para por según sin sobre tras "
        "el la los las lo un una unos unas y e o u ni que se me te le les nos os mi mis tu tus su "
        "sus no si sí es ser estar muy más como cuando donde ya pues".split()),
}
# Spanish infinitive/gerund + enclitic pronoun(s) ("callarse", "dándole"): words, although the
# Debian Spanish list, which holds no inflected forms, lacks them.
_ES_ENCLITIC = re.compile(r"(.+?(?:ar|er|ir|ír|ndo))((?:me|te|se|nos|os|le|les|lo|los|la|las)+)")


class GlueDetector:
    """Recognise multi-word translations whose spaces were removed ("unmomento", "goout").

    A word is *glued* if

    1. it has an internal capital ("NewYear'sDay", "GranBretaña"), or
    2. it is *unknown* -- not in the language's Bible vocabulary, not in the Debian word list
       (``wamerican`` / ``wspanish``; for Spanish also not a plural "-s"/"-es" or an
       infinitive + enclitic like "callarse" of a known word) -- and it is not capitalised (a proper
       noun such as "Dinamarca") and it splits completely into 2+ *parts*, at least one of which is
       a function word (FUNCTION_WORDS): "enelextranjero" = en|el|extranjero,
       "proceedwith" = proceed|with.

    Parts are function words, or words of >= 3 letters that are written in lowercase in the
    Bible text or the word list (so proper names such as "Gur" or "Dina" are not parts), or their
    Spanish plurals/enclitic forms. Requiring a function word keeps real compounds missing from
    the word lists ("battlefront", "lavaplatos", "malentendido"); unknown words that do not split
    (typos such as "consequir") are kept too.
    """

    def __init__(self, lang: str, corpus_vocab: set[str], lowercase_vocab: set[str],
                 wordlist: tuple[set[str], set[str]]):
        self.lang = lang
        self.known = corpus_vocab | wordlist[0]
        self.function = FUNCTION_WORDS[lang]
        self.content = {w for w in lowercase_vocab | wordlist[1] if len(w) >= 3}

    def is_part(self, w: str) -> bool:
        if w in self.function or w in self.content:
            return True
        return self.lang == "es" and len(w) >= 3 and self._spanish_form_of(w, self.content)

    def _spanish_form_of(self, w: str, words: set[str]) -> bool:
        """Is ``w`` a plural ("tapones", "macarrones") or infinitive/gerund + enclitic
        ("callarse") of one of ``words``?"""
        if (w.endswith("s") and w[:-1] in words) or (w.endswith("es") and w[:-2] in words):
            return True
        if w.endswith("es") and re.sub(r"([aeio])n$", lambda m: "áéíó"["aeio".index(m[1])] + "n",
                                       w[:-2]) in words:
            return True  # macarrones -> macarrón, canciones -> canción
        m = _ES_ENCLITIC.fullmatch(w)
        return bool(m) and (m.group(1) in words or fold_accents(m.group(1)) in words)

    def is_known(self, w: str) -> bool:
        return w in self.known or (self.lang == "es" and self._spanish_form_of(w, self.known))

    def split(self, w: str) -> list[str] | None:
        """Fewest-parts split of ``w`` that contains a function word, or None."""
        # best[i][f]: fewest parts covering w[:i]; f = "contains a function word"
        best: list[dict[bool, list[str]]] = [{} for _ in range(len(w) + 1)]
        best[0][False] = []
        for end in range(1, len(w) + 1):
            for start in range(end):
                piece = w[start:end]
                if not best[start] or not self.is_part(piece):
                    continue
                for has_function, prefix in list(best[start].items()):
                    flag = has_function or piece in self.function
                    if flag not in best[end] or len(prefix) + 1 < len(best[end][flag]):
                        best[end][flag] = prefix + [piece]
        parts = best[len(w)].get(True)
        return parts if parts and len(parts) >= 2 else None

    def is_glued(self, original: str, token: str) -> bool:
        if re.search(r"[a-zß-ÿ][A-ZÀ-Þ]", original):
            return True
        if original[:1].isupper() or self.is_known(token):
            return False
        return self.split(token) is not None


# ---- pairs ---------------------------------------------------------------------------------

DROP_REASONS = [
    "truncated multi-word headword (prefix rule)",
    "truncated multi-word headword (sibling rule)",
    "truncated multi-word headword (espeak rule)",
    "source is not one alphabetic token",
    "target is not one alphabetic token",
    "glued multi-word source",
    "glued multi-word target",
]


def build_dictionary(name: str, src_lang: str, tgt_lang: str, detectors: dict[str, GlueDetector],
                     check_truncation: bool, glue_examples: list[str]) -> tuple[list[tuple[str, str]], dict]:
    """Extract single-word pairs from one FreeDict dictionary, logging every drop by reason.

    Each (entry, translation) candidate gets the first reason in DROP_REASONS that applies;
    a pair counts as dropped for a reason only if no clean entry yields the same pair.
    """
    entries = read_dictd(name)
    truncated = find_truncated_headwords(entries) if check_truncation else {}

    def one_token(s: str) -> str | None:
        toks = tokenize(s, lowercase=True)
        return toks[0] if len(toks) == 1 and toks[0].isalpha() else None

    kept: set[tuple[str, str]] = set()
    dropped: dict[str, set[tuple[str, str]]] = {r: set() for r in DROP_REASONS}
    candidates = 0
    for i, e in enumerate(entries):
        src = one_token(e.headword)
        for t in e.translations:
            candidates += 1
            tgt = one_token(t)
            pair = (e.headword.lower(), t.lower())
            if i in truncated:
                reason = f"truncated multi-word headword ({truncated[i]} rule)"
            elif src is None:
                reason = "source is not one alphabetic token"
            elif tgt is None:
                reason = "target is not one alphabetic token"
            elif detectors[src_lang].is_glued(e.headword, src):
                reason = "glued multi-word source"
            elif detectors[tgt_lang].is_glued(t, tgt):
                reason = "glued multi-word target"
                if len(glue_examples) < 8:
                    glue_examples.append(f"{e.headword} -> {t}")
            else:
                kept.add((src, tgt))
                continue
            dropped[reason].add(pair)
    drop_counts = {r: len({p for p in ps if p not in kept}) for r, ps in dropped.items()}
    stats = {
        "entries": len(entries),
        "entries_with_truncated_headword": len(truncated),
        "candidate_translations": candidates,
        "pairs": len(kept),
        "dropped_pairs_by_reason": drop_counts,
        "source_words": len({s for s, _ in kept}),
        "target_words": len({t for _, t in kept}),
        # residual noise indicator: kept pairs with a word found in neither the Bibles nor the
        # word list (typos such as "consequir", rare words, undetected glued compounds)
        "pairs_with_unknown_source_word": sum(1 for s, _ in kept if not detectors[src_lang].is_known(s)),
        "pairs_with_unknown_target_word": sum(1 for _, t in kept if not detectors[tgt_lang].is_known(t)),
    }
    return sorted(kept), stats
