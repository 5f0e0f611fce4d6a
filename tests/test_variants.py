"""The variant corpus (tests/variants/): correct answers written differently earn every point of
their exercise; the mistakes students make lose its hidden points, with a message that names them.

One class per lesson, so pytest-xdist (--dist loadscope) gives each lesson's kernel to one worker.
"""
import pytest

from coursekit.authoring.build import lesson_ids
from coursekit.grading.nbmeta import solved_source
from tests import variants

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

    def test_variant(self, grader, variant):
        verdict = grader.grade(variant)
        assert verdict.problem() is None, verdict.problem()


def pytest_generate_tests(metafunc):
    if "variant" in metafunc.fixturenames:
        corpus = _corpus(metafunc.cls.lesson)
        metafunc.parametrize("variant", corpus, ids=[v.id for v in corpus])


for _lesson in LESSONS:
    globals()[f"TestVariants{_lesson[:2]}"] = type(f"TestVariants{_lesson[:2]}", (VariantChecks,), {"lesson": _lesson})
