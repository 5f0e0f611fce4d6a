# The course's commands. `make demo` and `make test` are the two that matter; both set up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements
# nbgrader runs `alembic` through PATH, so the venv's bin/ goes first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup build demo test grade standins bench clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@cp requirements.txt $(STAMP)
	@echo "environment ready: $(VENV) ($$($(PY) --version))"

build: setup
	$(PY) -m coursekit.build

demo: setup build
	$(PY) -m coursekit.demo

test: setup
	$(PY) -m pytest

# Autograde every submission of a lesson in this course directory, safely (coursekit/safegrade.py):
# make grade LESSON=01_mnist_vgg_subclassing
grade: setup
	@test -n "$(LESSON)" || { echo "usage: make grade LESSON=<lesson id>"; exit 2; }
	$(PY) -m coursekit.safegrade "$(LESSON)" --course .

# Stand-in datasets in the official formats: make standins DIR=/path/to/folder
standins: setup
	@test -n "$(DIR)" || { echo "usage: make standins DIR=<folder>"; exit 2; }
	$(PY) -m coursekit.standins "$(DIR)"

clean:
	rm -rf demo-course .pytest_cache

# Speed figures as JSON (see benchmarks/bench.py); BENCH_ARGS="--make-test" also times make test.
bench: setup build
	$(PY) benchmarks/bench.py $(BENCH_ARGS)
