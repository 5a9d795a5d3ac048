# Two entry points (see README): `make demo` and `make test`. Both create the virtual environment
# on first use: torch is pinned to the 2.13.0 CPU build (an unpinned torch pulls a multi-GB CUDA build).
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: demo test install bench clean-venv wordnet

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

# Benchmarks print their figures and write JSON; run them one at a time on an otherwise idle machine.
bench: $(VENV)/.installed wordnet
	$(PY) benchmarks/lm_throughput.py --out benchmarks/results/lm_throughput.json
	$(PY) benchmarks/head_scaling.py --out benchmarks/results/head_scaling.json
	$(PY) benchmarks/self_recovery.py --out benchmarks/results/self_recovery.json
	$(PY) benchmarks/bli.py --work runs/bench-bli --out benchmarks/results/bli-targets.json
	$(PY) benchmarks/word2vec_settings.py --out benchmarks/results/word2vec_settings.json
# benchmarks/hybrid_anchor.py needs two trained LM runs: --lm-en RUN --lm-es RUN (see its docstring).

clean-venv:
	rm -rf $(VENV)
