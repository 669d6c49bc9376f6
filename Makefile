# Two commands on a fresh clone with only python3 on the PATH:
#   make run   – set up, load the Cuntan demo into var/gridreg.sqlite3, serve http://127.0.0.1:8000/graphql
#   make test  – set up and run the whole suite (PostgreSQL too when GRIDREG_TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The console and the GraphQL IDE (console/, npm + Vite) are built into registry/web/static.
CONSOLE_DEPS := console/node_modules/.package-lock.json
CONSOLE_BUILD := registry/web/static/index.html
CONSOLE_SOURCES := console/package.json console/vite.config.js console/index.html console/ide.html \
	$(wildcard console/src/*) $(wildcard graphql/operations/Console*.graphql) \
	$(wildcard registry/reports/wording/*.json)

.PHONY: run test lint bench setup console dist

setup: $(STAMP) $(CONSOLE_BUILD)

console: $(CONSOLE_BUILD)

# `npm install` follows the lock file; `npm ci` refuses it because Vite lists a Windows-only
# optional package that the registry here does not serve (the lock file stays unchanged).
$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm install --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_BUILD): $(CONSOLE_DEPS) $(CONSOLE_SOURCES)
	cd console && npm run --silent build -- --logLevel warn

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP) $(CONSOLE_BUILD)
	$(BIN)/gridreg demo

test: $(STAMP) $(CONSOLE_BUILD)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/gridreg bench

# An archive that installs and runs with no network at all (government intranets): wheels of
# gridreg and every dependency for this Python and platform, the built console, install.sh.
DIST := dist/gridreg-offline
dist: $(STAMP) $(CONSOLE_BUILD)
	rm -rf $(DIST) dist/gridreg-offline.tar.gz
	mkdir -p $(DIST)/wheelhouse
	$(BIN)/python -m pip wheel --quiet --wheel-dir $(DIST)/wheelhouse .
	cp packaging/install.sh packaging/README.md $(DIST)/
	cp README.md $(DIST)/README-gridreg.md
	$(BIN)/python -c "import platform, sys; print(sys.implementation.name, platform.python_version(), platform.machine(), platform.system())" > $(DIST)/BUILT-FOR
	tar -C dist -czf dist/gridreg-offline.tar.gz gridreg-offline
	@echo "wrote dist/gridreg-offline.tar.gz"
