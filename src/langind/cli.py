"""The ``langind`` command line (typer). Each command is a thin shell over a library function.

Errors raised as :class:`LangindError` anywhere below become one line on stderr and exit code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer

from langind.crosslingual.translate import DecoderConfig
from langind.errors import LangindError
from langind.experiments.align import AlignConfig
from langind.cli_induce import induce_app, renamed_flag
from langind.experiments.demo import DEMO_CONTEXT_ROUNDS, DEMO_CROSS_TOP, DEMO_RECOVERY_MINUTES
from langind.lm.model import LMConfig
from langind.lm.recipes import RECIPES
from langind.lm.recipes import recipe as recipe_by_name
from langind.lm.train import TrainConfig, check_resumed_shape, train_lm
from langind.runs import RunDir

app = typer.Typer(help="langind — recover word↔embedding mappings of frozen LMs and induce bilingual lexicons.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
lm_app = typer.Typer(help="Train, evaluate and sample word-level language models.", no_args_is_help=True)
data_app = typer.Typer(help="The bundled corpora and dictionaries.", no_args_is_help=True)
emb_app = typer.Typer(help="Export word embeddings (word2vec text format).", no_args_is_help=True)
app.add_typer(emb_app, name="embeddings")
app.add_typer(lm_app, name="lm")
app.add_typer(induce_app, name="induce")
app.add_typer(data_app, name="data")


# -- lm --------------------------------------------------------------------------------------------
T, M = TrainConfig, LMConfig  # CLI defaults are read from the dataclasses: one source for each


@lm_app.command("train")
def lm_train(
    corpus: str = typer.Option(T.corpus, help="UTF-8 text file (one sentence/paragraph per line) or bundled "
                               "corpus (web, rv1909, kjv; add :odd-books/:even-books for a book-disjoint half); "
                               "reversed:SPEC trains a right-to-left LM (every sentence's words reversed)."),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/lm-TIMESTAMP)."),
    resume: Optional[Path] = typer.Option(None, help="Continue the run in this directory from its last checkpoint."),
    recipe: Optional[str] = typer.Option(None, help=f"Start from a named recipe ({', '.join(RECIPES)}); options given "
                                         "explicitly still override it."),
    epochs: Optional[int] = typer.Option(None, min=1, help=f"[default: {T.epochs}]"),
    minutes: Optional[float] = typer.Option(None, help="Wall-clock budget; the LR schedule ends with it."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Stop after this many updates (the LR schedule ends with it)."),
    max_vocab: Optional[int] = typer.Option(None, min=3, help=f"Keep this many most frequent types (incl. specials) [default: {T.max_vocab}]."),
    min_freq: Optional[int] = typer.Option(None, min=1, help=f"[default: {T.min_freq}]"),
    valid_fraction: Optional[float] = typer.Option(None, help=f"Share of lines held out for validation (deterministic hash split) [default: {T.valid_fraction}]."),
    arch: Optional[str] = typer.Option(None, help=f"The body: lstm (AWD-LSTM) or transformer (decoder-only, rotary "
                                       f"positions) [default: {M.arch}]."),
    emb_dim: Optional[int] = typer.Option(None, min=1, help=f"Embedding size (a transformer's width) [default: {M.emb_dim}]."),
    hidden_dim: Optional[int] = typer.Option(None, min=1, help=f"LSTM hidden size; a transformer's MLP size [default: {M.hidden_dim}]."),
    layers: Optional[int] = typer.Option(None, min=1, help=f"[default: {M.n_layers}]"),
    heads: Optional[int] = typer.Option(None, min=1, help=f"transformer: attention heads [default: {M.n_heads}]."),
    context: Optional[int] = typer.Option(None, min=0, help=f"transformer: input vectors carried from window to window "
                                          f"[default: {M.context}]."),
    batch_size: Optional[int] = typer.Option(None, min=1, help=f"[default: {T.batch_size}]"),
    bptt: Optional[int] = typer.Option(None, min=2, help=f"[default: {T.bptt}]"),
    lr: Optional[float] = typer.Option(None, help=f"Peak learning rate of the one-cycle schedule [default: {T.lr}]."),
    dropout_scale: float = typer.Option(1.0, help="Multiply every dropout rate by this (0 turns dropout off)."),
    seed: int = typer.Option(T.seed),
    threads: Optional[int] = typer.Option(None, min=1, help="torch CPU threads."),
    device: str = typer.Option(T.device, help="auto, cpu, cuda or cuda:N."),
    checkpoint_every: Optional[int] = typer.Option(None, min=1, help=f"Save a resumable checkpoint every N steps [default: {T.checkpoint_every}]."),
    no_lowercase: bool = typer.Option(False, "--no-lowercase", help="Keep case."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
):
    """Train a word-level LM (AWD-LSTM or transformer). `torchrun --nproc_per_node N -m langind lm train ...` for DDP."""
    shape = {"arch": arch, "emb_dim": emb_dim, "hidden_dim": hidden_dim, "n_layers": layers, "n_heads": heads,
             "context": context}
    if resume is not None:
        check_resumed_shape(resume, {k: v for k, v in shape.items() if v is not None})
        metrics = train_lm(resume, TrainConfig(progress=not quiet), resume=True)
        _print_lm_metrics(metrics, resume)
        return
    base = recipe_by_name(recipe or "reference")  # the dataclass defaults are the reference recipe
    given = {"epochs": epochs, "minutes": minutes, "max_steps": max_steps, "max_vocab": max_vocab,
             "min_freq": min_freq, "valid_fraction": valid_fraction, "batch_size": batch_size, "bptt": bptt,
             "lr": lr, "checkpoint_every": checkpoint_every}
    cfg = replace(base.train, corpus=corpus, lowercase=not no_lowercase, seed=seed, threads=threads, device=device,
                  progress=not quiet, **{k: v for k, v in given.items() if v is not None})
    model = replace(base.model, **{k: v for k, v in shape.items() if v is not None}).scaled_dropout(dropout_scale)
    out = out or RunDir.default_path("lm")
    metrics = train_lm(out, cfg, model)
    _print_lm_metrics(metrics, out)


def _print_lm_metrics(metrics: dict, out: Path) -> None:
    if metrics:
        typer.echo(f"best valid perplexity {metrics['best_valid_ppl']:.1f} after {metrics['steps']} steps "
                   f"({metrics['train_seconds']:.0f}s); run directory: {out}")


@lm_app.command("eval")
def lm_eval(
    run: Path = typer.Argument(..., help="Run directory or checkpoint directory."),
    corpus: Optional[str] = typer.Option(None, help="Text file or bundled corpus to score (default: the run's validation split)."),
    checkpoint: str = typer.Option("best", help="best or last."),
    device: str = typer.Option("auto"),
):
    """Perplexity of a trained LM on its validation split or on another corpus."""
    from langind.experiments.evaluate import lm_perplexity

    r = lm_perplexity(run, corpus, checkpoint, device)
    typer.echo(f"{r['text']}: {r['tokens']} tokens, loss {r['loss']:.4f}, perplexity {r['perplexity']:.3f} "
               f"(unk rate {r['unk_rate']:.3f})")


@lm_app.command("generate")
def lm_generate(
    run: Path = typer.Argument(..., help="Run directory or checkpoint directory."),
    prompt: str = typer.Argument(..., help="Words to continue."),
    n: int = typer.Option(20, "-n", min=1, help="Number of words to generate."),
    temperature: float = typer.Option(0.8),
    top_k: Optional[int] = typer.Option(50, min=1),
    seed: int = typer.Option(0),
    checkpoint: str = typer.Option("best"),
):
    """Continue a prompt with words sampled from a trained LM."""
    import torch

    from langind.corpus import tokenize
    from langind.lm.checkpoint import lm_run_checkpoint, load_lm

    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint))
    toks = tokenize(prompt)
    if not toks:
        raise LangindError("the prompt has no words")
    unknown = [t for t in toks if t not in vocab.stoi]
    if len(unknown) == len(toks):
        typer.echo(f"warning: no word of the prompt is in the LM's vocabulary ({' '.join(unknown)}); "
                   "it continues from <unk>", err=True)
    g = torch.Generator().manual_seed(seed)
    ids = model.generate(vocab.encode(toks), n, temperature=temperature, top_k=top_k, generator=g,
                         banned=[vocab.unk_id])
    typer.echo(" ".join(toks + vocab.decode(ids)).replace(" <eos> ", "\n"))


@lm_app.command("export-hf")
def lm_export_hf(
    run: Path = typer.Argument(..., help="Transformer LM run directory (lm train --arch transformer) or checkpoint."),
    out: Path = typer.Argument(..., help="Output directory: a Hugging Face LlamaForCausalLM with its tokenizer."),
    checkpoint: str = typer.Option("best", help="best or last."),
):
    """Export a transformer LM for Hugging Face transformers (needs the hf extra)."""
    from langind.lm.hf import export_hf

    typer.echo(f"wrote {export_hf(run, out, checkpoint)} (AutoModelForCausalLM.from_pretrained loads it)")


# -- embeddings and evaluation ------------------------------------------------------------------------
@emb_app.command("export")
def embeddings_export(
    run: Path = typer.Argument(..., help="LM run directory or checkpoint directory."),
    out_file: Path = typer.Argument(..., help="Output .vec file (word2vec text format)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language label (checked against a bundled corpus's language)."),
    checkpoint: str = typer.Option("best"),
):
    """Write an LM's input embeddings as word2vec text (readable by gensim, vecmap, MUSE)."""
    from langind.crosslingual.embeddings import write_word2vec
    from langind.lm.checkpoint import lm_run_checkpoint, load_lm

    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint))
    _check_lang(run, lang)
    n = write_word2vec(out_file, vocab.itos, model.input_table.detach().numpy())
    typer.echo(f"wrote {n} vectors of dimension {model.config.emb_dim} to {out_file}")


