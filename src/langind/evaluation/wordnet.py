"""WordNet error analysis: how a wrong guess relates to the true word.

Mistakes are classified with WordNet (read from Debian's ``wordnet-base`` files by the small reader
below: no download, no global state): same lemma (``has``→``have``), synonyms (share a synset),
co-hyponyms (share a direct hypernym, e.g. ``two``→``three``), or unrelated.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langind.errors import LangindError

WORDNET_DIR = Path("/usr/share/wordnet")

_POS = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
_RULES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}


class WordNet:
    """Minimal WordNet 3.0 reader: lemmas → synsets, synset → direct hypernyms, morphology.

    Parses ``index.*``, ``data.*`` and ``*.exc`` from a WordNet ``dict`` directory (Debian
    package ``wordnet-base`` installs it at /usr/share/wordnet).
    """

    def __init__(self, root: str | Path = WORDNET_DIR):
        root = Path(root)
        if not (root / "data.noun").exists():
            raise LangindError(f"WordNet not found in {root}; install it with `apt-get install wordnet-base`")
        self.index: dict[str, set[str]] = {}  # lemma -> synset ids ("n:00012345")
        self.hypernyms: dict[str, set[str]] = {}
        self.exceptions: dict[str, set[str]] = {}
        for pos, name in _POS.items():
            if not (root / f"index.{name}").exists() or not (root / f"data.{name}").exists():
                continue
            for line in (root / f"index.{name}").read_text(encoding="latin-1").splitlines():
                if line.startswith(" "):
                    continue
                f = line.split()
                lemma, n_syn = f[0], int(f[2])
                self.index.setdefault(lemma, set()).update(f"{pos}:{o}" for o in f[-n_syn:])
            for line in (root / f"data.{name}").read_text(encoding="latin-1").splitlines():
                if line.startswith(" "):
                    continue
                f = line.split(" | ")[0].split()
                offset, w_cnt = f[0], int(f[3], 16)
                i = 4 + 2 * w_cnt
                p_cnt = int(f[i])
                hyp = set()
                for j in range(p_cnt):
                    sym, off, ppos = f[i + 1 + 4 * j: i + 4 + 4 * j]
                    if sym in ("@", "@i"):
                        hyp.add(f"{'a' if ppos == 's' else ppos}:{off}")
                self.hypernyms[f"{pos}:{offset}"] = hyp
            exc = root / f"{name}.exc"
            if exc.exists():
                for line in exc.read_text(encoding="latin-1").splitlines():
                    f = line.split()
                    if len(f) >= 2:
                        self.exceptions.setdefault(f[0], set()).update(f[1:])

    @lru_cache(maxsize=None)
    def lemmas(self, word: str) -> frozenset[str]:
        """Base forms of ``word`` known to WordNet (itself included when it is a lemma)."""
        out = set()
        if word in self.index:
            out.add(word)
        out |= {b for b in self.exceptions.get(word, ()) if b in self.index}
        for rules in _RULES.values():
            for suf, rep in rules:
                if word.endswith(suf) and len(word) > len(suf):
                    base = word[: -len(suf)] + rep
                    if base in self.index:
                        out.add(base)
        return frozenset(out)

    def synsets(self, word: str) -> set[str]:
        return set().union(*(self.index[lem] for lem in self.lemmas(word))) if self.lemmas(word) else set()

    def relation(self, a: str, b: str) -> str:
        """How two words relate: ``same-lemma``, ``synonym``, ``co-hyponym``, ``unknown`` or ``none``."""
        la, lb = self.lemmas(a), self.lemmas(b)
        if not la or not lb:
            return "unknown"
        if la & lb:
            return "same-lemma"
        sa, sb = self.synsets(a), self.synsets(b)
        if sa & sb:
            return "synonym"
        ha = set().union(*(self.hypernyms.get(s, set()) for s in sa))
        hb = set().union(*(self.hypernyms.get(s, set()) for s in sb))
        if ha & hb or ha & sb or hb & sa:
            return "co-hyponym"
        return "none"


def error_analysis(pairs: list[tuple[str, str]], wordnet: WordNet | None) -> dict:
    """Share of top-1 errors (true, predicted) per WordNet relation."""
    kinds = ["same-lemma", "synonym", "co-hyponym", "none", "unknown"]
    counts = dict.fromkeys(kinds, 0)
    if wordnet is None:
        return {"errors": len(pairs), "wordnet": False}
    for a, b in pairs:
        counts[wordnet.relation(a, b)] += 1
    n = len(pairs)
    judged = n - counts["unknown"]
    related = counts["same-lemma"] + counts["synonym"] + counts["co-hyponym"]
    return {"errors": n, "wordnet": True, "counts": counts,
            "related_share": related / judged if judged else None,
            "synonym_or_hypernym_share": (counts["synonym"] + counts["co-hyponym"]) / judged if judged else None}


def load_wordnet(root: str | Path = WORDNET_DIR) -> WordNet | None:
    """The WordNet reader, or None (analysis skipped, and said so) when it is not installed."""
    try:
        return WordNet(root)
    except LangindError:
        return None
