"""The wipe-and-recover experiment: scramble a frozen LM's vocabulary, learn the mapping back.

1. Load a trained LM and freeze it.
2. Take a recovery text: the LM's held-out split, books of the same translation it never saw
   (``web:even-books`` against an LM of ``web:odd-books``), another translation of the same book
   (KJV against a WEB-trained LM), or — the earlier exploration's own setting — its training text
   (``train``), where word counts match the LM's exactly.
3. Scramble: a random permutation ``π`` of the word ids (specials stay put); source word
   ``π[t]`` stands for LM word ``t``.
4. Train a mapping head (:mod:`langind.mapping.heads`) through the frozen LM (:mod:`langind.mapping.fit`).
5. Pipeline ``head+context`` only: the frozen LM re-reads the decoded text and re-assigns every
   word by what fits its contexts (:mod:`langind.mapping.context`) — the whole-vocabulary step.
6. Read it out (:mod:`langind.mapping.readout`) and score it (:mod:`langind.evaluation.recovery`): hit@k and the
   Hungarian assignment per frequency band, the count-matching-only baseline beside it, the LM's
   loss with the recovered vs the true mapping, a hit-vs-rank plot, a WordNet error analysis.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from langind.corpus import CorpusSource
from langind.errors import LangindError, check_choice
from langind.evaluation.recovery import (
    DEFAULT_BANDS,
    band_mask,
    count_only_scores,
    recovery_metrics,
)
from langind.evaluation.report import band_table, plot_hit_curve
from langind.evaluation.wordnet import error_analysis, load_wordnet
from langind.lm.batching import evaluate_ids
from langind.lm.checkpoint import check_direction
from langind.lm.hf import HFWordLM, is_hf_model_dir, load_hf_word_lm
from langind.lm.model import WordLM
from langind.mapping import readout
from langind.mapping.context import ContextConfig, refine_in_context
from langind.mapping.fit import FitConfig, check_row_update, fit_head, frozen_setup, load_frozen_lm
from langind.mapping.heads import INITS, MappingHead, check_head_options, make_head
from langind.mapping.solvers import word_count_match
from langind.runs import RunDir, atomic_write_text
from langind.vocab import Vocab, encode_sentences, load_ids

PIPELINES = ("head", "head+context")


@dataclass
class RecoveryConfig:
    """A wipe-and-recover run: the LM, the head, the recovery text, and how the head is fitted."""

    lm: str = ""
    head: str = "vector"
    init: str = "counts"
    normalize: bool = False
    # "valid" (the LM run's held-out split), "train" (its training text) or a corpus spec
    text: str = "valid"
    max_text_tokens: int | None = None
    fit: FitConfig = field(default_factory=FitConfig)  # fit.scramble: input | both
    seed: int = 0
    threads: int | None = None
    device: str = "auto"
    head_options: dict = field(default_factory=dict)
    # keep the head snapshot (one per learning-curve point) whose decoding the frozen LM finds likeliest:
    # unsupervised early stopping — in both mode the free vectors keep lowering the loss while drifting
    # off the words
    select: bool = False
    pipeline: str = "head"  # "head" or "head+context" (the frozen LM re-assigns every word in context)
    context: ContextConfig = field(default_factory=ContextConfig)
    right_lm: str | None = None  # head+context: a right-to-left LM of the same language reads the text backwards too
    # a Hugging Face model (``lm`` an HF directory): recover the text's this-many most frequent tokens
    # (specials included); a langind LM recovers its whole vocabulary
    max_vocab: int = 2000

    def __post_init__(self) -> None:
        check_head_options(self.head, self.head_options)
        check_row_update(bool(self.head_options.get("row_update")), self.fit.scramble)
        check_choice("init", self.init, INITS)
        check_choice("pipeline", self.pipeline, PIPELINES)
        if not self.lm:
            raise LangindError("give the frozen LM (--lm RUN)")
        if self.right_lm is not None and self.pipeline != "head+context":
            raise LangindError("--right-lm reads the text backwards in the context stage: it needs --pipeline head+context")
        if self.max_vocab < 4:
            raise LangindError(f"max vocab must be >= 4 (two specials and two tokens), got {self.max_vocab}")

    @property
    def scramble(self) -> str:
        return self.fit.scramble


def recovery_text(cfg: RecoveryConfig, vocab: Vocab) -> tuple[np.ndarray, str]:
    """The id stream recovery runs on, encoded with the LM's vocab."""
    if cfg.text in ("valid", "train"):
        run = Path(cfg.lm)
        p = run / "data" / f"{cfg.text}.npy"
        if not p.exists():
            raise LangindError(f"{run}: no {cfg.text} split found (data/{cfg.text}.npy); "
                               "pass --corpus FILE or a bundled corpus")
        ids = np.asarray(load_ids(p), dtype=np.int64)
        what = "held-out split of the LM's corpus" if cfg.text == "valid" else "LM's own training text"
    else:
        src = CorpusSource(cfg.text)
        ids = encode_sentences(src.sentences(), vocab).astype(np.int64)
        what = f"corpus {src.name}"
    if cfg.max_text_tokens:
        ids = ids[: cfg.max_text_tokens]
    return ids, what


