"""The nbgrader pipeline end to end on a temporary copy of the course.

Real commands (generate_assignment, autograde, export) on a real SQLite gradebook, with the
same sample submissions `make demo` grades: full marks, zero, and a partial score in between.
"""

import re

import nbformat
import pytest

from coursekit.authoring.build import edition_languages, lesson_ids
from coursekit.authoring.translations import SCRIPTS
from coursekit.devtools import studentwork
from coursekit.grading import coursedir, gradebook, nbmeta
from tests import nbtools, variants

LESSONS = lesson_ids()
LANGUAGES = edition_languages()
VARIANT_LESSONS = ("01", "02")   # the wrong answers handed in twice, once in each edition
CORPUS_PACKS = 2  # the variant corpus's first correct and first wrong answer of every exercise (tests/variants)


def edition_submissions(lesson: str) -> dict:
    """The corpus's packs (``variants.packs``: pack01 answers every exercise with its first correct
    variant, pack02 with its first wrong one), and the other editions' students of the same assignment:
    solved and blank from each edition's own notebook (its answer cells as translated, docstrings
    included); for VARIANT_LESSONS also pack02 handed in from each other edition, to compare."""
    master = nbtools.master(lesson)
    packs = variants.packs(lesson)[:CORPUS_PACKS]
    subs = {pack.name: variants.pack_notebook(lesson, pack, master=master) for pack in packs}
    for language in LANGUAGES:
        edition_master, release = studentwork.edition(lesson, language, master=master)
        subs[f"sample_full_{language}"] = studentwork.make_submission(edition_master, release, nbmeta.answer_ids(master))
        subs[f"sample_blank_{language}"] = studentwork.make_submission(edition_master, release, [])
        if lesson[:2] in VARIANT_LESSONS:
            subs[f"pack02_{language}"] = variants.pack_notebook(lesson, packs[1], master=edition_master, release=release)
    return subs


