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

.PHONY: setup system-deps build demo test test-fast lint test-colab translations grade report standins bench fullcheck clean

setup: $(STAMP) $(LAB_STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
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

# Debian packages for grading and its tests: bubblewrap (each grading kernel in a sandbox), the
# PostgreSQL server (the parallel-grading tests start a throwaway one on loopback) and Chromium (the
# class report's test opens the page in headless Chromium); without the last two those tests are
# skipped, and fail under CI. Also fonts-nanum: a Korean font, so that the Korean edition's plots draw
# their labels (tests/test_editions_run.py). Needs root or sudo; does nothing when all four are there.
system-deps:
	@if command -v bwrap >/dev/null && command -v chromium >/dev/null && test -d /usr/share/fonts/truetype/nanum && { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }; then \
		echo "bubblewrap, PostgreSQL server, Chromium and fonts-nanum: installed"; \
	else \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends bubblewrap postgresql chromium fonts-nanum >/dev/null && \
		echo "bubblewrap, PostgreSQL server, Chromium and fonts-nanum: installed from Debian's packages"; \
	fi

build: setup
	$(PY) -m coursekit.authoring.build

demo: setup build
	$(PY) -m coursekit.devtools.demo

test: setup
	$(PY) -m pytest

# The unit tier for the inner loop: everything but the tests that grade a whole course or class, run a
# whole lesson notebook or start a Jupyter server (the `course` marker, conftest.py). make test runs all.
test-fast: setup
	$(PY) -m pytest -m "not course"

# ruff, as configured in pyproject.toml (pyflakes and pycodestyle's non-layout errors).
lint: setup
	$(VENV)/bin/ruff check .

# Colab's own stack (requirements-colab.txt: Python 3.12, Colab's TensorFlow, Keras, NumPy, IPython...)
# in a second venv; every master notebook executed end to end in fast mode on stand-in data
# (coursekit/devtools/colabcheck.py). COLAB_PYTHON=/path/to/python3.12 picks the interpreter;
# COLABCHECK_ARGS="--notebook 01 --keep DIR" runs one lesson and keeps the executed notebooks.
COLAB_PYTHON ?= $(shell p=$$(pyenv prefix 3.12.1 2>/dev/null) && test -x "$$p/bin/python" && echo "$$p/bin/python")
COLAB_VENV := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed-requirements-colab

$(COLAB_STAMP): requirements-colab.txt
	@if ! test -x $(COLAB_VENV)/bin/python; then \
		if test -z "$(COLAB_PYTHON)" || ! test -x "$(COLAB_PYTHON)"; then \
			echo "make test-colab: no Python 3.12 for Colab's stack (looked for \$$(pyenv prefix 3.12.1)/bin/python$(if $(COLAB_PYTHON), and '$(COLAB_PYTHON)'))." >&2; \
			echo "  Install it (pyenv install 3.12.1) or name one: make test-colab COLAB_PYTHON=/path/to/python3.12" >&2; \
			exit 2; \
		fi; \
		"$(COLAB_PYTHON)" -m venv $(COLAB_VENV); \
	fi
	$(COLAB_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements-colab.txt
	@cp requirements-colab.txt $(COLAB_STAMP)
	@echo "Colab-stack environment ready: $(COLAB_VENV) ($$($(COLAB_VENV)/bin/python --version))"

# The other-language editions' masters run too (written to a temporary folder by the main venv), in the
# same fast mode: their code is the English code (tests/test_translations.py), their text is what is new.
test-colab: $(COLAB_STAMP) setup
	@editions=$$(mktemp -d) && trap 'rm -rf "$$editions"' EXIT && \
	$(PY) -m coursekit.authoring.translations masters --out "$$editions" >/dev/null && \
	$(COLAB_VENV)/bin/python -m coursekit.devtools.colabcheck --editions "$$editions" $(COLABCHECK_ARGS)

# What each other-language edition has translated, and what is stale (its English changed) or missing;
# fails while anything is (lessons/<language>/, coursekit/locale/<language>/; lessons/README.md says how).
translations: setup
	$(PY) -m coursekit.authoring.translations status $(if $(VERBOSE),-v)

# Autograde every submission of a lesson in this course directory (coursekit/grading/classgrade.py):
# make grade LESSON=01_mnist_vgg_subclassing [WORKERS=N] [DB_URL=postgresql://...] [FORCE=1] [SHARD=K/N] [SANDBOX=on|off]
#            [AUDIT=on|off] (off: the static audit switched off, only to show that the judge holds without it)
# Resumable: run it again after an interruption and it grades only what is left.
WORKERS ?= 0
grade: setup
	@test -n "$(LESSON)" || { echo "usage: make grade LESSON=<lesson id> [WORKERS=N] [DB_URL=...] [FORCE=1] [SHARD=K/N] [SANDBOX=on|off] [AUDIT=on|off]"; exit 2; }
	$(PY) -m coursekit.grading.classgrade "$(LESSON)" --course . --workers $(WORKERS) \
		$(if $(DB_URL),--db-url "$(DB_URL)") $(if $(FORCE),--force) $(if $(SHARD),--shard $(SHARD)) \
		$(if $(SANDBOX),--sandbox $(SANDBOX)) $(if $(AUDIT),--audit $(AUDIT))

# After make grade: what the class got wrong, one self-contained page (coursekit/grading/report.py):
# make report LESSON=01_mnist_vgg_subclassing [DB_URL=postgresql://...]  -> reports/<lesson>.html and .csv
# Reads the gradebook, autograded/ and grading-records/; changes none of them.
report: setup
	@test -n "$(LESSON)" || { echo "usage: make report LESSON=<lesson id> [DB_URL=...]"; exit 2; }
	$(PY) -m coursekit.grading.report "$(LESSON)" --course . $(if $(DB_URL),--db-url "$(DB_URL)")

# Stand-in datasets in the official formats: make standins DIR=/path/to/folder
standins: setup
	@test -n "$(DIR)" || { echo "usage: make standins DIR=<folder>"; exit 2; }
	$(PY) -m coursekit.devtools.standins "$(DIR)"

clean:
	rm -rf demo-course .pytest_cache

# Speed figures as JSON (see benchmarks/bench.py); BENCH_ARGS="--make-test" also times make test.
bench: setup build
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

# The student's path at full size (coursekit/devtools/fullcheck.py): every solved master in full mode on
# full-size stand-ins, training capped by COURSE_TRAIN_CAP; one JSON object. Not part of make test.
# make fullcheck [FULLCHECK_ARGS="--lessons 05 --cap 1,2"]
fullcheck: setup build
	$(PY) -m coursekit.devtools.fullcheck $(FULLCHECK_ARGS)
