"""``langind induce self`` and ``langind induce cross``: the two ways of learning word mappings, as thin
shells over :mod:`langind.experiments.self_recovery` and :mod:`langind.induction` (the rest of the
command line is :mod:`langind.cli`, which adds these under ``induce``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer

from langind.crosslingual.joint import JointConfig
from langind.crosslingual.signature import SignatureConfig
from langind.errors import LangindError
from langind.experiments.self_recovery import RecoveryConfig
from langind.induction.config import CANDIDATE_METHODS, CrossConfig
from langind.induction.methods import METHODS
from langind.mapping.context import ContextConfig
from langind.mapping.fit import FitConfig
from langind.mapping.heads import HEADS
from langind.runs import RunDir

induce_app = typer.Typer(help="Learn word mappings through frozen LMs.", no_args_is_help=True)


# -- induce ------------------------------------------------------------------------------------------
# induce cross's --help panels: what the run reads, which method, and each family's own options
TEXTS, METHOD, ALIGNERS, CONTEXT, LM_PANEL, RUN = ("Texts", "Method", "Aligners (coocmap, vecmap)",
                                                   "In context and decipherment", "Neural LM methods", "Run")
R, F, CX = RecoveryConfig, FitConfig, ContextConfig


def renamed_flag(value, old_value, new: str, old: str):
    """A flag given by its name or by its old spelling (a hidden alias); both, differently: an error."""
    if old_value is not None and value is not None and value != old_value:
        raise LangindError(f"{old} is the old name of {new}; give one of them")
    return value if value is not None else old_value


@induce_app.command("self")
def induce_self(
    lm: Path = typer.Option(..., "--lm", help="LM run directory (from `langind lm train`), or a local Hugging Face causal LM "
                            "directory with its tokenizer (the hf extra)."),
    max_vocab: int = typer.Option(R.max_vocab, min=4, help="Hugging Face --lm: recover this many of the text's most "
                                  "frequent tokens (specials included)."),
    head: str = typer.Option(R.head, help=", ".join(HEADS) + "."),
    scramble: str = typer.Option(F.scramble, help="input: scramble the LM's input only; both: input and output (decipherment)."),
    init: str = typer.Option(R.init, help="random, uniform or counts (match words by frequency rank)."),
    corpus: Optional[str] = typer.Option(None, help=f"Recovery text: {R.text!r} (default: the LM's held-out split), 'train' "
                                         "(its training text), a file or corpus spec."),
    text: Optional[str] = typer.Option(None, hidden=True),  # --corpus's old name
    minutes: float = typer.Option(F.minutes, help="The head's time budget (evaluation time not counted)."),
    pipeline: str = typer.Option(R.pipeline, help="head: the head's readout; head+context: then the frozen LM re-reads the "
                                 "decoded text and re-assigns every word by its contexts (mapping.context)."),
    right_lm: Optional[Path] = typer.Option(None, help="head+context: a right-to-left LM of the same language "
                                            "(`langind lm train --corpus reversed:TEXT`) also reads the decoded text "
                                            "backwards; its evidence is added to --lm's."),
    context_rounds: int = typer.Option(CX.rounds, min=1, help="head+context: decode → score → assign rounds."),
    select: bool = typer.Option(False, "--select", help="Keep the head snapshot whose decoding the frozen LM reads "
                                "best (unsupervised early stopping; checked every --eval-every seconds)."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Step budget instead of minutes."),
    lr: Optional[float] = typer.Option(None, help="Head learning rate (default depends on the head: mapping.fit.DEFAULT_LR)."),
    lr_schedule: str = typer.Option(F.lr_schedule, help="constant, or linear: the head's learning rate falls linearly "
                                    "to 0 over the budget."),
    precision: str = typer.Option(F.precision, help="The frozen LM body's dtype while the head learns: float32, or "
                                  "bfloat16 (faster on CPUs with AMX / AVX512-BF16 and on GPUs; emulated and slower elsewhere)."),
    normalize: bool = typer.Option(False, "--normalize", help="Use length-normalised, centred embeddings (Artetxe et al. 2018)."),
    temperature: Optional[float] = typer.Option(None, help="softmax head temperature."),
    penalty: Optional[str] = typer.Option(None, help="Mixing heads: sum (the earlier exploration's row/column penalty; the "
                                          "linear head's default) or l1-l2 (AutoShuffleNet's exact penalty)."),
    penalty_weight: Optional[float] = typer.Option(None, min=0.0, max=1.0, help="Weight s of the penalty: (1-s)·CE + s·penalty "
                                                   "(default 5/2000, the earlier exploration's)."),
    sparse_k: Optional[int] = typer.Option(None, min=1, help="sinkhorn-sparse, sinkhorn-lowrank: candidate target words per word (default 64)."),
    row_update: bool = typer.Option(False, "--row-update", help="linear head, input mode: each step updates only the "
                                    "batch's rows (SparseAdam; exact penalty gradient on them)."),
    max_text_tokens: Optional[int] = typer.Option(None, min=1000, help="Use only the first N tokens of the text."),
    batch_size: int = typer.Option(F.batch_size, min=1),
    bptt: int = typer.Option(F.bptt, min=2),
    seed: int = typer.Option(R.seed, help="Seed of the scrambling permutation and the head's initialisation."),
    eval_every: float = typer.Option(F.eval_every, help="Seconds between learning-curve evaluations."),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/induce-self-TIMESTAMP)."),
    threads: Optional[int] = typer.Option(None, min=1),
    device: str = typer.Option(R.device),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Wipe a frozen LM's word↔embedding mapping and learn it back from text (hit@k, assignment, report)."""
    from langind.evaluation.report import band_table
    from langind.experiments.self_recovery import recover_self

    fit = FitConfig(scramble=scramble, minutes=minutes if not max_steps else None, max_steps=max_steps,
                    batch_size=batch_size, bptt=bptt, lr=lr, lr_schedule=lr_schedule, eval_every=eval_every,
                    precision=precision, progress=not quiet)
    text = renamed_flag(corpus, text, "--corpus", "--text") or R.text
    cfg = RecoveryConfig(lm=str(lm), head=head, init=init, normalize=normalize, text=text,
                         max_text_tokens=max_text_tokens, fit=fit, seed=seed, threads=threads, device=device,
                         pipeline=pipeline, context=ContextConfig(rounds=context_rounds), select=select,
                         right_lm=str(right_lm) if right_lm else None, max_vocab=max_vocab,
                         head_options={k: v for k, v in (("temperature", temperature), ("penalty", penalty),
                                                         ("penalty_weight", penalty_weight), ("k", sparse_k),
                                                         ("row_update", row_update or None))
                                       if v is not None})
    out = out or RunDir.default_path("induce-self")
    r = recover_self(cfg, out, echo=typer.echo)
    typer.echo(band_table(r["bands"], r["count_only"]))
    typer.echo(f"report: {Path(out) / 'report.md'}")


