# Lớp Số — `make run` serves the site; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
THREADS ?= 8
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test bench install translations messages db courses demo clean help

help:
	@echo "make run    - install, prepare the database and courses, serve on http://$(HOST):$(PORT)"
	@echo "make test   - install and run the whole test suite"
	@echo "make bench  - run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed translations

# Compiled catalogues (.mo) are built from the .po sources, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d lms/translations -D messages

# Re-extract strings after changing the interface, then translate lms/translations/*/LC_MESSAGES/messages.po.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o lms/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -D messages --no-fuzzy-matching --ignore-obsolete

db: install
	$(FLASK) db upgrade

courses: db
	$(FLASK) courses sync

demo: courses
	@if [ "$${LMS_DEMO:-1}" != "0" ]; then $(FLASK) seed-demo --if-empty; fi

run: demo
	@if [ -f instance/demo-logins.txt ] && [ "$${LMS_DEMO:-1}" != "0" ]; then \
	  echo ""; echo "Demo logins (role username password), also in instance/demo-logins.txt:"; \
	  sed 's/^/  /' instance/demo-logins.txt; echo ""; fi
	@echo "Serving Lớp Số on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/waitress-serve --host=$(HOST) --port=$(PORT) --threads=$(THREADS) wsgi:app

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
