# Two entry points (see README): `make demo` and `make test`. Both create the virtual environment
# on first use: torch is pinned to the 2.13.0 CPU build (an unpinned torch pulls a multi-GB CUDA build).
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: demo test install bench docs report clean-venv wordnet

$(VENV)/.installed: pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' $(TORCH)
	touch $@

install: $(VENV)/.installed

# WordNet (Debian wordnet-base) is only used for the synonym analysis of recovery reports; installed
# when we are root on a Debian-like machine, skipped (and the analysis with it) otherwise.
wordnet:
	@if [ ! -e /usr/share/wordnet/data.noun ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y -q wordnet-base >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wordnet-base >/dev/null 2>&1) || \
	  echo "note: could not install wordnet-base; synonym analysis will be skipped"; fi

demo: $(VENV)/.installed wordnet
	$(VENV)/bin/langind demo

test: $(VENV)/.installed wordnet
	$(PY) -m pytest

# The documentation site (mkdocs.yml, docs/): built with --strict, as CI does; `mkdocs serve` to browse it.
$(VENV)/.docs: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[docs]' $(TORCH)
	touch $@

docs: $(VENV)/.docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir site

# The results pages and README's headline table, rendered from benchmarks/results/*.json.
report: $(VENV)/.installed
	$(PY) benchmarks/report.py

# Every current results file, one benchmark at a time on an otherwise idle machine (many hours on 2
# cores; each file's exact command is in its "provenance" block and on the results pages), then the pages.
bench: $(VENV)/.installed wordnet
	$(PY) benchmarks/lm_throughput.py --out benchmarks/results/lm_throughput.json
	$(PY) benchmarks/head_scaling.py --out benchmarks/results/head_scaling.json --sizes 1000 6000 16000 50000 --steps 4
	$(PY) benchmarks/vocab_scale.py --tops 5000 10000 20000 50000 --synthetic 5000 20000 50000 --out benchmarks/results/vocab_scale.json
	$(PY) benchmarks/self_recovery.py --out benchmarks/results/self_recovery.json
	$(PY) benchmarks/heads.py --settings heldout-books/both --minutes 4 --work runs/heads --out benchmarks/results/heads.json
	$(PY) benchmarks/bli.py --work runs/bench-bli --out benchmarks/results/bli-targets.json
	$(PY) benchmarks/bli.py --preset all --seeds 3 --out benchmarks/results/bli.json
	$(PY) benchmarks/bli.py --corpora bible bible-disjoint --directions es-en --skip-joint --rows auto --out benchmarks/results/bli-auto-default-bible.json
	$(PY) benchmarks/bli.py --corpora fortunes --skip-joint --rows auto --out benchmarks/results/bli-auto-default-fortunes.json
	$(PY) benchmarks/bli.py --preset coded --work runs/bench-coded --out benchmarks/results/bli-coded.json
	$(PY) benchmarks/translate.py --out benchmarks/results/translate.json
	$(PY) benchmarks/hmm_engines.py --out benchmarks/results/hmm_engines.json
	$(PY) benchmarks/text_size.py --out benchmarks/results/text_size.json
	$(PY) benchmarks/report.py
# Not in `make bench` (long, or need trained LM runs): the rows of bli-fortunes.json, bli-neural-bible.json,
# bli-check-pairs.json, confidence-all.json, heads_kjv.json and the self_recovery_seed_setting*.json files; their commands
# are on the results pages and in each file's provenance.

clean-venv:
	rm -rf $(VENV)