def _check_lang(run: Path, lang: Optional[str]) -> None:
    if lang is None:
        return
    from langind import data
    from langind.corpus import REVERSED
    from langind.runs import read_json

    cfg_path = Path(run) / "config.json"
    if cfg_path.exists():
        corpus = read_json(cfg_path, "run config").get("train", {}).get("corpus", "").removeprefix(REVERSED)
        if data.parse_spec(corpus) is not None and data.corpus_language(corpus) != lang:
            raise LangindError(f"{run} was trained on {corpus} ({data.corpus_language(corpus)}), not {lang}")


@app.command("evaluate")
def evaluate_cmd(
    src_emb: Path = typer.Argument(..., help="Source embeddings (.vec, word2vec text) in the shared space."),
    tgt_emb: Path = typer.Argument(..., help="Target embeddings (.vec) in the shared space."),
    dictionary: Optional[Path] = typer.Option(None, help="MUSE-format test dictionary (default: bundled FreeDict for --src/--tgt)."),
    src: str = typer.Option("es", help="Source language of the bundled dictionary."),
    tgt: str = typer.Option("en", help="Target language of the bundled dictionary."),
    retrieval: str = typer.Option("csls", help="nn or csls."),
    top: Optional[int] = typer.Option(None, min=1, help="Use only the first (most frequent) N vectors of each file (e.g. 5000)."),
    fold_accents: bool = typer.Option(False, "--fold-accents", help="Also report P@k after accent folding (separately)."),
    csls_k: int = typer.Option(10, min=1),
):
    """Bilingual lexicon induction precision (P@1/5/10) of two aligned embedding spaces."""
    import json

    from langind.experiments.evaluate import evaluate_spaces

    results = evaluate_spaces(src_emb, tgt_emb, dictionary, src, tgt, retrieval, top, fold_accents, csls_k)
    for name, r in results.items():
        typer.echo(f"{name:14s} {retrieval}: P@1 {r['P@1']:.3f}  P@5 {r['P@5']:.3f}  P@10 {r['P@10']:.3f}  "
                   f"({r['evaluated']} words evaluated, coverage {r['coverage']:.1%})")
    typer.echo(json.dumps(results))


