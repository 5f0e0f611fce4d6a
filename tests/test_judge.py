"""The judge (coursekit/grading/judge/): what crosses the boundary, and that verdicts hold without the audit.

- the wire: a question's inputs and an answer's values round-trip; what a kernel may send that is not
  plain data (pickles, object arrays, two answers, none, too much) is no answer;
- the output step: HTML, SVG and scripts never reach a page, every output is capped;
- the sandbox's environment: an exact allow-list (no JupyterHub token, no database URL);
- the audit's switch: ``COURSE_AUDIT=on|off`` (anything else a clear error), read by the pipeline under
  plain `nbgrader autograde` and by `make grade` (``--audit``, ``AUDIT=``);
- with the static audit switched OFF, every forging submission of tests/corpus.py (lesson 01, judged)
  earns no more than its honest answers under plain `nbgrader autograde` AND under `make grade`.
"""
import base64
import io
import json
import pickle

import nbformat
import numpy as np
import pytest

from coursekit import ROOT
from coursekit.authoring.build import lesson_ids
from coursekit.grading import classgrade, coursedir, judge, sandbox
from coursekit.grading.findings import FORGING, ODD
from coursekit.grading.judge import wire
from coursekit.grading.preprocessors import CourseIntake, SanitizeOutputs
from tests import corpus

LESSON = next((lesson for lesson in lesson_ids() if lesson.startswith("01_")), None)


def _answer_output(reply):
    return {"output_type": "display_data", "data": {wire.MIME: reply}, "metadata": {}}


