"""The variant corpus (tests/variants/): correct answers written differently earn every point of
their exercise; the mistakes students make lose its hidden points, with a message that names them.
And every graded test cell grades its own exercise's answer and nothing else: with only that answer solved
(every other one the release notebook's stub) its test cells earn every point and every other test cell
scores 0; with only that answer a stub (every other one solved), its test cells score 0. The solved
notebook earning every point of every cell is also checked on the real grader, by `nbgrader autograde`,
in tests/test_pipeline.py (test_solution_earns_every_point_cell_by_cell).

One class per lesson, so pytest-xdist (--dist loadscope) gives each lesson's kernel to one worker.
"""
import pytest

from coursekit.authoring.build import lesson_ids
from coursekit.grading.nbmeta import solved_source
from tests import nbtools, variants

LESSONS = lesson_ids()
MIN_EACH = 3  # correct and wrong variants per exercise (issue 13)


def _corpus(lesson):
    return variants.lesson_module(lesson).VARIANTS


class VariantChecks:
    lesson: str

    @pytest.fixture(scope="class")
    def grader(self):
        with variants.LessonGrader(self.lesson) as grader:
            yield grader

    def test_every_exercise_has_enough_variants_of_each_kind(self):
        exercises = variants.LessonGrader(self.lesson).tests
        corpus = _corpus(self.lesson)
        assert {v.exercise for v in corpus} <= set(exercises), "variants name an exercise the lesson lacks"
        assert len({v.id for v in corpus}) == len(corpus), "two variants share a name"
        for exercise in exercises:
            for kind in (True, False):
                n = sum(v.exercise == exercise and v.correct is kind for v in corpus)
                assert n >= MIN_EACH, f"{exercise}: {n} {'correct' if kind else 'wrong'} variants, want {MIN_EACH}"

    @pytest.fixture(scope="class")
    def answers(self, grader):
        """{exercise: (its solution, the release notebook's stub)}."""
        stubs = {nbtools.meta(c).get("grade_id"): c.source for c in nbtools.release(self.lesson).cells}
        return {ex: (solved_source(grader.cells[ex].source), stubs[ex]) for ex in grader.tests}

    def test_each_solution_alone_earns_its_tests_points(self, grader, answers, exercise):
        """Only this exercise solved, every other answer left as the release's stub: its test cells earn
        every point (they need nothing another answer defines), the solution passes the grading audit
        unflagged, and every other test cell scores 0 (each fails on its own exercise's stub)."""
        own = set(grader.tests[exercise])
        assert own, f"exercise {exercise} has no test cell"
        solution = answers[exercise][0]
        assert not grader.audit(solution), f"the grading audit flags the solution of {exercise}"
        results = grader.grade_answers({ex: sol if ex == exercise else stub for ex, (sol, stub) in answers.items()})
        for gid, result in results.items():
            if gid in own:
                assert result.points == result.max_points, \
                    f"{gid} gave {result.points}/{result.max_points} to the solution of {exercise}: {result.message}"
            else:
                assert result.points == 0, f"{gid} gave {result.points}/{result.max_points} to its exercise's stub"

    def test_stub_fails_its_own_tests_with_every_other_answer_solved(self, grader, answers, exercise):
        """This exercise left as the release's stub, every other one solved: its test cells score 0 (no
        test passes on what another answer defines). With the test above: each test cell grades what the
        student wrote in its own answer cell, and nothing else."""
        own = grader.tests[exercise]
        results = grader.grade_answers({ex: stub if ex == exercise else sol for ex, (sol, stub) in answers.items()},
                                       cells=own)
        for gid, result in results.items():
            assert result.points == 0, f"{gid} gave {result.points}/{result.max_points} with the stub of {exercise}"

    def test_variant(self, grader, variant):
        verdict = grader.grade(variant)
        assert verdict.problem() is None, verdict.problem()


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        metafunc.parametrize("exercise", list(nbtools.exercises(nbtools.master(metafunc.cls.lesson))))
    if "variant" in metafunc.fixturenames:
        corpus = _corpus(metafunc.cls.lesson)
        metafunc.parametrize("variant", corpus, ids=[v.id for v in corpus])


for _lesson in LESSONS:
    globals()[f"TestVariants{_lesson[:2]}"] = type(f"TestVariants{_lesson[:2]}", (VariantChecks,), {"lesson": _lesson})
