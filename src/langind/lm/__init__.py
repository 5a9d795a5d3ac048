"""Layer 1 — the language model: model, batching, device, checkpoints, training loop, recipes.

Imports only from the core (corpus, vocab, runs, errors, similarity, data).
"""
