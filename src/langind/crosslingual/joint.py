"""Cross-lingual lexicon induction with a joint multilingual LM (Wada & Iwata 2018/2019).

Wada & Iwata, "Unsupervised Cross-lingual Word Embedding by Multilingual Neural Language Models"
(arXiv 1809.02306) and "Unsupervised Multilingual Word Embedding with Limited Resources using Neural
Language Models" (ACL 2019): one LSTM body is shared by all languages, each language has its own
embedding table (:class:`langind.lm.multilingual.MultilingualLM`). The body must serve both
languages with one set of weights, which pushes words that play the same role in their sentences
to the same region of the shared input space — so the two embedding tables end up aligned, with no
dictionary and no parallel text. Translations are read out by CSLS between the tables.

The LM is trained by the LM's own loop (:class:`langind.lm.train.LMTrainer`: one window per
language per step, losses summed, each corpus's own train split; resumable checkpoints in
``RUN/checkpoints``); no verse alignment, no dictionary — the dictionary is used only by the
evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from langind import data
from langind.crosslingual.lexicon import score_and_write
from langind.errors import LangindError
from langind.evaluation.bli import load_dictionary
from langind.lm.checkpoint import lm_run_checkpoint, load_multilingual
from langind.lm.model import LMConfig
from langind.lm.multilingual import MultilingualLM
from langind.lm.train import TrainConfig, train_lm
from langind.vocab import Vocab, top_words


def _joint_training() -> TrainConfig:
    # the reference schedule with a larger vocabulary per language, a smaller validation share
    # (two corpora to learn from) and a 10-minute budget; ``corpus`` is filled in from the pair
    return TrainConfig(corpus={}, max_vocab=10000, valid_fraction=0.02, epochs=3, minutes=10.0)


@dataclass
class JointConfig:
    """The joint LM run: the two languages and corpora, the model shape and how it is trained
    (``train``: a :class:`TrainConfig`, its ``corpus`` set from the pair)."""

    src: str = "es"
    tgt: str = "en"
    src_corpus: str = "rv1909"
    tgt_corpus: str = "web"
    model: LMConfig = field(default_factory=LMConfig)
    train: TrainConfig = field(default_factory=_joint_training)

    def __post_init__(self) -> None:
        if isinstance(self.model, dict):
            self.model = LMConfig.from_dict(self.model)
        if isinstance(self.train, dict):
            self.train = TrainConfig(**self.train)
        if self.src == self.tgt:
            raise LangindError(f"source and target languages must differ (both are {self.src!r})")
        if not 0.0 < self.train.valid_fraction < 1.0:
            raise LangindError(f"valid fraction must be in (0, 1), got {self.train.valid_fraction}")
        self.train = replace(self.train, corpus={self.src: self.src_corpus, self.tgt: self.tgt_corpus})


def joint_config(src: str, tgt: str, src_corpus: str, tgt_corpus: str, model: LMConfig | None = None,
                 **train: object) -> JointConfig:
    """A :class:`JointConfig` for a pair, ``train`` replacing fields of the default training
    configuration (e.g. ``minutes``, ``seed``, ``threads``, ``progress``)."""
    return JointConfig(src, tgt, src_corpus, tgt_corpus, model or LMConfig(), replace(_joint_training(), **train))


def train_joint(cfg: JointConfig, out: str | Path, echo: Callable[[str], None] = print) -> dict:
    """Train the shared-body LM on both corpora into run directory ``out`` (checkpoints, vocabs,
    metrics). Returns ``{"steps", "seconds", "valid_ppl": {lang: perplexity}}``."""
    m = train_lm(out, cfg.train, cfg.model, command="induce cross (joint-lm)", echo=echo)
    best = min(m["epochs"], key=lambda e: e["valid_loss"])
    ppl = best["valid_ppl_by_lang"]
    echo(f"trained {m['steps']} steps in {m['train_seconds']:.0f}s; validation perplexity "
         + ", ".join(f"{lg} {p:.1f}" for lg, p in ppl.items()))
    return {"steps": m["steps"], "seconds": m["train_seconds"], "valid_ppl": ppl}


def load_joint(run: str | Path) -> tuple[MultilingualLM, dict[str, Vocab]]:
    """The best checkpoint of a joint run, frozen."""
    model, vocabs = load_multilingual(lm_run_checkpoint(run))
    return model.freeze(), vocabs


def word_table(model: MultilingualLM, vocab: Vocab, lang: str, top: int | None = None) -> tuple[list[str], np.ndarray]:
    """The ``top`` most frequent words of a language (no specials, no punctuation) and their vectors."""
    return top_words(vocab, model.embeddings[lang].weight.detach().cpu().numpy(), top)


def evaluate_joint(run: str | Path, src: str, tgt: str, dictionary: str | Path | None = None,
                   top: int = 5000) -> dict:
    """P@k (NN, CSLS, accent-folded CSLS) between the two tables — by ``dictionary``, else the pair's
    bundled one; not scored when there is neither — and the lexicon TSV written into ``run``."""
    model, vocabs = load_joint(run)
    sw, sv = word_table(model, vocabs[src], src, top)
    tw, tv = word_table(model, vocabs[tgt], tgt, top)
    if dictionary is None and (src, tgt) in data.DICTIONARIES:
        dictionary = data.dictionary_path(src, tgt)
    d = load_dictionary(dictionary) if dictionary else None
    return score_and_write(Path(run), src, tgt, sw, sv, tw, tv, d)
