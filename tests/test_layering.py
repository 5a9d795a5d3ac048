"""The package layout is the data flow: each layer imports only from itself and the layers below.

core (corpus, vocab, runs, errors, similarity, data) ← lm ← mapping ← evaluation ← crosslingual ← induction ←
experiments ← cli. A module that reaches up (e.g. an evaluation module importing a method) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import langind

LAYERS = {
    "errors": 0, "progress": 0, "runs": 0, "corpus": 0, "vocab": 0, "similarity": 0, "data": 0, "__init__": 0,
    "lm": 1, "mapping": 2, "evaluation": 3, "crosslingual": 4, "induction": 5, "experiments": 6, "cli": 7, "cli_induce": 7,
    "__main__": 7,
}
ROOT = Path(langind.__file__).parent


def layer_of(module: str) -> int:
    """Layer of a dotted module name inside langind (``langind.lm.train`` → 1)."""
    parts = module.split(".")
    assert parts[0] == "langind"
    if len(parts) == 1:
        return 0
    assert parts[1] in LAYERS, f"langind.{parts[1]} is in no layer; add it to LAYERS (and to DEVELOPERS.md)"
    return LAYERS[parts[1]]


def imports_of(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names if a.name.split(".")[0] == "langind"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "langind":
            if node.module == "langind":  # from langind import data / lm / ...
                out += [f"langind.{a.name}" for a in node.names if a.name in LAYERS]
            else:
                out.append(node.module)
    return out


def test_every_module_imports_only_from_its_layer_or_below():
    offences = []
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 25
    for path in modules:
        rel = path.relative_to(ROOT.parent).with_suffix("")
        own = layer_of(".".join(rel.parts))
        for target in imports_of(path):
            if layer_of(target) > own:
                offences.append(f"{'/'.join(rel.parts)} (layer {own}) imports {target} (layer {layer_of(target)})")
    assert not offences, "\n".join(offences)


def test_the_scan_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from langind.experiments.demo import run_demo\nimport langind.cli\n")
    assert [layer_of(m) for m in imports_of(bad)] == [6, 7]
