"""langind — language induction.

Data flows through one module per room::

    corpus      raw UTF-8 text -> token lists (validation of user files, streaming)
    vocab       token lists -> Vocab and compact id arrays
    lm          the word LM (embedding table | LSTM body | output layer)
    train       training loop (one-cycle AdamW, BPTT, DDP), perplexity
    checkpoint  safetensors checkpoints, validated on load
    runs        run directories and atomic writes
    data        the bundled corpora and dictionaries
    cli         the `langind` command
"""

__version__ = "0.1.0"
