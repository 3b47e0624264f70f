# modelkg: `make run` sets up and serves, `make test` sets up and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_FILE := var/modelkg.db
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install data run test lint format eval bench clean vendor browser

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned to the CPU wheel: anything that pulls it unpinned brings CUDA.
	$(BIN)/pip install --quiet torch==2.13.0 -c constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

data: install ## Ingest every source into the store ($$MODELKG_DATABASE_URL, default sqlite:///var/modelkg.db)
	$(BIN)/modelkg ingest

HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

run: data ## Set up, ingest, and serve on http://$(HOST):$(PORT)/ (HOST, PORT, WORKERS may be set)
	$(BIN)/modelkg stats
	$(BIN)/modelkg serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

browser: ## Install Debian's Chromium and CJK fonts for the page tests, if missing
	@command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" || { \
	  echo "installing chromium and fonts-noto-cjk from Debian's packages"; \
	  (test "$$(id -u)" = 0 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "could not install chromium (needs root): the browser tests will be skipped"; }

test: install browser ## Set up and run the whole suite (also against PostgreSQL when MODELKG_DATABASE_URL is one)
	$(BIN)/python -m pytest -q

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: data ## Score /ask on tests/eval/questions.jsonl: recall@10, must-not violations, top-3 hits per language and intent
	$(BIN)/python -m tests.eval.run_eval

bench: data ## Run the benchmarks in bench/, each printing ratios against peers measured in the same run
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

CODEMIRROR_VERSION := 5.65.21
CYTOSCAPE_VERSION := 3.34.4
VENDOR := service/static/vendor

vendor: ## Re-vendor the page's JavaScript from the npm registry at the pinned versions (output is committed)
	rm -rf $(VENDOR) build/npm && mkdir -p $(VENDOR)/codemirror build/npm
	cd build/npm && npm pack --silent codemirror@$(CODEMIRROR_VERSION) cytoscape@$(CYTOSCAPE_VERSION) >/dev/null
	tar -xzf build/npm/codemirror-$(CODEMIRROR_VERSION).tgz -C build/npm && mv build/npm/package build/npm/codemirror
	tar -xzf build/npm/cytoscape-$(CYTOSCAPE_VERSION).tgz -C build/npm && mv build/npm/package build/npm/cytoscape
	cp build/npm/codemirror/lib/codemirror.js build/npm/codemirror/lib/codemirror.css \
	   build/npm/codemirror/mode/sparql/sparql.js build/npm/codemirror/addon/hint/show-hint.js \
	   build/npm/codemirror/addon/hint/show-hint.css build/npm/codemirror/LICENSE $(VENDOR)/codemirror/
	mkdir -p $(VENDOR)/cytoscape && cp build/npm/cytoscape/dist/cytoscape.min.js build/npm/cytoscape/LICENSE $(VENDOR)/cytoscape/
	printf 'codemirror %s\ncytoscape %s\n' $(CODEMIRROR_VERSION) $(CYTOSCAPE_VERSION) > $(VENDOR)/VERSIONS
	rm -rf build/npm

clean: ## Remove the venv and the default store
	rm -rf $(VENV) var
