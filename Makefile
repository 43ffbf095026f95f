# Every target bootstraps what it needs from python3, pip and make alone.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE ?= 2000
DEMO_DAYS ?= 3

export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export CDP_LANDING_DIR ?= data/landing
export CDP_WAREHOUSE ?= data/warehouse.duckdb
CDP_TRUTH_DIR ?= data/ground_truth

.PHONY: setup manifest demo run test dev lint generate bench-identity bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

setup: $(VENV)/.synced

# The dbt manifest Dagster builds its asset graph from, always of the checked-out code.
manifest: setup
	$(BIN)/python -c 'from orchestration.dbt.project import parse_dbt_project; parse_dbt_project()'

## make demo: set up, generate demo data if the landing folder is empty, materialise everything
demo: setup
	@if [ -z "$$(find "$(CDP_LANDING_DIR)" -type f 2>/dev/null | head -n 1)" ]; then \
		echo "Landing folder $(CDP_LANDING_DIR) is empty: generating $(DEMO_PEOPLE) demo people"; \
		$(BIN)/cdp-generate --people $(DEMO_PEOPLE) --days $(DEMO_DAYS) --config generator/demo.json \
			--landing-dir "$(CDP_LANDING_DIR)" --truth-dir "$(CDP_TRUTH_DIR)"; \
	fi
	$(MAKE) --no-print-directory run

## make run: materialise every asset for $CDP_LANDING_DIR into $CDP_WAREHOUSE
run: manifest
	$(BIN)/dagster job execute -m orchestration.definitions -a defs -j materialize_everything
	$(BIN)/python -m orchestration.summary

## make test: set up and run the test suite
test: manifest
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## make dev: the Dagster UI on 127.0.0.1:3000
dev: manifest
	exec $(BIN)/python -m orchestration.dev

generate: setup
	$(BIN)/cdp-generate --landing-dir "$(CDP_LANDING_DIR)" --truth-dir "$(CDP_TRUTH_DIR)" $(ARGS)

## make bench-identity: identity accuracy on 20k generated people, FEBRL4 and historical_50k
BENCH_DIR ?= .bench
BENCH_PEOPLE ?= 20000
bench-identity: manifest
	rm -rf $(BENCH_DIR)/identity
	$(BIN)/cdp-generate --people $(BENCH_PEOPLE) --seed 11 --config generator/demo.json --quiet \
		--landing-dir $(BENCH_DIR)/identity/landing --truth-dir $(BENCH_DIR)/identity/truth
	CDP_LANDING_DIR=$(BENCH_DIR)/identity/landing CDP_WAREHOUSE=$(BENCH_DIR)/identity/warehouse.duckdb \
		$(BIN)/dagster asset materialize -m orchestration.definitions -a defs \
		--select "*intermediate/int_person_records_unioned"
	$(BIN)/python -m identity.benchmark --warehouse $(BENCH_DIR)/identity/warehouse.duckdb \
		--truth $(BENCH_DIR)/identity/truth/ground_truth.parquet

## make bench: end-to-end figures (per stage, memory, accuracy, baselines), a 1% daily drop and a re-run with nothing new
BENCH_E2E_PEOPLE ?= 10000 100000
bench: manifest
	$(BIN)/python -m bench.e2e --people $(BENCH_E2E_PEOPLE) --incremental 2 --rerun --steps

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data .dagster_home/storage .dagster_home/history .dagster_home/logs .dagster_home/schedules
