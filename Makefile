# The README's commands. Everything they need is installed here; nothing is hidden.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app mediation
TRANSLATIONS := mediation/translations
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev translations extract-messages update-messages migrate seed lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) 2>&1 | grep -v '^compiling' || true
	@test -f $(TRANSLATIONS)/kk/LC_MESSAGES/messages.mo

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__' --no-location --sort-output -w 110 -o $(TRANSLATIONS)/messages.pot .

update-messages: extract-messages
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete -w 110

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed demo --if-empty

run: translations seed
	@echo ""
	@echo "  Demo logins (password demo12345): admin, manager, coordinator, mediator"
	@echo "  Open http://$(HOST):$(PORT)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check mediation tests config.py $(wildcard bench)

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
