"""Every graded test cell fails on the stub - its own stub - and passes on the solution.

For each exercise the graded part of the master (setup, answer and test cells) is executed with
only that exercise's answer replaced by the student stub: that exercise's test cells must score
0 and every other test cell full marks, so each test grades what the student wrote there and
nothing else. The notebook runs through the course's own Execute step (JudgedExecute): a judged
lesson's test cells are decided by its judge, as under nbgrader. Scores use nbgrader's own rule (an error or any stderr output scores 0). The other
half - the solved notebook earns every point of every cell - is checked on the real grader, by
`nbgrader autograde` in tests/test_pipeline.py (test_solution_earns_every_point_cell_by_cell).
"""

from coursekit.authoring.build import lesson_ids
from tests import nbtools

LESSONS = lesson_ids()


class StubChecks:
    """One class per lesson (below), so pytest-xdist (--dist loadscope) spreads lessons over workers."""

    lesson: str

    def test_stub_fails_its_own_tests_only(self, exercise):
        lesson = self.lesson
        master = nbtools.master(lesson)
        own = set(nbtools.exercises(master)[exercise])
        assert own, f"exercise {exercise} has no test cell"
        nb = nbtools.execute(nbtools.grading_subset(master, nbtools.release(lesson), stub={exercise}), lesson=lesson)
        points = nbtools.cell_points(nb)
        for gid, (got, top) in points.items():
            if gid in own:
                assert got == 0, f"{gid} gave {got}/{top} with the stub of {exercise}"
            else:
                assert got == top, f"{gid} lost points when only {exercise} was stubbed: {nbtools.errors(nb).get(gid)}"


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        metafunc.parametrize("exercise", list(nbtools.exercises(nbtools.master(metafunc.cls.lesson))))


for _lesson in LESSONS:
    globals()[f"TestLesson{_lesson[:2]}"] = type(f"TestLesson{_lesson[:2]}", (StubChecks,), {"lesson": _lesson})
