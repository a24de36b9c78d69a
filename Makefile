# Two commands on a fresh clone: `make run` (the service on embedded defaults) and `make test`.
# Each creates .venv and installs the pinned requirements the first time (and when they change).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REQUIREMENTS := requirements.txt requirements-dev.txt requirements-service.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQUIREMENTS) 2>/dev/null | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run test train bench check clean

install: $(STAMP)

$(STAMP): $(REQUIREMENTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

run: install  ## start the service on the embedded defaults (SQLite under instance/, the shipped model)
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'service:create_app()'

test: install  ## the whole test suite (real-data checks skip when ../shared/datasets is absent)
	$(PY) -m pytest -q

train: install  ## retrain the default model from ../shared/datasets (or MODERATION_DATA_DIR) into models/
	$(PY) -m training.train --out models/

bench: install  ## speed against better-profanity and alt-profanity-check, and accuracy against them
	$(PY) bench/speed.py
	$(PY) bench/compare.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-output
