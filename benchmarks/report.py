"""Render the documentation's results pages, and the README's headline table, from the benchmark JSON.

    python benchmarks/report.py            # writes docs/results/*.md, their plots, and README.md's table
    python benchmarks/report.py --check    # exit 1 if a committed page differs from what it would render

Every number on the results pages comes from a file in ``benchmarks/results/`` (never typed by hand),
and every section names the commit, command, date, machine and wall time that made its file (the
``provenance`` block :func:`_common.write_result` writes). A file of an unknown layout, or one without
provenance, is reported in one line (which file, what is missing) and the rest is rendered.

Each page is a list of :class:`Section` — a results file and the function that turns it into Markdown
(and, for some, a plot) — so adding a benchmark to the docs is one entry in :data:`PAGES`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "results"
README = ROOT / "README.md"
HEADLINE_BEGIN, HEADLINE_END = "<!-- results:headline:begin -->", "<!-- results:headline:end -->"
PROVENANCE_KEYS = ("commit", "command", "date", "machine")


class LayoutError(Exception):
    """A results file this renderer cannot read: the message says what is missing."""


def need(d: dict, *keys: str) -> None:
    missing = [k for k in keys if k not in d]
    if missing:
        raise LayoutError(f"unknown layout: no {', '.join(repr(k) for k in missing)}")


def fmt(x, digits: int = 3) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def table(header: list[str], rows: list[list], align: str | None = None) -> str:
    """A Markdown table; ``align``: one of ``l``/``r`` per column (default: first left, rest right)."""
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def provenance_line(d: dict, name: str) -> str:
    p = d.get("provenance")
    if not isinstance(p, dict) or any(k not in p for k in PROVENANCE_KEYS):
        have = sorted(p) if isinstance(p, dict) else []
        raise LayoutError("no provenance" + (f" (has {', '.join(have)}; needs {', '.join(PROVENANCE_KEYS)})" if p else ""))
    m = p["machine"] if isinstance(p["machine"], dict) else {}
    machine = ", ".join(label.format(m[k]) for k, label in (("cores", "{} cores"), ("cpu", "{}"), ("torch", "torch {}"),
                                                            ("device", "device: {}")) if m.get(k) is not None)
    wall = p.get("wall_seconds", d.get("total_seconds"))
    commit = (p["commit"] or "unknown")[:10]
    parts = [f"`{name}`", f"commit `{commit}`", str(p["date"])[:10], machine]
    if wall:
        parts.append(f"{wall / 60:.1f} min")
    note = f" *{p['note']}*" if p.get("note") else ""
    return f"<small>{' · '.join(parts)}<br>`{p['command']}`{note}</small>"


# -- renderers: one per layout -------------------------------------------------------------------
Plot = Callable[[Path], None]


@dataclass
class Rendered:
    markdown: str
    plots: dict[str, Plot] = field(default_factory=dict)  # file name under docs/results/img → draws it


PAIR_NAMES = {"bible": "parallel Bible", "bible-disjoint": "Bible, book-disjoint halves",
              "fortunes": "different stories (fortunes)", "bible-coded": "parallel Bible, written in codes",
              "bible-disjoint-coded": "book-disjoint Bible, written in codes",
              "web-halves-coded": "two halves of the WEB, written in codes",
              "bible-es-fortunes-en": "Bible es / fortunes en", "fortunes-es-bible-en": "fortunes es / Bible en"}


def bli(d: dict, stem: str) -> Rendered:
    """``benchmarks/bli.py``: per pair and direction, every row's P@1/5/10, seconds and confidence."""
    need(d, "corpora")
    out, plots = [], {}
    for corpus, directions in d["corpora"].items():
        for direction, res in directions.items():
            if "methods" not in res:
                raise LayoutError(f"unknown layout: no 'methods' under corpora/{corpus}/{direction}")
            rows = []
            for name, r in res["methods"].items():
                conf = r.get("confidence") or [{}]
                c = conf[0] if isinstance(conf, list) else conf
                est = c.get("estimate") if isinstance(c, dict) else None
                warned = "warned" if isinstance(c, dict) and c.get("failed") else ""
                std = r.get("P@1_std")
                p1 = fmt(r["P@1"]) + (f" ± {std:.3f}" if std else "")
                rows.append([name, r.get("family", ""), p1, r.get("P@5"), r.get("P@10"), est, warned,
                             round(r["seconds"]) if r.get("seconds") is not None else None])
            title = f"{PAIR_NAMES.get(corpus, corpus)}, {direction.replace('-', '→')}"
            out.append(f"### {title}\n\n{res.get('test_words', '')} test words."
                       f"\n\n" + table(["method", "family", "P@1", "P@5", "P@10", "confidence", "warned", "s"],
                                        rows, "llrrrrlr"))
            img = f"{stem}-{corpus}-{direction}.png"
            plots[img] = _bars([r[0] for r in rows], [res["methods"][r[0]]["P@1"] for r in rows], title)
            out.append(f"![P@1 per method: {title}](img/{img})")
    cvp = d.get("confidence_vs_p1")
    for key, how in (("confidence_vs_p1", "with spelling where it is evidence"),
                     ("confidence_vs_p1_no_spelling", "with spelling off")):
        cvp = d.get(key)
        if isinstance(cvp, dict) and cvp.get("rows") and _confidence_summary(cvp, how):
            out.append(_confidence_summary(cvp, how))
    return Rendered("\n\n".join(out), plots)