def hf_frozen_lm(cfg: RecoveryConfig) -> tuple[HFWordLM, Vocab, torch.device, np.ndarray, str]:
    """A Hugging Face causal LM as the frozen LM, over the ``cfg.max_vocab`` tokens most frequent in
    the recovery text (:func:`langind.lm.hf.load_hf_word_lm`); returns (lm, vocab, device, text ids,
    what the text is)."""
    if cfg.text in ("valid", "train"):
        raise LangindError(f"{cfg.lm} is a Hugging Face model, with no held-out split to read: "
                           "give the recovery text (--corpus FILE or a bundled corpus)")
    if cfg.right_lm is not None:
        raise LangindError("--right-lm pairs two langind LMs of one vocabulary; it does not apply to a Hugging Face --lm")
    device = frozen_setup(cfg.device, cfg.seed, cfg.threads)
    lm, vocab, ids = load_hf_word_lm(cfg.lm, cfg.text, cfg.max_vocab)
    if cfg.scramble == "both" and not lm.tied:
        raise LangindError(f"{cfg.lm} has separate input and output embeddings; --scramble both learns one "
                           "vector per word for both: use --scramble input")
    if cfg.max_text_tokens:
        ids = ids[: cfg.max_text_tokens]
    return lm.to(device), vocab, device, ids, f"corpus {CorpusSource(cfg.text).name}"


def scramble(vocab_size: int, n_specials: int, seed: int) -> np.ndarray:
    """``perm[t]`` = the source id that stands for LM word ``t``; specials map to themselves."""
    rng = np.random.default_rng(seed)
    perm = np.arange(vocab_size)
    perm[n_specials:] = n_specials + rng.permutation(vocab_size - n_specials)
    return perm


@dataclass
class Problem:
    """A scrambled recovery problem: what the head sees (``src_ids``) and what scores it (``truth``)."""

    lm: WordLM
    vocab: Vocab
    device: torch.device
    true_ids: np.ndarray  # the recovery text in LM ids
    text_what: str
    src_ids: np.ndarray  # the same text in scrambled ids
    tgt_ids: np.ndarray  # what the LM must predict: scrambled (both) or true (input) ids
    src_counts: np.ndarray
    tgt_counts: np.ndarray  # the LM side's frequencies: its training counts
    match: np.ndarray  # the frequency-rank match (counts init and count-only baseline)
    truth: np.ndarray  # truth[s] = true LM id of source id s (-1 for specials)
    ranks: np.ndarray

    @property
    def present(self) -> np.ndarray:
        """Source ids that occur in the recovery text."""
        return self.src_counts > 0


