# The two commands a newcomer needs: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-firmware test unit lint molecule collection bench clean

setup: $(STAMP)

$(STAMP): simulator/pyproject.toml requirements/base.txt requirements/test.txt scripts/find-python
	@py="$$(scripts/find-python)" || exit 1; \
	if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $$py"; env $$py -m venv $(VENV) || exit 1; fi
	$(BIN)/python -m pip install --quiet --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -r requirements/test.txt -e ./simulator
	@touch $@

demo: setup
	$(BIN)/python scripts/demo.py

# A firmware rollout of two simulated BMCs, images from `bmcsim image` (docs/firmware.md).
demo-firmware: setup
	$(BIN)/python scripts/demo_firmware.py

RUN := PATH="$(CURDIR)/$(BIN):$$PATH"

# pytest: unit, simulator (incl. DMTF validators), browser, integration (ansible-runner); then
# molecule and ansible-lint. Nothing needs Galaxy or the internet.
test: setup
	$(RUN) $(BIN)/python -m pytest
	$(MAKE) --no-print-directory molecule lint collection

unit: setup
	$(RUN) $(BIN)/python -m pytest tests/unit tests/simulator

molecule: setup
	$(RUN) $(BIN)/molecule test --all

lint: setup
	$(RUN) $(BIN)/ansible-lint

# Build the collection tarball, install it elsewhere, ansible-test sanity + ansible-doc on that copy.
collection: setup
	$(RUN) $(BIN)/python scripts/collection-check

bench: setup
	$(RUN) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .ansible .pytest_cache reports artifacts bench/out
