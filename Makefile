# Boardline: every target bootstraps its own tools; nothing needs installing by hand
# beyond Python 3.11+ (and, for the browser tests, Debian's chromium: see .ci/run).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never

.PHONY: demo test lint format bench serve clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

demo: $(VENV)/.synced
	$(VENV)/bin/boardline demo

test: $(VENV)/.synced
	$(VENV)/bin/pytest

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix src tests
	$(VENV)/bin/ruff format src tests

bench: $(VENV)/.synced
	$(VENV)/bin/boardline bench all

serve: $(VENV)/.synced
	$(VENV)/bin/boardline db upgrade
	$(VENV)/bin/boardline serve

clean:
	rm -rf .uv $(VENV) var test-artifacts .pytest_cache .mypy_cache .ruff_cache
