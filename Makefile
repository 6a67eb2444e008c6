# The two commands of the README: `make demo` and `make test`.
# Only Python >= 3.11 and make are needed; the virtual environment is created in .venv.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench clean check-python check-icu

demo: $(VENV)/.installed
	$(BIN)/sanctionscope demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

check-python:
	@test -n "$(PYTHON)" || { echo "error: sanctionscope needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)"; exit 1; }

# followthemoney needs PyICU, which compiles against the system ICU library when no wheel fits.
check-icu:
	@$(BIN)/python -c 'import icu' 2>/dev/null || pkg-config --exists icu-uc 2>/dev/null || { \
	  echo "error: PyICU (needed by followthemoney) compiles against ICU. Install first:"; \
	  echo "  Debian/Ubuntu: sudo apt-get install libicu-dev pkg-config g++ python3-dev"; \
	  echo "  Fedora:        sudo dnf install libicu-devel pkgconf gcc-c++ python3-devel"; \
	  echo "  macOS:         brew install icu4c pkg-config (and export PKG_CONFIG_PATH=\$$(brew --prefix icu4c)/lib/pkgconfig)"; \
	  exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@$(MAKE) --no-print-directory check-icu
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

bench: $(VENV)/.installed-test
	@ls bench/*.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
