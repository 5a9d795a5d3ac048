"""Layer 4 — cross-lingual methods: joint LM, frozen-LM transfer, alignment baselines, embeddings
I/O, lexicons. Imports only from the core and the layers below."""