def _npy(array, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return base64.b64encode(buf.getvalue()).decode()


def test_a_question_runs_its_body_on_its_inputs_and_answers_plain_data():
    code = wire.question('OUT["twice"] = IN["x"] * 2\nOUT["n"] = IN["n"] + 1\nOUT["label"] = "ok"',
                         x=np.arange(6, dtype="float32").reshape(2, 3), n=4)
    shown = []
    namespace = {}
    import IPython.display
    real = IPython.display.display
    IPython.display.display = lambda obj, raw=False: shown.append(obj)
    try:
        exec(compile(code, "<question>", "exec"), namespace)
    finally:
        IPython.display.display = real
    assert "_coursekit_question" not in namespace, "a question binds no name in the notebook"
    answer = wire.read_answer([_answer_output(shown[0][wire.MIME])])
    assert answer.ok and answer.get("n") == 5 and answer.get("label") == "ok"
    np.testing.assert_array_equal(answer.array("twice"), np.arange(6).reshape(2, 3) * 2)
    assert "expected" not in code.lower()


def test_what_is_not_plain_data_is_no_answer():
    pickled = _npy(np.array([{"a": 1}], dtype=object), allow_pickle=True)
    answer = wire.read_answer([_answer_output({"ok": True, "out": {"x": {"npy": pickled}}})])
    with pytest.raises(wire.NoAnswer, match="could not be read|not a plain"):
        answer.get("x")
    raw_pickle = base64.b64encode(pickle.dumps(np.zeros(3))).decode()
    with pytest.raises(wire.NoAnswer):
        wire.read_answer([_answer_output({"ok": True, "out": {"x": {"npy": raw_pickle}}})]).get("x")
    with pytest.raises(wire.NoAnswer, match="no answer"):
        wire.read_answer([{"output_type": "stream", "name": "stdout", "text": "hi"}])
    with pytest.raises(wire.NoAnswer, match="more than one"):
        wire.read_answer([_answer_output({"ok": True, "out": {}})] * 2)
    with pytest.raises(wire.NoAnswer, match="too large"):
        wire.read_answer([_answer_output(json.dumps({"ok": True, "pad": "x" * (wire.MAX_ANSWER_BYTES + 1)}))])
    big = _npy(np.zeros(wire.MAX_ARRAY_BYTES // 8 + 1))
    with pytest.raises(wire.NoAnswer, match="too large|bounded"):
        wire.read_answer([_answer_output({"ok": True, "out": {"x": {"npy": big}}})]).get("x")


def test_a_student_error_shows_as_the_kernel_would_and_a_check_as_its_message():
    def raises(k):
        raise judge.StudentError("NotImplementedError: ")

    def fails(k):
        from coursekit.notebook.checks import expect
        expect(False, "prepare_images(...): expected shape (2, 28, 28, 1), found (2, 28, 28).")

    assert judge.run_judge(raises, None)[:2] == (False, "NotImplementedError")
    assert judge.run_judge(fails, None) == (False, "CheckFailed",
                                            "prepare_images(...): expected shape (2, 28, 28, 1), found (2, 28, 28).")
    assert judge.run_judge(lambda k: "\x1b[31mok\x1b[0m", None) == (True, "", "ok")
    [out] = judge.verdict_outputs(False, "CheckFailed", "m")
    assert out.output_type == "error" and out.ename == "CheckFailed" and out.evalue == "m"


def _judged_cell_run(monkeypatch, body: str, timeout: int):
    """A one-cell notebook whose test cell's judge asks a real kernel ``body``, through JudgedExecute."""
    from coursekit.grading.preprocessors import JudgedExecute

    def asks(kernel):
        kernel.ask(body)
        return "answered"

    monkeypatch.setattr(judge, "cell_judges", lambda lesson: {"asked": asks})
    meta = {"nbgrader": {"grade": True, "solution": False, "grade_id": "asked", "points": 1}}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("assert x == 1", metadata=meta)])
    step = JudgedExecute(timeout=timeout, kernel_name="python3", allow_errors=True)
    nb, _ = step.preprocess(nb, {"nbgrader": {"assignment": "00_none"}})
    return nb


@pytest.mark.parametrize("body", ["while True:\n    pass", "import os\nos._exit(3)"], ids=["time_limit", "kernel_died"])
def test_a_question_that_does_not_finish_flags_the_cell_as_stopped(monkeypatch, body):
    """A judge's question that runs into the time limit, or whose kernel dies, is not a wrong answer: the
    cell's error is a stopped cell's (findings.TIMEOUT_ERRORS), so FlagForReview flags the submission for
    an instructor, as it does a plain cell that stopped (before, it read as NoAnswer, unflagged)."""
    from coursekit.grading.findings import TIMEOUT_ERRORS
    from coursekit.grading.preprocessors import stopped_cells

    nb = _judged_cell_run(monkeypatch, body, timeout=3)
    [out] = nb.cells[1].outputs
    assert out.output_type == "error" and out.ename in TIMEOUT_ERRORS, out
    assert "did not finish" in out.evalue
    assert stopped_cells(nb) == ["asked"]


def test_a_question_that_finishes_is_judged_and_nothing_is_stopped(monkeypatch):
    from coursekit.grading.preprocessors import stopped_cells

    nb = _judged_cell_run(monkeypatch, "OUT['y'] = 1", timeout=30)
    [out] = nb.cells[1].outputs
    assert (out.output_type, out.text) == ("stream", "answered\n") and stopped_cells(nb) == []


def test_every_test_cell_of_a_judged_lesson_has_a_judge():
    from tests import nbtools

    for lesson in lesson_ids():
        if judge.judge_module(lesson) is None:
            continue
        tests = {g for ids in nbtools.exercises(nbtools.master(lesson)).values() for g in ids}
        assert tests == set(judge.cell_judges(lesson)), lesson


def test_outputs_are_capped_and_only_text_and_images_kept():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<script>alert(1)</script>", "text/plain": "<HTML>"}),
        nbformat.v4.new_output("display_data", data={"image/png": "A" * 2_000_000}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
        nbformat.v4.new_output("stream", name="stdout", text="y" * 50_000),
        nbformat.v4.new_output("error", ename="E", evalue="z" * 50_000, traceback=["t" * 30_000, "u" * 30_000]),
    ] + [nbformat.v4.new_output("stream", name="stdout", text="n\n")] * 60
    step = SanitizeOutputs(max_chars=1000, max_image_bytes=100_000, max_outputs=10)
    cell, _ = step.preprocess_cell(cell, {}, 0)
    text = json.dumps(cell.outputs)
    assert "<script>" not in text and "alert(1)" not in text and "AAAA" not in text
    assert len(text) < 12_000 and "cut by the grader" in text and "not kept by the grader" in text
    assert len(cell.outputs) == 11


def test_the_sandbox_passes_an_exact_allow_list_of_variables():
    env = {"PATH": "/usr/bin", "COURSE_MODE": "fast", "TF_NUM_INTRAOP_THREADS": "2",
           "JPY_API_TOKEN": "hub-secret", "JUPYTERHUB_API_TOKEN": "hub-secret", "JUPYTER_TOKEN": "s",
           "DB_URL": "postgresql://u:secret@h/db", "TF_CLI_CONFIG_FILE": "/root/.terraformrc",
           "COURSE_SANDBOX_HIDE": "/course", "PYTHONSTARTUP": "/tmp/evil.py", "MPLSECRET": "x", "LC_ALL": "C.UTF-8"}
    assert sandbox.kernel_env(env) == {"PATH": "/usr/bin", "COURSE_MODE": "fast", "TF_NUM_INTRAOP_THREADS": "2",
                                       "LC_ALL": "C.UTF-8"}


# ---- the judge without the audit ---------------------------------------------------------------

def test_the_audit_switch_is_on_off_or_a_clear_error(monkeypatch, tmp_path):
    """COURSE_AUDIT is the default of CourseIntake.audit (a command-line or config value still wins);
    make grade reads it too; any other value stops both commands before anything is graded."""
    from traitlets.config import Config

    monkeypatch.delenv("COURSE_AUDIT", raising=False)
    assert CourseIntake().audit is True and classgrade.audit_setting() is True
    monkeypatch.setenv("COURSE_AUDIT", "off")
    assert CourseIntake().audit is False and classgrade.audit_setting() is False
    config = Config()
    config.CourseIntake.audit = True
    assert CourseIntake(config=config).audit is True
    monkeypatch.setenv("COURSE_AUDIT", " On ")
    assert CourseIntake().audit is True
    monkeypatch.setenv("COURSE_AUDIT", "no")
    with pytest.raises(SystemExit, match="COURSE_AUDIT must be on or off, not 'no'"):
        CourseIntake().audit
    with pytest.raises(classgrade.ClassGradeError, match="COURSE_AUDIT must be on or off"):
        classgrade.grade_class(tmp_path, "any_lesson", progress=None)
    # Plain nbgrader stops while it reads nbgrader_config.py, before any notebook.
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    run = coursedir.run_nbgrader(tmp_path, "autograde", "any_lesson", env={"COURSE_AUDIT": "no", "COURSE_SANDBOX": "off"},
                                 check=False)
    assert run.returncode != 0 and "COURSE_AUDIT must be on or off, not 'no'" in run.stderr, run.stderr[-2000:]
    assert not (tmp_path / "gradebook.db").exists()


UNAUDITED = ("correct", "hardcoded_visible", "visible_tests_pass", "forge_globals_write", "forge_builtins_patch",
             "forge_frame_reader", "forge_ipython_via_import", "forge_on_correct_answers")
AUDIT_WORDING = ("can forge the course's checks", "a course answer never needs")   # coursekit/grading/audit.py


@pytest.fixture(scope="module", params=["nbgrader autograde", "make grade"])
def unaudited(request, tmp_path_factory):
    """The forging cases (and their honest references), graded as the students of one class in one run
    of each command - plain `nbgrader autograde` with COURSE_AUDIT=off in its environment, make grade
    (classgrade) with its audit switched off - then read back from the gradebook."""
    if LESSON is None:
        pytest.skip("lesson 01 is not selected (COURSE_LESSONS)")
    cases = corpus.make_corpus(LESSON)
    # The switch, end to end, on a few cases of each kind of forging (the judge's verdicts on the whole
    # corpus, before the audit's void, are checked on the audited runs: test_bad_submissions.py and
    # test_plain_autograde.py read them from the same runs, so the corpus is graded once per command).
    picked = {name: case for name, case in cases.items() if name in UNAUDITED}
    course = tmp_path_factory.mktemp("unaudited")
    coursedir.prepare_course(course, [LESSON])
    coursedir.hand_in(course, LESSON, {student: case.data for student, case in picked.items()})
    audit_notes = {}
    if request.param == "nbgrader autograde":
        run = coursedir.run_nbgrader(course, "autograde", LESSON, "--force", "--Execute.timeout=30",
                                     env={"COURSE_AUDIT": "off"}, check=False)
        said_off = "static audit OFF" in run.stderr
    else:
        run = classgrade.grade_class(course, LESSON, timeout=30, progress=None, audit=False,
                                     sandboxed="off" if sandbox.available() else "on")
        said_off = not run.audited and "static audit OFF" in run.summary()
        audit_notes = {r.student: [n for n in r.notes if getattr(n, "kind", None) in (FORGING, ODD)]
                       for r in run.results}
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in picked:
            try:
                nb = gb.find_submission_notebook(LESSON, LESSON, student)
                scores[student] = (nb.score, nb.max_score, nb.flagged)
                comments = " ".join(c.auto_comment or "" for c in nb.comments)
                audit_notes.setdefault(student, [w for w in AUDIT_WORDING if w in comments])
            except Exception:
                scores[student] = None
    return request.param, picked, scores, audit_notes, said_off


def test_without_the_audit_forging_earns_no_more_than_the_honest_answers(unaudited):
    from tests import nbtools

    command, picked, scores, audit_notes, said_off = unaudited
    assert said_off, f"{command} should say that the audit is off"
    assert not any(audit_notes.values()), f"{command}: the audit ran: {audit_notes}"
    top = scores["correct"][1]
    master = nbtools.master(LESSON)
    prepare_images_points = sum(nbtools.meta(c)["points"] for c in master.cells
                                if nbtools.meta(c).get("grade_id") in nbtools.exercises(master)["prepare_images"])
    assert scores["correct"][:2] == (top, top)
    for name, case in picked.items():
        if scores[name] is None:
            continue  # the run could not grade it (a kernel it broke): nothing earned
        honest = corpus.honest_points(name, case, top, prepare_images_points)
        assert scores[name][0] <= honest, \
            f"{command}: {name} ({case.why}) earned {scores[name][0]} > {honest} without the audit"


def test_a_judges_one_step_runs_eagerly_and_puts_the_mode_back():
    """probes.ONE_STEP, as a question runs it in the kernel: the call inside runs its tf.functions eagerly
    (no graph traced for one step), and the mode before it is back afterwards, also when the call raises."""
    import tensorflow as tf

    from coursekit.grading.judge.probes import ONE_STEP

    space = {}
    exec(ONE_STEP, space)
    one_step = space["one_step"]

    @tf.function
    def eager_inside():
        return tf.constant(tf.executing_eagerly())

    def fails():
        raise ValueError("the student's model")

    assert not tf.config.functions_run_eagerly()
    assert bool(one_step(eager_inside)) is True
    assert not tf.config.functions_run_eagerly() and bool(eager_inside()) is False
    with pytest.raises(ValueError):
        one_step(fails)
    assert not tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)   # a graded notebook's own code runs eagerly: it stays so
    try:
        assert bool(one_step(eager_inside)) is True and tf.config.functions_run_eagerly()
    finally:
        tf.config.run_functions_eagerly(False)


