"""langind.experiments.demo: the demo end to end (through the CLI, as a user runs it)."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

# tiny budgets; every flag of `langind demo` (tests/test_cli_flags.py checks that none is left out)
DEMO_ARGS = ["--lm-minutes", "0.2", "--recovery-minutes", "0.1", "--context-rounds", "0", "--cross-top", "400",
             "--threads", "1", "--quiet"]


@pytest.mark.slow
def test_demo_runs_end_to_end_on_the_bundled_data(tmp_path):
    """`langind demo` with tiny budgets: LM on WEB, recovery on KJV, es→en lexicon, metrics written."""
    out = tmp_path / "demo"
    r = run_cli("demo", "--out", str(out), *DEMO_ARGS)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "validation perplexity" in r.stdout and "| 10-110 |" in r.stdout
    m = json.loads((out / "metrics.json").read_text())
    assert 1 < m["lm"]["valid_ppl"] < 6000 and m["lm"]["vocab_size"] == 6000
    bands = m["recover_self"]["bands"]
    assert set(bands) == {"10-110", "10-1010", "freq5", "all"} and bands["all"]["words"] > 4000
    assert (out / "recover-self" / "report.md").exists()
    cross = m["cross_es_en"]
    assert cross["test_words"] > 80 and 0.2 <= cross["P@1"] <= 1 and len(cross["sample"]) == 20
    assert [k for k, _, _ in cross["rendered"]] == ["Gen.1.1", "Gen.1.3", "John.1.1"]
    assert "es→en P@1" in r.stdout and (out / "cross-es-en" / "lexicon.es-en.tsv").exists()
