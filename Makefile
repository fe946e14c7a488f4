# Self-documenting: `make help` lists every target with the text after its ##.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test test-browser lint system-deps frontend migrate demo worker clean ralph

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: requirements.lock | $(STAMPS)
	@command -v $(PYTHON_BIN) >/dev/null || { echo "$(PYTHON_BIN) is needed (set PYTHON_BIN to another Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

# The built stylesheet itself is the target, so a deleted frontend/build/ is rebuilt.
frontend/build/app.css: package.json package-lock.json frontend/app.scss frontend/build.mjs frontend/init.js frontend/autosave.js frontend/js-enabled.js frontend/favicon.svg frontend/favicon.ico
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

# Ralph, the learning record store the xAPI tests send to, in its own virtual environment (never
# .venv), from the exact pins of requirements-ralph.lock. Without a network it cannot be installed:
# the target says so and the LRS tests skip with that reason; everything else still runs.
RALPH_VENV ?= var/ralph-venv
export RALPH_VENV

$(RALPH_VENV)/.installed-from-lock: requirements-ralph.lock
	@bash scripts/ralph-venv.sh $(RALPH_VENV) || echo "Ralph could not be installed into $(RALPH_VENV) (no network?): the xAPI LRS tests will be skipped."

ralph: $(RALPH_VENV)/.installed-from-lock ## Install Ralph (the LRS the xAPI tests start) into its own virtual environment, var/ralph-venv

system-deps: ## Install the Debian packages the platform is faster or testable with (where allowed)
	@bash scripts/system-deps.sh

frontend: frontend/build/app.css ## Build GOV.UK / MoJ Frontend assets from the npm registry

migrate: $(STAMPS)/venv ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Load demo content and accounts (idempotent)
	$(MANAGE) load_demo

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: system-deps $(STAMPS)/venv frontend demo ## Set everything up and serve the demo on http://127.0.0.1:8000 (PORT=8080, HOST=... to change)
	@echo "Starting the background worker (it issues certificates; log in var/worker.log) and the web server on http://$(HOST):$(PORT)/"
	@$(MANAGE) run_worker --interval 1 >> var/worker.log 2>&1 & worker=$$!; \
	 trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	 $(MANAGE) load_demo --logins-only; \
	 $(MANAGE) runserver $(HOST):$(PORT) --noreload

worker: $(STAMPS)/venv ## Run the background task worker on its own (restarted after WORKER_MAX_TASKS tasks; recovers dead and failed tasks)
	$(MANAGE) run_worker

# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto

test: system-deps $(STAMPS)/venv frontend ralph ## Run the whole test suite (SQLite unless DATABASE_URL is set)
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-browser: system-deps $(STAMPS)/venv frontend ## Only the real-browser journeys and accessibility checks (Chromium)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: $(STAMPS)/venv ## Lint, check formatting and the layers between apps (import-linter), and check for missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check --fail-level ERROR

# The policies' own text is not part of the project: point POLICY_TEXTS at a copy of it.
POLICY_TEXTS ?= ../shared/policies

.PHONY: content-copy-check
content-copy-check: $(STAMPS)/venv ## Check that the content files share no run of 8 words with the policies' text (POLICY_TEXTS=folder of .txt)
	$(MANAGE) content_copy_check --policies "$(POLICY_TEXTS)"

clean: ## Remove the virtual environment, built assets and the local database
	rm -rf $(VENV) $(STAMPS) node_modules frontend/build var static_build

# The production build, proven: release steps of docs/deploy.md against a throwaway PostgreSQL
# database on PROD_CHECK_SERVER (created and dropped), then gunicorn answering with production headers.
PROD_CHECK_SERVER ?= $(or $(CI_POSTGRES_URL),postgres://postgres@127.0.0.1:5432/postgres)
PROD_CHECK_DB_PREFIX ?= prod_check

.PHONY: prod-check
prod-check: $(STAMPS)/venv frontend ## Build and serve the production settings with gunicorn on PostgreSQL and check pages and headers
	$(PY) scripts/prod_check.py --server "$(PROD_CHECK_SERVER)" --prefix "$(PROD_CHECK_DB_PREFIX)"

.PHONY: reminders bench-tracking
BENCH_PEOPLE ?= 50000

reminders: $(STAMPS)/venv ## Queue today's reminder e-mails (cron: daily; safe to run again, each is sent once)
	$(MANAGE) send_reminders

bench-tracking: migrate ## Time the manager dashboard and reports on a generated organisation (BENCH_PEOPLE=50000)
	$(MANAGE) bench_tracking --people $(BENCH_PEOPLE)

# Benchmarks: PostgreSQL at BENCH_DATABASE_URL when it answers (bench-quick adds _quick
# to its name), else SQLite under var/bench*/. Sizes: the BENCH_* variables in bench/__main__.py.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lms_bench

bench: system-deps $(STAMPS)/venv frontend ## Measure pages, queries, certificates, ZIP, reports, concurrency against yardsticks (< 10 min)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

.PHONY: lighthouse
lighthouse: system-deps $(STAMPS)/venv frontend ## Lighthouse best-practices and SEO scores of the demo's public and staff pages (goals 100 and 95; into bench/results.json)
	$(PY) scripts/lighthouse_audit.py

bench-quick: system-deps $(STAMPS)/venv frontend ## The same figures once each at small sizes (< 2 min)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench --quick $(if $(BENCH_ONLY),--only $(BENCH_ONLY))