def _confidence_summary(c: dict, how: str) -> str:
    said = [f"Spearman {fmt(c['spearman'])}"] if c.get("spearman") is not None else []
    for key, where in (("low_rows_warned", "below P@1 0.05"), ("high_rows_warned", "above 0.20")):
        if c.get(key) and c[key][1]:
            said.append(f"warned on {c[key][0]} of the {c[key][1]} rows {where}")
    return f"Confidence against P@1 over these {c['rows']} rows ({how}): {'; '.join(said)}." if said else ""


@contextlib.contextmanager
def _figure(path: Path, **subplots):
    """A matplotlib figure (``plt.subplots(**subplots)``: yields fig, axes) saved to ``path`` on exit, laid
    out tight and without the software tag, so that rendering twice writes the same bytes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(**subplots)
    try:
        yield fig, axes
        fig.tight_layout()
        fig.savefig(path, dpi=90, metadata={"Software": None})
    finally:
        plt.close(fig)


def _bars(names: list[str], values: list[float], title: str) -> Plot:
    def draw(path: Path) -> None:
        with _figure(path, figsize=(7, 0.28 * len(names) + 1.0)) as (fig, ax):
            ax.barh(range(len(names)), values, color="#3f6fb5")
            ax.set_yticks(range(len(names)), names, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xlabel("P@1")
            ax.set_title(title, fontsize=9)
    return draw


def confidence(d: dict, stem: str) -> Rendered:
    """``benchmarks/confidence_tracking.py``: the dictionary-free estimate against P@1, run by run."""
    need(d, "runs", "spearman")
    rows = [[f"{r['corpus']} {r['pair']}", r["method"], r["P@1"], r.get("estimate"), "warned" if r.get("failed") else ""]
            for r in d["runs"]]
    low, high = d.get("low_rows_warned", [None, None]), d.get("high_rows_warned", [None, None])
    head = (f"Over {len(rows)} runs: Spearman {fmt(d['spearman'])} between the estimate and P@1; warned on "
            f"{low[0]} of {low[1]} runs below 0.05 and {high[0]} of {high[1]} above 0.20.")

    def draw(path: Path) -> None:
        with _figure(path, figsize=(5, 4)) as (fig, ax):
            xs = [r["P@1"] for r in d["runs"]]
            ys = [r.get("estimate") or 0.0 for r in d["runs"]]
            ax.scatter(xs, ys, c=["#c0392b" if r.get("failed") else "#3f6fb5" for r in d["runs"]], s=14)
            ax.plot([0, 1], [0, 1], color="#999", lw=0.8)
            ax.set_xlabel("P@1 (test dictionary)")
            ax.set_ylabel("confidence estimate (no dictionary)")
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
    img = f"{stem}.png"
    return Rendered(f"{head}\n\n![confidence against P@1](img/{img})\n\n" +
                    table(["pair", "method", "P@1", "estimate", "warned"], rows, "llrrl"), {img: draw})


def recovery(d: dict, stem: str) -> Rendered:
    """``benchmarks/self_recovery.py``: hit@1 per frequency band, each setting's mean over its seeds."""
    need(d, "runs")
    rows = []
    for r in d["runs"]:
        b = r["bands"]
        rows.append([r["text"], r["scramble"], r["head"], r["pipeline"], r["seeds"], round(r["seconds"]),
                     *(b.get(k, {}).get("hit@1") for k in ("10-110", "10-1010", "freq5", "all")),
                     r.get("count_only", {}).get("10-1010", {}).get("hit@1") if isinstance(r.get("count_only"), dict) else None])
    return Rendered(table(["recovery text", "scramble", "head", "pipeline", "seeds", "s", "10-110", "10-1010",
                           "freq5", "all", "count-only 10-1010"], rows, "llllrrrrrrr"))


