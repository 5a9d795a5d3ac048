"""Helpers shared by ``scripts/build_data.py`` and ``scripts/build_fortunes.py``.

Paths of the repository and of the bundled data, progress and error messages, the check that the
Debian packages a build reads are installed (with their versions, recorded in the statistics),
gzip writing that gives byte-identical files on rebuild, and the ranking of frequent words.

Imports only the standard library (no ``langind``), so any Python can import it.
"""

from __future__ import annotations

import collections
import gzip
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OUT_DIR = ROOT / "src" / "langind" / "data" / "files"
README = ROOT / "src" / "langind" / "data" / "README.md"
DEBIAN_PYTHON = "/usr/bin/python3"
BUILD_COMMAND = ".venv/bin/python scripts/build_data.py"

# Debian packages scripts/build_data.py reads, and what for.
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


def log(msg: str = "") -> None:
    print(msg, flush=True)


def fail(msg: str) -> None:
    """Stop the build: ``SCRIPT: error: MSG`` on stderr, exit status 1."""
    sys.exit(f"{Path(sys.argv[0]).name}: error: {msg}")


def package_versions(packages=PACKAGES) -> dict[str, str]:
    """Return {package: version} for ``packages``, or stop naming the apt-get command to run."""
    versions, missing = {}, []
    for pkg in packages:
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
            f"  Install them (as root) with:  apt-get update && apt-get install -y {' '.join(packages)}"
        )
    return versions


def write_gzip_text(path: Path, lines: list[str]) -> None:
    """Write UTF-8 lines gzip'd with mtime=0 and no file name, so rebuilds are byte-identical."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                 compresslevel=9, mtime=0) as gz:
        gz.write("".join(line + "\n" for line in lines).encode("utf-8"))


def ranked_words(counts: collections.Counter, k: int) -> list[str]:
    """The k most frequent alphabetic word types, most frequent first (ties alphabetically)."""
    words = sorted(((c, w) for w, c in counts.items() if w.isalpha()), key=lambda x: (-x[0], x[1]))
    return [w for _, w in words[:k]]
