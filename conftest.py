"""Test-session set-up shared by the unit tests and the nbval runs of source/ notebooks.

Every kernel the tests start (nbval, nbclient, nbgrader) inherits this environment:
fast mode, and stand-in datasets in the official formats written once per session. The
tests never touch the network: with COURSE_DATA_DIR set the loaders read only that folder.
"""
import os
import shutil
import tempfile

STANDIN_SIZES = dict(mnist_train=2000, mnist_test=500, cifar_train=1000, cifar_test=500)
_made = []


EDITIONS = ".editions"   # the other-language editions' masters, for nbval (written below; git-ignored)


def pytest_configure(config):
    _add_edition_masters(config)
    os.environ["COURSE_MODE"] = "fast"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    folder = tempfile.mkdtemp(prefix="course-standins-")
    _made.append(folder)
    from coursekit.devtools import standins

    standins.write_all(folder, **STANDIN_SIZES)
    os.environ["COURSE_DATA_DIR"] = folder


def _add_edition_masters(config):
    """nbval runs the English masters (source/, a testpath); the other-language editions' masters are the
    same notebooks with their text translated (coursekit/authoring/translations.py), not committed: write
    them to .editions/<language>/<id>.ipynb and run them the same way, in the same session. Only when the
    run collects the testpaths (a plain `pytest` or `make test`), and written once, by the controller
    (pytest-xdist's workers, started after this, collect the same files)."""
    from pathlib import Path

    root = Path(str(config.rootpath))
    if [str(a) for a in config.args] != [str(p) for p in config.getini("testpaths")]:
        return
    folder = root / EDITIONS
    if not hasattr(config, "workerinput"):
        from coursekit.authoring.build import edition_languages, lesson_ids
        from coursekit.authoring.translations import write_masters

        shutil.rmtree(folder, ignore_errors=True)
        write_masters(folder, edition_languages(), lesson_ids())
    if folder.is_dir():
        config.args.append(str(folder))


def pytest_unconfigure(config):
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)


# `make test-fast` (pytest -m "not course"): the unit tier for the inner loop. A test is of the course tier
# when it grades a whole course or class (it uses one of these fixtures), executes a whole lesson
# notebook (nbval's items, the files below), or starts a Jupyter server. `make test` runs both tiers.
COURSE_FIXTURES = {"graded", "serial_sqlite", "parallel_postgres", "unaudited", "graded_course", "plain",
                   "graded_class", "grader"}
COURSE_FILES = {"test_jupyterlab.py", "test_colabcheck.py", "test_l01_real_digits.py"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        path = getattr(item, "path", None)
        if (path is not None and (path.suffix == ".ipynb" or path.name in COURSE_FILES)) \
                or COURSE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.course)
