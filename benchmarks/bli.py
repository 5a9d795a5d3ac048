"""Bilingual lexicon induction on the bundled corpora: every method, both directions, side by side.

    python benchmarks/bli.py --out benchmarks/results/bli1.json           # one seed, about 45 min on 2 cores
    python benchmarks/bli.py --seeds 3 --out benchmarks/results/bli.json   # mean ± std over 3 seeds (README)

Corpora: World English Bible (en) and Reina-Valera 1909 (es), nothing else. Vocabularies: the 5,000
most frequent alphabetic words of each side; test pairs: bundled FreeDict (evaluation only — no
method sees it); retrieval: CSLS (P@1/5/10). Per seed it trains what the methods share — gensim
word2vec for each language, a reference LM per language (``--lm-minutes``) and the joint
multilingual LM (``--joint-minutes``) — then runs:

* trivial: identical strings;
* alignment: vecmap-style self-learning and Gromov-Wasserstein + Procrustes, each on word2vec and on
  the LMs' input tables (``langind.crosslingual.align``);
* lm: (a) embedding swap, (b) decipherment through the frozen target LM, (c) the joint LM, (d) the
  hybrid — (b) started from a lexicon: (c)'s, or vecmap-style's on word2vec (``langind.crosslingual.transfer``,
  ``langind.crosslingual.joint``).

A method's ``seconds`` is its own time; what it builds on (word2vec, LMs, the joint LM) is timed
once under ``shared_seconds`` and listed in ``uses``. Run it alone on an idle machine: every budget is
wall-clock, so a busy machine gives fewer training steps and lower numbers.

Each seed's rows are saved to ``WORK/seedN/result.json`` as they finish, each with the settings it
depends on; a rerun reuses every row (and every trained model) whose settings are unchanged, so a
run cut short resumes at the row it lost and a changed ``--w2v-epochs`` reruns only word2vec's rows.
Writes ``{"pairs": {"es-en": {"test_words": n, "methods": {NAME: {"family", "P@1", "P@1_std", ...}}}}}``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path

from _common import (
    CORPUS,
    expected_warnings_silenced,
    vecmap_lexicon,
    word2vec_space,
    write_result,
)

from langind import data
from langind.crosslingual import align
from langind.crosslingual.joint import JointConfig, evaluate_joint, train_joint
from langind.crosslingual.transfer import TransferConfig, transfer
from langind.evaluation.bli import bli_precision, load_dictionary
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.recipes import train_recipe
from langind.mapping.fit import FitConfig
from langind.vocab import top_words

PAIRS = (("es", "en"), ("en", "es"))
KS = ("P@1", "P@5", "P@10")


def scored(family: str, r: dict, seconds: float, uses: list[str], **extra) -> dict:
    return {"family": family, **{k: r[k] for k in KS}, "test_words": r["evaluated"],
            "seconds": round(seconds, 1), "uses": uses, **extra}


# The settings each result depends on. A rerun recomputes exactly the rows (and the shared models)
# whose settings changed, so e.g. a new --w2v-epochs retrains word2vec and reruns its rows only.
W2V, LM, JOINT = ("w2v_epochs",), ("lm_minutes", "threads"), ("joint_minutes", "threads")
VECMAP_W2V = ("top", *W2V, "vecmap_seconds")


class SeedRun:
    """One seed's work directory: shared models built on demand, every finished row saved at once.

    ``result.json`` holds ``rows`` (pair → method → row, each with the ``settings`` it was made with)
    and ``shared`` (what several rows build on: LM runs, the joint LM, vecmap's lexicon). It is
    rewritten whole after each row, so a killed run resumes at the row it lost.
    """

    def __init__(self, seed: int, args, work: Path, log):
        self.seed, self.args, self.work, self.log = seed, args, work, log
        self.file = work / "result.json"
        self.state = json.loads(self.file.read_text(encoding="utf-8")) if self.file.exists() else {}
        if "pairs" in self.state:  # a file from before rows carried their settings
            self.state = _upgrade(self.state)
        self.state.setdefault("rows", {})
        self.state.setdefault("shared", {})
        self._spaces: dict = {}

    def settings(self, keys) -> dict:
        return {k: getattr(self.args, k) for k in keys}

    def _save(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_suffix(".tmp")  # written whole, then renamed: a killed run leaves no half file
        tmp.write_text(json.dumps(self.state, indent=1), encoding="utf-8")
        tmp.replace(self.file)

    def shared(self, name: str, keys, build) -> dict:
        """The record of shared artefact ``name``, built by ``build(dir_name)`` unless already made alike."""
        want = self.settings(keys)
        rec = self.state["shared"].get(name)
        if rec and rec["settings"] == want and (self.work / rec["path"]).exists():
            return rec
        path = name.replace(" ", "-").lower() + "-" + "-".join(f"{v:g}" if isinstance(v, float) else str(v)
                                                                for v in want.values())
        if (self.work / path).exists():  # a model this benchmark started and never finished
            self.log(f"removing the unfinished {self.work / path}")
            shutil.rmtree(self.work / path)
        t0 = time.time()
        info = build(self.work / path)
        rec = {"settings": want, "seconds": round(time.time() - t0, 1), "path": path, **info}
        self.state["shared"][name] = rec
        self._save()
        self.log(f"{name}: {' '.join(f'{k} {v}' for k, v in info.items() if k != 'result')} ({rec['seconds']:.0f}s)")
        return rec

    def row(self, pair: str, name: str, keys, compute) -> None:
        want = self.settings(keys)
        old = self.state["rows"].get(pair, {}).get(name)
        if old and old["settings"] == want:
            row = old
        else:
            row = {**compute(), "settings": want}
            self.state["rows"].setdefault(pair, {})[name] = row
            self._save()
        self.log(f"{pair} {name:40s} P@1 {row['P@1']:.3f}  P@5 {row['P@5']:.3f}  P@10 {row['P@10']:.3f}  "
                 f"({row['test_words']} words, {row['seconds']:.0f}s{', saved' if row is old else ''})")

    # -- what the methods share -------------------------------------------------------------------
    def word2vec(self, lg: str):
        """gensim word2vec (cheap, so kept in memory only), timed once per language."""
        if lg not in self._spaces:
            t0 = time.time()
            self._spaces[lg] = word2vec_space(CORPUS[lg], self.args.top, self.seed, epochs=self.args.w2v_epochs)
            self.state["shared"][f"word2vec {lg}"] = {"settings": self.settings(W2V), "path": ".",
                                                      "seconds": round(time.time() - t0, 1)}
        return self._spaces[lg]

    def lm(self, lg: str) -> Path:
        def build(out):
            m = train_recipe("reference", CORPUS[lg], out, max_minutes=self.args.lm_minutes, seed=self.seed,
                             threads=self.args.threads, progress=False)
            return {"valid_ppl": round(m["best_valid_ppl"], 1)}
        return self.work / self.shared(f"LM {lg}", LM, build)["path"]

    def lm_table(self, lg: str):
        """The LM's input table (top alphabetic words), loaded once per language."""
        if ("LM", lg) not in self._spaces:
            model, vocab = load_lm(lm_run_checkpoint(self.lm(lg)))
            self._spaces["LM", lg] = top_words(vocab, model.input_table.detach().numpy(), self.args.top)
        return self._spaces["LM", lg]

    def joint(self) -> Path:
        def build(out):
            jcfg = JointConfig(src="es", tgt="en", minutes=self.args.joint_minutes, seed=self.seed,
                               threads=self.args.threads, progress=False)
            return {"valid_ppl": {k: round(v, 1) for k, v in train_joint(jcfg, out, log=lambda m: None)["valid_ppl"].items()}}
        return self.work / self.shared("joint LM", JOINT, build)["path"]

    def vecmap_w2v(self, s: str, t: str, d: dict) -> dict:
        """vecmap-style on word2vec, s→t: its P@k and its lexicon (the start of one hybrid)."""
        def build(out):
            (sw, _), (tw, _) = self.word2vec(s), self.word2vec(t)
            xw, zw, seconds = vecmap_lexicon(self.word2vec(s), self.word2vec(t), self.seed, self.args.vecmap_seconds,
                                             out / f"lexicon.{s}-{t}.tsv")
            return {"result": bli_precision(sw, xw, tw, zw, d), "align_seconds": round(seconds, 1)}
        return self.shared(f"vecmap word2vec {s}-{t}", VECMAP_W2V, build)


def _upgrade(old: dict) -> dict:
    """Rows and shared models of a result.json written before rows carried their settings."""
    keys = row_keys()
    rows = {pair: {name: {**row, "settings": {k: old["settings"][k] for k in keys[name]}}
                   for name, row in methods.items() if name in keys}
            for pair, methods in old["pairs"].items()}
    shared = {name: {"settings": {k: old["settings"][k] for k in (JOINT if name == "joint LM" else LM)},
                     "seconds": secs, "path": "joint" if name == "joint LM" else f"lm-{name.split()[1]}"}
              for name, secs in old["shared_seconds"].items() if not name.startswith("word2vec")}
    return {"rows": rows, "shared": shared}


def row_keys() -> dict:
    """Method name → the settings its row depends on."""
    lm_rows = ("top", *LM)
    return {
        "identical strings": ("top",),
        "vecmap-style (word2vec)": VECMAP_W2V,
        "GW + Procrustes (word2vec)": ("top", *W2V),
        "vecmap-style (LM emb)": (*lm_rows, "vecmap_seconds"),
        "GW + Procrustes (LM emb)": lm_rows,
        "(c) joint LM": ("top", *JOINT),
        "(a) embedding swap": (*lm_rows, "swap_minutes"),
        "(b) decipher (frozen LM)": (*lm_rows, "decipher_minutes"),
        "(d) hybrid: (c) then (b)": (*lm_rows, *JOINT, "decipher_minutes"),
        "(d) hybrid: vecmap (word2vec) then (b)": (*lm_rows, *VECMAP_W2V, "decipher_minutes"),
    }


def run_seed(run: SeedRun) -> None:
    """Every method, both directions, for one seed (rows already made with these settings are reused)."""
    args, keys = run.args, row_keys()
    dicts = {f"{s}-{t}": load_dictionary(data.dictionary_path(s, t)) for s, t in PAIRS}

    def aligned(family, space, s, t, method, uses):
        def compute():
            (sw, sv), (tw, tv) = (run.word2vec(s), run.word2vec(t)) if space == "word2vec" else \
                (run.lm_table(s), run.lm_table(t))
            t0 = time.time()
            if method == "identical":
                xw, zw, _ = align.identical_strings(sw, tw)
            else:
                xw, zw, _ = align.gromov_wasserstein_procrustes(sv, tv, seed=run.seed)
            return scored(family, bli_precision(sw, xw, tw, zw, dicts[f"{s}-{t}"]), time.time() - t0, uses)
        return compute

    for s, t in PAIRS:
        pair = f"{s}-{t}"
        run.row(pair, "identical strings", keys["identical strings"],
                aligned("trivial", "word2vec", s, t, "identical", ["word2vec"]))

        def vecmap_w2v(s=s, t=t, pair=pair):
            rec = run.vecmap_w2v(s, t, dicts[pair])
            return scored("alignment", rec["result"], rec["align_seconds"], ["word2vec"])
        run.row(pair, "vecmap-style (word2vec)", keys["vecmap-style (word2vec)"], vecmap_w2v)
        run.row(pair, "GW + Procrustes (word2vec)", keys["GW + Procrustes (word2vec)"],
                aligned("alignment", "word2vec", s, t, "gw", ["word2vec"]))

        def vecmap_lm(s=s, t=t, pair=pair):
            (sw, sv), (tw, tv) = run.lm_table(s), run.lm_table(t)
            t0 = time.time()
            xw, zw, _ = align.vecmap_unsupervised(sv, tv, seed=run.seed, time_limit=args.vecmap_seconds)
            return scored("alignment", bli_precision(sw, xw, tw, zw, dicts[pair]), time.time() - t0, ["LM emb"])
        run.row(pair, "vecmap-style (LM emb)", keys["vecmap-style (LM emb)"], vecmap_lm)
        run.row(pair, "GW + Procrustes (LM emb)", keys["GW + Procrustes (LM emb)"],
                aligned("alignment", "LM emb", s, t, "gw", ["LM emb"]))

    for s, t in PAIRS:
        pair = f"{s}-{t}"

        def joint_row(s=s, t=t):
            joint = run.joint()
            t0 = time.time()
            j = evaluate_joint(joint, s, t, top=args.top)
            seconds = run.state["shared"]["joint LM"]["seconds"] + time.time() - t0
            return scored("lm", j["csls"], seconds, ["joint LM"])
        run.row(pair, "(c) joint LM", keys["(c) joint LM"], joint_row)

        def through_lm(name, method, minutes, uses, init=None, tag="", s=s, t=t, pair=pair):
            def compute():
                fit = FitConfig(mode="both", minutes=minutes, eval_every=1e9, progress=False)
                cfg = TransferConfig(method=method, lm=str(run.lm(t)), src_lm=str(run.lm(s)), src_corpus=CORPUS[s],
                                     init_lexicon=init() if init else None, fit=fit, seed=run.seed,
                                     threads=args.threads)
                t0 = time.time()
                out = run.work / f"{method}{tag}-{pair}"
                r = transfer(cfg, out, s, t, data.dictionary_path(s, t), top=args.top, echo=lambda m: None)
                return scored("lm", r["csls"], time.time() - t0, uses, start_P1=r["start_csls"]["P@1"])
            run.row(pair, name, keys[name], compute)

        through_lm("(a) embedding swap", "swap", args.swap_minutes, [f"LM {s}", f"LM {t}"])
        through_lm("(b) decipher (frozen LM)", "decipher", args.decipher_minutes, [f"LM {t}"])
        through_lm("(d) hybrid: (c) then (b)", "hybrid", args.decipher_minutes, [f"LM {t}", "joint LM"],
                   init=lambda s=s, t=t: str(run.joint() / f"lexicon.{s}-{t}.tsv"))
        through_lm("(d) hybrid: vecmap (word2vec) then (b)", "hybrid", args.decipher_minutes,
                   [f"LM {t}", "word2vec", "vecmap-style (word2vec)"], tag="-vecmap",
                   init=lambda s=s, t=t, pair=pair: str(
                       run.work / run.vecmap_w2v(s, t, dicts[pair])["path"] / f"lexicon.{s}-{t}.tsv"))


def seed_result(seed: int, args, work: Path, log) -> tuple[dict, dict]:
    """Run (or finish, or reuse) one seed: ({pair: {method: row}}, {shared model: seconds})."""
    run = SeedRun(seed, args, work, log)
    with expected_warnings_silenced():
        run_seed(run)
    names = row_keys()
    rows = {pair: {n: run.state["rows"][pair][n] for n in names} for pair in (f"{s}-{t}" for s, t in PAIRS)}
    return rows, {name: rec["seconds"] for name, rec in run.state["shared"].items()}


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
    ap.add_argument("--vecmap-seconds", type=float, default=120.0, help="time limit of each vecmap-style run")
    ap.add_argument("--w2v-epochs", type=int, default=20, help="word2vec epochs (5 gave vecmap P@1 0.13, 20 gave 0.48)")
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
    write_result(args.out, {"pairs": pairs, "seeds": args.seeds, "shared_seconds": shared,
                            "settings": vars(args), "total_seconds": round(total, 1)})


if __name__ == "__main__":
    main()
