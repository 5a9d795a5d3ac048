"""Layer 5 — experiments: end-to-end pipelines (self-recovery, induce-cross, demo) as library
functions the CLI and the benchmarks call. Imports from every layer below, never from the CLI."""