def test_the_reference_dense_layer_is_the_float64_product_block_by_block():
    from coursekit.grading.judge import reference as ref

    rng = np.random.default_rng(5)
    x, kernel, bias = rng.random((3, 1100)), rng.random((1100, 70), dtype=np.float32), rng.random(70)
    want = x @ kernel.astype(np.float64) + bias
    got = ref.dense(x, kernel, bias, rows=256)   # 1100 rows: four blocks and a short one
    assert got.dtype == np.float64 and got.shape == (3, 70)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_the_grading_process_never_imports_tensorflow():
    """What every nbgrader process of a grading run loads (runner.PRELOAD: nbgrader, the pipeline, every
    lesson's judge, the architecture comparison and the NumPy reference), imported in a fresh Python:
    neither TensorFlow nor Keras comes with it. The judges compute their references in NumPy; importing
    TensorFlow would cost each grading process seconds, and put the library the student's code runs on
    beside the verdicts. (In a subprocess: this test process has TensorFlow already.)"""
    import subprocess
    import sys

    from coursekit.grading import runner

    script = ("import sys\n"
              f"for name in {list(runner.PRELOAD)!r} + ['coursekit.notebook.archcheck', "
              "'coursekit.grading.judge.reference']:\n"
              "    __import__(name)\n"
              "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout[-500:]


@pytest.mark.parametrize("size", [3, 4, 1, 2])
def test_the_reference_convolution_pads_as_tensorflow_does(size):
    """judge/reference.conv2d_same against Keras's Conv2D(padding='same'), odd and even kernel sizes (an
    even one pads one pixel less before than after, as TensorFlow does)."""
    import keras

    from coursekit.grading.judge import reference as ref

    rng = np.random.default_rng(size)
    x = rng.random((2, 7, 6, 3)).astype(np.float32)
    kernel, bias = rng.random((size, size, 3, 5), dtype=np.float32) - 0.5, rng.random(5, dtype=np.float32)
    conv = keras.layers.Conv2D(5, size, padding="same")
    conv.build(x.shape)
    conv.set_weights([kernel, bias])
    np.testing.assert_allclose(ref.conv2d_same(x, kernel, bias), np.asarray(conv(x)), atol=1e-5)


def test_l01_test_step_hidden_draws_batches_a_stuck_accuracy_cannot_match():
    """test_step's hidden check compares test_accuracy with the reference; on batches that a random model
    gets all wrong (reference 0) a metric never updated would pass. The check draws such batches again:
    over 300 seeds the plain draw gives some accuracies of 0, the check's draw none of 0 or 1."""
    from coursekit.grading.judge import l01

    class Quiet:   # the kernel's side is not needed for the draw
        def ask(self, body, **inputs):
            return None

    def accuracies(mixed):
        return [l01._test_step(Quiet(), np.random.default_rng(seed), (2, 2, 1), 5, 5, 2, mixed=mixed)[4]
                for seed in range(300)]

    assert 0.0 in accuracies(False)
    assert all(0 < a < 1 for a in accuracies(True))