def heads(d: dict, stem: str) -> Rendered:
    """``benchmarks/heads.py``: every head at one setting — hit@1 per band, speed, memory."""
    need(d, "summary")
    rows = [[r["variant"], r["setting"], r["seeds"], r["steps_per_s"], r["peak_rss_gb"],
             *(r["bands"].get(k) for k in ("10-110", "10-1010", "freq5", "all"))] for r in d["summary"]]
    return Rendered(table(["head", "setting", "seeds", "steps/s", "peak GB", "10-110", "10-1010", "freq5", "all"],
                          rows, "llrrrrrrr"))


def head_scaling(d: dict, stem: str) -> Rendered:
    """``benchmarks/head_scaling.py``: seconds per fit step and peak memory as the vocabulary grows."""
    need(d, "rows", "sizes")
    rows = [[r["head"], r["scramble"], r["vocab"], r.get("step_s"), r.get("peak_rss_gb"), r.get("est_peak_gb"),
             r.get("skipped", "")] for r in d["rows"]]
    return Rendered(table(["head", "scramble", "V", "s/step", "peak GB", "estimated GB", "note"], rows, "llrrrrl"))


def vocab_scale(d: dict, stem: str) -> Rendered:
    """``benchmarks/vocab_scale.py``: coocmap-grow with 5,000–50,000 words a side."""
    need(d, "rows")
    rows = [[r["pair"], r["top"], r.get("P@1_all"), r.get("evaluated_all"), r.get("confidence"), r.get("seconds"),
             r.get("peak_rss_gb")] for r in d["rows"]]
    return Rendered(table(["pair", "words a side", "P@1 (FreeDict)", "test words", "confidence", "s", "peak GB"], rows))


def throughput(d: dict, stem: str) -> Rendered:
    """``benchmarks/lm_throughput.py``: training tokens per second against a bare PyTorch loop."""
    need(d, "langind_tok_s", "bare_tok_s")
    return Rendered(table(["", "tokens/s"], [["langind trainer", d["langind_tok_s"]], ["bare PyTorch loop", d["bare_tok_s"]],
                                             ["ratio", d.get("ratio")]]) +
                    f"\n\nVocabulary {d.get('vocab_size')}, batch {d.get('batch_size')}, BPTT {d.get('bptt')}, "
                    f"{d.get('threads')} threads; peak memory {d.get('peak_rss_mb')} MB.")


