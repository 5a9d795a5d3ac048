"""The ``langind`` command line (typer). Each command is a thin shell over a library function.

Errors raised as :class:`LangindError` anywhere below become one line on stderr and exit code 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Optional

import typer

from langind.errors import LangindError

app = typer.Typer(help="langind — recover word↔embedding mappings of frozen LMs and induce bilingual lexicons.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
lm_app = typer.Typer(help="Train, evaluate and sample word-level language models.", no_args_is_help=True)
data_app = typer.Typer(help="The bundled corpora and dictionaries.", no_args_is_help=True)
induce_app = typer.Typer(help="Learn word mappings through frozen LMs.", no_args_is_help=True)
emb_app = typer.Typer(help="Export word embeddings (word2vec text format).", no_args_is_help=True)
app.add_typer(emb_app, name="embeddings")
app.add_typer(lm_app, name="lm")
app.add_typer(induce_app, name="induce")
app.add_typer(data_app, name="data")


# -- lm --------------------------------------------------------------------------------------------
@lm_app.command("train")
def lm_train(
    corpus: str = typer.Option("web", help="UTF-8 text file (one sentence/paragraph per line) or bundled corpus: web, rv1909, kjv."),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/lm-TIMESTAMP)."),
    resume: Optional[Path] = typer.Option(None, help="Continue the run in this directory from its last checkpoint."),
    epochs: int = typer.Option(3, min=1),
    max_minutes: Optional[float] = typer.Option(None, help="Wall-clock budget; the LR schedule ends with it."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Stop after this many updates (the LR schedule ends with it)."),
    max_vocab: int = typer.Option(8000, min=3, help="Keep this many most frequent types (incl. specials)."),
    min_freq: int = typer.Option(2, min=1),
    valid_fraction: float = typer.Option(0.05, help="Share of lines held out for validation (deterministic hash split)."),
    emb_dim: int = typer.Option(128, min=1),
    hidden_dim: int = typer.Option(512, min=1),
    layers: int = typer.Option(2, min=1),
    batch_size: int = typer.Option(32, min=1),
    bptt: int = typer.Option(40, min=2),
    lr: float = typer.Option(3e-3, help="Peak learning rate of the one-cycle schedule."),
    dropout_scale: float = typer.Option(1.0, help="Multiply every dropout rate by this (0 turns dropout off)."),
    seed: int = typer.Option(0),
    threads: Optional[int] = typer.Option(None, min=1, help="torch CPU threads."),
    device: str = typer.Option("auto", help="auto, cpu, cuda or cuda:N."),
    checkpoint_every: int = typer.Option(200, min=1, help="Save a resumable checkpoint every N steps."),
    no_lowercase: bool = typer.Option(False, "--no-lowercase", help="Keep case."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
):
    """Train a word-level AWD-LSTM LM. Launch with `torchrun --nproc_per_node N -m langind lm train ...` for DDP."""
    from langind.lm.model import LMConfig
    from langind.lm.train import TrainConfig, train_lm
    from langind.runs import RunDir

    if resume is not None:
        metrics = train_lm(resume, TrainConfig(progress=not quiet), resume=True)
        _print_lm_metrics(metrics, resume)
        return
    cfg = TrainConfig(corpus=corpus, lowercase=not no_lowercase, max_vocab=max_vocab, min_freq=min_freq,
                      valid_fraction=valid_fraction, epochs=epochs, max_minutes=max_minutes, max_steps=max_steps,
                      batch_size=batch_size, bptt=bptt, lr=lr, seed=seed, threads=threads, device=device,
                      checkpoint_every=checkpoint_every, progress=not quiet)
    d = LMConfig(vocab_size=3)
    lm = {"emb_dim": emb_dim, "hidden_dim": hidden_dim, "n_layers": layers,
          **{k: getattr(d, k) * dropout_scale for k in
             ("emb_dropout", "input_dropout", "hidden_dropout", "output_dropout", "weight_dropout")}}
    out = out or RunDir.default_path("lm")
    metrics = train_lm(out, cfg, lm)
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
    from langind.corpus import CorpusSource
    from langind.lm.checkpoint import load_lm
    from langind.lm.train import evaluate_ids, lm_run_checkpoint, pick_device
    from langind.vocab import encode_sentences, load_ids

    dev = pick_device(device)
    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint), dev)
    if corpus is None:
        ids = load_ids(Path(run) / "data" / "valid.npy")
        what = "validation split"
    else:
        src = CorpusSource(corpus)
        ids = encode_sentences((t for _, t in src), vocab)
        what = src.name
    loss = evaluate_ids(model, ids, dev)
    unk = float((ids == vocab.unk_id).mean())
    typer.echo(f"{what}: {len(ids)} tokens, loss {loss:.4f}, perplexity {math.exp(loss):.3f} (unk rate {unk:.3f})")


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
    from langind.lm.checkpoint import load_lm
    from langind.lm.train import lm_run_checkpoint

    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint))
    toks = tokenize(prompt)
    if not toks:
        raise LangindError("the prompt has no words")
    g = torch.Generator().manual_seed(seed)
    ids = model.generate(vocab.encode(toks), n, temperature=temperature, top_k=top_k, generator=g,
                         banned=[vocab.unk_id])
    typer.echo(" ".join(toks + vocab.decode(ids)).replace(" <eos> ", "\n"))


# -- induce ------------------------------------------------------------------------------------------
@induce_app.command("self")
def induce_self(
    lm: Path = typer.Option(..., "--lm", help="LM run directory (from `langind lm train`)."),
    head: str = typer.Option("vector", help="linear, softmax, sinkhorn, gumbel-sinkhorn or vector."),
    scramble: str = typer.Option("both", help="input: scramble the LM's input only; both: input and output (decipherment)."),
    init: str = typer.Option("counts", help="random, uniform or counts (match words by frequency rank)."),
    text: str = typer.Option("valid", help="Recovery text: 'valid' (the LM's held-out split), a text file, or a bundled corpus (e.g. kjv)."),
    minutes: float = typer.Option(10.0, help="Recovery time budget (evaluation time not counted)."),
    max_steps: Optional[int] = typer.Option(None, min=1, help="Step budget instead of / besides minutes."),
    lr: Optional[float] = typer.Option(None, help="Head learning rate (default depends on the head)."),
    normalize: bool = typer.Option(False, "--normalize", help="Use length-normalised, centred embeddings (Artetxe et al. 2018)."),
    temperature: Optional[float] = typer.Option(None, help="softmax head temperature."),
    max_text_tokens: Optional[int] = typer.Option(None, min=1000, help="Use only the first N tokens of the text."),
    batch_size: int = typer.Option(32, min=1),
    bptt: int = typer.Option(35, min=2),
    seed: int = typer.Option(0, help="Seed of the scrambling permutation and the head's initialisation."),
    eval_every: float = typer.Option(60.0, help="Seconds between learning-curve evaluations."),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/induce-self-TIMESTAMP)."),
    threads: Optional[int] = typer.Option(None, min=1),
    device: str = typer.Option("auto"),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Wipe a frozen LM's word↔embedding mapping and learn it back from text (hit@k, assignment, report)."""
    from langind.evaluation.report import band_table
    from langind.experiments.self_recovery import RecoveryConfig, recover_self
    from langind.runs import RunDir

    opts = {"temperature": temperature} if temperature is not None else {}
    cfg = RecoveryConfig(lm=str(lm), head=head, mode=scramble, init=init, normalize=normalize, text=text,
                         max_text_tokens=max_text_tokens, minutes=minutes if not max_steps else None,
                         max_steps=max_steps, batch_size=batch_size, bptt=bptt, lr=lr, seed=seed,
                         threads=threads, device=device, eval_every=eval_every, head_options=opts,
                         progress=not quiet)
    out = out or RunDir.default_path("induce-self")
    r = recover_self(cfg, out, echo=typer.echo)
    typer.echo(band_table(r["bands"], r["count_only"]))
    typer.echo(f"report: {Path(out) / 'report.md'}")


