"""Bad and tampered submissions, graded beside a correct one in the same run.

Every case in tests/corpus.py (generated from lesson 01's release notebook) is handed in to one
course and graded by coursekit.safegrade. For each: the right score (tampered tests restored, no
free points; hard-coded answers fail the hidden tests), the right verdict (graded / flagged /
rejected / failed, with a reason), the correct submission still full marks, the gradebook still
opens and holds every other student's grade, and the student's file unchanged.
"""
import hashlib

import pytest

from coursekit import grading, safegrade
from coursekit.build import lesson_ids
from tests import corpus

LESSON = next((l for l in lesson_ids() if l.startswith("01_")), None)
pytestmark = pytest.mark.skipif(LESSON is None, reason="lesson 01 is not selected (COURSE_LESSONS)")
CASES = corpus.make_corpus(LESSON) if LESSON else {}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("badcourse")
    grading.prepare_course(course, [LESSON])
    digests = {}
    for student, case in CASES.items():
        path = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_bytes(case.data)
        digests[student] = hashlib.sha256(case.data).hexdigest()
    lines = []
    results = safegrade.grade_class(course, LESSON, timeout=20, progress=lines.append)
    return course, {r.student: r for r in results}, digests, lines


@pytest.mark.parametrize("student", sorted(CASES))
def test_case(graded, student):
    course, results, digests, _ = graded
    case, result = CASES[student], results[student]
    assert result.status in case.status, f"{case.why}: {result}"
    top = results["correct"].max_score
    if case.score is None:
        assert result.score is None or result.score == 0, f"{case.why}: scored {result.score}"
        assert result.notes and all(result.notes), "a rejected or failed submission must say why"
    else:
        want = top if case.score == "full" else case.score
        assert result.score == want and result.max_score == top, f"{case.why}: {result}"
    if result.status != "graded":
        assert result.notes, f"{student} needs a human look but no reason was given"
    path = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digests[student], "the student's file was changed"


def test_correct_submission_full_marks_and_gradebook_intact(graded):
    course, results, _, lines = graded
    assert results["correct"].status == "graded" and results["correct"].score == results["correct"].max_score > 0
    scores = grading.scores(course, LESSON)   # the gradebook opens
    graded_ok = {s for s, r in results.items() if r.status in ("graded", "flagged")}
    assert graded_ok <= set(scores), f"missing from the gradebook: {graded_ok - set(scores)}"
    assert len(lines) == len(CASES) and "ETA" in lines[-1]


def test_big_output_is_cut(graded):
    course = graded[0]
    path = course / "autograded" / "prints_50_mb" / LESSON / f"{LESSON}.ipynb"
    assert path.stat().st_size < 2_000_000 and "cut by the grader" in path.read_text()


def test_report_lists_what_needs_a_look(graded):
    results = graded[1]
    text = safegrade.report(list(results.values()))
    for student, r in results.items():
        assert student in text
        if r.status != "graded":
            assert f"- {student} ({r.status}):" in text