def hmm_engines(d: dict, stem: str) -> Rendered:
    """``benchmarks/hmm_engines.py``: each HMM engine's E-step on the other's problem."""
    need(d, "rows")
    rows = [[r["problem"], r["engine"], r["tokens"], r["seconds_per_1k_tokens"], r["table_mb_per_1k_tokens"]]
            for r in d["rows"]]
    return Rendered("One E-step (forward-backward with expected counts) of each engine, with the same target "
                    "bigram LM:\n\n" + table(["problem", "engine", "source tokens", "s / 1k tokens",
                                                  "MB / 1k tokens"], rows, "llrrr"))


def translate(d: dict, stem: str) -> Rendered:
    """``benchmarks/translate.py``: chrF and BLEU of held-out verses translated through induced lexicons."""
    need(d, "settings")
    out = []
    for setting, s in d["settings"].items():
        need(s, "systems")
        rows = [[name, x["chrF"], x["BLEU"], x.get("seconds")] for name, x in s["systems"].items()]
        out.append(f"### {setting}: {s.get('src')} → {s.get('tgt')}\n\n{s.get('test_verses')} held-out verses; "
                   f"lexicon from {s.get('candidates')} candidates.\n\n" + table(["system", "chrF", "BLEU", "s"], rows))
    return Rendered("\n\n".join(out))


def text_size(d: dict, stem: str) -> Rendered:
    """``benchmarks/text_size.py``: P@1 and confidence of the default pipeline against tokens per side."""
    need(d, "pairs")
    out, said = [], []
    for pair, p in d["pairs"].items():
        need(p, "points")
        rows = []
        for pt in p["points"]:
            r = pt["rows"]
            default, unsup, spell = r["default"], r["unsupervised"], r.get("spelling")
            rows.append([f"{pt['tokens'][0]:,} / {pt['tokens'][1]:,}", default["P@1"], default.get("estimate"),
                         "warned" if default.get("warned") else "", unsup["P@1"],
                         spell["P@1"] if spell else None, default.get("test_words"), round(default["seconds"])])
        usable = next((pt for pt in p["points"] if pt["rows"]["default"]["P@1"] >= 0.2
                       and not pt["rows"]["default"].get("warned")), None)
        name = PAIR_NAMES.get(pair, pair)
        said.append(f"{name}: " + (f"P@1 0.2 without a warning from {usable['tokens'][0]:,} / {usable['tokens'][1]:,} tokens"
                                   if usable else "never P@1 0.2 without a warning, up to the whole text"))
        out.append(f"### {name}\n\n" + table(["tokens es / en", "default P@1", "confidence", "warned",
                                                  "no spelling P@1", "spelling alone P@1", "test words", "s"],
                                                 rows, "lrrlrrrr"))

    def draw(path: Path) -> None:
        pairs = list(d["pairs"].items())
        with _figure(path, nrows=1, ncols=len(pairs), figsize=(3.2 * len(pairs), 3.2), sharey=True,
                     squeeze=False) as (fig, axes):
            for ax, (pair, p) in zip(axes[0], pairs):
                x = [pt["tokens"][0] for pt in p["points"]]
                ax.plot(x, [pt["rows"]["default"]["P@1"] for pt in p["points"]], "o-", label="default P@1")
                ax.plot(x, [pt["rows"]["unsupervised"]["P@1"] for pt in p["points"]], "s--", label="no spelling P@1")
                if any(pt["rows"].get("spelling") for pt in p["points"]):
                    ax.plot(x, [(pt["rows"]["spelling"] or {}).get("P@1") for pt in p["points"]], "^:",
                            label="spelling alone")
                ax.plot(x, [pt["rows"]["default"].get("estimate") or 0.0 for pt in p["points"]], "x-", color="#999",
                        label="confidence")
                ax.set_xscale("log")
                ax.set_ylim(0, 1)
                ax.set_title(PAIR_NAMES.get(pair, pair), fontsize=8)
                ax.set_xlabel("source tokens")
            axes[0][0].set_ylabel("P@1 / estimate")
            axes[0][0].legend(fontsize=7)
    img = f"{stem}.png"
    return Rendered("Where the default first reaches P@1 0.2 without warning: " + "; ".join(said) + ".\n\n"
                    f"![P@1 against tokens per side](img/{img})\n\n" + "\n\n".join(out), {img: draw})


