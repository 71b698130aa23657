# The two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test screenshots setup setup-dev system-deps lint format lock clean

demo: setup ## Set everything up and serve the demo organization
	$(BIN)/accord demo

test: setup-dev system-deps ## Set everything up and run every check and test (SQLite and PostgreSQL)
	scripts/test.sh

screenshots: setup-dev system-deps ## Run the browser tests on SQLite, leaving what they saw in test-artifacts/
	ACCORD_DATA_DIR=$(CURDIR)/var/test ACCORD_TEST_SCREENSHOTS=1 $(BIN)/pytest -n auto --dist loadfile tests/browser

setup: $(VENV)/.app-installed node_modules/.installed

setup-dev: setup $(VENV)/.dev-installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-installed: requirements/app.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/app.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The test tools run under scripts/test.sh, whose PYTHONPYCACHEPREFIX keeps compiled modules
# elsewhere: compiling them here (a third of their install) would be work nobody reads.
$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.app-installed
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-deps: ## Debian's chromium and postgresql, for the browser and PostgreSQL runs
	scripts/system-deps.sh

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## Re-pin requirements/*.txt from a clean environment (needs the network)
	scripts/lock.sh

clean:
	rm -rf $(VENV) node_modules var test-artifacts
