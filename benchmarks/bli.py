"""Bilingual lexicon induction on the bundled corpora: every method, both directions, side by side.

    python benchmarks/bli.py --out benchmarks/results/bli1.json           # one seed, about 33 min on 2 cores
    python benchmarks/bli.py --seeds 3 --out benchmarks/results/bli.json   # mean ± std over 3 seeds (README)

Corpora: World English Bible (en) and Reina-Valera 1909 (es), nothing else. Vocabularies: the 5,000
most frequent alphabetic words of each side; test pairs: bundled FreeDict (evaluation only — no
method sees it); retrieval: CSLS (P@1/5/10). Per seed it trains what the methods share — gensim
word2vec for each language, a reference LM per language (``--lm-minutes``) and the joint
multilingual LM (``--joint-minutes``) — then runs:

* trivial: identical strings;
* alignment: vecmap-style self-learning and Gromov-Wasserstein + Procrustes, each on word2vec and on
  the LMs' input tables (``langind.align``);
* lm: (a) embedding swap, (b) decipherment through the frozen target LM, (c) the joint LM, (d) the
  hybrid — (b) started from (c)'s lexicon (``langind.transfer``, ``langind.crosslingual``).

A method's ``seconds`` is its own time; what it builds on (word2vec, LMs, the joint LM) is timed
once under ``shared_seconds`` and listed in ``uses``. Run it alone on an idle machine: every budget is
wall-clock, so a busy machine gives fewer training steps and lower numbers.

Each finished seed leaves ``WORK/seedN/result.json``; a rerun with the same settings reuses it, so a
3-seed run cut short resumes at the seed it lost (a seed directory without that file is refused).
Writes ``{"pairs": {"es-en": {"test_words": n, "methods": {NAME: {"family", "P@1", "P@1_std", ...}}}}}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

from langind import align, data
from langind.checkpoint import load_lm
from langind.crosslingual import JointConfig, evaluate_joint, train_joint
from langind.embeddings import train_word2vec
from langind.evaluate import bli_precision
from langind.lexicon import load_dictionary
from langind.train import lm_run_checkpoint, train_reference_lm
from langind.transfer import TransferConfig, alpha_words, transfer
from langind.vocab import alphabetic_words

CORPUS = {"en": "web", "es": "rv1909"}
PAIRS = (("es", "en"), ("en", "es"))
KS = ("P@1", "P@5", "P@10")


def scored(family: str, r: dict, seconds: float, uses: list[str], **extra) -> dict:
    return {"family": family, **{k: r[k] for k in KS}, "test_words": r["evaluated"],
            "seconds": round(seconds, 1), "uses": uses, **extra}


def run_seed(seed: int, args, work: Path, log) -> tuple[dict, dict]:
    """All methods for one seed: returns ({pair: {method: result}}, shared_seconds)."""
    res: dict = {f"{s}-{t}": {} for s, t in PAIRS}
    shared: dict = {}
    dicts = {f"{s}-{t}": load_dictionary(data.dictionary_path(s, t)) for s, t in PAIRS}

    # -- what the methods share ---------------------------------------------------------------
    spaces: dict = {"word2vec": {}, "LM emb": {}}
    for lg, spec in CORPUS.items():
        t0 = time.time()
        spaces["word2vec"][lg] = alphabetic_words(*train_word2vec(spec, epochs=args.w2v_epochs, seed=seed), args.top)
        shared[f"word2vec {lg}"] = round(time.time() - t0, 1)
    lms = {}
    for lg, spec in CORPUS.items():
        lms[lg] = work / f"lm-{lg}"
        t0 = time.time()
        m = train_reference_lm(spec, lms[lg], args.lm_minutes, seed=seed, threads=args.threads, progress=False)
        shared[f"LM {lg}"] = round(time.time() - t0, 1)
        log(f"LM {lg}: valid ppl {m['best_valid_ppl']:.1f} ({shared[f'LM {lg}']:.0f}s)")
        model, vocab = load_lm(lm_run_checkpoint(lms[lg]))
        spaces["LM emb"][lg] = alpha_words(vocab, model.input_table.detach().numpy(), args.top)
    t0 = time.time()
    joint = work / "joint"
    jcfg = JointConfig(src="es", tgt="en", minutes=args.joint_minutes, seed=seed, threads=args.threads, progress=False)
    jtrain = train_joint(jcfg, joint, log=lambda m: None)
    shared["joint LM"] = round(time.time() - t0, 1)
    log(f"joint LM: valid ppl {jtrain['valid_ppl']} ({shared['joint LM']:.0f}s)")

    def report(pair: str, name: str, row: dict) -> None:
        res[pair][name] = row
        log(f"{pair} {name:32s} P@1 {row['P@1']:.3f}  P@5 {row['P@5']:.3f}  P@10 {row['P@10']:.3f}  "
            f"({row['test_words']} words, {row['seconds']:.0f}s)")

    # -- baselines ----------------------------------------------------------------------------
    warnings.simplefilter("ignore")  # POT's "Sinkhorn did not converge" on every outer GW step
    for s, t in PAIRS:
        pair = f"{s}-{t}"
        (sw, sv), (tw, tv) = spaces["word2vec"][s], spaces["word2vec"][t]
        t0 = time.time()
        xw, zw, _ = align.identical_strings(sw, tw)
        report(pair, "identical strings", scored("trivial", bli_precision(sw, xw, tw, zw, dicts[pair]),
                                                 time.time() - t0, ["word2vec"]))
        for space in ("word2vec", "LM emb"):
            (sw, sv), (tw, tv) = spaces[space][s], spaces[space][t]
            t0 = time.time()
            xw, zw, _ = align.vecmap_unsupervised(sv, tv, seed=seed, time_limit=args.vecmap_seconds)
            report(pair, f"vecmap-style ({space})", scored("alignment", bli_precision(sw, xw, tw, zw, dicts[pair]),
                                                           time.time() - t0, [space]))
            t0 = time.time()
            xw, zw, _ = align.gromov_wasserstein_procrustes(sv, tv, seed=seed)
            report(pair, f"GW + Procrustes ({space})", scored("alignment", bli_precision(sw, xw, tw, zw, dicts[pair]),
                                                              time.time() - t0, [space]))

    # -- LM-based -----------------------------------------------------------------------------
    for s, t in PAIRS:
        pair = f"{s}-{t}"
        t0 = time.time()
        j = evaluate_joint(joint, s, t, top=args.top)
        report(pair, "(c) joint LM", scored("lm", j["csls"], shared["joint LM"] + time.time() - t0, ["joint LM"]))
        common = {"lm": str(lms[t]), "src_corpus": CORPUS[s], "seed": seed, "threads": args.threads, "progress": False}
        runs = {
            "(a) embedding swap": TransferConfig(method="swap", src_lm=str(lms[s]), minutes=args.swap_minutes, **common),
            "(b) decipher (frozen LM)": TransferConfig(method="decipher", src_lm=str(lms[s]), minutes=args.decipher_minutes,
                                                       **common),
            "(d) hybrid: (c) then (b)": TransferConfig(method="hybrid", src_lm=str(lms[s]),
                                                       init_lexicon=str(joint / f"lexicon.{s}-{t}.tsv"),
                                                       minutes=args.decipher_minutes, **common),
        }
        uses = {"(a) embedding swap": [f"LM {s}", f"LM {t}"], "(b) decipher (frozen LM)": [f"LM {t}"],
                "(d) hybrid: (c) then (b)": [f"LM {t}", "joint LM"]}
        for name, cfg in runs.items():
            t0 = time.time()
            r = transfer(cfg, work / f"{cfg.method}-{pair}", s, t, data.dictionary_path(s, t), top=args.top,
                         echo=lambda m: None)
            report(pair, name, scored("lm", r["csls"], time.time() - t0, uses[name],
                                      start_P1=r["start_csls"]["P@1"]))
    return res, shared


def comparable(args) -> dict:
    """The settings that make two seeds' results comparable (not where files go or how many seeds)."""
    return {k: v for k, v in vars(args).items() if k not in ("seeds", "work", "out")}