def architectures(d: dict, stem: str) -> Rendered:
    """``benchmarks/transformer.py``: LSTM against transformer at one budget — perplexity, self-recovery,
    relearning through the frozen body; each part as far as the run got."""
    need(d, "budget_seconds")
    out, plots = [f"Budget: the reference LSTM's {d['budget_seconds'] / 60:.1f} minutes of training on 2 cores."], {}
    groups: dict[tuple, list[str]] = {}  # parts run apart: which commit and command measured which
    for name, p in d.get("provenance_by_part", {}).items():
        groups.setdefault((str(p.get("commit"))[:10], p.get("command")), []).append(name)
    if len(groups) > 1:
        out.append("Parts measured apart: " + "; ".join(f"{' and '.join(names)} at commit `{commit}` (`{command}`)"
                                                         for (commit, command), names in groups.items()) + ".")
    if d.get("lm"):
        rows = [[r["arch"], r["recipe"], f"{r.get('budget_multiple', 1):g}×" if r["arch"] == "transformer" else "4 epochs",
                 round(r["train_seconds"]), f"{r['steps']:,}", f"{round(r['tokens_per_s']):,}", f"{r['params']:,}",
                 f"{r['valid_ppl']:.1f}"]
                for r in d["lm"]]
        out.append("### Validation perplexity, WEB\n\n" + table(
            ["body", "recipe", "budget", "s", "steps", "tokens/s", "weights", "valid ppl"], rows, "lllrrrrr"))

        def draw(path: Path) -> None:
            with _figure(path, figsize=(5.5, 3.4)) as (fig, ax):
                for r in d["lm"]:
                    label = r["arch"] + (f" {r.get('budget_multiple', 1):g}× budget" if r["arch"] == "transformer" else "")
                    ax.plot([e["elapsed_s"] / 60 for e in r["epochs"]], [e["valid_ppl"] for e in r["epochs"]], "o-",
                            label=label)
                ax.set_xlabel("minutes of training (end of each epoch)")
                ax.set_ylabel("validation perplexity")
                ax.legend(fontsize=7)
        img = f"{stem}-ppl.png"
        plots[img] = draw
        out.append(f"![validation perplexity against training time](img/{img})")
    if d.get("recovery"):
        settings = {"heldout-books": "An LM of WEB's odd books recovering on its even books",
                    "kjv": "An LM of the WEB recovering on the KJV",
                    "train": "The earlier setting: an LM of the WEB on its own training text"}
        for text in dict.fromkeys(r["text"] for r in d["recovery"]):
            these = [r for r in d["recovery"] if r["text"] == text]
            rows = [[r["arch"], r["pipeline"], r["seeds"], *(r["bands"][b]["hit@1"] for b in ("10-110", "10-1010", "freq5")),
                     r["count_only"]["10-1010"]["assign"], round(r["seconds"]), Path(r["source"]).name]
                    for r in these]
            r0 = these[0]
            out.append(f"### {settings.get(text, text)}\n\nSelf-recovery hit@1 per band; {r0['head']} head, "
                       f"`{r0['scramble']}` mode, {r0['init']} start, 10 minutes a run.\n\n" + table(
                           ["body", "pipeline", "seeds", "10-110", "10-1010", "freq5", "count-only 10-1010", "s", "from"],
                           rows, "llrrrrrrl"))
    if d.get("relearn"):
        rows = [[r["arch"], PAIR_NAMES.get(r["pair"], r["pair"]), r["lm_corpus"], f"{r['lm_valid_ppl']:.1f}", r["start_P@1"],
                 r["P@1"], r["P@5"], r["evaluated"], round(r["seconds"])] for r in d["relearn"]]
        out.append("### Relearning Spanish embeddings through a frozen English body (es→en, CSLS)\n\n" + table(
            ["body", "pair", "English LM text", "its valid ppl", "P@1 at the start", "P@1", "P@5", "test words", "s"],
            rows, "lllrrrrrr"))
    return Rendered("\n\n".join(out), plots)


