#!/usr/bin/env python3
"""Build langind's bundled data (``src/langind/data/files/``) from Debian packages.

Nothing is downloaded: every input is a file installed by a Debian package, so the build is
repeatable offline and the provenance of each byte is a package name and version.

    apt-get install -y diatheke python3-sword sword-text-web sword-text-sparv sword-text-kjv \\
        dict-freedict-eng-spa dict-freedict-spa-eng wamerican wspanish hunspell-es espeak-ng
    .venv/bin/python scripts/build_data.py

Outputs
-------
``web.tsv.gz``, ``rv1909.tsv.gz``, ``kjv.tsv.gz``
    One verse per line, ``KEY<TAB>TEXT<TAB>TOKENS``: KEY is ``Book.Chapter.Verse`` with OSIS book
    names (``Gen.1.1``; the same scheme in every corpus, so they join on KEY), TEXT the cleaned verse
    (original case, single spaces, no markup), TOKENS ``" ".join(tokenize(TEXT, lowercase=True))``.
    Only the 66 books of the Protestant canon, in canonical order; empty verses are left out.
``freedict.en-es.txt``, ``freedict.es-en.txt``
    Single-word translation pairs in MUSE format (``src tgt``, lowercase, sorted, unique).
``stats.json``
    Everything the build measured; the same numbers are printed and written into the statistics
    block of ``src/langind/data/README.md``.

How the Bible text is read
--------------------------
The SWORD modules are read with the SWORD library's Python binding (``python3-sword``), which only
exists for Debian's ``/usr/bin/python3``. This script therefore re-runs itself under that
interpreter (``--sword-dump MODULE``) to dump each verse's *raw OSIS markup* as JSON lines, and does
all cleaning itself, in the project's Python (which has ``langind`` for tokenisation). Raw markup
is used instead of SWORD's or diatheke's plain-text rendering because those renderings glue words
together where they strip footnotes ("Godcreated") or translator additions ("allítambiénbdelio"),
and cannot tell a psalm superscription from an editorial heading.

Two independent checks guard the cleaning: every verse's letters are compared with SWORD's own
plain-text rendering (spaces and the deliberately removed pieces aside, they must agree), and a
few verses are compared with the ``diatheke`` command-line front end. Both fail the build loudly,
as does a module that yields no text (``diatheke -b WEB`` with a wrong module name prints nothing
and exits 0; we never trust an empty answer).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import re
import subprocess
import sys
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "langind" / "data" / "files"
README = ROOT / "src" / "langind" / "data" / "README.md"
DEBIAN_PYTHON = "/usr/bin/python3"
BUILD_COMMAND = ".venv/bin/python scripts/build_data.py"

# Debian packages this build reads, and what for.
PACKAGES = {
    "python3-sword": "SWORD library binding used to read the Bible modules",
    "diatheke": "SWORD command-line front end, used for a spot cross-check",
    "sword-text-web": "World English Bible (module engWEB2015eb)",
    "sword-text-sparv": "Reina-Valera 1909 (module spaRV1909eb)",
    "sword-text-kjv": "King James Version (module engKJV2006eb)",
    "dict-freedict-eng-spa": "FreeDict English-Spanish dictionary (dictd format)",
    "dict-freedict-spa-eng": "FreeDict Spanish-English dictionary (dictd format)",
    "wamerican": "English word list, to recognise glued multi-word translations",
    "wspanish": "Spanish word list, to recognise glued multi-word translations",
    "hunspell-es": "Spanish spelling dictionary (stems), to recognise glued translations",
    "espeak-ng": "English pronunciations, to recognise truncated multi-word headwords",
}
APT_INSTALL = "apt-get install -y " + " ".join(PACKAGES)

# corpus name -> (SWORD module, language)
CORPORA = {
    "web": ("engWEB2015eb", "en"),
    "rv1909": ("spaRV1909eb", "es"),
    "kjv": ("engKJV2006eb", "en"),
}

# The 66 books of the Protestant canon, OSIS names, canonical order. WEB also carries the
# deuterocanon (Tob, Jdt, Sir, 1Macc, ...; ~6.4k verses) which RV1909 and KJV lack: keeping only
# these books makes every corpus cover the same content.
CANON = (
    "Gen Exod Lev Num Deut Josh Judg Ruth 1Sam 2Sam 1Kgs 2Kgs 1Chr 2Chr Ezra Neh Esth Job Ps Prov "
    "Eccl Song Isa Jer Lam Ezek Dan Hos Joel Amos Obad Jonah Mic Nah Hab Zeph Hag Zech Mal "
    "Matt Mark Luke John Acts Rom 1Cor 2Cor Gal Eph Phil Col 1Thess 2Thess 1Tim 2Tim Titus Phlm Heb "
    "Jas 1Pet 2Pet 1John 2John 3John Jude Rev"
).split()
PAULINE = CANON[CANON.index("Rom") : CANON.index("Heb") + 1]

# Hebrew letter names that RV1909 prints, as plain text, before every 8th verse of Psalm 119.
PS119_LETTERS_RV1909 = (
    "ALEPH BETH GIMEL DALETH HE VAU ZAIN CHETH TETH JOD CAPH LAMED MEM NUN SAMECH AIN PE TZADDI "
    "COPH RESH SIN TAU"
).split()

TOP_K = 5000  # "frequent word" threshold used in the dictionary statistics


def log(msg: str = "") -> None:
    print(msg, flush=True)


def fail(msg: str) -> None:
    sys.exit(f"build_data.py: error: {msg}")


# --------------------------------------------------------------------------------------------
# 0. Debian packages
# --------------------------------------------------------------------------------------------


def package_versions() -> dict[str, str]:
    """Return {package: version} for PACKAGES, or stop naming the apt-get command to run."""
    versions, missing = {}, []
    for pkg in PACKAGES:
        r = subprocess.run(
            ["dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", pkg],
            capture_output=True, text=True,
        )
        status, _, version = r.stdout.partition(" ")
        if r.returncode != 0 or status != "installed":
            missing.append(pkg)
        else:
            versions[pkg] = version
    if missing:
        fail(
            f"missing Debian package(s): {' '.join(missing)}.\n"
            f"  Install them (as root) with:  apt-get update && {APT_INSTALL}"
        )
    if not Path(DEBIAN_PYTHON).exists():
        fail(f"{DEBIAN_PYTHON} not found; python3-sword only works with Debian's Python 3")
    return versions


# --------------------------------------------------------------------------------------------
# 1. Reading SWORD modules (runs under /usr/bin/python3, which has python3-sword)
# --------------------------------------------------------------------------------------------


def sword_dump(module_name: str) -> None:
    """Write one JSON line per verse of ``module_name``: [osisRef, raw OSIS, SWORD plain text].

    This function runs under Debian's Python (``import Sword``) and must not import langind.
    The plain text is SWORD's own rendering with footnotes, cross-references and Strong's numbers
    switched off; it is only used to cross-check our cleaning of the raw markup.
    """
    import Sword  # Debian's python3-sword

    mgr = Sword.SWMgr()
    for option, value in [
        ("Footnotes", "Off"), ("Cross-references", "Off"), ("Headings", "Off"),
        ("Strong's Numbers", "Off"), ("Words of Christ in Red", "Off"),
    ]:
        mgr.setGlobalOption(option, value)
    module = mgr.getModule(module_name)
    if module is None:
        sys.exit(f"SWORD module {module_name!r} is not installed")
    module.setSkipConsecutiveLinks(True)  # a linked verse's text is emitted once, under its first key
    module.setPosition(Sword.SW_POSITION(1))  # POS_TOP
    module.popError()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    while True:
        key = Sword.VerseKey.castTo(module.getKey())
        record = [key.getOSISRef(), module.getRawEntry(), module.stripText()]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        module.increment()
        if module.popError() != "\x00":
            break
    out.flush()


def read_module(module_name: str) -> list[tuple[str, str, str]]:
    """Run :func:`sword_dump` under Debian's Python; return [(osisRef, raw, plain)], never empty."""
    r = subprocess.run(
        [DEBIAN_PYTHON, __file__, "--sword-dump", module_name], capture_output=True,
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


def write_gzip_text(path: Path, lines: list[str]) -> None:
    """Write UTF-8 lines gzip'd with mtime=0 and no file name, so rebuilds are byte-identical."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                 compresslevel=9, mtime=0) as gz:
        gz.write("".join(line + "\n" for line in lines).encode("utf-8"))


def build_corpus(corpus: str) -> tuple[dict, dict[str, str], collections.Counter, set[str]]:
    """Read, clean, check and write one corpus.

    Returns (stats, {key: text}, lowercased token counts, words seen in lowercase in the text).
    """
    from langind.corpus import tokenize

    module, lang = CORPORA[corpus]
    rows = read_module(module)
    book_of = [osis.split(".")[0] for osis, _, _ in rows]
    canon = set(CANON)
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


# --------------------------------------------------------------------------------------------
# 5. FreeDict dictionaries (dictd format)
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
        from langind.corpus import fold_accents

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
    from langind.corpus import tokenize

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


def top_k(counts: collections.Counter, k: int) -> set[str]:
    """The k most frequent alphabetic word types (ties broken alphabetically, for determinism)."""
    words = sorted(((c, w) for w, c in counts.items() if w.isalpha()), key=lambda x: (-x[0], x[1]))
    return {w for _, w in words[:k]}


def dictionary_coverage(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str,
                        vocab: dict[str, set[str]], top: dict[str, set[str]]) -> dict:
    """How well a dictionary meets the corpora, exactly and with accents folded (not applied)."""
    from langind.corpus import fold_accents

    stats: dict = {}
    folded_vocab = {lang: {fold_accents(w) for w in v} for lang, v in vocab.items()}
    folded_top = {lang: {fold_accents(w) for w in v} for lang, v in top.items()}
    for side, lang in (("source", src_lang), ("target", tgt_lang)):
        words = {p[0] if side == "source" else p[1] for p in pairs}
        exact = {w for w in words if w in vocab[lang]}
        folded = {w for w in words if w not in exact and fold_accents(w) in folded_vocab[lang]}
        stats[f"{side}_words_in_corpus_vocab"] = len(exact)
        stats[f"{side}_words_matching_only_after_accent_folding"] = len(folded)
    stats[f"pairs_both_in_top{TOP_K}"] = sum(
        1 for s, t in pairs if s in top[src_lang] and t in top[tgt_lang])
    stats[f"pairs_both_in_top{TOP_K}_if_accents_folded"] = sum(
        1 for s, t in pairs
        if fold_accents(s) in folded_top[src_lang] and fold_accents(t) in folded_top[tgt_lang])
    return stats


# --------------------------------------------------------------------------------------------
# 6. README statistics block
# --------------------------------------------------------------------------------------------

README_BEGIN = "<!-- BEGIN build_data.py statistics (generated; do not edit by hand) -->"
README_END = "<!-- END build_data.py statistics -->"


def render_stats_markdown(stats: dict) -> str:
    c, d = stats["corpora"], stats["dictionaries"]
    names = list(c)
    rows = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for label, key in [("verses", "verses"), ("empty verses skipped", "empty_verses_skipped"),
                       ("non-canonical verses skipped", "non_canonical_verses_skipped"),
                       ("tokens (words + punctuation)", "tokens"), ("types", "types"),
                       ("word tokens (alphabetic)", "word_tokens"),
                       ("word types (alphabetic)", "word_types")]:
        rows.append(f"| {label} | " + " | ".join(f"{c[n][key]:,}" for n in names) + " |")
    rules = sorted({r for n in names for r in c[n]["cleaning"]})
    for r in rules:
        rows.append(f"| cleaning: {r} | " + " | ".join(f"{c[n]['cleaning'].get(r, 0):,}" for n in names) + " |")
    checks = sorted({r for n in names for r in c[n]["cross_check"]})
    for r in checks:
        rows.append(f"| cross-check: {r} | " + " | ".join(f"{c[n]['cross_check'].get(r, 0):,}" for n in names) + " |")
    out = ["Corpora:", "", *rows, "", "Verse keys in common:", ""]
    out += [f"- {k}: {v:,}" for k, v in stats["keys_in_common"].items()]
    out += ["", "Empty verse keys skipped: " + "; ".join(
        f"{n}: {', '.join(c[n]['empty_verse_keys']) or 'none'}" for n in names), ""]
    dn = list(d)
    out += ["Dictionaries:", "", "| | " + " | ".join(dn) + " |", "|---|" + "---:|" * len(dn)]
    keys = ["entries", "entries_with_truncated_headword", "candidate_translations", "pairs",
            "source_words", "target_words", "pairs_with_unknown_source_word",
            "pairs_with_unknown_target_word"]
    for k in keys:
        out.append(f"| {k.replace('_', ' ')} | " + " | ".join(f"{d[n][k]:,}" for n in dn) + " |")
    for r in DROP_REASONS:
        out.append(f"| dropped: {r} | " + " | ".join(
            f"{d[n]['dropped_pairs_by_reason'][r]:,}" for n in dn) + " |")
    for k in d[dn[0]]["coverage"]:
        out.append(f"| {k.replace('_', ' ')} | " + " | ".join(
            f"{d[n]['coverage'][k]:,}" for n in dn) + " |")
    out += ["", f"Top-{TOP_K} definition: {stats['top_k_definition']}", ""]
    return "\n".join(out)


def update_readme(stats: dict) -> None:
    """Replace the generated statistics block of the data README (prose around it is hand-written)."""
    if not README.exists():
        log(f"note: {README} does not exist; statistics are in stats.json only")
        return
    text = README.read_text("utf-8")
    if README_BEGIN not in text or README_END not in text:
        log(f"note: {README} has no statistics markers; left unchanged")
        return
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    README.write_text(head + README_BEGIN + "\n" + render_stats_markdown(stats) + "\n"
                      + README_END + tail, "utf-8")


# --------------------------------------------------------------------------------------------
# 7. Main
# --------------------------------------------------------------------------------------------


def main() -> None:
    versions = package_versions()
    try:
        import langind.corpus  # noqa: F401
    except ImportError:
        fail(f"langind is not importable; run this script with the project venv: {BUILD_COMMAND}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stats: dict = {"build_command": BUILD_COMMAND, "debian_packages": versions, "corpora": {}}

    texts, counts, lowercase = {}, {}, {}
    for corpus in CORPORA:
        stats["corpora"][corpus], texts[corpus], counts[corpus], lowercase[corpus] = \
            build_corpus(corpus)
    keys = {n: set(t) for n, t in texts.items()}
    stats["keys_in_common"] = {
        "web & rv1909": len(keys["web"] & keys["rv1909"]),
        "web & kjv": len(keys["web"] & keys["kjv"]),
        "rv1909 & kjv": len(keys["rv1909"] & keys["kjv"]),
        "web & rv1909 & kjv": len(keys["web"] & keys["rv1909"] & keys["kjv"]),
    }
    log(f"verse keys in common: {stats['keys_in_common']}")

    # Vocabularies by language: English from WEB + KJV, Spanish from RV1909. "Top-k" ranks the
    # alphabetic word types of WEB (English) and RV1909 (Spanish), the pair the package aligns.
    vocab = {"en": {w for n in ("web", "kjv") for w in counts[n] if w.isalpha()},
             "es": {w for w in counts["rv1909"] if w.isalpha()}}
    top = {"en": top_k(counts["web"], TOP_K), "es": top_k(counts["rv1909"], TOP_K)}
    stats["top_k_definition"] = (
        f"the {TOP_K} most frequent lowercase alphabetic (str.isalpha) token types of web.tsv.gz "
        f"(English) and rv1909.tsv.gz (Spanish), ties broken alphabetically")
    # Word lists for the glued-translation test. wspanish is small, so hunspell-es's stems are
    # added to the *known* Spanish words (not to the split parts: its stems include fragments).
    english = read_wordlist("/usr/share/dict/american-english")
    spanish = read_wordlist("/usr/share/dict/spanish")
    spanish_stems, _ = read_wordlist("/usr/share/hunspell/es_ES.dic")
    detectors = {
        "en": GlueDetector("en", vocab["en"], lowercase["web"] | lowercase["kjv"], english),
        "es": GlueDetector("es", vocab["es"], lowercase["rv1909"],
                           (spanish[0] | spanish_stems, spanish[1])),
    }
    stats["dictionaries"] = {}
    for direction, name, src, tgt, truncation in [
        ("en-es", "freedict-eng-spa", "en", "es", True),
        ("es-en", "freedict-spa-eng", "es", "en", False),
    ]:
        glue_examples: list[str] = []
        pairs, dstats = build_dictionary(name, src, tgt, detectors, truncation, glue_examples)
        dstats["glued_target_examples"] = glue_examples
        dstats["coverage"] = dictionary_coverage(pairs, src, tgt, vocab, top)
        (OUT_DIR / f"freedict.{direction}.txt").write_text(
            "".join(f"{s} {t}\n" for s, t in pairs), "utf-8")
        stats["dictionaries"][direction] = dstats
        log(f"[{direction}] {name}: {dstats['pairs']} pairs from {dstats['entries']} entries")
        for reason, n in dstats["dropped_pairs_by_reason"].items():
            log(f"[{direction}]   dropped, {reason}: {n}")
        log(f"[{direction}]   coverage: {dstats['coverage']}")

    (OUT_DIR / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n",
                                        "utf-8")
    update_readme(stats)
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir() if p.is_file())
    log(json.dumps(stats, ensure_ascii=False, indent=1))
    log(f"wrote {OUT_DIR} ({total / 1e6:.1f} MB)")
    if total > 12e6:
        fail(f"{OUT_DIR} is {total / 1e6:.1f} MB, over the 12 MB budget")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sword-dump", metavar="MODULE",
                        help="internal: dump a SWORD module as JSON lines (run by /usr/bin/python3)")
    args = parser.parse_args()
    if args.sword_dump:
        sword_dump(args.sword_dump)
    else:
        main()
