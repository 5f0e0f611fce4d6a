"""Bad and tampered submissions, graded beside a correct one in the same run.

Every case in tests/corpus.py (generated from lesson 01's release notebook) is handed in to one
course and graded by coursekit.grading.intake. For each: the right score (tampered tests restored, no
free points; hard-coded answers fail the hidden tests), the right verdict (graded / flagged /
rejected / failed, with a reason), the correct submission still full marks, the gradebook still
opens and holds every other student's grade, and the student's file unchanged.
"""
import hashlib
import os
import socket

import nbformat
import pytest

from coursekit.devtools import studentwork
from coursekit.grading import audit, classgrade, coursedir, gradebook, nbmeta, runner, sandbox
from coursekit.grading.findings import REPAIR, voids
from coursekit.authoring.build import lesson_ids
from tests import corpus, nbtools, variants

LESSON = next((l for l in lesson_ids() if l.startswith("01_")), None)
# Beside the corpus, the variant corpus's first correct and first wrong answer of every exercise, packed
# into two notebooks (tests/variants.packs): make grade's verdicts on them are LessonGrader's.
PACKS = variants.packs(LESSON)[:2] if LESSON else []
pytestmark = pytest.mark.skipif(LESSON is None, reason="lesson 01 is not selected (COURSE_LESSONS)")
CASES = corpus.make_corpus(LESSON) if LESSON else {}
# The kernels run in the bubblewrap sandbox (coursekit.grading.sandbox). Where bubblewrap cannot run, the
# case that attacks the grader is left out - it would really wipe the gradebook - and its test says so.
WHY_NO_SANDBOX = sandbox.available()
SANDBOX = "off" if WHY_NO_SANDBOX else "on"
if WHY_NO_SANDBOX:
    CASES.pop("attacks_the_grader", None)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("badcourse")
    coursedir.prepare_course(course, [LESSON])
    coursedir.hand_in(course, LESSON, {student: case.data for student, case in CASES.items()})
    variants.hand_in_packs(course, LESSON, PACKS)
    digests = {student: hashlib.sha256(case.data).hexdigest() for student, case in CASES.items()}
    # Files that are not the notebook: a link to the gradebook beside a correct answer (never read,
    # never copied), and a notebook that is a link to another student's file (rejected).
    (course / "submitted" / "correct" / LESSON / "gradebook-link").symlink_to(course / "gradebook.db")
    linked = course / "submitted" / "linked_notebook" / LESSON / f"{LESSON}.ipynb"
    linked.parent.mkdir(parents=True)
    linked.symlink_to(course / "submitted" / "correct" / LESSON / f"{LESSON}.ipynb")
    lines = []
    with socket.socket() as listener:   # something on loopback for the attack to reach
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        os.environ["COURSE_TEST_LISTEN_PORT"] = str(listener.getsockname()[1])
        run = classgrade.grade_class(course, LESSON, timeout=corpus.CELL_TIMEOUT, progress=lines.append, sandboxed=SANDBOX)
    return course, {r.student: r for r in run.results}, digests, lines


def test_links_are_never_followed(graded):
    course, results = graded[0], graded[1]
    assert results["linked_notebook"].status == "rejected" and "symbolic link" in results["linked_notebook"].notes[0]
    for folder in ("staged", "autograded", "feedback"):
        assert not list((course / folder).rglob("gradebook-link")), f"the link was copied into {folder}/"


@pytest.mark.parametrize("student", sorted(CASES))
def test_case(graded, student):
    course, results, digests, _ = graded
    case, result = CASES[student], results[student]
    assert result.status in case.status, f"{case.why}: {result}"
    top = results["correct"].max_score
    if case.score is None:
        assert result.score is None or result.score == 0, f"{case.why}: scored {result.score}"
        assert result.notes and all(result.notes), "a rejected or failed submission must say why"
    elif case.score != "kept":
        want = top if case.score == "full" else case.score
        assert result.score == want and result.max_score == top, f"{case.why}: {result}"
    if result.status != "graded":
        assert result.notes, f"{student} needs a human look but no reason was given"
    path = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digests[student], "the student's file was changed"


