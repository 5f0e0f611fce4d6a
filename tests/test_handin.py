"""The "ready to hand in?" cell that closes every notebook (coursekit/handin.py)."""
import ast
import copy
import json

import nbformat
import pytest

from coursekit import grading, handin
from coursekit.build import lesson_ids
from tests import nbtools

LESSONS = lesson_ids()


def expected_of(nb):
    source = nb.cells[-1].source
    call = ast.parse(source.split("\n", 1)[1]).body[0].value
    return ast.literal_eval(call.args[0])


@pytest.fixture(params=LESSONS)
def lesson(request):
    return request.param


@pytest.fixture
def notebooks(lesson):
    master, release = nbtools.master(lesson), nbtools.release(lesson)
    samples = grading.sample_submissions(master, release)
    return {name: json.loads(nbformat.writes(nb)) for name, nb in samples.items()}, expected_of(release)


def test_every_notebook_ends_with_the_check(lesson):
    for nb in (nbtools.master(lesson), nbtools.release(lesson)):
        last = nb.cells[-1]
        assert last.metadata["nbgrader"]["grade_id"] == "handin_check" and last.metadata["nbgrader"]["locked"]
        exp = expected_of(nb)
        assert set(exp["answers"]) == set(nbtools.exercises(nbtools.master(lesson)))


def test_complete_submission_is_ready(notebooks):
    subs, exp = notebooks
    assert handin.handin_problems(subs["sample_full"], exp) == []


def test_blank_submission_lists_every_exercise(notebooks):
    subs, exp = notebooks
    problems = handin.handin_problems(subs["sample_blank"], exp)
    assert len(problems) == len(exp["answers"]) and all("NotImplementedError" in p for p in problems)


def test_partial_submission_names_what_is_left(notebooks):
    subs, exp = notebooks
    problems = handin.handin_problems(subs["sample_partial"], exp)
    left = exp["answers"][(len(exp["answers"]) + 1) // 2:]
    assert [p.split("'")[1] for p in problems] == left


def test_edits_the_grader_would_punish_are_reported(notebooks):
    subs, exp = notebooks
    full = subs["sample_full"]
    test_ids = list(exp["graded"])

    deleted = copy.deepcopy(full)
    deleted["cells"] = [c for c in deleted["cells"]
                        if c["metadata"].get("nbgrader", {}).get("grade_id") != test_ids[0]]
    assert any(test_ids[0] in p and "missing" in p for p in handin.handin_problems(deleted, exp))

    raised = copy.deepcopy(full)
    for c in raised["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade_id") == test_ids[1]:
            c["metadata"]["nbgrader"]["points"] = 99
    assert any(test_ids[1] in p and "edited" in p for p in handin.handin_problems(raised, exp))

    stripped = copy.deepcopy(full)   # what some editors do: cell metadata dropped
    for c in stripped["cells"]:
        c["metadata"] = {}
    problems = handin.handin_problems(stripped, exp)
    assert len(problems) == len(exp["graded"]) + len(exp["answers"]) + len(exp["locked"])

    duplicated = copy.deepcopy(full)
    answer = next(c for c in duplicated["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    duplicated["cells"].append(copy.deepcopy(answer))
    assert any("appears 2 times" in p for p in handin.handin_problems(duplicated, exp))


def test_skipped_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert handin.handin_check({"graded": {}, "answers": [], "locked": []}) is None
    assert "skipped" in capsys.readouterr().out


def test_says_what_to_do_when_it_cannot_see_the_file(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    handin.handin_check({"graded": {}, "answers": [], "locked": []})
    out = capsys.readouterr().out
    assert "Could not check" in out and "NotImplementedError" in out and "passed" not in out


@pytest.mark.parametrize("student,verdict", [("sample_full", "Ready to hand in"), ("sample_blank", "NOT READY")])
def test_the_cell_in_a_running_notebook(tmp_path, monkeypatch, student, verdict):
    """The real cell, run by a kernel that knows its notebook file (as JupyterLab tells it)."""
    lesson = LESSONS[0]
    nb = grading.sample_submissions(nbtools.master(lesson), nbtools.release(lesson))[student]
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(nb, path)
    run = nbformat.from_dict(copy.deepcopy(dict(nb)))
    run.cells = [run.cells[i] for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") in ("setup", "handin_check")]
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nbtools.execute(run)
    out = "".join(o.get("text", "") for o in run.cells[-1].outputs)
    assert out.startswith(verdict), out
    assert "passed" not in out
