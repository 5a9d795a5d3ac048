"""What a lexicon-induction run is asked to do: :class:`CrossConfig`, validated before any run
directory is made, and the method names it accepts (:mod:`langind.induction.methods` describes each)."""

from __future__ import annotations

from dataclasses import dataclass, field

from langind import data
from langind.crosslingual.cipher import CipherConfig
from langind.crosslingual.incontext import InContextConfig
from langind.crosslingual.joint import JointConfig
from langind.crosslingual.neural_context import NeuralContextConfig
from langind.crosslingual.signature import SignatureConfig
from langind.crosslingual.transfer import check_anchor
from langind.errors import LangindError, check_choice
from langind.mapping.fit import FitConfig


LM_METHODS = ("joint-lm", "decipher", "hybrid", "swap")
ALIGNMENT_METHODS = ("coocmap", "coocmap-clip", "coocmap-drop", "coocmap-grow", "vecmap")
CANDIDATE_METHODS = ALIGNMENT_METHODS + ("orthography",)  # what may propose incontext's candidates
CROSS_METHODS = ("auto",) + LM_METHODS + CANDIDATE_METHODS + ("incontext", "cipher")
# what ``auto`` tries, each checked by its own confidence: the robust aligner first, then the one that is
# stronger on parallel text but collapses on non-parallel text, tried only where the first found an alignment
AUTO_ALIGNERS = ("coocmap-grow", "coocmap-drop")
LEXICON_ROWS = 10  # rows per source word in a corpus-level method's lexicon TSV


def bundled_corpus(lang: str) -> str:
    """The bundled corpus of a language (``en`` → ``web``, ``es`` → ``rv1909``)."""
    for name, (lg, _) in data.CORPORA.items():
        if lg == lang:
            return name
    raise LangindError(f"no bundled corpus for language {lang!r}; give --src-corpus/--tgt-corpus")