def setup(cfg: RecoveryConfig) -> Problem:
    """Load and freeze the LM, read the recovery text, scramble it."""
    if is_hf_model_dir(cfg.lm):
        lm, vocab, device, true_ids, text_what = hf_frozen_lm(cfg)
    else:
        if cfg.right_lm is not None:  # checked now, not after the head's minutes
            check_direction(cfg.right_lm, reversed_=True)
        lm, vocab, device = load_frozen_lm(cfg.lm, cfg.device, cfg.seed, cfg.threads)
        true_ids, text_what = recovery_text(cfg, vocab)
    V, ns = len(vocab), vocab.n_specials
    if len(true_ids) < cfg.fit.batch_size * (cfg.fit.bptt + 2):
        raise LangindError(f"recovery text has only {len(true_ids)} tokens; give a longer text")
    perm = scramble(V, ns, cfg.seed)
    inv = np.argsort(perm)  # inv[s] = true word of source id s
    src_ids = perm[true_ids]
    src_counts = np.bincount(src_ids, minlength=V)
    # the LM side's frequencies are its training counts (the recovery text's true words are unknown)
    tgt_counts = np.asarray(vocab.counts, dtype=np.int64)
    truth = inv.copy()
    truth[:ns] = -1  # specials are not scored
    return Problem(lm, vocab, device, true_ids, text_what, src_ids,
                   src_ids if cfg.scramble == "both" else true_ids, src_counts, tgt_counts,
                   word_count_match(src_counts, tgt_counts, ns), truth, inv - ns)


def fit(cfg: RecoveryConfig, pb: Problem, echo=print) -> tuple[MappingHead, list[dict], list[dict]]:
    """Build the head and fit it through the frozen LM; returns (head, history, learning curve)."""
    V, ns = len(pb.vocab), pb.vocab.n_specials
    head = make_head(cfg.head, pb.lm.input_table, pb.lm.out_bias, V, init=cfg.init,
                     match=torch.as_tensor(pb.match), normalize=cfg.normalize, **cfg.head_options)
    echo(f"recovering {V - ns} words with the {cfg.head} head ({cfg.scramble} mode, {cfg.init} init) "
         f"on {len(pb.true_ids):,} tokens of the {pb.text_what}; {int(pb.present[ns:].sum())} words occur in it")
    curve: list[dict] = []
    best: dict = {}

    def on_eval(rec: dict) -> None:
        m = recovery_metrics(head.scores(), pb.truth, pb.ranks, pb.src_counts, bands=DEFAULT_BANDS, ks=(1,))
        rec.update({b: m[b]["hit@1"] for b in m})
        if cfg.select:
            rec["decoded_loss"] = decoded_loss(pb, head.scores())
            if rec["decoded_loss"] < best.get("loss", math.inf):
                best.update(loss=rec["decoded_loss"], step=rec["step"],
                            state={k: v.detach().clone() for k, v in head.state_dict().items()})
        curve.append(dict(rec))

    history = fit_head(pb.lm, head, pb.src_ids, pb.tgt_ids, cfg.fit, callback=on_eval, device=pb.device)
    if cfg.select and best and decoded_loss(pb, head.scores()) > best["loss"]:
        head.load_state_dict(best["state"])
        echo(f"kept the head of step {best['step']}: the frozen LM reads its decoding best "
             f"(loss {best['loss']:.3f})")
        history[-1]["selected_step"] = best["step"]
    return head, history, curve


def decoding(pb: Problem, assign: np.ndarray) -> np.ndarray:
    """Source id → the LM id it is read as under a one-to-one readout: specials (sentence ends) as
    themselves, words the readout left unmatched as ``<unk>``."""
    V, ns = len(pb.vocab), pb.vocab.n_specials
    return np.where(np.arange(V) < ns, np.arange(V), np.where(assign >= 0, assign, pb.vocab.unk_id))


def decoded_loss(pb: Problem, scores, n_tokens: int = 50_000) -> float:
    """The frozen LM's loss (its own tables) on the recovery text decoded by the one-to-one readout of
    ``scores``: an unsupervised measure of a mapping — the likelier the decoding, the better."""
    V, ns = len(pb.vocab), pb.vocab.n_specials
    rows = np.flatnonzero(pb.present & (pb.truth >= 0))
    assign = readout.assignment(scores, rows=rows, cols=np.arange(ns, V))
    return evaluate_ids(pb.lm, decoding(pb, assign)[pb.src_ids[:n_tokens]], pb.device)


