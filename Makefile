# optout — set-up, tests and the offline demo.
# `make install` is idempotent: the second run only checks that everything is there.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser xvfb test test-matrix lint lint-quick demo clean bench

install: $(STAMP) browser xvfb

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,notify]'
	touch $(STAMP)

# A browser, in this order: an explicit OPTOUT_BROWSER, Playwright's own download (tried once),
# a system Chromium, and Debian's chromium installed with apt-get when we are root.
# The choice is remembered in $(VENV)/.browser so that the second run is instant.
browser: $(STAMP)
	@if [ -n "$$OPTOUT_BROWSER" ] && [ -x "$$OPTOUT_BROWSER" ]; then \
		echo "browser: $$OPTOUT_BROWSER (OPTOUT_BROWSER)"; \
	elif [ -f $(VENV)/.browser ] && [ -x "$$(cat $(VENV)/.browser)" ]; then \
		echo "browser: $$(cat $(VENV)/.browser)"; \
	elif $(BIN)/python -m optout.browser.launch --playwright-only > $(VENV)/.browser 2>/dev/null; then \
		echo "browser: Playwright's Chromium"; \
	elif timeout 300 $(BIN)/playwright install chromium >/dev/null 2>&1 \
			&& $(BIN)/python -m optout.browser.launch --playwright-only > $(VENV)/.browser 2>/dev/null; then \
		echo "browser: Playwright's Chromium (downloaded)"; \
	elif $(BIN)/python -m optout.browser.launch > $(VENV)/.browser 2>/dev/null; then \
		echo "browser: system Chromium ($$(cat $(VENV)/.browser))"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser: Playwright's download failed; installing Debian's chromium with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
			&& $(BIN)/python -m optout.browser.launch > $(VENV)/.browser; \
	else \
		rm -f $(VENV)/.browser; \
		echo "no browser: run '$(BIN)/playwright install chromium', or install Chromium and set OPTOUT_BROWSER" >&2; \
		exit 3; \
	fi

# Xvfb: `optout login` opens a visible browser, and its test drives one on a virtual screen.
xvfb:
	@if command -v Xvfb >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "xvfb: installing Debian's xvfb (the login test needs a virtual screen)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb >/dev/null; \
	else \
		echo "xvfb: not found; the visible-browser login test needs it (apt-get install xvfb)" >&2; \
	fi

# Two pytest workers: the browser tests mostly wait on pages, so two halve the time.
test: install lint-quick
	$(BIN)/python -m pytest -n 2

lint: install
	$(BIN)/ruff check optout tests
	$(BIN)/mypy

# Every shipped flow in every locale on the truth states: about 25 minutes on 2 cores.
test-matrix: install
	$(BIN)/python -m pytest -n 2 -m full_matrix --timeout=1800 tests/test_locale_matrix.py

demo: install
	$(BIN)/optout demo

# optout against hand-written Playwright on the replica behind 300 ms of latency; appends to
# bench/RESULTS.md (12 min on a busy 2-core machine). `make bench ARGS=--quick`: smaller.
bench: install
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info

# ruff and mypy are fast enough to run before every test run.
lint-quick: $(STAMP)
	$(BIN)/ruff check optout tests
	$(BIN)/mypy
