"""Layer 2 — mapping: heads from source words into a frozen LM's space, count matching, readouts,
and fitting a head through a frozen LM. Imports only from the core and ``langind.lm``."""
