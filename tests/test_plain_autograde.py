"""The course's defences under plain `nbgrader autograde` - the command instructors are told to run
and the one the formgrader's Autograde button runs - not only under `make grade`.

Every case of tests/corpus.py (lesson 01) is handed in to one course and graded by ONE plain
`nbgrader autograde <lesson>` run (nbgrader_config.py registers coursekit/grading/preprocessors.py). Then:
the correct submission earns full marks and is not flagged; unreadable files (empty, cut-off JSON,
an nbformat that does not exist) are graded as the blank notebook and flagged with the reason, so the
formgrader shows them instead of a traceback; repairable files (lost metadata,
duplicated or deleted test cells) earn what their answers earn; every submission the audit distrusts
is flagged in nbgrader's own gradebook (flagged, needs manual grade, a comment saying why); the
gradebook holds every other student's grade; and the feedback of the student who printed the hidden
test's source shows none of it. (The variant corpus's verdicts under plain `nbgrader autograde` are
tests/test_pipeline.py's, for every lesson.)
"""

import json

import pytest
from nbgrader.api import Gradebook

from coursekit.grading import coursedir, sandbox
from coursekit.authoring.build import lesson_ids
from tests import corpus

LESSON = next((l for l in lesson_ids() if l.startswith("01_")), None)
pytestmark = pytest.mark.skipif(LESSON is None, reason="lesson 01 is not selected (COURSE_LESSONS)")
CASES = corpus.make_corpus(LESSON) if LESSON else {}
if sandbox.available():
    CASES.pop("attacks_the_grader", None)   # without the sandbox it would really wipe the gradebook
HIDDEN_LINE = "_imgs = np.random.default_rng(1).integers(0, 256, size=(5, 7, 9)).astype(np.uint8)"


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    course = tmp_path_factory.mktemp("plaincourse")
    coursedir.prepare_course(course, [LESSON])
    coursedir.hand_in(course, LESSON, {student: case.data for student, case in CASES.items()})
    (course / "submitted" / "correct" / LESSON / "gradebook-link").symlink_to(course / "gradebook.db")
    linked = course / "submitted" / "linked_notebook" / LESSON / f"{LESSON}.ipynb"
    linked.parent.mkdir(parents=True)
    linked.symlink_to(course / "submitted" / "correct" / LESSON / f"{LESSON}.ipynb")
    run = coursedir.run_nbgrader(course, "autograde", LESSON, "--force", f"--Execute.timeout={corpus.CELL_TIMEOUT}", check=False)
    coursedir.run_nbgrader(course, "generate_feedback", LESSON, "--force", check=False)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        found = {}
        for student in [*CASES, "linked_notebook"]:
            try:
                nb = gb.find_submission_notebook(LESSON, LESSON, student)
            except Exception:
                continue
            found[student] = dict(score=nb.score, max=nb.max_score, flagged=nb.flagged,
                                  manual=nb.needs_manual_grade,
                                  comments=" ".join(c.auto_comment or "" for c in nb.comments))
    return course, run, found


def _log_of(run, student):
    """The part of the autograde run's log about ``student`` (from its "Sanitizing" line to the next
    student's), for a failure message."""
    lines = run.stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if "] Sanitizing " in line]
    mine = [i for i in starts if f"/{student}/" in lines[i]]
    if not mine:
        return f"(nothing in the log about {student})"
    end = next((i for i in starts if i > mine[0] and f"/{student}/" not in lines[i]), len(lines))
    return "\n".join(lines[mine[0]:end][-40:])


def test_the_run_grades_the_whole_class(plain):
    course, run, found = plain
    missing = set(CASES) - set(found)
    assert not missing, f"not in the gradebook after plain autograde: {missing}\n{run.stderr[-3000:]}"
    # every submission whose kernel may not die is autograded to the end (nbgrader removes the graded
    # copy of a run that failed); the log says why where one is not
    unfinished = [s for s, case in CASES.items() if "failed" not in case.status
                  and not (course / "autograded" / s / LESSON / f"{LESSON}.ipynb").exists()]
    assert not unfinished, "\n\n".join(f"{s} was not autograded to the end:\n{_log_of(run, s)}" for s in unfinished)


@pytest.mark.parametrize("student", sorted(s for s, c in CASES.items() if "rejected" in c.status))
def test_an_unreadable_file_is_graded_blank_and_flagged_with_the_reason(plain, student):
    got = plain[2][student]
    assert got["score"] == 0 and got["flagged"] and got["manual"], got
    assert "could not be read" in got["comments"], got


@pytest.mark.parametrize("student", sorted(s for s, c in CASES.items() if "rejected" not in c.status))
def test_case_under_plain_autograde(plain, student):
    case, got = CASES[student], plain[2][student]
    top = plain[2]["correct"]["max"]
    if case.score not in (None, "kept"):
        want = top if case.score == "full" else case.score
        assert got["score"] == want, f"{case.why}: {got}"
    if "flagged" in case.status and "graded" not in case.status:
        assert got["flagged"] and got["manual"], f"{case.why}: not flagged in the gradebook: {got}"
        assert "Flagged by the course's grading checks" in got["comments"], got
    if case.status == {"graded"}:
        assert not got["flagged"], f"{case.why}: flagged for no reason: {got}"


