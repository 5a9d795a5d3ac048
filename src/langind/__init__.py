"""langind — language induction.

Data flows through sub-packages, one room each; a module imports only from its own room and the
rooms above it (``tests/test_layering.py``)::

    errors, runs, corpus, vocab, similarity, data   core: one-line errors, run directories and atomic
                                                    writes, text in, ids, vector maths, bundled data
    lm/            the word LM: model, batching, devices, checkpoints, the training loop, recipes
    mapping/       heads into a frozen LM, fitted through it, read out, refined in context
    evaluation/    metrics only (BLI P@k, recovery bands, WordNet analysis) and reports
    crosslingual/  methods between two languages (joint LM, transfer, alignment, coocmap,
                   orthography, in-context re-ranking, confidence, lexicons)
    experiments/   end-to-end pipelines as library functions (self-recovery, induce cross, demo)
    cli            the `langind` command: thin shells over experiments

DEVELOPERS.md lists what lives in each module.
"""

__version__ = "0.1.0"
