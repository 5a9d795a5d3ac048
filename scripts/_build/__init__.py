"""The pieces of the data build, one module per source (see ``scripts/build_data.py``).

``common``
    What both build scripts share: repository paths, ``log`` / ``fail``, the Debian package
    check, deterministic gzip writing, word ranking.
``sword_dump``
    Dumps one SWORD module as JSON lines. Runs under Debian's ``/usr/bin/python3`` (the only
    Python with ``python3-sword``), so it imports nothing but the standard library.
``sword``
    The Bibles: reading the dump, cleaning each verse's OSIS markup, the cross-checks against
    SWORD and ``diatheke``, writing ``NAME.tsv.gz``.
``freedict``
    The FreeDict dictionaries: reading dictd files, finding truncated headwords and glued
    translations, extracting the single-word pairs.
``stats``
    The measured numbers: frequent words, dictionary coverage, the statistics block of
    ``src/langind/data/README.md``.

Every module but ``common`` and ``sword_dump`` imports ``langind``; ``scripts/build_data.py``
checks that it can before importing them.
"""
