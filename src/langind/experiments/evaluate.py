"""What ``langind lm eval`` and ``langind evaluate`` run: an LM's perplexity on a text, and the BLI
precision of two aligned embedding files. The CLI only prints the results."""

from __future__ import annotations

import math
from pathlib import Path

from langind import data
from langind.corpus import CorpusSource
from langind.crosslingual.embeddings import read_word2vec
from langind.errors import LangindError, check_choice
from langind.evaluation.bli import bli_precision, load_dictionary
from langind.lm.batching import evaluate_ids
from langind.lm.checkpoint import lm_run_checkpoint, load_lm
from langind.lm.device import pick_device
from langind.vocab import encode_sentences, load_ids


def lm_perplexity(run: str | Path, corpus: str | None = None, checkpoint: str = "best", device: str = "auto") -> dict:
    """Loss and perplexity of an LM run's ``checkpoint`` on ``corpus`` (a file or corpus spec), or on
    the run's own validation split. Returns ``{"text", "tokens", "loss", "perplexity", "unk_rate"}``."""
    check_choice("checkpoint", checkpoint, ("best", "last"))
    dev = pick_device(device)
    model, vocab = load_lm(lm_run_checkpoint(run, checkpoint), dev)
    if corpus is None:
        ids, what = load_ids(Path(run) / "data" / "valid.npy"), "validation split"
    else:
        src = CorpusSource(corpus)
        ids, what = encode_sentences(src.sentences(), vocab), src.name
    loss = evaluate_ids(model, ids, dev)
    return {"text": what, "tokens": int(len(ids)), "loss": loss, "perplexity": math.exp(loss),
            "unk_rate": float((ids == vocab.unk_id).mean())}


def evaluate_spaces(src_emb: str | Path, tgt_emb: str | Path, dictionary: str | Path | None = None,
                    src: str = "es", tgt: str = "en", retrieval: str = "csls", top: int | None = None,
                    fold_accents: bool = False, csls_k: int = 10) -> dict:
    """P@1/5/10 of two aligned ``.vec`` files (the first ``top`` vectors of each) against
    ``dictionary`` (default: the bundled one of ``src``-``tgt``): ``{"plain": …}`` and, with
    ``fold_accents``, ``{"accent_folded": …}`` beside it."""
    sw, sv = read_word2vec(src_emb, top)
    tw, tv = read_word2vec(tgt_emb, top)
    if sv.shape[1] != tv.shape[1]:
        raise LangindError(f"dimensions differ ({sv.shape[1]} vs {tv.shape[1]}): the spaces are not aligned")
    d = load_dictionary(dictionary if dictionary is not None else data.dictionary_path(src, tgt))
    results = {"plain": bli_precision(sw, sv, tw, tv, d, retrieval, csls_k=csls_k)}
    if fold_accents:
        results["accent_folded"] = bli_precision(sw, sv, tw, tv, d, retrieval, csls_k=csls_k, fold=True)
    return results
