# ParcelDesk: `make run` serves the whole product on embedded defaults; `make test` runs the suite.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Embedded defaults for development; any of these can be overridden from the environment.
export DEBUG ?= 1
export SECRET_KEY ?= dev-only-insecure-key-parceldesk
export PYTHONUNBUFFERED := 1

.PHONY: run test lint format install migrate seed messages bench clean

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned to the CPU build (an unpinned one pulls gigabytes of CUDA packages)
	$(PIP) install --quiet "$$(grep -E '^torch==' requirements.txt)"
	$(PIP) install --quiet -r requirements.txt
	touch $@

install: .venv/.installed

messages: install
	$(PY) manage.py compilemessages --ignore=.venv -v0

migrate: install messages
	$(PY) manage.py migrate --noinput -v0

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py train_nlu --if-missing

run: seed
	$(PY) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "ParcelDesk is starting on http://$(HOST):$(PORT)/"
	@echo "  Admin (ops):        http://$(HOST):$(PORT)/admin/"
	@echo "  API docs (Swagger): http://$(HOST):$(PORT)/api/docs/"
	@echo "  OpenAPI schema:     http://$(HOST):$(PORT)/api/schema/"
	@echo "  Health:             http://$(HOST):$(PORT)/healthz"
	@echo "  Agent console:      http://$(HOST):$(PORT)/console/"
	@echo "  Station (phones):   http://$(HOST):$(PORT)/station/"
	@echo "  Customer API:       http://$(HOST):$(PORT)/api/customer/   Metrics: /metrics"
	@echo "  Demo logins (password parceldesk-demo): agent01 … agent06, reviewer01,"
	@echo "    supervisor01, ops01 (superuser), station01, station02, courier01."
	@echo "  API token: $(PY) manage.py issue_token agent01 (customer: --customer 13800000001)"
	@echo ""
	$(PY) -m daphne -b $(HOST) -p $(PORT) config.asgi:application

test: messages
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .

format: install
	$(PY) -m ruff format .

bench: install
	$(PY) bench/tickets_api.py

clean:
	rm -rf .venv db.sqlite3 staticfiles media
