# Partner Center: `make run` (the app on SQLite with a worker and beat) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install messages clean lint

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo
	@echo "Partner Center is at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/, API docs: /api/docs/)"
	@echo "Sign in with a login above. Stop with Ctrl-C."
	@trap 'kill 0' INT TERM EXIT; \
	DEBUG=1 $(BIN)/celery -A partnercenter worker --pool=solo -l warning & \
	DEBUG=1 $(BIN)/celery -A partnercenter beat -l warning --pidfile= & \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=tests --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles

lint: $(STAMP)
	$(BIN)/ruff check --select F,E9 --exclude .venv,var,migrations .
