"""Sentence-level translation quality: chrF and BLEU by sacrebleu (Post 2018, "A call for clarity in
reporting BLEU scores"), with the signatures that say exactly how they were computed.

Hypotheses are detokenised text and references the raw reference sentences; sacrebleu tokenises
both itself (BLEU's ``13a`` tokeniser; chrF works on characters), as shared tasks score. Nothing
here knows how the hypotheses were made.
"""

from __future__ import annotations

from langind.errors import LangindError


def translation_scores(hypotheses: list[str], references: list[str]) -> dict:
    """Corpus chrF (character 6-grams, β = 2) and BLEU (4-grams, 13a) of ``hypotheses`` against one
    reference each. Returns ``{"chrF", "BLEU", "sentences", "signatures": {"chrF", "BLEU"}}``."""
    from sacrebleu.metrics import BLEU, CHRF

    if len(hypotheses) != len(references):
        raise LangindError(f"{len(hypotheses)} hypotheses but {len(references)} references")
    if not hypotheses:
        raise LangindError("nothing to score: no sentences")
    chrf, bleu = CHRF(), BLEU()
    c = chrf.corpus_score(hypotheses, [references])
    b = bleu.corpus_score(hypotheses, [references])
    return {"chrF": round(c.score, 2), "BLEU": round(b.score, 2), "sentences": len(hypotheses),
            "signatures": {"chrF": str(chrf.get_signature()), "BLEU": str(bleu.get_signature())}}
