# Everything runs from a local .venv that is created and filled on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-scale lint sim install clean

# Only the hashed files of requirements.lock are installed; the project itself (this checkout) is outside the check.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/swo run

test: $(STAMP)
	$(BIN)/pytest -q
	@echo "The flows again, against an Ongoing that keeps rows an update leaves out and ships before the waybill exists:"
	@# Less the two slowest files, which neither behaviour touches (the bad-input batch only creates orders;
	@# the hygiene scan reads what the flows leave behind, whatever Ongoing does with rows and waybills).
	ONGOING_SIM_OMITTED_ORDER_LINES=kept ONGOING_SIM_WAYBILL_ON_SHIPPING=false $(BIN)/pytest -q -p no:cacheprovider tests/flows \
		--ignore=tests/flows/test_bad_inputs.py --ignore=tests/flows/test_secret_hygiene.py

# Two workers, two merchants, PostgreSQL and a Prefect server on it (docs/scaling.md); several minutes.
test-scale: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m scale tests/scale

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

sim: $(STAMP)
	$(BIN)/swo sim

clean:
	rm -rf $(VENV) .state .pytest_cache .ruff_cache