def test_feedback_shows_verdicts_not_hidden_code(plain):
    course = plain[0]
    html = (course / "feedback" / "forge_prints_hidden_code" / LESSON / f"{LESSON}.html").read_text()
    assert "hidden tests: their code is not shown" in html
    assert "default_rng(1).integers" not in html, "the hidden test's code reached the feedback"
    correct = course / "feedback" / "correct" / LESSON
    assert sorted(p.name for p in correct.iterdir()) == [f"{LESSON}.html"], "a file besides the feedback"
    assert not (course / "autograded" / "correct" / LESSON / "gradebook-link").exists()


def test_forging_code_earns_nothing_and_the_feedback_says_why(plain):
    """Hostile input earns nothing: every test cell of a forging submission is 0 (its automatic score,
    not a manual one), the student's feedback says why, and the instructor's comment names the code."""
    from coursekit.grading.preprocessors import VOID_ERROR

    course, found = plain[0], plain[2]
    got = found["forge_on_correct_answers"]
    assert got["score"] == 0 and got["flagged"] and got["manual"], got
    assert "input_transformers_post" in got["comments"] and "automatic score is void" in got["comments"], got
    html = (course / "feedback" / "forge_on_correct_answers" / LESSON / f"{LESSON}.html").read_text()
    assert VOID_ERROR in html and "grades it by hand" in html
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(LESSON, LESSON, "forge_on_correct_answers")
        assert all(g.manual_score is None for g in nb.grades), "the zero must not stick as a manual score"
        assert sum(g.auto_score or 0 for g in nb.grades) == 0
    odd = found["odd_shell_escape"]
    assert odd["score"] == found["correct"]["max"] and odd["flagged"], odd


def test_a_converted_notebook_is_flagged_with_the_repair(plain):
    """nbformat 3, converted by the reader: the repair reaches nbgrader's gradebook as a flag and a comment."""
    got = plain[2]["nbformat_3"]
    assert got["score"] == plain[2]["correct"]["max"] and got["flagged"] and got["manual"], got
    assert "converted from nbformat 3 to 4" in got["comments"], got


def test_a_linked_notebook_earns_nothing_and_is_flagged(plain):
    got = plain[2]["linked_notebook"]
    assert got["score"] == 0 and got["flagged"] and "symbolic link" in got["comments"], got


def test_outputs_are_data_in_feedback(plain):
    """A student's HTML, SVG and Markdown reach the feedback page (and the formgrader, which shows the
    autograded notebook) as inert text: no script, no event handler."""
    course, _, found = plain
    assert found["html_payload"]["score"] == found["correct"]["max"], found["html_payload"]
    html = (course / "feedback" / "html_payload" / LESSON / f"{LESSON}.html").read_text()
    for marker in ("md-xss", "md-script"):
        assert marker in html, f"{marker}: the student's Markdown should still be shown, as text"
    for tag in ("<script>alert(", "<img src=x onerror", "<img src=\"x\" onerror", "<svg onload"):
        assert tag not in html, f"{tag} reached the feedback page as HTML"
    assert "not kept by the grader" in html, "the dropped outputs should be noted"
    autograded = json.loads((course / "autograded" / "html_payload" / LESSON / f"{LESSON}.ipynb").read_text())
    kinds = {mime for c in autograded["cells"] for o in c.get("outputs", []) for mime in o.get("data", {})}
    assert kinds <= {"text/plain", "image/png", "image/jpeg"}, kinds


def test_the_input_history_holds_no_hidden_test(plain):
    course, _, found = plain
    assert found["prints_history"]["score"] == found["correct"]["max"], found["prints_history"]
    nb = json.loads((course / "autograded" / "prints_history" / LESSON / f"{LESSON}.ipynb").read_text())
    texts = ["".join(t) if isinstance(t, list) else str(t)
             for c in nb["cells"] for o in c.get("outputs", []) for t in [o.get("text", "")]]
    printed = [t for t in texts if "HISTORY" in t]
    assert printed, "the print of the history should have run"
    assert "def prepare_images" in printed[0], "the history should hold the student's own cells"
    assert "Hidden tests for" not in printed[0] and "expect(" not in printed[0], printed[0][:3000]


def test_the_judge_alone_gives_forging_no_more_than_its_honest_answers(plain):
    """As tests/test_bad_submissions.py checks under make grade: the judge's own verdicts (before the
    audit's void) give no forging case more than its honest answers, under plain nbgrader autograde."""
    course = plain[0]
    problems = corpus.forging_beyond_honest(course, LESSON, CASES)
    assert not problems, "nbgrader autograde: " + "; ".join(problems)