class PipelineChecks:
    """The checks for one lesson; a subclass per lesson below. Each class grades its own course,
    so pytest-xdist (--dist loadscope) can spread the lessons over its workers."""

    lesson: str

    @pytest.fixture(scope="class")
    def graded_course(self, tmp_path_factory):
        course = tmp_path_factory.mktemp(f"course{self.lesson[:2]}")
        coursedir.prepare_course(course, [self.lesson])
        studentwork.submit_samples(course, self.lesson)
        for student, nb in edition_submissions(self.lesson).items():
            coursedir.submit(course, student, self.lesson, nb)
        coursedir.autograde(course, self.lesson)
        return course

    def test_every_edition_scores_what_the_same_answers_score_in_english(self, graded_course):
        """One assignment grades both editions: a Korean notebook earns, cell by cell, exactly what the
        same answers earn in the English one - solved, blank, and a wrong answer."""
        lesson = self.lesson
        pairs = [(f"sample_full_{lang}", "sample_full") for lang in LANGUAGES] + \
            [(f"sample_blank_{lang}", "sample_blank") for lang in LANGUAGES]
        if lesson[:2] in VARIANT_LESSONS:
            pairs += [(f"pack02_{lang}", "pack02") for lang in LANGUAGES]
        for edition, english in pairs:
            got, want = (gradebook.cell_scores(graded_course, lesson, s) for s in (edition, english))
            assert got == want, f"{edition} scored {got}, {english} {want}"
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gb:
            flagged = [s for s, _ in pairs if gb.find_submission_notebook(lesson, lesson, s).flagged]
        assert not flagged, f"flagged for a human look, for being another edition: {flagged}"
        if lesson[:2] in VARIANT_LESSONS:
            variant = gradebook.cell_scores(graded_course, lesson, "pack02")
            assert variant != gradebook.cell_scores(graded_course, lesson, "sample_full"), "the wrong answers lost nothing"

    def test_each_student_reads_feedback_in_the_language_of_their_notebook(self, graded_course):
        """The graded copy of a Korean notebook: the kit's lines and the checks' verdicts in Korean (the
        judge translates them in the grader); the English notebook's stay English."""
        lesson = self.lesson

        def graded(student):
            return nbformat.read(graded_course / "autograded" / student / lesson / f"{lesson}.ipynb", as_version=4)

        def said(cell):
            return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))
        for language in LANGUAGES:
            script = SCRIPTS[language]
            nb = graded(f"sample_full_{language}")
            setup = next(c for c in nb.cells if nbmeta.grade_meta(c).get("grade_id") == "setup")
            assert script.search(said(setup)), said(setup)[:300]
            tests = [c for c in nb.cells if nbmeta.grade_meta(c).get("grade")]
            assert all(script.search(said(c)) for c in tests), [said(c)[:80] for c in tests if not script.search(said(c))]
            if lesson[:2] in VARIANT_LESSONS:
                failed = [said(c) for c in graded(f"pack02_{language}").cells if any(
                    o.get("output_type") == "error" for o in c.get("outputs", [])) and nbmeta.grade_meta(c).get("grade")]
                english = [said(c) for c in graded("pack02").cells if any(
                    o.get("output_type") == "error" for o in c.get("outputs", [])) and nbmeta.grade_meta(c).get("grade")]
                assert failed and len(failed) == len(english)
                assert all(script.search(f) for f in failed), failed
                assert not any(script.search(e) for e in english), english

    def test_the_variant_corpus_gets_the_verdicts_its_tests_expect(self, graded_course):
        """The variant corpus through plain `nbgrader autograde` (intake, audit, sandboxed kernel, judge):
        every correct answer earns every point of its exercise unflagged, every wrong one loses the points
        it must, with a message that names the mistake - the verdicts tests/test_variants.py expects of
        LessonGrader, here from the real grader (the whole corpus: `make bench BENCH_ARGS=--corpus-graded`)."""
        lesson = self.lesson
        problems = variants.graded_problems(graded_course, lesson, variants.packs(lesson)[:CORPUS_PACKS])
        assert len(problems) >= 2 and not any(problems.values()), problems

    def test_full_partial_blank_scores(self, graded_course):
        lesson = self.lesson
        scores = gradebook.scores(graded_course, lesson)
        full, top = scores["sample_full"]
        assert top > 0 and full == top, f"full submission scored {full}/{top}"
        assert scores["sample_blank"][0] == 0, f"blank submission scored {scores['sample_blank']}"
        partial = scores["sample_partial"][0]
        assert 0 < partial < top, f"partial submission scored {partial}/{top}"

    def test_solution_earns_every_point_cell_by_cell(self, graded_course):
        """The solved notebook, graded by nbgrader itself: every graded cell at its maximum (this is
        what tests/test_variants.py checks exercise by exercise in the lesson's variant kernel, here on the real grader)."""
        lesson = self.lesson
        cells = gradebook.cell_scores(graded_course, lesson, "sample_full")
        tests = {gid for ids in nbtools.exercises(nbtools.master(lesson)).values() for gid in ids}
        assert tests and tests <= set(cells)
        lost = {gid: got for gid, got in cells.items() if got[0] != got[1]}
        assert not lost, f"the solution lost points in {lost}"

    def test_partial_score_is_exactly_the_solved_exercises(self, graded_course):
        lesson = self.lesson
        master = nbtools.master(lesson)
        solved = nbmeta.answer_ids(master)[: (len(nbmeta.answer_ids(master)) + 1) // 2]
        tests_of = nbtools.exercises(master)
        expected = {gid for ex in solved for gid in tests_of[ex]}
        cells = gradebook.cell_scores(graded_course, lesson, "sample_partial")
        for gid, (got, top) in cells.items():
            if gid in tests_of:       # answer cells carry no points here
                continue
            assert got == (top if gid in expected else 0), f"{gid}: {got}/{top}"

    def test_export_csv_holds_every_submission(self, graded_course, tmp_path):
        lesson = self.lesson
        rows = gradebook.export_csv(graded_course, tmp_path / "grades.csv")
        got = {(r["assignment"], r["student_id"]) for r in rows}
        want = {(lesson, s) for s in ("sample_full", "sample_partial", "sample_blank")}
        assert want <= got
        table = gradebook.grade_table(rows)
        assert "sample_full" in table.splitlines()[2] or "sample_full" in table

    def test_hidden_tests_are_restored_at_grading(self, graded_course):
        """The submissions came from the release notebook (hidden tests removed); the autograded
        copy runs the hidden tests again from the gradebook."""
        lesson = self.lesson
        path = graded_course / "autograded" / "sample_full" / lesson / f"{lesson}.ipynb"
        graded = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(path, as_version=4).cells
                  if c.metadata.get("nbgrader", {}).get("grade")}
        submitted = nbformat.read(graded_course / "submitted" / "sample_full" / lesson / f"{lesson}.ipynb", as_version=4)
        assert "### BEGIN HIDDEN TESTS" not in "".join(c.source for c in submitted.cells)
        masters = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbtools.master(lesson).cells
                   if c.metadata.get("nbgrader", {}).get("grade")}
        hidden = [gid for gid, src in masters.items() if "### BEGIN HIDDEN TESTS" in src]
        assert hidden and all(graded[gid] == masters[gid] for gid in hidden)

    def test_feedback_explains_failures_without_showing_hidden_tests(self, graded_course):
        lesson = self.lesson
        coursedir.run_nbgrader(graded_course, "generate_feedback", lesson, "--force", "--log-level=ERROR")
        import html as htmllib
        import re

        def text(student):
            page = (graded_course / "feedback" / student / lesson / f"{lesson}.html").read_text()
            return htmllib.unescape(re.sub(r"<[^>]+>", "", page))

        top = gradebook.scores(graded_course, lesson)["sample_full"][1]
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
        assert "def check_architecture" not in partial and "not shown in feedback" in partial

    def test_errors_print_as_python_prints_them(self, graded_course):
        """Grading kernels print an error as Python does (nbgrader_config.py: xmode Plain): each frame's
        place and code line, not IPython's Context form, which reads every frame's source for the lines
        around it (40 ms an error; a blank notebook raises a dozen)."""
        lesson = self.lesson
        nb = nbformat.read(graded_course / "autograded" / "sample_blank" / lesson / f"{lesson}.ipynb", as_version=4)
        raised = [re.sub(r"\x1b\[[0-9;]*m", "", "".join(o.traceback)) for c in nb.cells for o in c.get("outputs", [])
                  if o.get("output_type") == "error" and o.get("ename") == "NotImplementedError" and len(o.traceback) > 1]
        assert raised, "the blank notebook raised no NotImplementedError in a plain cell"
        for text in raised:
            assert text.startswith("Traceback (most recent call last):") and "---->" not in text, text[:500]
            assert "raise NotImplementedError" in text, text[:500]