def test_correct_submission_full_marks_and_gradebook_intact(graded):
    course, results, _, lines = graded
    assert results["correct"].status == "graded" and results["correct"].score == results["correct"].max_score > 0
    scores = gradebook.scores(course, LESSON)   # the gradebook opens
    graded_ok = {s for s, r in results.items() if r.status in ("graded", "flagged")}
    assert graded_ok <= set(scores), f"missing from the gradebook: {graded_ok - set(scores)}"
    assert len(lines) == len(CASES) + len(PACKS) + 1 and "ETA" in lines[-1]


def test_the_variant_corpus_gets_the_verdicts_its_tests_expect(graded):
    results = graded[1]
    assert all(results[p.name].status == "graded" for p in PACKS), [results[p.name] for p in PACKS]
    problems = variants.graded_problems(graded[0], LESSON, PACKS)
    assert len(problems) == sum(len(p.answers) for p in PACKS) and not any(problems.values()), problems


def test_big_output_is_cut(graded):
    course = graded[0]
    path = course / "autograded" / "prints_50_mb" / LESSON / f"{LESSON}.ipynb"
    assert path.stat().st_size < 2_000_000 and "cut by the grader" in path.read_text()


def test_report_lists_what_needs_a_look(graded):
    results = graded[1]
    text = runner.report(list(results.values()))
    for student, r in results.items():
        assert student in text
        if r.status != "graded":
            assert f"- {student} ({r.status}):" in text


def test_the_sandbox_stops_an_attack_on_the_grader(graded):
    nbtools.require(WHY_NO_SANDBOX, "grading in the sandbox")
    course, results = graded[0], graded[1]
    path = course / "autograded" / "attacks_the_grader" / LESSON / f"{LESSON}.ipynb"
    outputs = [o.get("text", "") for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])]
    report = next(line for text in outputs for line in text.splitlines() if line.startswith("ATTACK REPORT"))
    for target in ("gradebook", "submissions", "network"):
        assert f"{target}: blocked" in report, report
    assert results["attacks_the_grader"].score == 0, "code that attacks the grader earns nothing"
    assert (course / "gradebook.db").stat().st_size > 0


def test_forged_checks_are_named_in_the_needs_a_look_list(graded):
    result = graded[1]["forges_the_checks"]
    assert result.status == "flagged"
    assert any("`expect`" in note and "by hand" in note for note in result.notes), result.notes