@dataclass
class Section:
    file: str  # under benchmarks/results/
    title: str
    render: Callable[[dict, str], Rendered]
    intro: str = ""


@dataclass
class Page:
    name: str  # docs/results/NAME.md
    title: str
    intro: str
    sections: list[Section]


PAGES = [
    Page("lexicon-induction", "Lexicon induction", (
        "P@1, P@5 and P@10 of every method on the bundled pairs, scored against FreeDict (the test dictionary "
        "is never seen by a run). *confidence* is the run's own dictionary-free estimate of its P@1 "
        "([how far to trust a run](../guide/trust.md)); *warned* marks the runs that said they had failed."), [
        Section("bli-auto-default-bible.json", "The default pipeline (`auto`) on the Bible pairs", bli),
        Section("bli-auto-default-fortunes.json", "The default pipeline on texts that tell different stories", bli),
        Section("bli-targets.json", "Every method, one seed (the benchmark's default job)", bli),
        Section("bli.json", "The aligners over three seeds", bli),
        Section("bli-fortunes.json", "Different stories: aligners, spelling and the neural LM", bli),
        Section("bli-neural-bible.json", "The frozen neural LM in context, Bible pairs", bli),
        Section("bli-neural-transformer.json", "The frozen transformer in context, parallel Bible", bli, (
            "The same re-ranking with the target LM of the `transformer` recipe (10 minutes) in place of the "
            "LSTM; the LSTM's rows are the section above.")),
        Section("bli-check-pairs.json", "Check pairs no setting was chosen on", bli),
    ]),
    Page("coded", "Pairs written in codes", (
        "Each side's tokens rewritten through its own seeded random codebook (`coded:SEED:TEXT`), so that spelling "
        "carries nothing and the true lexicon is still known: what a run on an undeciphered script or on units of "
        "animal calls can expect. Only rows that use no spelling."), [
        Section("bli-coded.json", "Code-written pairs", bli),
    ]),
    Page("text-size", "How much text do you need?", (
        "Each side of four pairs cut to its first N tokens (`head:N:TEXT`) and run as a user would run it: the "
        "default pipeline (with its confidence estimate), the same with no spelling anywhere, and spelling alone. "
        "P@1 is over each cut's own vocabulary (its 5,000 most frequent words, or all it has), so a small text is "
        "scored on fewer, more frequent words — the *test words* column says how many. Find the row nearest your own "
        "corpus: its P@1 is what to expect, and its confidence is what your run will say of itself at that size."), [
        Section("text_size.json", "P@1 against tokens per side, es→en", text_size),
    ]),
    Page("confidence", "Confidence against P@1", (
        "Each run estimates its own P@1 without a dictionary (hidden spelling anchors where spelling is evidence, "
        "else a split-half check) and warns below 0.05. Here that estimate is set against the P@1 the test "
        "dictionary measured."), [
        Section("confidence-all.json", "Every run of the benchmark, spelled and written in codes", confidence),
    ]),
    Page("self-recovery", "Wipe and recover", (
        "A frozen LM's word↔embedding mapping wiped and learned back through its loss alone; hit@1 of the read-out "
        "assignment per frequency band (ranks 10–110, 10–1010, words seen at least 5 times, all)."), [
        Section("self_recovery_seed_setting_linear.json", "The earlier exploration's setting (own training text, "
                "input mode): the linear head", recovery),
        Section("self_recovery_seed_setting.json", "The earlier exploration's setting: every head, one seed", recovery),
        Section("self_recovery.json", "Held-out books and the KJV, 10 minutes a run", recovery),
        Section("heads.json", "Every head on the held-out books", heads),
        Section("heads_kjv.json", "Every head on the KJV", heads),
        Section("head_scaling.json", "Cost per fit step as the vocabulary grows", head_scaling),
    ]),
    Page("scale", "Scale and speed", "How far the methods scale on 2 cores.", [
        Section("vocab_scale.json", "Lexicons of 5,000–50,000 words a side", vocab_scale),
        Section("lm_throughput.json", "LM training throughput", throughput),
        Section("hmm_engines.json", "Two HMM engines, one bigram LM", hmm_engines, (
            "The in-context re-ranking lets each source word be one of its K candidates (a lattice, K² transitions "
            "a position); the decipherment lets each frequent source word be any of the most frequent target "
            "words (a chain over every state, one sparse product a step). Each engine on the other's problem is "
            "tens to hundreds of times slower, or does not fit in memory at a whole text's length.")),
    ]),
    Page("architectures", "LSTM or transformer", (
        "The two bodies of `langind lm train` at one wall-clock budget on 2 cores — the reference LSTM's "
        "training time — on three questions: how well each models English, how well its wiped embeddings "
        "come back, and how well another language's embeddings are relearned through its frozen body "
        "(Artetxe, Ruder & Yogatama 2020). Every LM and run: `benchmarks/transformer.py`."), [
        Section("transformer.json", "LSTM against transformer", architectures),
    ]),
    Page("translation", "From a lexicon to sentences", (
        "Held-out Bible verses translated es→en through an induced lexicon by the noisy-channel decoder "
        "(`langind translate`), scored by sacrebleu."), [
        Section("translate.json", "Translation of held-out books", translate),
    ]),
]


