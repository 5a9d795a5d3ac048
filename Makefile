# Two entry points (see README): `make demo` and `make test`. Both create the virtual environment
# on first use: torch is pinned to the 2.13.0 CPU build (an unpinned torch pulls a multi-GB CUDA build).
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH := torch==2.13.0

.PHONY: demo test install bench clean-venv

$(VENV)/.installed: pyproject.toml Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' $(TORCH)
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(VENV)/bin/langind demo

test: $(VENV)/.installed
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/lm_throughput.py --out benchmarks/results/lm_throughput.json

clean-venv:
	rm -rf $(VENV)
