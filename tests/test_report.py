"""benchmarks/report.py: the committed results pages are what the JSON renders, and a results file it
cannot read is named in one line while the rest is rendered."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _report():
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "benchmarks" / "report.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_committed_results_pages_are_what_the_json_renders(capsys):
    report = _report()
    assert report.main(["--check"]) == 0, capsys.readouterr().err
    # every current results file is rendered somewhere, and carries its provenance
    rendered = {s.file for p in report.PAGES for s in p.sections}
    current = {p.name for p in (ROOT / "benchmarks" / "results").glob("*.json")}
    assert current <= rendered, f"results files no page renders: {sorted(current - rendered)}"
    for name in current:
        prov = json.loads((ROOT / "benchmarks" / "results" / name).read_text(encoding="utf-8"))["provenance"]
        assert all(prov.get(k) for k in report.PROVENANCE_KEYS), name


def test_unreadable_results_files_are_named_in_one_line_and_the_rest_renders(tmp_path, capsys):
    report = _report()
    results, docs = tmp_path / "results", tmp_path / "docs"
    results.mkdir()
    shutil.copy(ROOT / "benchmarks" / "results" / "lm_throughput.json", results)
    no_provenance = json.loads((ROOT / "benchmarks" / "results" / "translate.json").read_text(encoding="utf-8"))
    del no_provenance["provenance"]
    (results / "translate.json").write_text(json.dumps(no_provenance), encoding="utf-8")
    (results / "vocab_scale.json").write_text(json.dumps({"provenance": {"commit": "x", "command": "y", "date": "z",
                                                                         "machine": {}}, "other": 1}), encoding="utf-8")
    (results / "heads.json").write_text("{not json", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"# r\n\n{report.HEADLINE_BEGIN}\n{report.HEADLINE_END}\n", encoding="utf-8")

    assert report.main(["--results", str(results), "--docs", str(docs), "--readme", str(readme)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.endswith("translate.json: no provenance") for line in err)
    assert any(line.endswith("vocab_scale.json: unknown layout: no 'rows'") for line in err)
    assert any("heads.json: not JSON" in line for line in err)
    assert any(line.endswith("bli-targets.json: missing") for line in err)
    assert all(line.startswith("report: ") and "Traceback" not in line for line in err)
    scale = (docs / "scale.md").read_text(encoding="utf-8")
    assert "LM training throughput" in scale and "langind trainer" in scale  # the readable file rendered
    assert "Lexicons of 5,000" not in scale
    assert "| task | measured |" in readme.read_text(encoding="utf-8")