def headline(files: dict[str, dict]) -> str:
    """The README's one results table: the default pipeline on each kind of pair, and wipe-and-recover."""
    rows = []

    def bli_row(file: str, corpus: str, direction: str, method: str, label: str) -> None:
        try:
            r = files[file]["corpora"][corpus][direction]["methods"][method]
        except (KeyError, TypeError):
            return
        c = r.get("confidence") or [{}]
        c = c[0] if isinstance(c, list) else c
        rows.append([label, f"P@1 {r['P@1']:.3f}", fmt(c.get("estimate") if isinstance(c, dict) else None),
                     f"`{file}`"])
    for corpus, label in (("bible", "parallel Bible es→en"), ("bible-disjoint", "Bible, book-disjoint halves es→en")):
        bli_row("bli-auto-default-bible.json", corpus, "es-en", "auto: the default pipeline", f"lexicon, {label}")
    for direction in ("es-en", "en-es"):
        bli_row("bli-auto-default-fortunes.json", "fortunes", direction, "auto: the default pipeline",
                f"lexicon, different stories {direction.replace('-', '→')}")
    for corpus in ("bible-coded", "bible-disjoint-coded", "web-halves-coded"):
        bli_row("bli-coded.json", corpus, "es-en", "auto: the default pipeline", f"lexicon, {PAIR_NAMES[corpus]}")
    rec = files.get("self_recovery_seed_setting_linear.json")
    if rec:
        for r in rec.get("runs", []):
            if r.get("pipeline") == "head+context":
                rows.append(["wipe and recover, the earlier setting (linear head + context, ranks 10–110)",
                             f"hit@1 {r['bands']['10-110']['hit@1']:.3f}", "—", "`self_recovery_seed_setting_linear.json`"])
    tr = files.get("translate.json")
    if tr:
        s = tr["settings"].get("parallel", {}).get("systems", {}).get("decoder (default)")
        if s:
            rows.append(["translation of held-out verses, parallel Bible es→en", f"chrF {s['chrF']:.1f}", "—",
                         "`translate.json`"])
    return table(["task", "measured", "confidence", "file"], rows, "llrl")


