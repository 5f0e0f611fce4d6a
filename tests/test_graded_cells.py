"""Every graded test cell passes on the solution and fails on the stub - its own stub.

For each lesson the graded part of the master (setup, answer and test cells) is executed
once as solved, then once per exercise with only that exercise's answer replaced by the
student stub: that exercise's test cells must score 0 and every other test cell full marks,
so each test grades what the student wrote there and nothing else. Scores use nbgrader's own
rule (an error or any stderr output scores 0).
"""
import pytest

from coursekit.build import lesson_ids
from tests import nbtools

LESSONS = lesson_ids()
CASES = [(lesson, ex) for lesson in LESSONS for ex in nbtools.exercises(nbtools.master(lesson))]


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_earns_every_point(lesson):
    nb = nbtools.execute(nbtools.grading_subset(nbtools.master(lesson), nbtools.release(lesson)))
    points = nbtools.cell_points(nb)
    lost = {gid: p for gid, p in points.items() if p[0] != p[1]}
    assert points and not lost, f"solved notebook lost points in {lost}; errors: {nbtools.errors(nb)}"


@pytest.mark.parametrize("lesson,exercise", CASES, ids=[f"{l[:2]}-{e}" for l, e in CASES])
def test_stub_fails_its_own_tests_only(lesson, exercise):
    master = nbtools.master(lesson)
    own = set(nbtools.exercises(master)[exercise])
    assert own, f"exercise {exercise} has no test cell"
    nb = nbtools.execute(nbtools.grading_subset(master, nbtools.release(lesson), stub={exercise}))
    points = nbtools.cell_points(nb)
    for gid, (got, top) in points.items():
        if gid in own:
            assert got == 0, f"{gid} gave {got}/{top} with the stub of {exercise}"
        else:
            assert got == top, f"{gid} lost points when only {exercise} was stubbed: {nbtools.errors(nb).get(gid)}"
