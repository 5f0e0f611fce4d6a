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


def pytest_configure(config):
    os.environ["COURSE_MODE"] = "fast"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    folder = tempfile.mkdtemp(prefix="course-standins-")
    _made.append(folder)
    from coursekit.devtools import standins

    standins.write_all(folder, **STANDIN_SIZES)
    os.environ["COURSE_DATA_DIR"] = folder


def pytest_unconfigure(config):
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
