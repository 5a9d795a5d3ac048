"""Layer 3 — evaluation: metrics only (BLI precision, recovery bands, WordNet error analysis) and
reports. Imports only from the core and the layers below; never from a method."""
