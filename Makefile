# Partner Center: `make run` (the app on SQLite with a worker and beat) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install browser messages clean lint bench

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# The sandbox payment provider (online recharge that succeeds on a click) exists only where it is enabled;
# webhooks may go to a receiver on this machine (http://127.0.0.1:…) only where that is enabled.
RUN_ENV := DEBUG=1 PAYMENT_SANDBOX=1 WEBHOOK_ALLOW_PRIVATE_TARGETS=1 BILLS_USAGE_GENERATOR=1

run: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v0 --skip-checks
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --skip-checks
	@echo
	@echo "Partner Center is at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/, API docs: /api/docs/)"
	@echo "Sign in with a username and its password from the table above. Stop with Ctrl-C."
	@trap 'kill 0' INT TERM EXIT; \
	$(RUN_ENV) $(BIN)/celery -A partnercenter -q worker --pool=solo -l warning & \
	$(RUN_ENV) $(BIN)/celery -A partnercenter -q beat -l warning --pidfile= & \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

# Debian's Chromium and a CJK font for the browser tests, installed when missing (scripts/ensure-browser).
browser:
	@scripts/ensure-browser

# The suite runs on every core (pytest-xdist, at most 4 workers: each gets its own test database and Redis
# database, tests/testenv.py); PYTEST_ARGS="-n 0" runs it in one process.
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto --maxprocesses 4 $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=tests --ignore=var --ignore=bench \
		--ignore=test-artifacts
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles

lint: $(STAMP)
	$(BIN)/ruff check --select F,E9 --exclude .venv,var,migrations .

# The scale benchmarks (bench/README.md): DATABASE_URL must name a PostgreSQL database whose name contains
# "bench". It and <name>_small are dropped, re-created and filled (100k / 10k customers), then measured;
# the last lines are the targets, and the exit status is non-zero when any of them fails.
# Every benchmark runs even when an earlier one misses a target; the status is non-zero if any did.
BENCHMARKS = run outbox trade subscriptions month_close metering bill_lists directory opportunities incentives
bench: $(STAMP)
	$(BIN)/python -m bench.dataset --fresh --scale both
	@failed=""; for name in $(BENCHMARKS); do $(BIN)/python -m bench.$$name || failed="$$failed $$name"; done; \
	if [ -n "$$failed" ]; then echo "benchmarks with a target missed or an error:$$failed"; exit 1; fi
