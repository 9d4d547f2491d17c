# `make run` and `make test` are the README's two commands: each builds its own virtualenv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The suite's own databases are created next to this one (see tests/conftest.py).
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PORT ?= 8000
# pytest-xdist processes: most e2e and browser tests wait on real processes, so three share two cores well.
TEST_WORKERS ?= 3

.PHONY: run example test lint install bench clean

$(BIN)/incidents: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/incidents

run: install
	$(BIN)/incidents db upgrade
	$(BIN)/incidents up

# The README's example: the recorded Alertmanager request (examples/), its startsAt set to now, sent to `make run`.
example:
	@sed 's/"startsAt": "[^"]*"/"startsAt": "'"$$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"/' examples/alertmanager-firing.json | \
	  curl -sS -H 'Authorization: Bearer example-token' -H 'Content-Type: application/json' \
	       --data-binary @- http://127.0.0.1:$(PORT)/webhooks/alertmanager; echo

test: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk (Debian: apt-get install wrk)" >&2; exit 1; }
	$(BIN)/python -m bench.intake

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