def read_out(cfg: RecoveryConfig, pb: Problem, head: MappingHead, echo=print) -> tuple[np.ndarray, np.ndarray, dict]:
    """The head's scores and one-to-one assignment; with the ``head+context`` pipeline, refined by the
    frozen LM in context. Returns (scores, assignment, stages) — stages records the head's own bands
    and the context rounds, so the refinement's gain is measured on every run."""
    V, ns = len(pb.vocab), pb.vocab.n_specials
    scores = head.scores().float().cpu().numpy()
    rows = np.flatnonzero(pb.present & (pb.truth >= 0))
    cols = np.arange(ns, V)
    assign = readout.assignment(scores, rows=rows, cols=cols)
    stages: dict = {}
    if cfg.pipeline == "head+context":
        stages["head_bands"] = recovery_metrics(scores, pb.truth, pb.ranks, pb.src_counts, assign)
        t0 = time.time()
        prior = head.context_prior().float().cpu().numpy()
        right = None
        if cfg.right_lm is not None:
            # its direction was checked by setup, before the head's minutes
            right_lm, right_vocab, _ = load_frozen_lm(cfg.right_lm, cfg.device, seed=cfg.seed, threads=cfg.threads)
            right = (right_lm, np.array([right_vocab.stoi.get(w, right_vocab.unk_id) for w in pb.vocab.itos]))
        assign, scores, rounds = refine_in_context(pb.lm, pb.src_ids, prior, decoding(pb, assign), rows, cols,
                                                   pb.vocab.unk_id, pb.vocab.eos_id, cfg.context, pb.device,
                                                   echo=echo, right=right)
        stages["context"] = {"rounds": rounds, "seconds": round(time.time() - t0, 1)}
    return scores, assign, stages


def score(cfg: RecoveryConfig, pb: Problem, scores: np.ndarray, assign: np.ndarray) -> dict:
    """Score a readout: bands, count-only baseline, LM loss, WordNet error analysis."""
    V, ns, vocab = len(pb.vocab), pb.vocab.n_specials, pb.vocab
    truth, ranks, present = pb.truth, pb.ranks, pb.present
    rows = np.flatnonzero(present & (truth >= 0))
    bands = recovery_metrics(scores, truth, ranks, pb.src_counts, assign)
    co_assign = np.where(present, pb.match, -1)
    count_only = recovery_metrics(count_only_scores(pb.src_counts, pb.tgt_counts, ns), truth, ranks,
                                  pb.src_counts, co_assign)

    # the frozen LM's loss on the text decoded by the recovered mapping vs the true text
    n_eval = min(len(pb.true_ids), 100_000)
    decoded = decoding(pb, assign)
    loss_true = evaluate_ids(pb.lm, pb.true_ids[:n_eval], pb.device)
    loss_rec = evaluate_ids(pb.lm, decoded[pb.src_ids[:n_eval]], pb.device)

    # mistakes: top-1 errors among words in the text, and an example table
    top5 = readout.topk(scores, 5)
    wrong = [s for s in rows if top5[s, 0] != truth[s]]
    wordnet = load_wordnet()
    errors = {}
    for band in DEFAULT_BANDS:
        in_band = band_mask(band, ranks, pb.src_counts, V - ns)
        pairs = [(vocab.itos[truth[s]], vocab.itos[top5[s, 0]]) for s in wrong if top5[s, 0] >= ns and in_band[s]]
        errors[band] = error_analysis(pairs, wordnet)
    examples = [{"true": vocab.itos[truth[s]], "rank": int(ranks[s]),
                 "top5": [vocab.itos[t] for t in top5[s]],
                 "relation": wordnet.relation(vocab.itos[truth[s]], vocab.itos[top5[s, 0]]) if wordnet else None}
                for s in sorted(wrong, key=lambda s: ranks[s])[:25]]
    curves = {"hit@1": (top5[rows, 0] == truth[rows]).astype(float),
              "hit@5": (top5[rows] == truth[rows, None]).any(1).astype(float),
              "assignment": (assign[rows] == truth[rows]).astype(float),
              "count-only": (co_assign[rows] == truth[rows]).astype(float)}
    return {"bands": bands, "count_only": count_only,
            "lm_loss": {"true_mapping": loss_true, "recovered_mapping": loss_rec,
                        "true_ppl": math.exp(loss_true), "recovered_ppl": math.exp(min(loss_rec, 50))},
            "errors": errors, "examples": examples, "_curves": (ranks[rows], curves)}


