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

# uv installs the locks: the same pinned wheels, fetched side by side and unpacked in a
# few seconds, where pip took most of a minute of CPU. It is one pinned wheel itself,
# installed by the environment's own pip (which stays, for anyone used to it).
UV_VERSION := 0.13.8
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile uv==$(UV_VERSION)

# The locks are the whole of what is installed (--no-deps): `uv pip check` fails the setup when
# a lock misses something a package needs, rather than the installer quietly adding whatever
# version the index has. Nothing is compiled at install: Python compiles what a process
# imports as it imports it, and scripts/test.sh keeps the tests' compiled modules under its
# own PYTHONPYCACHEPREFIX.
UV  := $(BIN)/uv pip --quiet
PIP := $(UV) install --python $(BIN)/python --no-deps
PIP_CHECK := $(UV) check --python $(BIN)/python

$(VENV)/.app-installed: requirements/app.txt pyproject.toml | $(BIN)/python
	$(PIP) -r requirements/app.txt
	$(PIP) -e .
	$(PIP_CHECK)
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.app-installed
	$(PIP) -r requirements/dev.txt
	$(PIP_CHECK)
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
