"""How each run's own confidence estimate tracks its measured P@1, over several ``bli.py`` result files.

    python benchmarks/confidence_tracking.py benchmarks/results/bli-fortunes.json \\
        benchmarks/results/bli-bible-orthography.json --out benchmarks/results/confidence.json

Prints one line per run (pair, direction, method, P@1, hidden anchors put back, warned) and writes
``{"runs": [...], "rows": n, "spearman": ρ (of the estimate), "spearman_agreement": ρ (of the
hidden-anchor agreement alone), "low_rows_warned": [warned, rows with P@1 < 0.05],
"high_rows_warned": [warned, rows with P@1 > 0.20]}`` (targets: ρ ≥ 0.8, every low row warned, no
high row warned). Whether a run warns is read from its stored estimate by the current rule
(:func:`langind.crosslingual.confidence.warns`), so files written before the rule changed
are counted as the code stands; ``warned_when_run`` keeps what each run printed.
"""

from __future__ import annotations

import argparse
import json

from _common import write_result
from bli import confidence_tracking

from langind.crosslingual.confidence import warns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="bli.py JSON result files")
    ap.add_argument("--out", help="JSON results file")
    args = ap.parse_args()
    corpora: dict = {}
    for path in args.results:
        with open(path, encoding="utf-8") as fh:
            for corpus, pairs in json.load(fh)["corpora"].items():
                for pair, p in pairs.items():
                    corpora.setdefault(corpus, {}).setdefault(pair, {"methods": {}})["methods"].update(p["methods"])
    rows = []
    for corpus, pairs in corpora.items():
        for pair, p in pairs.items():
            for name, m in p["methods"].items():
                c = m["confidence"][0]
                when_run = c["failed"]
                if c.get("estimate") is not None:
                    c["failed"] = warns(c["estimate"])
                rows.append({"corpus": corpus, "pair": pair, "method": name, "P@1": m["P@1"],
                             "anchor_agreement": c["anchor_agreement"], "estimate": c.get("estimate"),
                             "failed": c["failed"], "warned_when_run": when_run})
                agree = "–" if c["anchor_agreement"] is None else f"{c['anchor_agreement']:.2f}"
                est = "–" if c.get("estimate") is None else f"{c['estimate']:.2f}"
                print(f"{corpus:15s} {pair} {name:55s} P@1 {m['P@1']:.3f}  anchors {agree}  estimate {est}  "
                      f"{'warns' if c['failed'] else ''}")
    summary = confidence_tracking(corpora)
    print(summary)
    write_result(args.out, {"runs": rows, **summary})


if __name__ == "__main__":
    main()
