"""langind — language induction.

Data flows through one module per room::

    corpus      raw UTF-8 text -> token lists (validation of user files, streaming)
    vocab       token lists -> Vocab and compact id arrays
    lm          the word LM (embedding table | LSTM body | output layer)
    train       training loop (one-cycle AdamW, BPTT, DDP), perplexity
    checkpoint  safetensors checkpoints, validated on load
    runs        run directories and atomic writes
    heads       mapping heads: linear, softmax, sinkhorn, gumbel-sinkhorn, vector
    decipher    training a head through a frozen LM
    readout     argmax, top-k, exact assignment
    lexicon     bilingual dictionaries and induced lexicons
    evaluate    hit@k bands, WordNet analysis, CSLS and P@k
    report      markdown tables and plots
    recovery    the wipe-and-recover experiment
    crosslingual joint multilingual LM for lexicon induction
    embeddings  word2vec text format
    data        the bundled corpora and dictionaries
    cli         the `langind` command
"""

__version__ = "0.1.0"