@app.command("align")
def align_cmd(
    src_emb: Path = typer.Argument(..., help="Source embeddings (.vec, word2vec text), frequency-ordered."),
    tgt_emb: Path = typer.Argument(..., help="Target embeddings (.vec), frequency-ordered."),
    out_src: Path = typer.Argument(..., help="Where to write the mapped source embeddings (.vec)."),
    out_tgt: Path = typer.Argument(..., help="Where to write the mapped target embeddings (.vec)."),
    method: str = typer.Option(AlignConfig.method, help="vecmap (unsupervised self-learning), gw (Gromov-Wasserstein "
                               "+ Procrustes) or identical (identical strings)."),
    top: Optional[int] = typer.Option(AlignConfig.top, min=1, help="Use only the first (most frequent) N vectors of each file."),
    seed: int = typer.Option(AlignConfig.seed),
    minutes: Optional[float] = typer.Option(AlignConfig.minutes, help="vecmap: stop self-learning after this many minutes."),
    seed_dictionary: Optional[Path] = typer.Option(
        None, help="vecmap only, NOT unsupervised: start self-learning from this MUSE-format dictionary "
                   "(vecmap's --semi_supervised). Report such results separately, on test pairs it does not contain."),
    lexicon: Optional[Path] = typer.Option(
        None, help="Also write the CSLS lexicon of the aligned spaces (source, target, score) as TSV, e.g. to "
                   "start `induce cross --method hybrid --init-lexicon` from an alignment baseline."),
):
    """Align two monolingual embedding spaces without a dictionary (baselines; see langind.crosslingual.align)."""
    from langind.experiments.align import align_files

    cfg = AlignConfig(method=method, top=top, seed=seed, minutes=minutes,
                      seed_dictionary=str(seed_dictionary) if seed_dictionary else None)
    align_files(cfg, src_emb, tgt_emb, out_src, out_tgt, lexicon, echo=typer.echo)


