"""The transfer pipeline of ``induce cross --method swap|decipher|hybrid``: fit the source words'
vectors through the frozen target LM (:func:`langind.crosslingual.transfer.fit_transfer`), then
score them, write the lexicon, both ``.vec`` spaces, ``metrics.json`` and ``report.md`` into a run
directory."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path

from langind.crosslingual.embeddings import write_word2vec
from langind.crosslingual.lexicon import score_and_write
from langind.crosslingual.transfer import TransferConfig, fit_transfer
from langind.evaluation.bli import bli_precision, load_dictionary
from langind.runs import RunDir, atomic_write_text
from langind.vocab import top_words


def transfer(cfg: TransferConfig, out: str | Path, src: str = "es", tgt: str = "en",
             dictionary: str | Path | None = None, top: int = 5000, echo=print) -> dict:
    """Learn source-word vectors in the frozen target LM's space; evaluate (when a ``dictionary`` is
    given), write lexicon, vectors and report into run directory ``out``; returns the metrics."""
    d = load_dictionary(dictionary) if dictionary else None  # a bad dictionary stops before anything is written
    run = RunDir(out)
    run.write_config({"command": f"induce cross ({cfg.method})", "src": src, "tgt": tgt, **asdict(cfg)})
    t = fit_transfer(cfg, src, tgt, echo)
    sw, sv = top_words(t.src_vocab, t.learned, top)
    tw, tv = top_words(t.tgt_vocab, t.tgt_table, top)
    result: dict = {"method": cfg.method, "src": src, "tgt": tgt, "seconds": t.history[-1]["seconds"],
                    "steps": t.history[-1]["step"], "source_tokens": t.source_tokens,
                    "src_vocab": len(t.src_vocab), "tgt_vocab": len(t.tgt_vocab),
                    "source_text_ppl": math.exp(min(t.source_text_loss, 50)), **t.info}
    result.update(score_and_write(run.path, src, tgt, sw, sv, tw, tv, d))
    if d is not None:
        s0w, s0v = top_words(t.src_vocab, t.start_table, top)
        result["start_csls"] = bli_precision(s0w, s0v, tw, tv, d, "csls")
    write_word2vec(run / f"vectors.{src}.vec", sw, sv, skip_specials=False)
    write_word2vec(run / f"vectors.{tgt}.vec", tw, tv, skip_specials=False)
    run.write_metrics(result)
    atomic_write_text(run / "report.md", transfer_report(result))
    return result


def transfer_report(r: dict) -> str:
    """``report.md`` of a transfer run: P@k before and after the fit, and a sample."""
    lines = [f"# Cross-lingual {r['src']}→{r['tgt']} through a frozen {r['tgt']} LM: `{r['method']}`", "",
             f"{r['source_tokens']:,} source tokens, {r['src_vocab']} source word types, {r['steps']} steps in "
             f"{r['seconds']:.0f} s; the frozen LM reads the source text at perplexity {r['source_text_ppl']:.1f}.", ""]
    if "csls" in r:
        lines += ["| retrieval | P@1 | P@5 | P@10 | test words |", "|---|---:|---:|---:|---:|"]
        for name in ("start_csls", "nn", "csls", "csls_folded"):
            m = r[name]
            label = {"start_csls": "csls, before training"}.get(name, name)
            lines.append(f"| {label} | {m['P@1']:.3f} | {m['P@5']:.3f} | {m['P@10']:.3f} | {m['evaluated']} |")
        lines.append("")
    lines += ["Sample (most frequent source words, CSLS best):", "",
              ", ".join(f"{a}→{b}" for a, b in r["sample"]), ""]
    return "\n".join(lines)
