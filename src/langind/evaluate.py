"""Room 7 — evaluation: how good is a recovered mapping, and what do its mistakes look like.

Self-recovery (the LM's own vocabulary scrambled) is scored by **hit@k** — the true word is among
the k best-scored targets of its row — and by the accuracy of the one-to-one **assignment**, over
frequency-rank bands. A word's rank is its 0-based position among the vocab's non-special words
(the vocab is ordered by training frequency), so band ``10-110`` is the 100 words ranked 10..109,
the earlier exploration's band. ``all`` is every word that occurs in the recovery text (a word the
text never shows cannot be recovered from it; how many there are is reported as coverage).

Mistakes are classified with WordNet (read from Debian's ``wordnet-base`` files by the small reader
below: no download, no global state): same lemma (``has``→``have``), synonyms (share a synset),
co-hyponyms (share a direct hypernym, e.g. ``two``→``three``), or unrelated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from langind.errors import LangindError
from langind import readout

DEFAULT_BANDS = ("10-110", "10-1010", "all")
WORDNET_DIR = Path("/usr/share/wordnet")


def parse_band(band: str, n_words: int) -> tuple[int, int]:
    """``"10-110"`` → (10, 110) as a half-open rank range; ``"all"`` → (0, n_words)."""
    if band == "all":
        return 0, n_words
    try:
        lo, hi = (int(x) for x in band.split("-"))
    except ValueError:
        raise LangindError(f"bad band {band!r}; write it as LOW-HIGH (e.g. 10-110) or 'all'") from None
    if not 0 <= lo < hi:
        raise LangindError(f"bad band {band!r}: need 0 <= LOW < HIGH")
    return lo, min(hi, n_words)


def recovery_metrics(scores, truth: np.ndarray, ranks: np.ndarray, present: np.ndarray,
                     assign: np.ndarray | None = None, bands=DEFAULT_BANDS, ks=(1, 5, 10)) -> dict:
    """hit@k and assignment accuracy per band.

    scores: n_src × n_tgt; truth[s]: the correct target of source word s (-1 = not evaluated);
    ranks[s]: frequency rank of s's true word; present[s]: s occurs in the recovery text;
    assign[s]: one-to-one readout (-1 = unmatched).
    """
    top = readout.topk(scores, max(ks))
    hits = {k: (top[:, :k] == truth[:, None]).any(axis=1) for k in ks}
    n_words = int(ranks[truth >= 0].max()) + 1 if (truth >= 0).any() else 0
    out = {}
    for band in bands:
        lo, hi = parse_band(band, n_words)
        sel = (truth >= 0) & present & (ranks >= lo) & (ranks < hi)
        n = int(sel.sum())
        res = {"words": n}
        for k in ks:
            res[f"hit@{k}"] = float(hits[k][sel].mean()) if n else None
        if assign is not None:
            res["assign"] = float((assign[sel] == truth[sel]).mean()) if n else None
        out[band] = res
    return out


# -- WordNet, read from the Debian files ----------------------------------------------------------
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


@dataclass
class BandSpec:
    name: str
    lo: int
    hi: int
