# Two commands matter: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-long setup db assets check-assets clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

db: setup
	$(BIN)/flask --app app db upgrade

run: db
	@echo "Common Ground: open http://$(HOST):$(PORT)/ in two browsers (Ctrl+C stops it)"
	$(BIN)/gunicorn -k gevent -w 1 -b $(HOST):$(PORT) 'app:create_app()'

test: setup node_modules/.installed
	$(BIN)/pytest

test-long: setup node_modules/.installed
	$(BIN)/pytest -m long --run-long

assets: node_modules/.installed
	node build.mjs

clean:
	rm -rf $(VENV) node_modules
