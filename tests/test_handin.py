"""The "ready to hand in?" cell that closes every notebook (coursekit/notebook/handin.py)."""
import ast
import copy
import json

import nbformat
import pytest

from coursekit.devtools import studentwork
from coursekit.notebook import handin
from coursekit.authoring import build
from coursekit.authoring.build import lesson_ids
from tests import nbtools

ROOT = build.ROOT
LESSONS = lesson_ids()


def setup_cell(nb):
    return next(c for c in nb.cells if nbtools.meta(c).get("grade_id") == "setup")


def expected_of(nb):
    """HANDIN_EXPECTED, as the build wrote it into the lesson's part of the locked setup cell."""
    setup = next(c for c in nb.cells if nbtools.meta(c).get("grade_id") == "setup")
    for node in ast.parse(setup.source).body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["HANDIN_EXPECTED"]:
            return ast.literal_eval(node.value)
    raise AssertionError("the setup cell defines no HANDIN_EXPECTED")


def check_cell(nb):
    return next(c for c in nb.cells if nbtools.meta(c).get("grade_id") == "handin_check")


@pytest.fixture(params=LESSONS)
def lesson(request):
    return request.param


@pytest.fixture
def notebooks(lesson):
    master, release = nbtools.master(lesson), nbtools.release(lesson)
    samples = studentwork.sample_submissions(master, release)
    return {name: json.loads(nbformat.writes(nb)) for name, nb in samples.items()}, expected_of(release)