CROSS_METHODS = ("joint-lm", "decipher", "hybrid", "swap")


@induce_app.command("cross")
def induce_cross(
    src: str = typer.Option("es", help="Source language code."),
    tgt: str = typer.Option("en", help="Target language code."),
    src_corpus: Optional[str] = typer.Option(None, help="Source text file (default: the bundled corpus of --src)."),
    tgt_corpus: Optional[str] = typer.Option(None, help="Target text file (default: the bundled corpus of --tgt)."),
    dictionary: Optional[Path] = typer.Option(None, help="MUSE-format dictionary for evaluation only (default: bundled FreeDict)."),
    method: str = typer.Option("joint-lm", help="joint-lm: shared LSTM body, language-specific embeddings (Wada & Iwata); "
                               "decipher: source text read by the frozen target LM through learned vectors; "
                               "hybrid: joint-lm's lexicon (or --init-lexicon) refined by decipher; "
                               "swap: a source LM's embeddings fed to the target LM through a learned linear map."),
    minutes: float = typer.Option(10.0, help="Training budget of the method (hybrid: of each of its two stages)."),
    lm: Optional[Path] = typer.Option(None, help="decipher/hybrid/swap: frozen target-language LM run (default: train one on the target corpus)."),
    src_lm: Optional[Path] = typer.Option(None, help="swap: source-language LM run (default: train one on the source corpus)."),
    init_lexicon: Optional[Path] = typer.Option(None, help="hybrid: start from this lexicon TSV instead of training joint-lm."),
    anchor: float = typer.Option(0.0, min=0.0, help="decipher/hybrid: pull each learned vector towards its start "
                                 "(weight of the relative squared drift; keeps a good --init-lexicon from drifting)."),
    lm_minutes: float = typer.Option(16.0, help="Budget of each LM trained because --lm/--src-lm was not given."),
    epochs: int = typer.Option(3, min=1, help="joint-lm: epochs (the budget stops it earlier)."),
    max_vocab: int = typer.Option(10000, min=10, help="joint-lm: vocabulary size per language."),
    top: int = typer.Option(5000, help="Evaluate and translate the N most frequent words of each side."),
    seed: int = typer.Option(0),
    threads: Optional[int] = typer.Option(None, min=1),
    out: Optional[Path] = typer.Option(None, help="Run directory (default runs/induce-cross-TIMESTAMP)."),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Unsupervised bilingual lexicon induction from two monolingual corpora; writes a lexicon TSV and report."""
    from langind import data
    from langind.crosslingual.joint import JointConfig, evaluate_joint, train_joint
    from langind.runs import RunDir

    if method not in CROSS_METHODS:
        raise LangindError(f"unknown method {method!r}; choose one of {CROSS_METHODS}")

    def bundled(lang: str) -> str:
        for name, (lg, _) in data.CORPORA.items():
            if lg == lang:
                return name
        raise LangindError(f"no bundled corpus for language {lang!r}; give --src-corpus/--tgt-corpus")

    src_spec = src_corpus or bundled(src)
    needs_tgt_text = method == "joint-lm" or (method == "hybrid" and init_lexicon is None) or lm is None
    tgt_spec = (tgt_corpus or bundled(tgt)) if needs_tgt_text else tgt_corpus
    if dictionary is None and (src, tgt) not in data.DICTIONARIES:
        raise LangindError(f"no bundled {src}-{tgt} dictionary; pass --dictionary FILE for evaluation")
    dict_path = dictionary if dictionary is not None else data.dictionary_path(src, tgt)
    out = Path(out or RunDir.default_path("induce-cross"))
    RunDir(out)
    progress = not quiet

    if method == "joint-lm" or (method == "hybrid" and init_lexicon is None):
        joint_dir = out if method == "joint-lm" else out / "joint-lm"
        cfg = JointConfig(src=src, tgt=tgt, src_corpus=src_spec, tgt_corpus=tgt_spec, max_vocab=max_vocab,
                          minutes=minutes, epochs=epochs, seed=seed, threads=threads, progress=progress)
        trained = train_joint(cfg, joint_dir, log=typer.echo)
        res = evaluate_joint(joint_dir, src, tgt, dict_path, top=top)
        res["training"] = trained
        RunDir(joint_dir).write_metrics(res)
        _print_cross(res, src, tgt, "joint-lm")
        init_lexicon = joint_dir / f"lexicon.{src}-{tgt}.tsv"
    if method != "joint-lm":
        from langind.crosslingual.transfer import TransferConfig, transfer
        from langind.lm.train import train_reference_lm

        if lm is None:
            lm = out / f"lm-{tgt}"
            typer.echo(f"training the frozen {tgt} LM on {tgt_spec} ({lm_minutes:g} min) into {lm}")
            train_reference_lm(tgt_spec, lm, lm_minutes, seed=seed, threads=threads, progress=progress)
        if method == "swap" and src_lm is None:
            src_lm = out / f"lm-{src}"
            typer.echo(f"training the {src} LM on {src_spec} ({lm_minutes:g} min) into {src_lm}")
            train_reference_lm(src_spec, src_lm, lm_minutes, seed=seed, threads=threads, progress=progress)
        tcfg = TransferConfig(method=method, lm=str(lm), src_corpus=src_spec, src_lm=str(src_lm) if src_lm else None,
                              init_lexicon=str(init_lexicon) if init_lexicon else None, minutes=minutes,
                              anchor=anchor, seed=seed, threads=threads, progress=progress)
        res = transfer(tcfg, out, src, tgt, dict_path, top=top, echo=typer.echo)
        _print_cross(res, src, tgt, method)
    typer.echo(f"lexicon: {out / f'lexicon.{src}-{tgt}.tsv'}")


def _print_cross(res: dict, src: str, tgt: str, method: str) -> None:
    for name in ("nn", "csls", "csls_folded"):
        r = res[name]
        typer.echo(f"{method} {src}->{tgt} {name:12s} P@1 {r['P@1']:.3f}  P@5 {r['P@5']:.3f}  P@10 {r['P@10']:.3f}  "
                   f"({r['evaluated']} test words)")
    typer.echo("sample: " + ", ".join(f"{a}→{b}" for a, b in res["sample"][:15]))


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
    from langind.lm.checkpoint import load_lm
    from langind.lm.train import lm_run_checkpoint

    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint))
    _check_lang(run, lang)
    n = write_word2vec(out_file, vocab.itos, model.input_table.detach().numpy())
    typer.echo(f"wrote {n} vectors of dimension {model.config.emb_dim} to {out_file}")


def _check_lang(run: Path, lang: Optional[str]) -> None:
    if lang is None:
        return
    from langind import data
    from langind.runs import read_json

    cfg_path = Path(run) / "config.json"
    if cfg_path.exists():
        corpus = read_json(cfg_path, "run config").get("train", {}).get("corpus", "")
        name = corpus.removeprefix("bundled:")
        if name in data.CORPORA and data.corpus_language(name) != lang:
            raise LangindError(f"{run} was trained on {name} ({data.corpus_language(name)}), not {lang}")


@app.command("evaluate")
def evaluate_cmd(
    src_emb: Path = typer.Argument(..., help="Source embeddings (.vec, word2vec text) in the shared space."),
    tgt_emb: Path = typer.Argument(..., help="Target embeddings (.vec) in the shared space."),
    dictionary: Optional[Path] = typer.Option(None, help="MUSE-format test dictionary (default: bundled FreeDict for --src/--tgt)."),
    src: str = typer.Option("es", help="Source language of the bundled dictionary."),
    tgt: str = typer.Option("en", help="Target language of the bundled dictionary."),
    retrieval: str = typer.Option("csls", help="nn or csls."),
    max_words: Optional[int] = typer.Option(None, help="Use only the first N vectors of each file (e.g. 5000)."),
    fold_accents: bool = typer.Option(False, "--fold-accents", help="Also report P@k after accent folding (separately)."),
    csls_k: int = typer.Option(10, min=1),
):
    """Bilingual lexicon induction precision (P@1/5/10) of two aligned embedding spaces."""
    import json

    from langind import data
    from langind.crosslingual.embeddings import read_word2vec
    from langind.crosslingual.lexicon import load_dictionary
    from langind.evaluation.metrics import bli_precision

    sw, sv = read_word2vec(src_emb, max_words)
    tw, tv = read_word2vec(tgt_emb, max_words)
    if sv.shape[1] != tv.shape[1]:
        raise LangindError(f"dimensions differ ({sv.shape[1]} vs {tv.shape[1]}): the spaces are not aligned")
    dict_path = dictionary if dictionary is not None else data.dictionary_path(src, tgt)
    d = load_dictionary(dict_path)
    results = {"plain": bli_precision(sw, sv, tw, tv, d, retrieval, csls_k=csls_k)}
    if fold_accents:
        results["accent_folded"] = bli_precision(sw, sv, tw, tv, d, retrieval, csls_k=csls_k, fold=True)
    for name, r in results.items():
        typer.echo(f"{name:14s} {retrieval}: P@1 {r['P@1']:.3f}  P@5 {r['P@5']:.3f}  P@10 {r['P@10']:.3f}  "
                   f"({r['evaluated']} words evaluated, coverage {r['coverage']:.1%})")
    typer.echo(json.dumps(results))


ALIGN_METHODS = ("vecmap", "gw", "identical")


@app.command("align")
def align_cmd(
    src_emb: Path = typer.Argument(..., help="Source embeddings (.vec, word2vec text), frequency-ordered."),
    tgt_emb: Path = typer.Argument(..., help="Target embeddings (.vec), frequency-ordered."),
    out_src: Path = typer.Argument(..., help="Where to write the mapped source embeddings (.vec)."),
    out_tgt: Path = typer.Argument(..., help="Where to write the mapped target embeddings (.vec)."),
    method: str = typer.Option("vecmap", help="vecmap (unsupervised self-learning), gw (Gromov-Wasserstein + Procrustes) or identical (identical strings)."),
    max_words: Optional[int] = typer.Option(5000, help="Use only the first N vectors of each file."),
    seed: int = typer.Option(0),
    time_limit: Optional[float] = typer.Option(None, help="vecmap: stop self-learning after this many seconds."),
    seed_dictionary: Optional[Path] = typer.Option(
        None, help="vecmap only, NOT unsupervised: start self-learning from this MUSE-format dictionary "
                   "(vecmap's --semi_supervised). Report such results separately, on test pairs it does not contain."),
    lexicon: Optional[Path] = typer.Option(
        None, help="Also write the CSLS lexicon of the aligned spaces (source, target, score) as TSV, e.g. to "
                   "start `induce cross --method hybrid --init-lexicon` from an alignment baseline."),
):
    """Align two monolingual embedding spaces without a dictionary (baselines; see langind.crosslingual.align)."""
    from langind.crosslingual import align
    from langind.crosslingual.embeddings import read_word2vec, write_word2vec
    from langind.crosslingual.lexicon import load_dictionary

    if method not in ALIGN_METHODS:
        raise LangindError(f"unknown method {method!r}; choose one of {ALIGN_METHODS}")
    if seed_dictionary is not None and method != "vecmap":
        raise LangindError("--seed-dictionary works with --method vecmap only")
    sw, sv = read_word2vec(src_emb, max_words)
    tw, tv = read_word2vec(tgt_emb, max_words)
    if seed_dictionary is not None:
        pairs = align.dictionary_pairs(sw, tw, load_dictionary(seed_dictionary))
        typer.echo(f"seeded (not unsupervised): {len(pairs[0])} pairs of {seed_dictionary} are in the vocabularies")
        xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=seed, time_limit=time_limit, init="seed",
                                                 seed_pairs=pairs, keep_prob=1.0)
    elif method == "vecmap":
        xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=seed, time_limit=time_limit)
    elif method == "gw":
        xw, zw, info = align.gromov_wasserstein_procrustes(sv, tv, seed=seed)
    else:
        xw, zw, info = align.identical_strings(sw, tw)
    write_word2vec(out_src, sw, xw, skip_specials=False)
    write_word2vec(out_tgt, tw, zw, skip_specials=False)
    typer.echo(f"{method}: {info}; wrote {out_src} and {out_tgt} (evaluate with `langind evaluate`)")
    if lexicon is not None:
        from langind.crosslingual.lexicon import induce_lexicon, write_lexicon

        write_lexicon(lexicon, induce_lexicon(sw, xw, tw, zw))
        typer.echo(f"lexicon: {lexicon}")


# -- data ------------------------------------------------------------------------------------------
@data_app.command("list")
def data_list():
    """Bundled corpora and dictionaries."""
    from langind import data

    for name in data.available_corpora():
        verses = data.load_bible(name)
        n_tok = sum(len(v.tokens) for v in verses)
        typer.echo(f"{name:8s} {data.CORPORA[name][0]}  {len(verses):6d} verses {n_tok:8d} tokens  {data.CORPORA[name][1]}")
    for (s, t), fname in data.DICTIONARIES.items():
        p = data.dictionary_path(s, t)
        if p.is_file():
            n = sum(1 for line in p.read_text(encoding="utf-8").splitlines() if line.strip())
            typer.echo(f"{s}-{t}    dictionary {n} pairs ({fname})")


# -- demo ------------------------------------------------------------------------------------------
@app.command("demo")
def demo(
    out: Path = typer.Option(Path("demo"), help="Where the demo writes its run directories and metrics.json."),
    minutes: float = typer.Option(4.0, help="Training budget for the English LM."),
    recovery_minutes: float = typer.Option(2.0, help="Budget of the wipe-and-recover stage (0 skips it)."),
    cross_minutes: float = typer.Option(3.0, help="Budget of the es→en decipherment stage (0 skips it)."),
    threads: Optional[int] = typer.Option(None, min=1),
    quiet: bool = typer.Option(False, "--quiet"),
):
    """Train an English LM on the bundled Bible, wipe and recover its vocabulary mapping, then induce an es→en lexicon."""
    from langind.experiments.demo import run_demo

    run_demo(out, minutes=minutes, threads=threads, progress=not quiet, echo=typer.echo,
             recovery_minutes=recovery_minutes, cross_minutes=cross_minutes)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code. Usage errors are typer's (exit 2, with usage help)."""
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
