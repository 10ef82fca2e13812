# Two entry points for a fresh machine: `make serve` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= var/store
PORT ?= 8000

.PHONY: install serve test lint browser queue-server allocator bench

$(BIN)/ldr: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools tells every editable install that a folder named like a package may shadow it (an
	@# information, not a fault: registry/ and api/ are the packages); it is left out of the output.
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/ldr

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install: $(BIN)/ldr node_modules/.package-lock.json

## On a development machine the standards' published schemas are in ../shared: the conformance
## checker reads them there (unless LDR_RESOURCE_DIRS says otherwise). Deployers run `ldr fetch-schemas`.
SHARED_SCHEMAS := $(abspath $(wildcard ../shared/ext/standards))

## Install, create the embedded store with the starter data (once), serve on 127.0.0.1:$(PORT).
serve: install allocator
	@# ldr init builds a new store beside its place and moves it in when whole: a failed init leaves nothing half-made.
	@if [ ! -d "$(STORE)" ]; then $(BIN)/ldr init --store "$(STORE)"; fi
	$(if $(SHARED_SCHEMAS),LDR_RESOURCE_DIRS="$${LDR_RESOURCE_DIRS:-$(SHARED_SCHEMAS)}" )$(BIN)/ldr serve --store "$(STORE)" --port $(PORT)

## Debian's Chromium, for the browser tests (Playwright drives it; no browser is downloaded).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install --no-install-recommends chromium"; exit 1; fi; }

## Debian's Redis server, which the tests start to run harvests through a queue shared by several
## machines (LDR_QUEUE=redis://…, docs/harvesting.md). Serving needs none: the default queue is SQLite.
queue-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server; \
	  else echo "The queue tests need Debian's redis-server: sudo apt-get install --no-install-recommends redis-server"; exit 1; fi; }

## Debian's mimalloc, which the server, its query workers and the bulk commands preload (LDR_ALLOCATOR=auto):
## bulk loads and heavy queries ran faster with it than with glibc's malloc (docs/benchmarks.md). Optional to serve.
allocator:
	@ls /usr/lib/*/libmimalloc.so.2 >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libmimalloc2.0; \
	  else echo "Optional, for faster SPARQL queries: sudo apt-get install --no-install-recommends libmimalloc2.0 (docs/settings.md)"; fi; }

## Install and run the whole test suite on the embedded store and, at the same time, again with
## every app on a real SPARQL server (the oxigraph package's server, started and stopped by the
## fixtures), less the browser journeys (tests/conftest.py says why). Each run spends much of its
## time waiting for the servers it starts, so the two side by side take little more than the
## longer one. The SPARQL run's output follows the embedded run's; each lists its slowest tests.
test: install browser queue-server allocator lint
	@runs=$$(mktemp -d); \
	( LDR_TEST_STORE=sparql $(BIN)/pytest -q -p no:cacheprovider --basetemp="$$runs/sparql" --durations=15 \
	    >"$$runs/sparql.log" 2>&1; echo $$? >"$$runs/sparql.status" ) & \
	$(BIN)/pytest -q --basetemp="$$runs/embedded" --durations=15; embedded=$$?; wait; \
	echo "== The same suite with every app on a SPARQL server (LDR_TEST_STORE=sparql) =="; \
	cat "$$runs/sparql.log"; sparql=$$(cat "$$runs/sparql.status"); rm -rf "$$runs"; \
	echo "embedded store: exit $$embedded; SPARQL server: exit $$sparql"; \
	[ "$$embedded" = 0 ] && [ "$$sparql" = 0 ]

## The house rules, before the tests: ruff's lint rules and its format (100 characters a line),
## mypy on registry/ and api/, and the import contract (which package may import which), all as
## configured in pyproject.toml.
lint: install
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

## The benchmark suite (bench/run.py): installs wrk, runs every figure side by side, writes docs/benchmarks.md.
bench: install allocator
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk; \
	  else echo "The benchmarks need wrk: sudo apt-get install --no-install-recommends wrk"; exit 1; fi; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)