def test_every_notebook_ends_with_the_check(lesson):
    for nb in (nbtools.master(lesson), nbtools.release(lesson), nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", 4)):
        check = nb.cells[-2]
        assert check.metadata["nbgrader"]["grade_id"] == "handin_check" and check.metadata["nbgrader"]["locked"]
        exp = expected_of(nb)
        assert set(exp["answers"]) == set(nbtools.exercises(nbtools.master(lesson)))
        assert exp == expected_of(nbtools.master(lesson)), "the student editions check what the master grades"


def test_the_check_cell_is_short_and_speaks_the_students_words(lesson):
    """What a student sees of the check: one call under its title, no dictionary of grade ids."""
    release = nbtools.release(lesson)
    source = check_cell(release).source
    exp = expected_of(release)
    assert len(source.splitlines()) <= 2, source
    assert not [gid for gid in [*exp["graded"], *exp["answers"]] if gid in source], source
    assert "HANDIN_EXPECTED" in source and "HANDIN_EXPECTED =" in setup_cell(release).source


def test_the_data_lives_in_the_locked_setup_cell(lesson):
    """nbgrader restores the locked setup cell from the master, so the check's data cannot be
    edited away in a student's copy; the setup cell stays collapsed in JupyterLab and folded in Colab."""
    for nb in (nbtools.master(lesson), nbtools.release(lesson)):
        setup = next(c for c in nb.cells if nbtools.meta(c).get("grade_id") == "setup")
        assert setup.metadata["nbgrader"]["locked"] and setup.metadata["jupyter"]["source_hidden"]
        assert setup.metadata["cellView"] == "form"
    assert setup_cell(nbtools.release(lesson)).metadata["editable"] is False


def test_exercises_are_named_by_what_the_student_writes(lesson):
    """The answer cell's from= names (lessons/<id>.py), not its grade id."""
    cells = build.parse_template((ROOT / "lessons" / f"{lesson}.py").read_text())
    want = {c.attrs["id"]: " / ".join(c.attrs["from"].split(",")) for c in cells if c.kind == "answer"}
    exp = expected_of(nbtools.release(lesson))
    assert {a: exp["names"][a] for a in exp["answers"]} == want
    tests_of = nbtools.exercises(nbtools.master(lesson))
    assert exp["exercise_of"] == {t: a for a, ts in tests_of.items() for t in ts}


def test_shift_enter_on_the_check_does_not_add_a_cell(lesson):
    """JupyterLab appends an empty cell when the last cell runs: a markdown cell, saying what to do
    next, closes every notebook."""
    for nb in (nbtools.master(lesson), nbtools.release(lesson)):
        last = nb.cells[-1]
        assert last.cell_type == "markdown" and nb.cells[-2] is check_cell(nb)
        assert "Download" in last.source and "hand in" in last.source


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
    assert problems == [f"exercise {exp['names'][a]} is not done: its cell still raises NotImplementedError"
                        for a in left]


def test_messages_name_functions_not_grade_ids():
    nb = nbtools.release("01_mnist_vgg_subclassing")
    exp = expected_of(nb)
    message = handin.handin_message(handin.handin_problems(json.loads(nbformat.writes(nb)), exp), exp, "x.ipynb")
    assert message.startswith("NOT READY to hand in (x.ipynb): exercise prepare_images is not done")
    problems = handin.handin_problems(json.loads(nbformat.writes(nb)), exp)
    assert "exercise make_train_step / make_test_step is not done: its cell still raises NotImplementedError" in problems
    assert not [p for p in problems if "train_test_steps" in p or "my_model" in p]
    assert "exercise MyModel is not done: its cell still raises NotImplementedError" in problems


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
    nb = studentwork.sample_submissions(nbtools.master(lesson), nbtools.release(lesson))[student]
    path = tmp_path / f"{lesson}.ipynb"
    nbformat.write(nb, path)
    run = nbformat.from_dict(copy.deepcopy(dict(nb)))
    run.cells = [run.cells[i] for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") in ("setup", "handin_check")]
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nbtools.execute(run)
    outputs = run.cells[-1].outputs
    assert [(o.output_type, o.get("name")) for o in outputs] == [("stream", "stdout")], outputs  # no Out[..]
    out = outputs[0].text
    assert out.startswith(verdict) and out.count("\n") == 1, out
    assert "passed" not in out


def test_a_failed_check_shows_its_message_not_a_traceback():
    """In a real kernel, a failing ``expect`` shows the line that failed and ``CheckFailed: <message>``
    (``CheckFailed._render_traceback_``), not the setup cell's frames; the output is still an error,
    so nbgrader still scores the test cell 0, and the feedback's one-line verdict keeps the message."""
    from coursekit.notebook import checks

    helpers = nbformat.v4.new_code_cell((ROOT / "coursekit" / "notebook" / "checks.py").read_text())  # as in the setup cell
    test = nbformat.v4.new_code_cell(
        "found = 1\nexpect(found == 2, 'answer: expected 2, found 1.')\nprint('not reached')",
        metadata={"nbgrader": {"grade": True, "grade_id": "t_visible", "locked": True, "points": 2.0,
                               "schema_version": 3, "solution": False, "task": False}})
    nested = nbformat.v4.new_code_cell("def check():\n    expect_close([1.0], [2.0], 'loss')\n\ncheck()")
    nb = nbformat.v4.new_notebook(cells=[helpers, test, nested])
    nbtools.execute(nb, timeout=120)
    assert not helpers.outputs
    [error] = test.outputs
    assert error.output_type == "error" and (error.ename, error.evalue) == ("CheckFailed", "answer: expected 2, found 1.")
    assert error.traceback == ["Line 2 of this cell: expect(found == 2, 'answer: expected 2, found 1.')",
                               "CheckFailed: answer: expected 2, found 1."]
    assert nbtools.cell_points(nb) == {"t_visible": (0, 2.0)}
    [error] = nested.outputs
    assert error.traceback[0] == "Line 4 of this cell: check()" and len(error.traceback) == 2
    assert error.traceback[1].startswith("CheckFailed: loss: values differ")
    # outside IPython (no cell frame): just the verdict
    try:
        checks.expect(False, "plain")
    except checks.CheckFailed as err:
        assert err._render_traceback_() == ["CheckFailed: plain"]