def write(run: RunDir, cfg: RecoveryConfig, result: dict, curves) -> None:
    """metrics.json, the hit-vs-rank plot and report.md."""
    run.write_metrics(result)
    plot_hit_curve(run / "hit_vs_rank.png", *curves,
                   f"{cfg.head} head, {cfg.scramble} mode, {cfg.init} init, {result['seconds'] / 60:.1f} min")
    atomic_write_text(run / "report.md", self_report(result))


def recover_self(cfg: RecoveryConfig, out: str | Path, echo=print) -> dict:
    """The wipe-and-recover experiment end to end (setup → fit → score → write); returns the metrics."""
    pb = setup(cfg)  # checks the LM and the text before anything is written: a bad input leaves no run directory
    run = RunDir(out)
    run.write_config({"command": "induce self", **asdict(cfg)})
    t0 = time.time()
    head, history, curve = fit(cfg, pb, echo)
    scores, assign, stages = read_out(cfg, pb, head, echo)
    scored = score(cfg, pb, scores, assign)
    curves = scored.pop("_curves")
    V, ns = len(pb.vocab), pb.vocab.n_specials
    head_seconds = history[-1]["seconds"]
    result = {
        "head": cfg.head, "scramble": cfg.scramble, "init": cfg.init, "normalize": cfg.normalize,
        "pipeline": cfg.pipeline, "seed": cfg.seed, "head_seconds": head_seconds,
        "seconds": round(head_seconds + stages.get("context", {}).get("seconds", 0.0), 1),
        "steps": history[-1]["step"], "selected_step": history[-1].get("selected_step"), "vocab_size": V, **stages,
        "text": pb.text_what, "text_tokens": int(len(pb.true_ids)), "words_in_text": int(pb.present[ns:].sum()),
        **scored, "curve": curve, "total_seconds": round(time.time() - t0, 1),
    }
    write(run, cfg, result, curves)
    return result


def self_report(r: dict) -> str:
    lines = [
        f"# Self-recovery: {r['head']} head, `{r['scramble']}` mode, `{r['init']}` init",
        "",
        f"{r['vocab_size']} vocab entries, {r['words_in_text']} words occur in the recovery text "
        f"({r['text']}, {r['text_tokens']:,} tokens); {r['steps']} steps in {r['seconds']:.0f} s.",
        "",
        band_table(r["bands"], r["count_only"]),
        "",
        *(["Pipeline `head+context`; the head alone, before the frozen LM re-read the text:", "",
           band_table(r["head_bands"]), ""] if "head_bands" in r else []),
        "`count-only` is the accuracy of matching words by frequency rank alone "
        "(the `counts` initialisation before any learning).",
        "",
        f"Frozen LM perplexity on the recovery text: true mapping {r['lm_loss']['true_ppl']:.1f}, "
        f"recovered (assignment) mapping {r['lm_loss']['recovered_ppl']:.1f}.",
        "",
        "## Top-1 errors",
        "",
    ]
    any_wn = any(e.get("wordnet") for e in r["errors"].values())
    if any_wn:
        lines += ["WordNet relation of the wrong top-1 guess to the true word (co-hyponym = shared direct "
                  "hypernym, any sense):", "",
                  "| band | errors | same lemma | synonym | co-hyponym | unrelated | not in WordNet |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for band, e in r["errors"].items():
            c = e["counts"]
            lines.append(f"| {band} | {e['errors']} | {c['same-lemma']} | {c['synonym']} | {c['co-hyponym']} | "
                         f"{c['none']} | {c['unknown']} |")
    else:
        lines.append("WordNet is not installed (`apt-get install wordnet-base`), so errors are not classified.")
    lines += ["", "| true word | rank | top-5 | WordNet relation of top-1 |", "|---|---:|---|---|"]
    for ex in r["examples"]:
        lines.append(f"| {ex['true']} | {ex['rank']} | {', '.join(ex['top5'])} | {ex['relation'] or '–'} |")
    lines += ["", "![hit rate by frequency rank](hit_vs_rank.png)", ""]
    return "\n".join(lines)