# -- translate ---------------------------------------------------------------------------------------
D = DecoderConfig


@app.command("translate")
def translate_cmd(
    source: str = typer.Argument(..., help="Text file to translate (one sentence per line) or corpus spec "
                                 "(e.g. rv1909:test-books)."),
    lexicon: Path = typer.Option(..., help="Lexicon TSV (source, target, score[, evidence]; each word's best rows "
                                 "first), e.g. the lexicon.SRC-TGT.tsv of `langind induce cross`."),
    tgt_corpus: Optional[str] = typer.Option(None, help="Target-language text (file or corpus spec): its bigram LM "
                                             "scores the candidates and gives names their spelling. Required."),
    target: Optional[str] = typer.Option(None, hidden=True),  # --tgt-corpus's old name
    out_file: Optional[Path] = typer.Option(None, help="Output file: one translated line per input line (written "
                                            "atomically). Required."),
    out: Optional[Path] = typer.Option(None, hidden=True),  # --out-file's old name
    k: int = typer.Option(D.k, min=1, help="Candidates per source word (the lexicon's best rows)."),
    swaps: bool = typer.Option(D.swaps, "--swaps/--no-swaps", help="Local reordering: swap adjacent words where "
                               "the target LM prefers the swapped order."),
    insertions: bool = typer.Option(D.insertions, "--insertions/--no-insertions", help="Insert the target text's "
                                    "most frequent words where its LM gains most, as many as the two texts' sentence "
                                    "lengths call for."),
    tgt_lm: Optional[Path] = typer.Option(None, help="A frozen neural LM run of the target language scores the "
                                          "candidates (beam search) instead of the bigram LM."),
    lm: Optional[Path] = typer.Option(None, hidden=True),  # --tgt-lm's old name
    word_by_word: bool = typer.Option(False, "--word-by-word", help="The baseline instead: each word's first "
                                      "translation, no LM."),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Translate a text through an induced lexicon and the target language's bigram LM."""
    from langind.experiments.translate import TranslateConfig, translate

    target, out, lm = (renamed_flag(tgt_corpus, target, "--tgt-corpus", "--target"),
                       renamed_flag(out_file, out, "--out-file", "--out"), renamed_flag(tgt_lm, lm, "--tgt-lm", "--lm"))
    if target is None or out is None:
        raise LangindError("translate needs --tgt-corpus TEXT (the target language) and --out-file FILE")
    cfg = TranslateConfig(source=source, lexicon=str(lexicon), target=target, decoder=DecoderConfig(k=k, swaps=swaps, insertions=insertions),
                          word_by_word=word_by_word, lm=str(lm) if lm else None, progress=not quiet)
    r = translate(cfg, out, echo=typer.echo)
    typer.echo(f"wrote {len(r['text'])} lines to {out}")


# -- data ------------------------------------------------------------------------------------------
@data_app.command("list")
def data_list():
    """Bundled corpora and dictionaries."""
    from langind import data

    for name in data.available_corpora():
        verses = data.load_corpus(name)
        n_tok = sum(len(v.tokens) for v in verses)
        unit = "verses" if name in data.BIBLES else "lines "
        typer.echo(f"{name:12s} {data.CORPORA[name][0]}  {len(verses):6d} {unit} {n_tok:8d} tokens  {data.CORPORA[name][1]}")
    typer.echo(f"(the Bibles {', '.join(data.BIBLES)} also as NAME:odd-books / NAME:even-books: books 1, 3, … / 2, 4, … "
               f"of the {len(data.BOOKS)}, no verse in common)")
    for s, t in data.DICTIONARIES:
        for source in data.DICTIONARY_SOURCES:
            p = data.dictionary_path(s, t, source)
            if p.is_file():
                n = sum(1 for line in p.read_text(encoding="utf-8").splitlines() if line.strip())
                typer.echo(f"{s}-{t}        dictionary {n} pairs ({source}, {p.name})")


# -- demo ------------------------------------------------------------------------------------------
@app.command("demo")
def demo(
    out: Path = typer.Option(Path("demo"), help="Where the demo writes its run directories and metrics.json."),
    lm_minutes: float = typer.Option(RECIPES["demo"].train.minutes, help="Training budget of the English LM (recipe demo)."),
    recovery_minutes: float = typer.Option(DEMO_RECOVERY_MINUTES, help="The wipe-and-recover stage's head budget (0 skips the stage)."),
    context_rounds: int = typer.Option(DEMO_CONTEXT_ROUNDS, min=0, help="Rounds of the frozen LM re-reading the decoded "
                                       "text after the head (0: the head's readout alone)."),
    cross_top: int = typer.Option(DEMO_CROSS_TOP, min=0, help="The es→en lexicon stage translates the N most frequent words (0 skips it)."),
    threads: Optional[int] = typer.Option(None, min=1),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Train an English LM on the bundled Bible, wipe and recover its vocabulary mapping, then induce an es→en lexicon."""
    from langind.experiments.demo import run_demo

    run_demo(out, lm_minutes=lm_minutes, threads=threads, progress=not quiet, echo=typer.echo,
             recovery_minutes=recovery_minutes, context_rounds=context_rounds, cross_top=cross_top)


def _warn_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"langind: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code. Usage errors are typer's (exit 2, with usage help)."""
    with warnings.catch_warnings():
        warnings.showwarning = _warn_one_line  # library warnings as one line each; restored on exit
        try:
            app(args=argv)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except LangindError as exc:
            print(f"langind: error: {exc}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            print("langind: interrupted", file=sys.stderr)
            return 130
    return 0


def entry() -> None:
    sys.exit(main())
