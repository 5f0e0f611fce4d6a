# The course's commands. `make demo` and `make test` are the two that matter; both set up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
LAB_STAMP := $(VENV)/.lab-extensions-off
LAB_EXTENSIONS_OFF := @jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list
# nbgrader runs `alembic` through PATH, so the venv's bin/ goes first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup system-deps build demo test grade standins bench fullcheck clean

setup: $(STAMP) $(LAB_STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@cp requirements.txt $(STAMP)
	@echo "environment ready: $(VENV) ($$($(PY) --version))"

# nbgrader's Assignment List and Course List lab extensions need an nbgrader exchange, which a
# student working locally does not have (JupyterLab greets them with "Error fetching courses!"):
# switch them off, and lock them off (JupyterLab's plugin manager cannot turn them back on), in this
# environment (its etc/jupyter/labconfig/page_config.json). Formgrader, Create Assignment and
# Validate stay on. Runs again whenever the packages were (re)installed; a few seconds.
$(LAB_STAMP): $(STAMP)
	@$(PY) -m jupyterlab.labextensions disable --level=sys_prefix --log-level=ERROR $(LAB_EXTENSIONS_OFF) >/dev/null
	@$(PY) -m jupyterlab.labextensions lock --level=sys_prefix --log-level=ERROR $(LAB_EXTENSIONS_OFF) >/dev/null
	@touch $(LAB_STAMP)
	@echo "JupyterLab: disabled nbgrader's exchange-only extensions ($(LAB_EXTENSIONS_OFF))"

# Debian packages for grading and its tests: bubblewrap (each grading kernel in a sandbox) and the
# PostgreSQL server (the parallel-grading tests start a throwaway one on loopback; without it those
# tests are skipped, and fail under CI). Needs root or sudo; does nothing when both are there.
system-deps:
	@if command -v bwrap >/dev/null && { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }; then \
		echo "bubblewrap and PostgreSQL server: installed"; \
	else \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends bubblewrap postgresql >/dev/null && \
		echo "bubblewrap and PostgreSQL server: installed from Debian's packages"; \
	fi

build: setup
	$(PY) -m coursekit.build

demo: setup build
	$(PY) -m coursekit.demo

test: setup
	$(PY) -m pytest

# Autograde every submission of a lesson in this course directory (coursekit/classgrade.py):
# make grade LESSON=01_mnist_vgg_subclassing [WORKERS=N] [DB_URL=postgresql://...] [FORCE=1] [SHARD=K/N] [SANDBOX=on|off]
# Resumable: run it again after an interruption and it grades only what is left.
WORKERS ?= 0
grade: setup
	@test -n "$(LESSON)" || { echo "usage: make grade LESSON=<lesson id> [WORKERS=N] [DB_URL=...] [FORCE=1] [SHARD=K/N]"; exit 2; }
	$(PY) -m coursekit.classgrade "$(LESSON)" --course . --workers $(WORKERS) \
		$(if $(DB_URL),--db-url "$(DB_URL)") $(if $(FORCE),--force) $(if $(SHARD),--shard $(SHARD)) \
		$(if $(SANDBOX),--sandbox $(SANDBOX))

# Stand-in datasets in the official formats: make standins DIR=/path/to/folder
standins: setup
	@test -n "$(DIR)" || { echo "usage: make standins DIR=<folder>"; exit 2; }
	$(PY) -m coursekit.standins "$(DIR)"

clean:
	rm -rf demo-course .pytest_cache

# Speed figures as JSON (see benchmarks/bench.py); BENCH_ARGS="--make-test" also times make test.
bench: setup build
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# The student's path at full size (coursekit/fullcheck.py): every solved master in full mode on
# full-size stand-ins, training capped by COURSE_TRAIN_CAP; one JSON object. Not part of make test.
# make fullcheck [FULLCHECK_ARGS="--lessons 05 --cap 1,2"]
fullcheck: setup build
	$(PY) -m coursekit.fullcheck $(FULLCHECK_ARGS)