C, J = CrossConfig, JointConfig().train


@induce_app.command("methods")
def induce_methods_cmd():
    """The lexicon-induction methods of `induce cross --method`: name, family, what each does."""
    for m in METHODS.values():
        typer.echo(f"{m.name:14s} {m.family:12s} {m.summary}")


@induce_app.command("cross")
def induce_cross_cmd(
    src: str = typer.Option(C.src, help="Source language label (any code; names the files).", rich_help_panel=TEXTS),
    tgt: str = typer.Option(C.tgt, help="Target language label.", rich_help_panel=TEXTS),
    src_corpus: Optional[str] = typer.Option(None, help="Source text: a file or corpus spec (default: the bundled "
                                             "text of --src).", rich_help_panel=TEXTS),
    tgt_corpus: Optional[str] = typer.Option(None, help="Target text: a file or corpus spec (default: the bundled "
                                             "text of --tgt).", rich_help_panel=TEXTS),
    dictionary: Optional[Path] = typer.Option(None, help="MUSE-format test dictionary, for scoring only (default: the "
                                              "pair's bundled one; none: not scored).", rich_help_panel=TEXTS),
    top: int = typer.Option(C.top, help="Induce the N most frequent words of each side.", rich_help_panel=TEXTS),
    method: str = typer.Option(C.method, help="auto (one pipeline for any pair) or a part or rival by name; "
                               "`langind induce methods` lists them.", rich_help_panel=METHOD),
    orthography: Optional[bool] = typer.Option(C.orthography, "--orthography/--no-orthography",
                                               help="Force spelling on or off as evidence (default: on where the "
                                               "texts show it to be evidence).", rich_help_panel=METHOD),
    spelling_weight: float = typer.Option(C.spelling_weight, min=0.0, help="Weight of spelling beside an aligner's "
                                          "cosine.", rich_help_panel=METHOD),
    candidates: str = typer.Option(C.candidates, help="incontext: the aligner whose candidates are re-ranked "
                                   f"({', '.join(CANDIDATE_METHODS)}).", rich_help_panel=ALIGNERS),
    core: int = typer.Option(C.core, min=10, help="coocmap: match the N most frequent tokens in full; rarer words "
                             "through the core's pairs.", rich_help_panel=ALIGNERS),
    window: int = typer.Option(C.window, min=1, help="coocmap: co-occurrence window (tokens either side).",
                               rich_help_panel=ALIGNERS),
    signature_weight: float = typer.Option(SignatureConfig.weight, min=0.0, help="cipher/auto with spelling: weight "
                                           "of neighbour signatures (0: off).", rich_help_panel=CONTEXT),
    tgt_lm: Optional[Path] = typer.Option(None, help="Frozen target-language LM run: incontext/auto re-rank with it; "
                                          "decipher/hybrid/swap read through it.", rich_help_panel=CONTEXT),
    lm: Optional[Path] = typer.Option(None, hidden=True),  # --tgt-lm's old name
    right_lm: Optional[Path] = typer.Option(None, help="incontext/auto with --tgt-lm: its right-to-left twin "
                                            "(trained on reversed:TEXT).", rich_help_panel=CONTEXT),
    minutes: float = typer.Option(C.minutes, help="Budget of the method's own training (hybrid: each stage; vecmap: "
                                  "its self-learning).", rich_help_panel=LM_PANEL),
    src_lm: Optional[Path] = typer.Option(None, help="swap: source-language LM run (default: train one).",
                                          rich_help_panel=LM_PANEL),
    init_lexicon: Optional[Path] = typer.Option(None, help="hybrid: start from this lexicon TSV instead of "
                                                "training joint-lm.", rich_help_panel=LM_PANEL),
    anchor: float = typer.Option(C.anchor, min=0.0, help="decipher/hybrid: pull each learned vector towards its "
                                 "start (weight of the relative drift).", rich_help_panel=LM_PANEL),
    lm_minutes: float = typer.Option(C.lm_minutes, help="Budget of each LM trained because --tgt-lm/--src-lm was "
                                     "not given.", rich_help_panel=LM_PANEL),
    epochs: int = typer.Option(J.epochs, min=1, help="joint-lm: epochs (the budget stops it earlier).",
                               rich_help_panel=LM_PANEL),
    max_vocab: int = typer.Option(J.max_vocab, min=10, help="joint-lm: vocabulary size per language.",
                                  rich_help_panel=LM_PANEL),
    seed: int = typer.Option(C.seed, rich_help_panel=RUN),
    threads: Optional[int] = typer.Option(None, min=1, rich_help_panel=RUN),
    device: str = typer.Option(C.device, help="auto (CUDA when present), cpu or cuda.", rich_help_panel=RUN),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/induce-cross-TIMESTAMP).",
                                       rich_help_panel=RUN),
    quiet: bool = typer.Option(False, "--quiet", rich_help_panel=RUN),
):
    """Unsupervised bilingual lexicon induction from two monolingual corpora; writes a lexicon TSV and report."""
    from langind.induction import induce_cross

    cfg = CrossConfig(src=src, tgt=tgt, method=method, src_corpus=src_corpus, tgt_corpus=tgt_corpus,
                      dictionary=str(dictionary) if dictionary else None, minutes=minutes,
                      lm=str(lm) if (lm := renamed_flag(tgt_lm, lm, "--tgt-lm", "--lm")) else None,
                      src_lm=str(src_lm) if src_lm else None,
                      right_lm=str(right_lm) if right_lm else None,
                      init_lexicon=str(init_lexicon) if init_lexicon else None, anchor=anchor, lm_minutes=lm_minutes,
                      top=top, core=core, window=window, candidates=candidates, orthography=orthography,
                      spelling_weight=spelling_weight, signature=replace(SignatureConfig(), weight=signature_weight),
                      seed=seed, threads=threads, device=device, progress=not quiet,
                      joint=JointConfig(train=replace(J, epochs=epochs, max_vocab=max_vocab)))
    out = Path(out or RunDir.default_path("induce-cross"))
    results = induce_cross(cfg, out, echo=typer.echo)
    for name, res in results.items():
        _print_cross(res, src, tgt, name)
    typer.echo(f"lexicon: {out / f'lexicon.{src}-{tgt}.tsv'}")


def _print_cross(res: dict, src: str, tgt: str, method: str) -> None:
    if res.get("csls") is None:
        typer.echo(f"{method} {src}->{tgt}: not scored (no {src}-{tgt} dictionary bundled or given with --dictionary)")
    for name in ("nn", "csls", "csls_folded"):
        r = res.get(name)
        if r is None:
            continue
        typer.echo(f"{method} {src}->{tgt} {name:12s} P@1 {r['P@1']:.3f}  P@5 {r['P@5']:.3f}  P@10 {r['P@10']:.3f}  "
                   f"({r['evaluated']} test words)")
    typer.echo("sample: " + ", ".join(f"{a}→{b}" for a, b in res["sample"][:15]))
    if "evidence" in res:
        ev = res["evidence"]
        also = f", {ev['context']} placed in context with at least half their posterior" if ev["context"] else ""
        typer.echo(f"evidence: of {ev['words']} first choices, {ev['spelled']} are spelling anchors{also}, marked in "
                   "the lexicon's 'evidence' column; the others have only the method's score behind them")
    if "confidence" in res:
        conf = res["confidence"]
        typer.echo(("warning: " if conf["failed"] else "confidence: ") + conf["message"], err=bool(conf["failed"]))