def seed_result(seed: int, args, work: Path, log) -> tuple[dict, dict]:
    """Run one seed, or reuse its ``result.json`` from an earlier run with the same settings."""
    done = work / "result.json"
    if done.exists():
        saved = json.loads(done.read_text(encoding="utf-8"))
        if saved["settings"] != comparable(args):
            raise SystemExit(f"{done} was made with other settings ({saved['settings']}); "
                             "remove it or pass another --work")
        log("reusing the finished run in " + str(work))
        return saved["pairs"], saved["shared_seconds"]
    if work.exists():
        raise SystemExit(f"{work} holds an unfinished run (no result.json); remove it or pass another --work")
    res, shared = run_seed(seed, args, work, log)
    tmp = done.with_suffix(".tmp")  # written whole, then renamed: a killed run leaves no half file
    tmp.write_text(json.dumps({"pairs": res, "shared_seconds": shared, "settings": comparable(args)}, indent=1),
                   encoding="utf-8")
    tmp.replace(done)
    return res, shared


def aggregate(per_seed: list[dict]) -> dict:
    pairs: dict = {}
    for pair in per_seed[0]:
        methods = {}
        for name in per_seed[0][pair]:
            rows = [r[pair][name] for r in per_seed]
            m = {"family": rows[0]["family"], "uses": rows[0]["uses"], "test_words": rows[0]["test_words"]}
            for k in (*KS, "seconds"):
                vals = [row[k] for row in rows]
                m[k] = round(statistics.fmean(vals), 4)
                if k != "seconds":
                    m[f"{k}_std"] = round(statistics.stdev(vals), 4) if len(vals) > 1 else 0.0
            methods[name] = m
        pairs[pair] = {"test_words": max(m["test_words"] for m in methods.values()), "methods": methods}
    return pairs