def render_all(results: Path = RESULTS, docs: Path = DOCS, readme: Path = README
               ) -> tuple[dict[Path, str], dict[Path, Plot], list[str]]:
    """Every page's Markdown and plots, the README with its headline table, and one line per problem
    (a results file missing, not JSON, of an unknown layout or without provenance: the rest is rendered)."""
    pages: dict[Path, str] = {}
    plots: dict[Path, Plot] = {}
    problems: list[str] = []
    files: dict[str, dict] = {}
    for page in PAGES:
        parts = [f"# {page.title}\n\n<!-- generated by benchmarks/report.py from benchmarks/results/; do not edit -->"
                 f"\n\n{page.intro}"]
        for s in page.sections:
            path = results / s.file
            try:
                d = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(d, dict):
                    raise LayoutError("unknown layout: not a JSON object")
                prov = provenance_line(d, s.file)
                r = s.render(d, Path(s.file).stem)
            except FileNotFoundError:
                problems.append(f"{_shown(path)}: missing")
                continue
            except json.JSONDecodeError as e:
                problems.append(f"{_shown(path)}: not JSON ({e.msg}, line {e.lineno})")
                continue
            except (LayoutError, KeyError, TypeError) as e:
                problems.append(f"{_shown(path)}: {e if isinstance(e, LayoutError) else f'unknown layout: no {e}'}")
                continue
            files[s.file] = d
            parts.append(f"## {s.title}\n\n{prov}\n\n" + (f"{s.intro}\n\n" if s.intro else "") + r.markdown)
            plots.update({docs / "img" / name: draw for name, draw in r.plots.items()})
        pages[docs / f"{page.name}.md"] = "\n\n".join(parts) + "\n"
    index = ["# Results", "<!-- generated by benchmarks/report.py from benchmarks/results/; do not edit -->",
             "Every figure in these pages is rendered from the JSON a benchmark wrote (`python benchmarks/report.py`), "
             "with the commit, command, date, machine and wall time that produced it.",
             "## Headline", headline(files), "## Pages",
             "\n".join(f"- [{p.title}]({p.name}.md)" for p in PAGES)]
    pages[docs / "index.md"] = "\n\n".join(index) + "\n"
    text = readme.read_text(encoding="utf-8")
    if HEADLINE_BEGIN in text and HEADLINE_END in text:
        a, rest = text.split(HEADLINE_BEGIN, 1)
        _, b = rest.split(HEADLINE_END, 1)
        pages[readme] = f"{a}{HEADLINE_BEGIN}\n{headline(files)}\n{HEADLINE_END}{b}"
    else:
        problems.append(f"{_shown(readme)}: no {HEADLINE_BEGIN} … {HEADLINE_END} markers for the headline table")
    return pages, plots, problems


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render docs/results/*.md and README.md's headline table from benchmarks/results/.")
    ap.add_argument("--check", action="store_true", help="only compare: exit 1 if a committed page differs")
    ap.add_argument("--results", type=Path, default=RESULTS, help=argparse.SUPPRESS)  # tests: other roots
    ap.add_argument("--docs", type=Path, default=DOCS, help=argparse.SUPPRESS)
    ap.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    pages, plots, problems = render_all(args.results, args.docs, args.readme)
    for p in problems:
        print(f"report: {p}", file=sys.stderr)
    if args.check:
        stale = [_shown(path) for path, text in pages.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        stale += [_shown(path) for path in plots if not path.exists()]
        for s in stale:
            print(f"report: {s} differs from what benchmarks/report.py renders; run it and commit the result",
                  file=sys.stderr)
        return 1 if stale or problems else 0
    (args.docs / "img").mkdir(parents=True, exist_ok=True)
    for path, text in pages.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    for path, draw in plots.items():
        draw(path)
    print(f"report: wrote {len(pages)} pages and {len(plots)} plots")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