@pytest.mark.parametrize("lesson", lesson_ids())
def test_audit_flags_forged_helpers_and_nothing_else(lesson):
    master, release = nbtools.master(lesson), nbtools.release(lesson)
    full = studentwork.make_submission(master, release, nbmeta.answer_ids(master))
    assert audit.audit(full, release) == [] and audit.audit(release, release) == []
    answer = next(c for c in full.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source += "\nimport numpy as np\nfrom keras import layers\nnp.allclose = lambda *a, **k: True\n"
    notes = audit.audit(full, release)
    assert len(notes) == 1 and "`np.allclose`" in notes[0] and "`layers`" not in notes[0], notes
    assert voids(notes[:1]), notes


AUDIT_CASES = {   # snippet added to a correct answer cell: (forges - the score is void -, odd - score kept -)
    "get_ipython().input_transformers_post.append(f)": (True, False),
    "exit._ip.events.register('post_run_cell', f)": (True, False),
    "%time get_ipython().ast_transformers.append(f)": (True, False),
    "%%capture\nimport builtins\nbuiltins.len = f": (True, False),
    "%run extra.py": (True, False),
    "getattr(quit, '_ip')": (True, False),
    "x = np.load('a.npy', allow_pickle=True)": (True, False),
    "m = keras.models.load_model('m.keras', safe_mode=False)": (True, False),
    "open('/proc/self/mem', 'rb')": (True, False),
    "import sys\nsys.path.insert(0, '.')": (True, False),
    "expect = print": (True, False),
    "[(expect := print) for _ in '']": (True, False),
    "!nvidia-smi": (False, True),
    "%pip install tqdm": (False, True),
    "import functools": (False, True),
    "import sys\nsys.exit()": (False, True),
    "import not_installed_for_grading_xyz": (False, True),
    "%matplotlib inline\n%timeit -n 1 -r 1 sum([1])": (False, False),
    "def f(layers):\n    expect = len(layers)\n    return expect": (False, False),
    "class Block:\n    np = 3": (False, False),
    "from keras.layers import *": (False, False),
    "import sys\nif 'google.colab' in sys.modules:\n    get_ipython().run_line_magic('load_ext', 'tensorboard')":
        (False, True),
    "import sys\nsys.modules['__main__']": (True, False),
    "from IPython.display import HTML, display\ndisplay(HTML('<b>done</b>'))": (False, False),
    "from IPython.display import get_ipython": (True, False),
}


@pytest.mark.parametrize("snippet", sorted(AUDIT_CASES))
def test_audit_tells_forging_code_from_odd_code(snippet):
    """Forging code voids the automatic score (hostile input earns nothing); odd code an answer never
    needs is flagged with its score kept; a local variable that shares a check's name is not flagged."""
    lesson = LESSON or lesson_ids()[0]
    master, release = nbtools.master(lesson), nbtools.release(lesson)
    full = studentwork.make_submission(master, release, nbmeta.answer_ids(master))
    answer = next(c for c in full.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source += "\n" + snippet
    notes = audit.audit(full, release)
    forges, odd = AUDIT_CASES[snippet]
    assert bool(notes) == (forges or odd), notes
    assert voids(notes) == forges, notes


def test_a_failed_run_is_regraded_on_resume_a_good_one_skipped(graded):
    course = graded[0]
    run = classgrade.grade_class(course, LESSON, students=["kernel_killed", "correct"], timeout=corpus.CELL_TIMEOUT,
                                 progress=None, sandboxed=SANDBOX)
    assert run.graded_now == ["kernel_killed"] and run.skipped == ["correct"], run


def test_rejected_files_show_in_the_formgrader(graded):
    """A rejected file (empty, cut-off JSON, an nbformat that does not exist, a link) is not only in
    make grade's needs-a-look list: its blank stand-in is graded 0 and flagged in the gradebook, with the
    reason, so nbgrader's formgrader lists it instead of "needs autograding"."""
    from nbgrader.api import Gradebook

    course, results = graded[0], graded[1]
    rejected = sorted(s for s, r in results.items() if r.status == "rejected")
    assert {"empty_file", "malformed_json", "linked_notebook"} <= set(rejected)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in rejected:
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            assert nb.flagged and nb.score == 0 and all(g.needs_manual_grade for g in nb.grades), student
            comments = " ".join(c.auto_comment or "" for c in nb.comments)
            assert "could not be read" in comments and results[student].notes[0] in comments, (student, comments)
    assert all(results[s].score is None for s in rejected), "make grade's table shows no score for a rejected file"


def test_a_converted_notebook_is_noted_as_a_repair_everywhere(graded):
    """A notebook saved as nbformat 3 is converted and graded on its answers; the conversion is a
    finding of kind repair that reaches make grade's table (read back from COURSE_INTAKE_REPORT) and
    the gradebook (flagged, with the note as the comment), not only the log."""
    from nbgrader.api import Gradebook

    course, results = graded[0], graded[1]
    result = results["nbformat_3"]
    repairs = [n for n in result.notes if getattr(n, "kind", None) == REPAIR]
    assert result.status == "flagged" and result.score == results["correct"].max_score, result
    assert [n.message for n in repairs] == ["converted from nbformat 3 to 4"], result.notes
    assert "converted from nbformat 3 to 4" in runner.report(list(results.values()))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(LESSON, LESSON, "nbformat_3")
        assert nb.flagged and "converted from nbformat 3 to 4" in " ".join(c.auto_comment or "" for c in nb.comments)


def test_a_rejection_claimed_in_the_notebook_is_not_believed(graded):
    """Why a file was refused reaches the pipeline from make grade's own process and from the reader,
    never from the notebook (whose metadata the student writes): a notebook claiming it is unreadable is
    graded on its answers, unflagged."""
    result, top = graded[1]["claims_unreadable"], graded[1]["correct"].max_score
    assert result.status == "graded" and result.score == top and not result.notes, result


def test_the_reader_hands_its_findings_to_the_intake_in_the_resources(tmp_path):
    """SubmissionExporter: what reading the file found (a conversion; why it is no notebook) goes to
    the intake through nbgrader's resources, as Findings - never through the notebook's metadata."""
    from coursekit.grading.preprocessors import READ_KEY, SubmissionExporter

    old = tmp_path / "old.ipynb"
    old.write_bytes(CASES["nbformat_3"].data)
    _, resources = SubmissionExporter().from_filename(str(old), resources={"nbgrader": {}})
    read = resources[READ_KEY]
    assert read["reject"] is None and [(f.kind, f.message) for f in read["findings"]] == [
        (REPAIR, "converted from nbformat 3 to 4")]
    new = tmp_path / "new.ipynb"
    new.write_bytes(CASES["claims_unreadable"].data)
    output, resources = SubmissionExporter().from_filename(str(new), resources={"nbgrader": {}})
    assert resources[READ_KEY] == {"reject": None, "findings": []}


def test_findings_are_reported_as_records_and_read_back(tmp_path, monkeypatch):
    """make grade reads the pipeline's findings back as structured records (kind, cell, message)."""
    from coursekit.grading.findings import FORGING, Finding
    from coursekit.grading.preprocessors import REPORT_ENV, read_findings, report_findings

    target = tmp_path / "findings.json"
    monkeypatch.setenv(REPORT_ENV, str(target))
    found = [Finding("converted from nbformat 3 to 4", REPAIR), Finding("`expect` rebound", FORGING, "prepare_images")]
    report_findings({"student": "s1"}, found)
    back = read_findings(target)
    assert [(f.kind, f.cell, f.message) for f in back] == [(f.kind, f.cell, f.message) for f in found]


def test_every_flag_reaches_the_gradebook(graded):
    """What make grade flags in its own table (repaired, audited, timed out) is flagged in nbgrader's
    gradebook too, with the reasons, so the formgrader lists the student without a second run."""
    from nbgrader.api import Gradebook

    course, results = graded[0], graded[1]
    flagged = sorted(s for s, r in results.items() if r.status == "flagged")
    assert flagged, "the corpus should have flagged submissions"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in flagged:
            nb = gb.find_submission_notebook(LESSON, LESSON, student)
            comments = " ".join(c.auto_comment or "" for c in nb.comments)
            assert nb.flagged and nb.needs_manual_grade, (student, results[student].notes)
            assert "Flagged by the course's grading checks" in comments or "time limit" in comments, (student, comments)


def test_the_judge_alone_gives_forging_no_more_than_its_honest_answers(graded):
    """The same run, read as if the audit were off: each forging case's verdicts as the judge gave them,
    before the audit's void replaced them (kept in the cell metadata by VoidForgedTests), earn no more
    than its honest answers. (tests/test_judge.py switches the audit off for a few cases, to show that
    the switch itself changes nothing else.)"""
    course = graded[0]
    forged = [n for n in CASES if n.startswith("forge")]
    assert len(forged) >= 20, "the corpus lost its forging cases"
    problems = corpus.forging_beyond_honest(course, LESSON, CASES)
    assert not problems, "make grade: " + "; ".join(problems)
