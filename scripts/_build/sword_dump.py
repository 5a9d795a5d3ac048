"""Dump one SWORD module as JSON lines: ``[osisRef, raw OSIS markup, SWORD plain text]`` a verse.

SWORD's Python binding (``python3-sword``) exists only for Debian's ``/usr/bin/python3``, so
``scripts/build_data.py`` re-runs itself under that interpreter (``--sword-dump MODULE``), which
calls :func:`sword_dump`; :func:`_build.sword.read_module` reads the output. This module must
therefore import nothing but the standard library: no ``langind``, no third-party package, and no
other module of ``_build`` that does.
"""

from __future__ import annotations

import io
import json
import sys


def sword_dump(module_name: str) -> None:
    """Write one JSON line per verse of ``module_name``: [osisRef, raw OSIS, SWORD plain text].

    This function runs under Debian's Python (``import Sword``) and must not import langind.
    The plain text is SWORD's own rendering with footnotes, cross-references and Strong's numbers
    switched off; it is only used to cross-check our cleaning of the raw markup.
    """
    import Sword  # Debian's python3-sword

    mgr = Sword.SWMgr()
    for option, value in [
        ("Footnotes", "Off"), ("Cross-references", "Off"), ("Headings", "Off"),
        ("Strong's Numbers", "Off"), ("Words of Christ in Red", "Off"),
    ]:
        mgr.setGlobalOption(option, value)
    module = mgr.getModule(module_name)
    if module is None:
        sys.exit(f"SWORD module {module_name!r} is not installed")
    module.setSkipConsecutiveLinks(True)  # a linked verse's text is emitted once, under its first key
    module.setPosition(Sword.SW_POSITION(1))  # POS_TOP
    module.popError()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    while True:
        key = Sword.VerseKey.castTo(module.getKey())
        record = [key.getOSISRef(), module.getRawEntry(), module.stripText()]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        module.increment()
        if module.popError() != "\x00":
            break
    out.flush()
