"""The Bibles: read each SWORD module, clean its OSIS markup, check the cleaning, write the corpus.

For every corpus of :data:`langind.data.BIBLES` (``web``, ``rv1909``, ``kjv``):

1. :func:`read_module` runs :mod:`_build.sword_dump` under Debian's Python to get each verse's
   raw OSIS markup and SWORD's own plain rendering;
2. :func:`clean_verse` turns the markup into plain text, one rule per helper (notes, titles,
   speaker labels, RV1909's enclitics, colophons and acrostic letters, word breaks);
3. :func:`check_against_sword` and :func:`check_against_diatheke` compare the result with SWORD's
   rendering and the ``diatheke`` command-line tool, and stop the build on a disagreement;
4. :func:`build_corpus` keeps the books of :data:`langind.data.BOOKS`, tokenises with
   :func:`langind.corpus.tokenize` and writes ``NAME.tsv.gz``.

Why raw markup and not SWORD's plain text: see the docstring of ``scripts/build_data.py``.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from _build.common import APT_INSTALL, DEBIAN_PYTHON, OUT_DIR, fail, log, write_gzip_text
from langind.corpus import tokenize
from langind.data import BOOKS, CORPORA

# SWORD module of each Bible, keyed by langind.data's corpus names (their languages and book list
# are langind.data's CORPORA and BOOKS). WEB also carries the deuterocanon (Tob, Jdt, Sir, 1Macc,
# ...; ~6.4k verses) which RV1909 and KJV lack: keeping only the books of BOOKS makes every corpus
# cover the same content.
SWORD_MODULES = {
    "web": "engWEB2015eb",
    "rv1909": "spaRV1909eb",
    "kjv": "engKJV2006eb",
}

PAULINE = BOOKS[BOOKS.index("Rom") : BOOKS.index("Heb") + 1]

# Hebrew letter names that RV1909 prints, as plain text, before every 8th verse of Psalm 119.
PS119_LETTERS_RV1909 = (
    "ALEPH BETH GIMEL DALETH HE VAU ZAIN CHETH TETH JOD CAPH LAMED MEM NUN SAMECH AIN PE TZADDI "
    "COPH RESH SIN TAU"
).split()

SWORD_DUMP = Path(__file__).resolve().parent.parent / "build_data.py"  # run with --sword-dump


# --------------------------------------------------------------------------------------------
# 1. Reading SWORD modules (the dump runs under /usr/bin/python3, which has python3-sword)
# --------------------------------------------------------------------------------------------


def read_module(module_name: str) -> list[tuple[str, str, str]]:
    """Run :func:`_build.sword_dump.sword_dump` under Debian's Python (``build_data.py
    --sword-dump MODULE``); return [(osisRef, raw, plain)], never empty."""
    r = subprocess.run(
        [DEBIAN_PYTHON, str(SWORD_DUMP), "--sword-dump", module_name], capture_output=True,
    )
    if r.returncode != 0:
        fail(f"reading SWORD module {module_name} failed:\n{r.stderr.decode(errors='replace')}")
    rows = [tuple(json.loads(line)) for line in r.stdout.decode("utf-8").splitlines()]
    n_text = sum(1 for _, raw, _ in rows if raw.strip())
    if n_text < 30000:
        fail(f"SWORD module {module_name} gave only {n_text} non-empty verses (expected > 30000); "
             "is the module installed and complete?")
    return rows  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# 2. Cleaning one verse of OSIS markup
# --------------------------------------------------------------------------------------------

BREAK = "\x00"  # stands for "a word boundary was here" until spacing is decided

# Elements that only wrap words (Strong's numbers, quotations, divine names, ...). Removing them
# must not add a space: KJV even splits words across them ("give</w>n").
INLINE_TAGS = {"w", "q", "divineName", "foreign", "seg", "name", "transChange", "catchWord", "hi"}
# Punctuation that takes no space on its inside when a BREAK is turned into a space.
OPENING = set("([{“‘¿¡«")
CLOSING = set(")]}.,;:!?”’»")
DASHES = set("—–-")

_NOTE_RE = re.compile(r"<note\b[^>]*>.*?</note>", re.S)
_TITLE_RE = re.compile(r"<title\b([^>]*)>(.*?)</title>", re.S)
_SPEAKER_RE = re.compile(r"<speaker\b[^>]*>.*?</speaker>", re.S)
_BOOK_END_RE = re.compile(r"<div\b[^>]*\beID=\"[^\"]*\"[^>]*\btype=\"book\"[^>]*/>|"
                          r"<div\b[^>]*\btype=\"book\"[^>]*\beID=\"[^\"]*\"[^>]*/>")
_TAG_RUN_RE = re.compile(r"(?:<[^>]*>)+")
_TAG_NAME_RE = re.compile(r"<\s*/?\s*([A-Za-z]+)")
_USFM_RE = re.compile(r"\\\+?[a-z]+[0-9]*\*?")
_LEFTOVER_RE = re.compile(r"[<>]")


@dataclass
class Cleaned:
    text: str
    fixes: collections.Counter = field(default_factory=collections.Counter)  # rule -> count
    title: str = ""  # canonical psalm superscription that was kept (start of text)


def _cut_book_end(raw: str, fixes: collections.Counter) -> str:
    """Drop everything after the book's closing milestone.

    WEB stores its whole glossary ("World English Bible Glossary ... Abaddon ...") inside the raw
    entry of Rev 22:21, after the end-of-book marker. Nothing after a book's end is verse text.
    """
    m = _BOOK_END_RE.search(raw)
    if m and re.sub(r"<[^>]*>|\s", "", raw[m.end():]):
        fixes["back matter after end of book removed"] += 1
        return raw[: m.start()]
    return raw


def _drop_notes(raw: str, fixes: collections.Counter) -> str:
    """Remove footnotes and cross-references, leaving a word boundary.

    The notes are kept ON when reading (not filtered by SWORD) because SWORD's footnote filter
    deletes ``<note>..</note>`` without a space: "God<note>..</note><w>created</w>" became
    "Godcreated". We replace each note by a BREAK, which becomes a space where one is needed.
    """
    raw, n = _NOTE_RE.subn("<break/>", raw)
    fixes["notes removed"] += n
    return raw


def _handle_titles(raw: str, osis: str, fixes: collections.Counter) -> tuple[str, str]:
    """Keep canonical psalm superscriptions, drop every other heading.

    Psalm superscriptions ("A Psalm by David, when he fled from Absalom his son.") are part of the
    Hebrew text. RV1909 prints them as ordinary text at the start of verse 1, with no markup, so
    they cannot be removed there; to keep the corpora parallel we keep them in WEB and KJV too
    (marked ``<title canonical="true">``), at the start of the verse. Dropped: non-canonical titles
    (KJV's Pauline colophons "Written to the Romans from Corinthus..."), and every title in Psalm
    119, which are the acrostic letter names (WEB marks "ALEPH" canonical; KJV "ב BETH.").
    """
    kept: list[str] = []

    def repl(m: re.Match) -> str:
        attrs, body = m.group(1), m.group(2)
        if 'canonical="true"' in attrs and not osis.startswith("Ps.119."):
            kept.append(body)
            fixes["canonical psalm title kept"] += 1
            return body + "<break/>"
        fixes["non-canonical title dropped" if not osis.startswith("Ps.119.")
              else "Ps 119 acrostic letter dropped"] += 1
        return "<break/>"

    raw = _TITLE_RE.sub(repl, raw)
    return raw, " ".join(kept)


def _drop_speakers(raw: str, fixes: collections.Counter) -> str:
    """Drop editorial speaker labels ("Beloved", "Friends") that WEB inserts in Song of Songs."""
    raw, n = _SPEAKER_RE.subn("<break/>", raw)
    fixes["speaker label dropped"] += n
    return raw


_ES_CLITICS = r"(?:me|te|se|nos|os|le|les|lo|los|la|las)+"
_RV1909_ENCLITIC_RE = re.compile(
    r"([^\W\d_]+)</w>((?:<[^>]*>)*)<transChange\b[^>]*>(" + _ES_CLITICS + r")</transChange>")
# Short imperatives/preterites that take enclitics in RV1909 ("hazlo", "dales", "vilo").
_ES_SHORT_VERBS = {"haz", "di", "da", "vi", "ve", "pon", "ten", "sal"}
_ES_NOT_VERBS = {"cuánto", "cuánta", "cuántos", "cuántas", "cómo", "dónde", "qué", "quién", "cuándo",
                 "cuál"}


def _attach_rv1909_enclitics(raw: str, fixes: collections.Counter) -> str:
    """Keep an added enclitic pronoun on its verb: "<w>sáca</w><transChange>lo</transChange>".

    RV1909 (1909 spelling) writes pronouns after verbs as one word ("sácalo", "díjole",
    "vengarle"), and marks a pronoun the translators supplied with ``transChange`` -- sometimes
    outside the verb's ``<w>``. Such a pronoun is attached (no space) when the word before it looks
    like a verb form that takes enclitics: an infinitive, gerund or plural imperative (-ar, -er,
    -ir, -ndo, -ad, -ed, -id), a word whose written accent is not on its last letter ("sáca",
    "díjo", "envía": RV1909 keeps the verb's accent before an enclitic), a lowercase word ending
    in an accented vowel ("plantó", "vió"), or a short imperative (haz, di, da, ...). Otherwise
    it is a separate word ("Jehová los", "no lo") and the word-break rule below applies.
    """

    def looks_like_verb(w: str) -> bool:
        lw = w.lower()
        if lw in _ES_NOT_VERBS:
            return False
        return bool(
            re.search(r"(?:ar|er|ir|ír|ndo|ad|ed|id)$", lw)
            or re.search(r"[áéíóú].*[aeiouáéíóú]", lw)
            or (w == lw and lw[-1] in "áéíóú")
            or lw in _ES_SHORT_VERBS)

    def repl(m: re.Match) -> str:
        word, tags, pronoun = m.groups()
        if not looks_like_verb(word):
            return m.group(0)
        fixes["added enclitic pronoun kept on its verb"] += 1
        # keep </transChange>: its boundary with a following <w> is still a word break
        return f"{word}{pronoun}</w>{tags}</transChange>"

    return _RV1909_ENCLITIC_RE.sub(repl, raw)


def _tags_to_breaks(raw: str, fixes: collections.Counter) -> str:
    """Remove all remaining markup, turning a run of tags into BREAK where it separates words.

    A run of adjacent tags separates words if it contains any structural tag (line ``<l/>``,
    paragraph ``<div/>``, list item, the ``<break/>`` left by a removed note or title, ...).

    RV1909 marks translator-supplied words with ``<transChange type="added">`` and often writes
    them with no space around: "hay allí</w><transChange>también</transChange><w>bdelio" ->
    "allítambiénbdelio" in every plain-text rendering. A ``transChange`` boundary that meets a
    ``<w>`` boundary is therefore a word break. A ``transChange`` inside a word is not: RV1909
    also marks added enclitic pronouns that way ("preguntándo<transChange>le</transChange>"; see
    also :func:`_attach_rv1909_enclitics`).
    """

    def repl(m: re.Match) -> str:
        names = set(_TAG_NAME_RE.findall(m.group(0)))
        if names - INLINE_TAGS:
            return BREAK
        if "transChange" in names and "w" in names:
            return BREAK + "\x01"  # \x01 marks "added by the transChange rule" for counting
        return ""

    return _TAG_RUN_RE.sub(repl, raw)


def _resolve_breaks(text: str, fixes: collections.Counter) -> str:
    """Turn each BREAK (and the whitespace around it) into one space or nothing.

    Nothing goes before closing punctuation (WEB writes "two assaria coins</q> <note>..</note>?":
    the note's own spaces must not survive it). Otherwise existing whitespace is kept, and with
    none a space is inserted unless it would separate punctuation or a dash from the word it
    belongs to: "Christ,<note/>the" -> "Christ, the", "God<note/>created" -> "God created", but
    "(<transChange>dijo ella</transChange>)" -> "(dijo ella)".
    """
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\s*\x00\x01?(?:\s*\x00\x01?)*\s*", text):
        out.append(text[pos : m.start()])
        pos = m.end()
        seg = m.group(0)
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if after in CLOSING and after:
            continue
        if re.search(r"\s", seg):
            out.append(" ")
        elif before and after and before not in OPENING and not {before, after} & DASHES:
            out.append(" ")
            if "\x01" in seg and before.isalnum() and after.isalnum():
                fixes["glued words split at <transChange>"] += 1
            elif before.isalnum() and after.isalnum():
                fixes["glued words split at a note/markup boundary"] += 1
    out.append(text[pos:])
    return "".join(out)


def _drop_rv1909_colophon(text: str, osis: str, is_last_verse: bool,
                          fixes: collections.Counter) -> str:
    """Cut the colophon that RV1909 appends, as plain text, to the last verse of each Pauline letter.

    "... Amén. Fué escrita de Corinto á los Romanos, ..." is the traditional subscription, not
    verse text; KJV marks the same notes as non-canonical titles (dropped above), WEB omits them.
    We keep the verse up to its last "Amén." (13 letters; 2 Cor's last verse is empty in RV1909).
    """
    if not (is_last_verse and osis.split(".")[0] in PAULINE):
        return text
    i = text.rfind("Amén.")
    if i >= 0 and text[i + len("Amén.") :].strip():
        fixes["Pauline colophon removed"] += 1
        return text[: i + len("Amén.")]
    return text


def _drop_rv1909_acrostic(text: str, osis: str, fixes: collections.Counter) -> str:
    """Remove the Hebrew letter name RV1909 prints before Ps 119:1, 9, 17, ... ("ALEPH. ", "BETH ").

    The other corpora mark these as titles (dropped in :func:`_handle_titles`).
    """
    book, ch, vs = osis.split(".")
    if book == "Ps" and ch == "119" and (int(vs) - 1) % 8 == 0:
        m = re.match(r"(%s)\.?\s+" % "|".join(PS119_LETTERS_RV1909), text)
        if m:
            fixes["Ps 119 acrostic letter dropped"] += 1
            return text[m.end():]
    return text


def clean_verse(osis: str, raw: str, corpus: str, is_last_verse: bool) -> Cleaned:
    """Raw OSIS markup of one verse -> clean text (see the helpers above for each rule)."""
    fixes: collections.Counter = collections.Counter()
    raw = _cut_book_end(raw, fixes)
    raw = _drop_notes(raw, fixes)
    raw, title = _handle_titles(raw, osis, fixes)
    raw = _drop_speakers(raw, fixes)
    if corpus == "rv1909":
        raw = _attach_rv1909_enclitics(raw, fixes)
    text = _tags_to_breaks(raw, fixes)
    # KJV has leftover USFM character markers ("the \nd LORD") from its conversion to OSIS.
    text, n = _USFM_RE.subn("", text)
    fixes["stray USFM marker removed"] += n
    # KJV's pilcrows mark paragraph starts of the 1611 printing; they are layout, not words.
    n = text.count("¶")
    text = text.replace("¶", "")
    fixes["pilcrow removed"] += n
    text = _resolve_breaks(text, fixes)
    text = " ".join(text.split())
    if corpus == "rv1909":
        text = _drop_rv1909_colophon(text, osis, is_last_verse, fixes)
        text = _drop_rv1909_acrostic(text, osis, fixes)
    if _LEFTOVER_RE.search(text) or BREAK in text:
        fail(f"{corpus} {osis}: markup left after cleaning: {text!r}")
    return Cleaned(text=text, fixes=+fixes, title=" ".join(_TAG_RUN_RE.sub("", title).split()))


# --------------------------------------------------------------------------------------------
# 3. Cross-checks of the cleaning
# --------------------------------------------------------------------------------------------


def _letters(s: str) -> str:
    """Letters only, case-folded (SWORD renders KJV's <divineName>Lord</divineName> as "LORD")."""
    return "".join(ch for ch in unicodedata.normalize("NFC", s).casefold() if ch.isalpha())


# Rules that deliberately make our text differ from SWORD's rendering; those verses are checked
# by containment instead of equality.
_DELIBERATE = {
    "back matter after end of book removed", "canonical psalm title kept",
    "Ps 119 acrostic letter dropped", "Pauline colophon removed", "speaker label dropped",
}


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def check_against_sword(corpus: str, osis: str, cleaned: Cleaned, plain: str,
                        counts: collections.Counter) -> None:
    """Compare the letters of our verse with SWORD's own plain rendering of it.

    SWORD's rendering glues words, so only letters are compared (spacing is what we fix). For a
    verse touched by a deliberate rule the title we kept must be the only extra, or our letters
    must be a subsequence of SWORD's (we only cut material: glossary, colophon, speaker labels).
    """
    ours = _letters(cleaned.text)
    # SWORD leaves some Strong's numbers ("<G5547>") and KJV's USFM markers in its rendering.
    theirs = _letters(_USFM_RE.sub("", re.sub(r"<[GH]\d+>", "", plain)))
    if ours == theirs:
        counts["identical letters"] += 1
        return
    if set(cleaned.fixes) & _DELIBERATE:
        title = _letters(cleaned.title)
        if (title and ours == title + theirs) or _is_subsequence(ours, theirs):
            counts["differs only by a deliberate rule"] += 1
            return
    fail(f"{corpus} {osis}: cleaned text disagrees with SWORD's rendering\n"
         f"  ours:  {cleaned.text!r}\n  SWORD: {plain!r}")


def check_against_diatheke(corpus: str, module: str, verses: dict[str, str]) -> int:
    """Spot-check a few verses against the ``diatheke`` CLI; an empty answer is an error."""
    n = 0
    for osis in ["Gen.1.1", "Ps.23.1", "Isa.53.5", "Matt.5.3", "John.3.16", "Rom.8.28"]:
        ref = osis.replace(".", " ", 1).replace(".", ":")
        r = subprocess.run(["diatheke", "-b", module, "-f", "plain", "-k", ref],
                           capture_output=True, text=True)
        out = r.stdout.strip()
        if r.returncode != 0 or not out:
            fail(f"diatheke -b {module} -k {ref!r} printed nothing (exit {r.returncode}); "
                 f"is the module installed? ({APT_INSTALL})")
        # "[heading\n] Genesis 1:1: In the beginning...\n(engWEB2015eb)" -> heading + verse text
        body = re.sub(r"(?m)^\s*[\w ]+ \d+:\d+:", "", out.rsplit("(" + module + ")", 1)[0])
        if _letters(body) != _letters(verses[osis]):
            fail(f"{corpus} {osis}: disagrees with diatheke\n  ours: {verses[osis]!r}\n"
                 f"  diatheke: {body!r}")
        n += 1
    return n


# --------------------------------------------------------------------------------------------
# 4. Building one corpus
# --------------------------------------------------------------------------------------------


def build_corpus(corpus: str) -> tuple[dict, dict[str, str], collections.Counter, set[str]]:
    """Read, clean, check and write one corpus.

    Returns (stats, {key: text}, lowercased token counts, words seen in lowercase in the text).
    """
    module, lang = SWORD_MODULES[corpus], CORPORA[corpus][0]
    rows = read_module(module)
    book_of = [osis.split(".")[0] for osis, _, _ in rows]
    canon = set(BOOKS)
    fixes: collections.Counter = collections.Counter()
    checks: collections.Counter = collections.Counter()
    lines: list[str] = []
    verses: dict[str, str] = {}
    tokens: collections.Counter = collections.Counter()
    lowercase_words: set[str] = set()
    empty, non_canon = [], 0
    for i, (osis, raw, plain) in enumerate(rows):
        if book_of[i] not in canon:
            non_canon += 1
            continue
        if not re.fullmatch(r"[1-3]?[A-Za-z]+\.\d+\.\d+", osis):
            fail(f"{corpus}: unexpected verse key {osis!r}")
        is_last = i + 1 == len(rows) or book_of[i + 1] != book_of[i]
        cleaned = clean_verse(osis, raw, corpus, is_last)
        fixes.update(cleaned.fixes)
        check_against_sword(corpus, osis, cleaned, plain, checks)
        if not cleaned.text:
            empty.append(osis)
            continue
        toks = tokenize(cleaned.text, lowercase=True)
        tokens.update(toks)
        lowercase_words.update(t for t in tokenize(cleaned.text, lowercase=False)
                               if t.isalpha() and t == t.lower())
        verses[osis] = cleaned.text
        lines.append(f"{osis}\t{cleaned.text}\t{' '.join(toks)}")
    books = {k.split(".")[0] for k in verses}
    if books != canon:
        fail(f"{corpus}: books missing after cleaning: {sorted(canon - books)}")
    checks["diatheke spot checks"] = check_against_diatheke(corpus, module, verses)
    write_gzip_text(OUT_DIR / f"{corpus}.tsv.gz", lines)

    words = {t: c for t, c in tokens.items() if t.isalpha()}
    stats = {
        "module": module,
        "language": lang,
        "verses": len(lines),
        "empty_verses_skipped": len(empty),
        "empty_verse_keys": empty,
        "non_canonical_verses_skipped": non_canon,
        "tokens": sum(tokens.values()),
        "types": len(tokens),
        "word_tokens": sum(words.values()),
        "word_types": len(words),
        "cleaning": dict(sorted(fixes.items())),
        "cross_check": dict(sorted(checks.items())),
    }
    log(f"[{corpus}] {module}: {stats['verses']} verses, {stats['tokens']} tokens, "
        f"{stats['types']} types; skipped {len(empty)} empty verses {empty} and "
        f"{non_canon} verses outside the 66-book canon")
    for rule, n in sorted(fixes.items()):
        log(f"[{corpus}]   {rule}: {n}")
    log(f"[{corpus}]   cross-check vs SWORD/diatheke: {dict(checks)}")
    return stats, verses, tokens, lowercase_words
