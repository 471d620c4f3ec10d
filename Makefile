# Two commands lead: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint schema migrate bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The client tests' TypeScript generator and compiler, pinned by package-lock.json (npm ci starts afresh).
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

## Set up everything and serve HTTP + WebSockets on http://127.0.0.1:8000 (task worker and scheduler in the background)
run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_open311_demo
	$(PY) manage.py db_worker & $(PY) manage.py scheduler & trap 'kill %1 %2' EXIT; $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

schema: $(VENV)/.dev
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## Lint, migrations check, schema validation and the test suite
test: lint schema node_modules/.installed
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var staticfiles
