"""Helpers for tests that execute lesson notebooks and judge cells the way nbgrader does."""
from __future__ import annotations

import copy
import logging
import re

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from coursekit import ROOT
from coursekit.grading import nbmeta
from coursekit.grading.coursedir import Course
from coursekit.grading.nbmeta import grade_meta


def master(lesson: str):
    return Course(ROOT).read("source", lesson)


def release(lesson: str):
    return Course(ROOT).read("release", lesson)


meta = grade_meta  # the one accessor of nbgrader's cell metadata


def exercises(nb) -> dict[str, list[str]]:
    """{answer grade_id: [grade_ids of the test cells that follow it, up to the next answer]}."""
    return nbmeta.exercise_tests(nb)


def grading_subset(master_nb, release_nb, stub: set[str] = frozenset()):
    """The cells nbgrader grades (setup, answers, tests) of the master; answers in ``stub``
    replaced by their release-notebook stub."""
    stubs = {meta(c)["grade_id"]: c.source for c in release_nb.cells if meta(c).get("solution")}
    nb = nbformat.from_dict(copy.deepcopy(master_nb))
    nb.cells = [c for c in nb.cells if meta(c)]
    for cell in nb.cells:
        if meta(cell).get("solution") and meta(cell)["grade_id"] in stub:
            cell.source = stubs[meta(cell)["grade_id"]]
    return nb


def execute(nb, timeout: int = 300, lesson: str | None = None):
    """Run ``nb`` in a kernel. With ``lesson``, as autograding does: through the course's Execute step
    (``JudgedExecute``), so a judged lesson's test cells are decided by its judge, outside the kernel."""
    if lesson is None:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True).execute()
        return nb
    from coursekit.grading.preprocessors import JudgedExecute

    step = JudgedExecute(timeout=timeout, kernel_name="python3", allow_errors=True)
    nb, _ = step.preprocess(nb, {"nbgrader": {"assignment": lesson}})
    return nb


def ignore_pattern() -> str:
    """The course's nbgrader IgnorePattern (stderr that autograding drops), read from its config."""
    from coursekit.grading.coursedir import read_config

    config = read_config(ROOT)
    return config.IgnorePattern.pattern if config.IgnorePattern.enabled else ""


def graded(cell, pattern: str) -> tuple[float, float, str]:
    """(points, max_points, why) of one graded cell by nbgrader's own rule (an error or any stderr
    output scores 0), after the IgnorePattern step that autograding runs first (``pattern``: its
    regex, or "" when off). ``why``: the error (``ename: evalue``), else the first stderr kept, else ""."""
    cell = nbformat.from_dict(copy.deepcopy(cell))
    cell.outputs = [o for o in cell.get("outputs", []) if not (
        pattern and o.output_type == "stream" and o.name == "stderr" and re.search(pattern, o.text))]
    why = ""
    for o in cell.outputs:
        if o.output_type == "stream" and o.name == "stderr":
            why = why or f"stderr: {o.text.strip()[:400]}"
        if o.output_type == "error":
            why = f"{o.ename}: {o.evalue}"
    points, top = determine_grade(cell, logging.getLogger("nbtools"))
    return points, top, why


def cell_points(nb) -> dict[str, tuple[float, float]]:
    """{grade_id: (points, max_points)} for every graded cell, scored by :func:`graded`."""
    pattern = ignore_pattern()
    return {meta(c)["grade_id"]: graded(c, pattern)[:2] for c in nb.cells if meta(c).get("grade")}


def errors(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "error":
                out[cell.get("id", "?")] = f"{o.ename}: {o.evalue}"
            elif o.output_type == "stream" and o.name == "stderr":
                out[cell.get("id", "?")] = f"stderr: {o.text[:500]}"
    return out


def require(why_not: str | None, what: str) -> None:
    """Skip a test that needs a system package (``why_not``: why it cannot run here, or None) -
    except under CI, where `.ci/run` installs the package, so a skip would hide a broken install."""
    import os

    import pytest

    if why_not:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run {what}: {why_not}")
        pytest.skip(why_not)
