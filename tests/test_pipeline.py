"""The nbgrader pipeline end to end on a temporary copy of the course.

Real commands (generate_assignment, autograde, export) on a real SQLite gradebook, with the
same sample submissions `make demo` grades: full marks, zero, and a partial score in between.
"""
import csv

import nbformat
import pytest

from coursekit import grading
from coursekit.build import lesson_ids
from tests import nbtools

LESSONS = lesson_ids()


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    grading.prepare_course(course, LESSONS)
    for lesson in LESSONS:
        grading.submit_samples(course, lesson)
        grading.autograde(course, lesson)
    return course


@pytest.mark.parametrize("lesson", LESSONS)
def test_full_partial_blank_scores(graded_course, lesson):
    scores = grading.scores(graded_course, lesson)
    full, top = scores["sample_full"]
    assert top > 0 and full == top, f"full submission scored {full}/{top}"
    assert scores["sample_blank"][0] == 0, f"blank submission scored {scores['sample_blank']}"
    partial = scores["sample_partial"][0]
    assert 0 < partial < top, f"partial submission scored {partial}/{top}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_partial_score_is_exactly_the_solved_exercises(graded_course, lesson):
    master = nbtools.master(lesson)
    solved = grading.answer_ids(master)[: (len(grading.answer_ids(master)) + 1) // 2]
    tests_of = nbtools.exercises(master)
    expected = {gid for ex in solved for gid in tests_of[ex]}
    cells = grading.cell_scores(graded_course, lesson, "sample_partial")
    for gid, (got, top) in cells.items():
        if gid in tests_of:       # answer cells carry no points here
            continue
        assert got == (top if gid in expected else 0), f"{gid}: {got}/{top}"


def test_export_csv_holds_every_submission(graded_course, tmp_path):
    rows = grading.export_csv(graded_course, tmp_path / "grades.csv")
    got = {(r["assignment"], r["student_id"]) for r in rows}
    want = {(l, s) for l in LESSONS for s in ("sample_full", "sample_partial", "sample_blank")}
    assert want <= got
    table = grading.grade_table(rows)
    assert "sample_full" in table.splitlines()[2] or "sample_full" in table


def test_hidden_tests_are_restored_at_grading(graded_course):
    """The submissions came from the release notebook (hidden tests removed); the autograded
    copy runs the hidden tests again from the gradebook."""
    lesson = LESSONS[0]
    path = graded_course / "autograded" / "sample_full" / lesson / f"{lesson}.ipynb"
    graded = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(path, as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade")}
    submitted = nbformat.read(graded_course / "submitted" / "sample_full" / lesson / f"{lesson}.ipynb", as_version=4)
    assert "### BEGIN HIDDEN TESTS" not in "".join(c.source for c in submitted.cells)
    masters = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbtools.master(lesson).cells
               if c.metadata.get("nbgrader", {}).get("grade")}
    hidden = [gid for gid, src in masters.items() if "### BEGIN HIDDEN TESTS" in src]
    assert hidden and all(graded[gid] == masters[gid] for gid in hidden)


@pytest.mark.parametrize("lesson", LESSONS)
def test_feedback_explains_failures_without_showing_hidden_tests(graded_course, lesson):
    grading.run_nbgrader(graded_course, "generate_feedback", lesson, "--force", "--log-level=ERROR")
    import html as htmllib
    import re

    def text(student):
        page = (graded_course / "feedback" / student / lesson / f"{lesson}.html").read_text()
        return htmllib.unescape(re.sub(r"<[^>]+>", "", page))

    top = grading.scores(graded_course, lesson)["sample_full"][1]
    partial = text("sample_partial")
    assert "NotImplementedError" in partial and "Score:" in partial
    assert f"{top:g}" in text("sample_full")
    master_src = "\n".join(c.source for c in nbtools.master(lesson).cells)
    hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", master_src, re.S)
    public = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", master_src, flags=re.S)
    unique = {l.strip() for h in hidden for l in h.splitlines() if len(l.strip()) > 20 and l.strip() not in public}
    for student in ("sample_full", "sample_partial", "sample_blank"):
        page = text(student)
        leaked = [l for l in unique if l in page]
        assert not leaked, f"feedback of {student} shows hidden test code: {leaked[:2]}"
