"""How much text do you need? The default pipeline against the number of tokens per side.

    python benchmarks/text_size.py --out benchmarks/results/text_size.json     # about 77 min on 2 cores

For each pair — the parallel Bible, its book-disjoint halves, the different-stories pair (fortunes) and
the parallel Bible written in codes, all es→en — each side is cut to its first N tokens (whole
sentences: the corpus spec ``head:N:TEXT``) for N in ``--sizes``, and at each size three rows are run
with ``induce cross`` as a user would run it:

* ``default``: ``--method auto``, its confidence estimate and whether it warned;
* ``unsupervised``: the same with ``--no-orthography`` (no spelling anywhere, not even to check itself) —
  where the default's lexicon used no spelling (spelling only checked the run), this is the default's
  lexicon and is not run twice (``same_as_default``);
* ``spelling``: spelling alone (``--method orthography``), where the pair has spelling (not the coded one).

P@1 is against the bundled FreeDict es→en (mapped through the two codebooks for the coded pair), on the
words of each size's vocabularies; the rows are deterministic (one seed). Every finished point is saved
in ``WORK/rows.json`` and reused by a rerun with the same settings.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import write_result

from langind import data
from langind.corpus import CorpusSource
from langind.evaluation.bli import coded_dictionary, load_dictionary
from langind.induction import CrossConfig, induce_cross
from langind.runs import atomic_write_json, atomic_write_text

# pair → (source spec, target spec, seed of each side's codebook or None); every side cut by head:N:
PAIRS = {
    "bible": ("rv1909", "web", None),
    "bible-disjoint": ("rv1909:odd-books", "web:even-books", None),
    "fortunes": ("fortunes-es", "fortunes-en", None),
    "bible-coded": ("rv1909", "web", (1, 2)),
}
SIZES = (25_000, 100_000, 400_000, None)  # tokens per side; None: the whole text (≤ 90 min in all on 2 cores)


def side(spec: str, size: int | None, code: int | None) -> str:
    cut = spec if size is None else f"head:{size}:{spec}"
    return cut if code is None else f"coded:{code}:{cut}"


def tokens(spec: str) -> int:
    return sum(len(t) for t in CorpusSource(spec).sentences())


def run_row(src: str, tgt: str, dictionary: str, work: Path, **options) -> tuple[dict, CrossConfig]:
    cfg = CrossConfig(src="es", tgt="en", src_corpus=src, tgt_corpus=tgt, dictionary=dictionary, progress=False,
                      threads=options.pop("threads"), **options)
    t0 = time.time()
    res = induce_cross(cfg, work, echo=lambda m: None)[cfg.method]
    conf = res.get("confidence") or {}
    return {"P@1": res["csls"]["P@1"], "test_words": res["csls"]["evaluated"], "estimate": conf.get("estimate"),
            "warned": conf.get("failed"), "spelling_in_lexicon": bool(res.get("orthography")),
            "chosen": (res.get("auto") or {}).get("chosen"), "seconds": round(time.time() - t0, 1)}, cfg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", nargs="+", choices=list(PAIRS), default=list(PAIRS))
    ap.add_argument("--sizes", nargs="+", type=int, help="tokens per side (default: 25k, 100k, 400k), then the whole text")
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default="runs/bench-text-size", help="run directories and saved points")
    ap.add_argument("--out", help="JSON results file")
    args = ap.parse_args()
    sizes = [*args.sizes, None] if args.sizes else list(SIZES)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    saved_file = work / "rows.json"
    saved = json.loads(saved_file.read_text(encoding="utf-8")) if saved_file.exists() else {}
    settings = {"top": args.top}
    plain = load_dictionary(data.dictionary_path("es", "en"))
    out: dict = {"pairs": {}, "settings": {**settings, "sizes": sizes, "dictionary": "freedict es-en"}}
    t_all = time.time()
    for pair in args.pairs:
        src0, tgt0, codes = PAIRS[pair]
        full = (tokens(side(src0, None, None)), tokens(side(tgt0, None, None)))
        points = []
        for size in sizes:
            if size is not None and size >= max(full):
                continue  # the whole text is the last point
            src, tgt = side(src0, size, codes and codes[0]), side(tgt0, size, codes and codes[1])
            key = f"{pair}/{size or 'all'}"
            if saved.get(key, {}).get("settings") == settings:
                point = saved[key]
            else:
                d = work / f"dictionary-{pair}-{size or 'all'}.txt"
                if codes:
                    gold = coded_dictionary(plain, src, tgt)
                    atomic_write_text(d, "".join(f"{s} {t}\n" for s, ts in gold.items() for t in ts))
                else:
                    d = Path(data.dictionary_path("es", "en"))
                base = work / pair / str(size or "all")
                default, cfg = run_row(src, tgt, str(d), base / "default", top=args.top, threads=args.threads)
                if default["spelling_in_lexicon"]:
                    unsup, _ = run_row(src, tgt, str(d), base / "unsupervised", top=args.top, threads=args.threads,
                                       orthography=False)
                else:
                    unsup = {**default, "same_as_default": True}
                spelling = None
                if not codes:
                    spelling, _ = run_row(src, tgt, str(d), base / "spelling", top=args.top, threads=args.threads,
                                          method="orthography", orthography=True)
                point = {"tokens": [min(size, full[0]) if size else full[0], min(size, full[1]) if size else full[1]],
                         "size": size, "spelling_is_evidence": bool(cfg.orthography),
                         "rows": {"default": default, "unsupervised": unsup, "spelling": spelling},
                         "settings": settings}
                saved[key] = point
                atomic_write_json(saved_file, saved)
            r = point["rows"]
            print(f"{pair:15s} {str(point['size'] or 'all'):>7s} tokens  default P@1 {r['default']['P@1']:.3f} "
                  f"(estimate {r['default']['estimate'] if r['default']['estimate'] is not None else '-'}, "
                  f"{'warned' if r['default']['warned'] else 'no warning'}, {r['default']['seconds']:.0f}s)  "
                  f"unsupervised {r['unsupervised']['P@1']:.3f}  "
                  f"spelling {r['spelling']['P@1'] if r['spelling'] else '-'}", flush=True)
            points.append({k: v for k, v in point.items() if k != "settings"})
        out["pairs"][pair] = {"src": side(src0, None, codes and codes[0]), "tgt": side(tgt0, None, codes and codes[1]),
                              "full_tokens": list(full), "points": points}
    out["total_seconds"] = round(time.time() - t_all, 1)
    write_result(args.out, out)


if __name__ == "__main__":
    sys.exit(main())
