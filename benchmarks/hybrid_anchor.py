"""Refining a strong start lexicon through a frozen LM: does the LM loss add to vecmap? es→en, one seed.

    python benchmarks/hybrid_anchor.py --lm-en RUN_EN --lm-es RUN_ES --out benchmarks/results/hybrid_anchor.json

Start: vecmap-style self-learning on word2vec (skip-gram, 20 epochs) of the bundled Reina-Valera 1909
and World English Bible, read out as a CSLS lexicon (``langind align --lexicon`` does the same).
Then, for each ``lr:anchor`` in ``--grid``, the hybrid (``langind.crosslingual.transfer``, ``induce cross --method
hybrid --anchor``) reads the Spanish text through the frozen English LM for ``--minutes``, starting
each Spanish word at the English LM vector of its vecmap translation. Prints CSLS P@k before and after.
The grid is scored on the test dictionary, so it diagnoses the method; it is not a tuned setting.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import CORPUS, bilingual_word2vec, vecmap_lexicon, write_result

from langind import data
from langind.crosslingual.transfer import TransferConfig
from langind.evaluation.bli import bli_precision, load_dictionary
from langind.induction.transfer import transfer
from langind.mapping.fit import FitConfig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lm-en", required=True, help="frozen English LM run (e.g. a bli.py seed's reference LM)")
    ap.add_argument("--lm-es", required=True, help="Spanish LM run (its vocabulary is the source vocabulary)")
    ap.add_argument("--grid", default="1e-2:0,3e-3:0,1e-2:1,1e-2:10", help="comma-separated lr:anchor pairs")
    ap.add_argument("--minutes", type=float, default=2.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--vecmap-seconds", type=float, default=120.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out")
    args = ap.parse_args()
    d = load_dictionary(data.dictionary_path("es", "en"))
    t0 = time.time()
    sp = bilingual_word2vec({"es": CORPUS["es"], "en": CORPUS["en"]}, args.top, args.seed, epochs=20)
    sw, tw = sp["es"][0], sp["en"][0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        lexicon = Path(tmp) / "vecmap.es-en.tsv"
        xw, zw, _ = vecmap_lexicon(sp["es"], sp["en"], args.seed, args.vecmap_seconds, lexicon)
        start = bli_precision(sw, xw, tw, zw, d)
        print(f"vecmap-style (word2vec): P@1 {start['P@1']:.3f} P@10 {start['P@10']:.3f} ({time.time() - t0:.0f}s)",
              flush=True)
        for spec in args.grid.split(","):
            lr, anchor = (float(v) for v in spec.split(":"))
            fit = FitConfig(scramble="both", minutes=args.minutes, lr=lr, anchor=anchor, eval_every=None, progress=False)
            cfg = TransferConfig(method="hybrid", lm=args.lm_en, src_lm=args.lm_es, src_corpus=CORPUS["es"],
                                 init_lexicon=str(lexicon), fit=fit, seed=args.seed, threads=args.threads)
            r = transfer(cfg, Path(tmp) / f"run-{spec}", "es", "en", data.dictionary_path("es", "en"),
                         top=args.top, echo=lambda m: None)
            rows.append({"lr": lr, "anchor": anchor, "start": r["start_csls"], "csls": r["csls"], "steps": r["steps"],
                         "source_text_ppl": r["source_text_ppl"]})
            print(f"lr {lr:g} anchor {anchor:g}: start P@1 {r['start_csls']['P@1']:.3f} -> P@1 {r['csls']['P@1']:.3f} "
                  f"P@5 {r['csls']['P@5']:.3f} P@10 {r['csls']['P@10']:.3f} ({r['steps']} steps, "
                  f"Spanish text ppl {r['source_text_ppl']:.1f})", flush=True)
    write_result(args.out, {"settings": vars(args), "vecmap": start, "runs": rows})


if __name__ == "__main__":
    main()
