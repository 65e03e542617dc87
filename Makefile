# Two commands matter: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
RELAY_PORT ?= 5050

.PHONY: run run-cluster test test-long test-fuzz scan setup system-deps db assets clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests use: Chromium (browser tests), PostgreSQL and Redis (servers started by the tests).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "The tests need these Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

db: setup
	$(BIN)/flask --app app db upgrade

# The app and the relay (Procfile), side by side; Ctrl+C stops both.
run: db
	@echo "Common Ground: open http://$(HOST):$(PORT)/ in two browsers (Ctrl+C stops it)"
	HOST=$(HOST) APP_PORT=$(PORT) RELAY_PORT=$(RELAY_PORT) APP_URL=http://$(HOST):$(PORT) $(BIN)/honcho start

# Two app processes (ports PORT and PORT+1) and two relays (RELAY_PORT and RELAY_PORT+1) sharing a throwaway
# PostgreSQL and Redis on loopback; each document goes to one relay, by its id.
run-cluster: setup system-deps
	$(BIN)/python -m bench.cluster --ports $(PORT) $$(($(PORT) + 1)) --relay-ports $(RELAY_PORT) $$(($(RELAY_PORT) + 1))

# The whole suite on SQLite, then the service, request and socket tests again on a real PostgreSQL.
test: setup node_modules/.installed system-deps
	$(BIN)/pytest
	$(BIN)/pytest --db=postgresql -m "not e2e and not server"

test-long: setup node_modules/.installed system-deps
	$(BIN)/pytest -m long --run-long

# The long fuzzing alone (100,000 Socket.IO payloads and 100,000 relay frames, about 13 minutes).
test-fuzz: setup node_modules/.installed system-deps
	$(BIN)/pytest tests/security/test_socket_fuzz.py -m long --run-long

# sqlmap and wapiti against a throwaway instance on loopback (scanners in their own virtualenv); see SECURITY.md.
scan: setup
	security/scan.sh

assets: node_modules/.installed
	node build.mjs

clean:
	rm -rf $(VENV) node_modules
