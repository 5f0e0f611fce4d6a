"""The variant corpus (tests/variants/): correct answers written differently earn every point of
their exercise; the mistakes students make lose its hidden points, with a message that names them.
And every graded test cell fails on its own exercise's stub, and only on it: with one answer left as the
release notebook's stub and every other answer solved, exactly that exercise's test cells score 0 (so
each test grades what the student wrote there and nothing else). The other half - the solved notebook
earns every point of every cell - is checked on the real grader, by `nbgrader autograde`, in
tests/test_pipeline.py (test_solution_earns_every_point_cell_by_cell).

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

    def test_the_solution_earns_every_point(self, grader):
        for exercise in grader.tests:
            source = solved_source(grader.cells[exercise].source)
            verdict = grader.grade(variants.correct(exercise, "solution", source))
            assert verdict.problem() is None, verdict.problem()

    def test_stub_fails_its_own_tests_only(self, grader, exercise):
        own = set(grader.tests[exercise])
        assert own, f"exercise {exercise} has no test cell"
        stub = next(c.source for c in nbtools.release(self.lesson).cells
                    if nbtools.meta(c).get("grade_id") == exercise)
        for gid, result in grader.grade_with_stub(exercise, stub).items():
            if gid in own:
                assert result.points == 0, f"{gid} gave {result.points}/{result.max_points} with the stub of {exercise}"
            else:
                assert result.points == result.max_points, \
                    f"{gid} lost points when only {exercise} was stubbed: {result.message}"

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
