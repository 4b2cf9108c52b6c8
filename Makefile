# Every target bootstraps .venv itself: a fresh clone needs only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in emails are built from this when sent; the demo's follows its port.
SITE_URL ?= http://127.0.0.1:$(PORT)
PG_URL ?= postgres://postgres@127.0.0.1:5432/annulus
# Pure cores: no Django import, mypy --strict, 100 % branch coverage from their own tests.
CORES := annulus/candidacy/engine annulus/scheduling/slots annulus/outcomes/catalog \
	annulus/outcomes/scoring.py annulus/outcomes/score_result.py annulus/outcomes/responders.py \
	annulus/outcomes/schedule.py
CORE_MODULES := annulus.candidacy.engine annulus.scheduling.slots annulus.outcomes.catalog \
	annulus.outcomes.scoring annulus.outcomes.score_result annulus.outcomes.responders \
	annulus.outcomes.schedule
CORE_TESTS := annulus/candidacy/tests/engine annulus/scheduling/tests/core annulus/outcomes/tests/core
# Parallel workers (pytest-xdist) for the tests without a browser; 0 runs them in one process.
TEST_WORKERS ?= 2

.PHONY: demo test check lint types unit postgres browser bench crash lock clean messages

# Spanish for patients (issue #18): the .po file is the source, the .mo is built from it.
# `make messages` re-extracts the strings after a template change; translate the new msgids.
MO := annulus/locale/es/LC_MESSAGES/django.mo
MSG_IGNORE := -i 'bench/*' -i 'static/*' -i 'deploy/*' -i 'docs/*' -i 'var/*' -i '.venv/*'

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Annulus needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(MO): annulus/locale/es/LC_MESSAGES/django.po $(BIN)/.installed
	$(BIN)/python -m annulus.lib.i18n_build

messages: $(BIN)/.installed
	$(BIN)/annulus makemessages -l es --no-location --no-obsolete $(MSG_IGNORE)
	$(MAKE) $(MO)

demo: export ANNULUS_SITE_URL = $(SITE_URL)
demo: $(BIN)/.installed $(MO)
	$(BIN)/annulus migrate --no-input -v 0
	$(BIN)/annulus seed_demo
	$(BIN)/annulus collectstatic --no-input -v 0
	$(BIN)/annulus serve --host 127.0.0.1 --port $(PORT) --workers 2 --task-workers 1

test: check unit postgres

check: $(BIN)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy annulus
	$(BIN)/mypy --config-file mypy-cores.ini $(CORES)
	$(BIN)/annulus makemigrations --check --dry-run -v 1

# The whole suite on SQLite: the tests without a browser in parallel, the browser tests (one
# Chromium, live servers) in one process, then the cores' branch coverage.
unit: $(BIN)/.installed $(MO)
	$(BIN)/pytest -m "not browser" -n $(TEST_WORKERS)
	$(BIN)/pytest -m browser
	$(BIN)/pytest -q $(CORE_TESTS) $(addprefix --cov=,$(CORE_MODULES)) --cov-branch --cov-fail-under=100 --cov-report=term-missing:skip-covered

# The suite again on the real PostgreSQL server. Under CI=true an unreachable server is a failure.
postgres: $(BIN)/.installed $(MO)
	@if $(BIN)/python -m annulus.lib.pgprobe "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(BIN)/pytest -m "not browser" -n $(TEST_WORKERS) --create-db; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is not reachable, and CI=true requires it." >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL at $(PG_URL) is not reachable (allowed outside CI)."; \
	fi

# Crash safety (G20): its own throw-away PostgreSQL cluster, 500 bookings and 500 survey
# submissions at once, kill -9 of the postmaster midway, retries with idempotency keys and the
# surveys' own sessions; nothing acknowledged lost, doubled or half written. See
# annulus/ops/crash.py. Needs PostgreSQL 15's server binaries (postgresql-15).
crash: $(BIN)/.installed
	$(BIN)/python -m annulus.ops.crash

bench: $(BIN)/.installed
	$(BIN)/python bench/candidacy.py

# Re-pin after changing pyproject.toml's dependencies.
lock:
	rm -rf /tmp/annulus-lock && $(PYTHON) -m venv /tmp/annulus-lock
	/tmp/annulus-lock/bin/pip install -q -U pip setuptools wheel
	/tmp/annulus-lock/bin/pip install -q -e '.[dev]'
	(echo '# Exact versions that CI tested. Regenerate with: make lock'; \
	 /tmp/annulus-lock/bin/pip freeze --all --exclude-editable | grep -v '^pip==') > requirements.lock

clean:
	rm -rf $(VENV) var