class ValidateChecks:
    """Lesson 01 only: `nbgrader validate` on a student notebook."""

    def test_validate_gives_a_clear_pass_or_fail(self, graded_course, tmp_path):
        """`nbgrader validate` - what a student or TA runs on one notebook - says pass or fail in one
        line: on a solved notebook, an untouched one, and one whose visible test cell was edited."""
        lesson = self.lesson
        submitted = graded_course / "submitted"

        def validate(path):
            run = coursedir.run_nbgrader(graded_course, "validate", str(path), check=False)
            return run.returncode, run.stdout + run.stderr

        code, out = validate(submitted / "sample_full" / lesson / f"{lesson}.ipynb")
        assert "Success! Your notebook passes all the tests." in out and "FAILED" not in out, out[-2000:]
        code, out = validate(submitted / "sample_blank" / lesson / f"{lesson}.ipynb")
        assert "VALIDATION FAILED ON" in out and "NotImplementedError" in out, out[-2000:]
        # (edited in the untouched notebook: validate reports the edit first, and a notebook whose
        # answers raise at once is quick to run)
        nb = nbformat.read(submitted / "sample_blank" / lesson / f"{lesson}.ipynb", as_version=4)
        test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
        test_cell.source = "pass"
        tampered = tmp_path / f"{lesson}.ipynb"
        nbformat.write(nb, tampered)
        code, out = validate(tampered)
        assert "THE CONTENTS OF 1 TEST CELL(S) HAVE CHANGED" in out, out[-2000:]


for _lesson in LESSONS:
    _bases = (PipelineChecks, ValidateChecks) if _lesson.startswith("01_") else (PipelineChecks,)
    globals()[f"TestLesson{_lesson[:2]}"] = type(f"TestLesson{_lesson[:2]}", _bases, {"lesson": _lesson})
