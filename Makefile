# Two commands do all set-up on a fresh machine:
#   make demo   install kume and run the main job on the embedded default (crawl the bundled demo site,
#               extract, index, answer queries)
#   make test   install everything the tests need (Python extras, Debian's chromium) and run lint, types and tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-dev system-deps lint check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[dev,opensearch,transformers,train]"

# Debian's chromium drives the browser test and docker-compose checks docker-compose.yml (no engine needed);
# Java and Maven (for the Elasticsearch and OpenSearch test servers; OpenSearch 3 needs a JDK >= 21) come with the machine.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || { \
	  echo "installing Debian's docker-compose to check docker-compose.yml"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
	@command -v java >/dev/null 2>&1 || { echo "java is required for the Elasticsearch and OpenSearch test servers" >&2; exit 1; }
	@command -v mvn >/dev/null 2>&1 || { echo "mvn is required to fetch the Elasticsearch and OpenSearch test servers" >&2; exit 1; }

demo: install
	$(BIN)/kume demo

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install-dev lint
	$(BIN)/pytest -q -p no:cacheprovider