def table(pairs: dict, n_seeds: int) -> str:
    pm = "±" if n_seeds > 1 else ""
    lines = []
    for pair, p in pairs.items():
        lines += [f"{pair} ({p['test_words']} test words, {n_seeds} seed{'s' if n_seeds > 1 else ''})", "",
                  "| method | family | P@1 | P@5 | P@10 | seconds |", "|---|---|---:|---:|---:|---:|"]
        for name, m in p["methods"].items():
            p1 = f"{m['P@1']:.3f}" + (f" {pm} {m['P@1_std']:.3f}" if n_seeds > 1 else "")
            lines.append(f"| {name} | {m['family']} | {p1} | {m['P@5']:.3f} | {m['P@10']:.3f} | {m['seconds']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--top", type=int, default=5000)
    ap.add_argument("--lm-minutes", type=float, default=4.0, help="budget of each reference LM")
    ap.add_argument("--joint-minutes", type=float, default=7.0)
    ap.add_argument("--swap-minutes", type=float, default=1.0)
    ap.add_argument("--decipher-minutes", type=float, default=2.5, help="budget of decipher and of the hybrid's refinement")
    ap.add_argument("--vecmap-seconds", type=float, default=60.0, help="time limit of each vecmap-style run")
    ap.add_argument("--w2v-epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--work", default="runs/bench-bli", help="where the trained models go")
    ap.add_argument("--out", help="JSON results file")
    args = ap.parse_args()
    t_start = time.time()
    per_seed, shared = [], []
    for seed in range(args.seeds):
        work = Path(args.work) / f"seed{seed}"
        r, sh = seed_result(seed, args, work, lambda m, seed=seed: print(f"[seed {seed}] {m}", flush=True))
        per_seed.append(r)
        shared.append(sh)
    pairs = aggregate(per_seed)
    print()
    print(table(pairs, args.seeds))
    total = time.time() - t_start
    print(f"total {total / 60:.1f} min")
    if args.out:
        Path(args.out).write_text(json.dumps({"pairs": pairs, "seeds": args.seeds, "shared_seconds": shared,
                                              "settings": vars(args), "total_seconds": round(total, 1)}, indent=1),
                                  encoding="utf-8")


if __name__ == "__main__":
    main()
