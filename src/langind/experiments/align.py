"""The ``align`` pipeline: two monolingual embedding files in, two aligned ones (and a lexicon) out.

:func:`align_files` is what ``langind align`` runs: read word2vec text files, align them with one of
the dictionary-free baselines of :mod:`langind.crosslingual.align` (or, labelled as *not*
unsupervised, from a seed dictionary), write the mapped spaces and optionally the CSLS lexicon.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from langind.crosslingual import align
from langind.crosslingual.embeddings import read_word2vec, write_word2vec
from langind.crosslingual.lexicon import induce_lexicon, write_lexicon
from langind.errors import LangindError, check_choice
from langind.evaluation.bli import load_dictionary

ALIGN_METHODS = ("vecmap", "gw", "identical")


@dataclass
class AlignConfig:
    method: str = "vecmap"
    top: int | None = 5000  # use only the first (most frequent) N vectors of each file
    seed: int = 0
    minutes: float | None = None  # vecmap: budget of self-learning
    seed_dictionary: str | None = None  # vecmap only, NOT unsupervised (vecmap's --semi_supervised)

    def __post_init__(self) -> None:
        check_choice("method", self.method, ALIGN_METHODS)
        if self.minutes is not None and self.minutes <= 0:
            raise LangindError(f"--minutes must be > 0, got {self.minutes}")
        if self.seed_dictionary is not None and self.method != "vecmap":
            raise LangindError("--seed-dictionary works with --method vecmap only")


def align_files(cfg: AlignConfig, src_emb: str | Path, tgt_emb: str | Path, out_src: str | Path,
                out_tgt: str | Path, lexicon: str | Path | None = None,
                echo: Callable[[str], None] = print) -> dict:
    """Align ``src_emb`` with ``tgt_emb`` (word2vec text, frequency-ordered); returns the solver's info."""
    sw, sv = read_word2vec(src_emb, cfg.top)
    tw, tv = read_word2vec(tgt_emb, cfg.top)
    time_limit = cfg.minutes * 60 if cfg.minutes else None
    if cfg.seed_dictionary is not None:
        pairs = align.dictionary_pairs(sw, tw, load_dictionary(cfg.seed_dictionary))
        echo(f"seeded (not unsupervised): {len(pairs[0])} pairs of {cfg.seed_dictionary} are in the vocabularies")
        xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=cfg.seed, time_limit=time_limit, init="seed",
                                                 seed_pairs=pairs, keep_prob=1.0)
    elif cfg.method == "vecmap":
        xw, zw, info = align.vecmap_unsupervised(sv, tv, seed=cfg.seed, time_limit=time_limit)
    elif cfg.method == "gw":
        xw, zw, info = align.gromov_wasserstein_procrustes(sv, tv, seed=cfg.seed)
    else:
        xw, zw, info = align.identical_strings(sw, tw)
    write_word2vec(out_src, sw, xw, skip_specials=False)
    write_word2vec(out_tgt, tw, zw, skip_specials=False)
    echo(f"{cfg.method}: {info}; wrote {out_src} and {out_tgt} (evaluate with `langind evaluate`)")
    if lexicon is not None:
        write_lexicon(lexicon, induce_lexicon(sw, xw, tw, zw))
        echo(f"lexicon: {lexicon}")
    return info