@dataclass
class CrossConfig:
    """Everything ``induce cross`` needs; validated before any run directory is made."""

    src: str = "es"
    tgt: str = "en"
    method: str = "auto"  # one pipeline for any pair (auto_result); the others are its parts and its rivals
    src_corpus: str | None = None  # default: the bundled corpus of ``src``
    tgt_corpus: str | None = None  # default: the bundled corpus of ``tgt`` (when a method needs it)
    dictionary: str | None = None  # evaluation only; default: the bundled FreeDict of the pair, if any (else unscored)
    minutes: float = 10.0  # budget of the method (hybrid: of each of its two stages)
    lm: str | None = None  # frozen target LM run (default: train the ``reference`` recipe)
    src_lm: str | None = None  # swap: source LM run (default: train the ``reference`` recipe)
    right_lm: str | None = None  # incontext / auto with ``lm``: a right-to-left target LM run (trained on reversed:TEXT)
    init_lexicon: str | None = None  # hybrid: start here instead of training the joint LM
    anchor: float = FitConfig.anchor
    lm_minutes: float = 16.0  # budget of each LM trained because none was given
    joint: JointConfig = field(default_factory=JointConfig)  # joint-lm settings (pair, budget, seed filled in)
    top: int = 5000  # evaluate and translate the N most frequent words of each side
    # coocmap: the full matching runs on the N most frequent tokens of each side; rarer words up to
    # ``top`` are placed through the core's pairs (coocmap.tail_spaces) — memory ~ top·core, not top²
    core: int = 5000
    window: int = 5  # coocmap: co-occurrence window
    w2v_epochs: int = 20  # vecmap: word2vec epochs (small corpora need many; README, word2vec settings)
    candidates: str = "coocmap-grow"  # incontext: the aligner whose top-k candidates the LM re-ranks
    # spelling evidence for the corpus-level methods (weak supervision; see module doc): None = on when the
    # two texts share an alphabet, off (with a note) when they do not; True insists (error if they do not)
    orthography: bool | None = None
    spelling_weight: float = 1.0  # weight of the spelling similarity beside the aligner's cosine
    incontext: InContextConfig = field(default_factory=InContextConfig)
    neural: NeuralContextConfig = field(default_factory=NeuralContextConfig)  # incontext with --tgt-lm
    cipher: CipherConfig = field(default_factory=CipherConfig)  # cipher, and auto's fall-back
    # cipher and auto's fall-back, with spelling: neighbour signatures re-rank spelling's candidates
    signature: SignatureConfig = field(default_factory=SignatureConfig)
    seed: int = 0
    threads: int | None = None
    device: str = "auto"  # where the LMs, coocmap's loop and the blocked ranking run: auto = CUDA when present
    progress: bool = True

    def __post_init__(self) -> None:
        check_choice("method", self.method, CROSS_METHODS)
        check_choice("candidate aligner", self.candidates, CANDIDATE_METHODS)
        if self.spelling_weight < 0:
            raise LangindError(f"spelling weight must be >= 0, got {self.spelling_weight}")
        if "orthography" in (self.method, self.method == "incontext" and self.candidates) and self.orthography is False:
            raise LangindError("orthography is spelling alone; it cannot run with --no-orthography")
        if self.src == self.tgt:
            raise LangindError(f"source and target languages must differ (both are {self.src!r})")
        if self.top < 1 or self.core < 10:
            raise LangindError(f"--top must be >= 1 and --core >= 10, got {self.top} and {self.core}")
        if self.right_lm is not None and (self.lm is None or self.method not in ("incontext", "auto")):
            raise LangindError("--right-lm adds a right-to-left LM to the neural in-context re-ranking: it needs "
                               "--tgt-lm (the left-to-right LM) and --method incontext or auto")
        if self.minutes <= 0 or self.lm_minutes <= 0:
            raise LangindError("budgets (--minutes, --lm-minutes) must be > 0")
        check_anchor(self.method, self.fit_config.anchor)  # FitConfig checks the anchor's range
        self.src_corpus = self.src_corpus or bundled_corpus(self.src)
        if self.needs_target_text:
            self.tgt_corpus = self.tgt_corpus or bundled_corpus(self.tgt)

    @property
    def fit_config(self) -> FitConfig:
        """How decipher/hybrid fit their vectors through the frozen LM (validated with this config)."""
        return FitConfig(scramble="both", minutes=self.minutes, eval_every=None, anchor=self.anchor, progress=self.progress)

    @property
    def aligns_corpora(self) -> bool:
        return self.method in CANDIDATE_METHODS or self.method in ("incontext", "auto", "cipher")

    @property
    def family(self) -> str:
        """The benchmark's family of this run: ``orthography`` when spelling is used at all."""
        if self.method == "orthography" or (self.orthography and self.aligns_corpora):
            return "orthography"
        return "lm" if self.method in LM_METHODS or self.method in ("incontext", "cipher") else "alignment"

    @property
    def trains_joint(self) -> bool:
        return self.method == "joint-lm" or (self.method == "hybrid" and self.init_lexicon is None)

    @property
    def needs_target_text(self) -> bool:
        return self.trains_joint or self.aligns_corpora or (self.method != "joint-lm" and self.lm is None)

    @property
    def dense_words(self) -> int:
        """How many words a side the method compares all-against-all (the V² part of its memory)."""
        return min(self.top, self.core) if self.method_aligner.startswith("coocmap") else self.top

    @property
    def method_aligner(self) -> str:
        """The aligner that computes this run's similarities (``incontext``: its candidates' aligner)."""
        if self.method == "auto":
            return AUTO_ALIGNERS[0]
        if self.method == "cipher":
            return "orthography"  # its ranking beyond the deciphered words: spelling's (or frequency's) all-against-all
        return self.candidates if self.method == "incontext" else self.method

    @property
    def depth(self) -> int:
        """Ranked target rows kept per source word: the lexicon's rows and the re-rankers' candidates."""
        return max(LEXICON_ROWS, self.incontext.k, self.neural.k)

    @property
    def dictionary_path(self):
        """The test dictionary this run is scored with: ``dictionary``, else the bundled one of the
        pair (the language codes are free labels: a pair with neither is induced and not scored)."""
        if self.dictionary is not None:
            return self.dictionary
        return data.dictionary_path(self.src, self.tgt) if (self.src, self.tgt) in data.DICTIONARIES else None
