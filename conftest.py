"""Test-session set-up shared by the unit tests and the nbval runs of source/ notebooks.

Every kernel the tests start (nbval, nbclient, nbgrader) inherits this environment:
fast mode, and stand-in datasets in the official formats written once per session. The
tests never touch the network: with COURSE_DATA_DIR set the loaders read only that folder.
"""
import os
import shutil
import tempfile

import pytest

STANDIN_SIZES = dict(mnist_train=2000, mnist_test=500, cifar_train=1000, cifar_test=500)
_made = []
_KERNEL_TMP = {}   # this process's temporary folder for the kernels nbval starts (see pytest_runtest_setup)


EDITIONS = ".editions"   # the other-language editions' masters, for nbval (written below; git-ignored)


def pytest_configure(config):
    _add_edition_masters(config)
    os.environ["COURSE_MODE"] = "fast"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    if workers > 1:   # the kernels of N pytest-xdist workers share the cores, as make grade's do
        from coursekit.grading.classgrade import shared_cores_threads

        for name, value in shared_cores_threads(workers).items():
            os.environ.setdefault(name, value)
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


@pytest.hookimpl(tryfirst=True)   # before nbval's collector starts the notebook's kernel
def pytest_runtest_setup(item):
    """nbval stops each notebook's kernel at once (no atexit in the kernel), so what a lesson keeps in a
    temporary folder until its kernel stops - lesson 03's TensorBoard logs in fast mode - would stay in /tmp
    after every run. The kernels nbval starts get this process's own temporary folder (TMPDIR), removed
    when the session ends; other tests keep the environment they had."""
    path = getattr(item, "path", None)
    if path is not None and path.suffix == ".ipynb":
        if not _KERNEL_TMP:
            _KERNEL_TMP["before"] = os.environ.get("TMPDIR")
            _KERNEL_TMP["folder"] = tempfile.mkdtemp(prefix="course-kernels-")
            _made.append(_KERNEL_TMP["folder"])
        os.environ["TMPDIR"] = _KERNEL_TMP["folder"]
    elif _KERNEL_TMP:
        if _KERNEL_TMP["before"] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = _KERNEL_TMP["before"]


# `make test-fast` (pytest -m "not course"): the unit tier for the inner loop. A test is of the course tier
# when it grades a whole course or class (it uses one of these fixtures), executes a whole lesson
# notebook (nbval's items, the files below), or starts a Jupyter server. `make test` runs both tiers.
COURSE_FIXTURES = {"graded", "serial_sqlite", "parallel_postgres", "unaudited", "graded_course", "plain",
                   "graded_class", "grader"}
COURSE_FILES = {"test_jupyterlab.py", "test_colabcheck.py", "test_l01_real_digits.py"}
UNIT_FIRST = {"test_sandbox.py", "test_build.py"}   # the unit tier's longest modules (kernels, a build): 30-80 s


def pytest_collection_modifyitems(config, items):
    heavy = set()
    for item in items:
        path = getattr(item, "path", None)
        if (path is not None and (path.suffix == ".ipynb" or path.name in COURSE_FILES)) \
                or COURSE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.course)
            heavy.add(_scope(item))
    # The order pytest-xdist hands out its scopes (pytest.ini: --dist loadscope --no-loadscope-reorder; by
    # default it would sort them by their number of tests, and a graded course of 8 tests and two minutes
    # came last, leaving one worker idle for a minute while the other graded it): the course tier's scopes
    # first, then the unit tier's with its two long modules at its head, so that many short unit modules
    # fill the end. Stable: a scope's tests keep their order.
    items.sort(key=lambda item: (_scope(item) not in heavy, item.path.name not in UNIT_FIRST))


def _scope(item) -> str:
    """The unit pytest-xdist's --dist loadscope schedules (its own split): a module, or a class of one."""
    return item.nodeid.rsplit("::", 1)[0]
