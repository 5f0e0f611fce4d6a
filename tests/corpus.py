"""A corpus of bad submissions, generated from a lesson's release notebook (never hand-edited).

``make_corpus(lesson)`` returns {student name: Case}: the bytes a student would hand in and what
grading must make of them. Run ``python -m tests.corpus <lesson> <folder>`` to write the files
(``<folder>/<student>/<lesson>/<lesson>.ipynb``) and look at them.
"""
from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.devtools import studentwork
from coursekit.grading import nbmeta
from coursekit.grading.nbmeta import grade_meta
from coursekit.devtools.synthclass import colab_saved, dump as _dump
from tests import nbtools

# The cell time limit the corpus is graded with (both commands). The infinite loop runs into it - the
# CPU it burns is test time - and lesson 01's slowest honest cell under grading takes well under a
# second alone on a core (its training cell, capped), so 10 s still leaves room on a busy machine.
CELL_TIMEOUT = 10


@dataclass
class Case:
    data: bytes
    status: set          # acceptable statuses from coursekit.grading.intake
    score: object        # float, "full", "kept" (any score: flagged for a human), or None (rejected / failed)
    why: str


def make_corpus(lesson: str) -> dict[str, Case]:
    master, release = nbtools.master(lesson), nbtools.release(lesson)
    samples = studentwork.sample_submissions(master, release)
    full = json.loads(nbformat.writes(samples["sample_full"]))
    blank = json.loads(nbformat.writes(samples["sample_blank"]))
    answers = nbmeta.answer_ids(master)
    tests_of = nbtools.exercises(master)
    points = {grade_meta(c)["grade_id"]: grade_meta(c)["points"] for c in master.cells if grade_meta(c).get("grade")}
    first, last = answers[0], answers[-1]

    def edited(base, fn):
        nb = copy.deepcopy(base)
        for cell in nb["cells"]:
            fn(cell, grade_meta(cell))
        return nb

    def append_to(grade_id, code, base=full):
        def fn(cell, meta):
            if meta.get("grade_id") == grade_id:
                cell["source"] += "\n" + code
        return edited(base, fn)

    visible = [g for g in points if g.endswith("_visible")]
    corpus = {
        "correct": Case(_dump(full), {"graded"}, "full", "the reference: every exercise solved"),
        "visible_tests_pass": Case(_dump(edited(blank, lambda c, m: m.get("grade_id") in visible
                                                and c.update(source="pass"))),
                                   {"graded", "flagged"}, 0.0, "blank answers, visible tests replaced by `pass`"),
        "test_cell_deleted": Case(_dump({**full, "cells": [c for c in full["cells"]
                                                           if grade_meta(c).get("grade_id") != visible[0]]}),
                                  {"flagged"}, "full", f"the test cell '{visible[0]}' deleted"),
        "points_raised_flags_removed": Case(_dump(edited(blank, lambda c, m: m.get("grade") and m.update(
            points=100, grade=False))), {"flagged"}, 0.0, "blank answers; test cells set to 100 points, grade flags off"),
        "grade_flags_removed": Case(_dump(edited(full, lambda c, m: m.get("grade") and m.update(grade=False))),
                                    {"flagged"}, "full", "correct answers; grade flags of the test cells removed"),
        "create_assignment_panel_opened": Case(
            _dump(edited(full, lambda c, m: (m.get("locked") or m.get("grade")) and m.pop("cell_type", None))),
            {"graded"}, "full", "correct answers; JupyterLab's Create Assignment panel was opened, which drops "
            "cell_type from the grading metadata of every locked and test cell: an honest student, not flagged"),
        "cell_ids_changed": Case(_dump(edited(full, lambda c, m: c.update(id="x" + c["id"][::-1][:20]))),
                                 {"graded"}, "full", "every cell id changed"),
        "colab_saved": Case(_dump(colab_saved(full)), {"graded", "flagged"}, "full",
                            "downloaded from Colab (nbformat 4.0, Colab metadata and outputs)"),
        "colab_metadata_lost": Case(_dump(colab_saved(full, keep_nbgrader=False)), {"flagged"}, "full",
                                    "from Colab with every nbgrader cell metadata gone"),
        "malformed_json": Case(_dump(full)[:5000], {"rejected"}, None, "the file is cut off mid-JSON"),
        "empty_file": Case(b"", {"rejected"}, None, "an empty file"),
        "wrong_nbformat": Case(_dump({**full, "nbformat": 5}), {"rejected"}, None, "nbformat 5 (does not exist)"),
        "nbformat_3": Case(nbformat.writes(nbformat.convert(nbformat.reads(json.dumps(full), 4), 3)).encode(), {"flagged"},
                           "full", "correct answers saved as nbformat 3 (an old Jupyter): converted, and the "
                           "conversion noted as a repair"),
        "claims_unreadable": Case(_dump({**full, "metadata": {**full["metadata"], "coursekit_unreadable": "FORGED"}}),
                                  {"graded"}, "full", "correct answers; the notebook's metadata claims the file was "
                                  "unreadable (the key make grade once marked its blank stand-ins with): ignored"),
        "infinite_loop": Case(_dump(append_to(first, "while True:\n    pass")), {"flagged"}, "full",
                              "an answer cell ends in an infinite loop (after its definition)"),
        "sys_exit": Case(_dump(append_to(first, "import sys\nsys.exit()")), {"graded"}, "full",
                         "an answer cell calls sys.exit()"),
        "os_exit": Case(_dump(append_to(first, "import os\nos._exit(0)")), {"failed"}, None,
                        "an answer cell calls os._exit(0): the kernel is gone"),
        "kernel_killed": Case(_dump(append_to(first, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")),
                              {"failed"}, None, "an answer cell kills its own kernel"),
        "prints_50_mb": Case(_dump(append_to(last, "print('x' * 50_000_000)")), {"graded"}, "full",
                             "an answer cell prints 50 MB"),
        "syntax_error": Case(_dump(append_to(answers[1], "def broken(:\n    pass")), {"graded"},
                             sum(points.values()) - sum(points[t] for t in tests_of[answers[1]]),
                             f"a syntax error in the answer cell '{answers[1]}'"),
    }
    corpus["attacks_the_grader"] = Case(_dump(append_to(last, ATTACK)), {"graded"}, "full",
                                        "correct answers, plus code that tries to wipe the gradebook, list the "
                                        "other students' files and reach the network (the sandbox must stop it)")
    forged = copy.deepcopy(full)
    for cell in forged["cells"]:
        if grade_meta(cell).get("grade_id") == first:
            cell["source"] += ("\n\ndef expect(*args, **kwargs):\n    pass\n\n"
                               "expect_dtype = expect_shape = expect_close = expect\n")
    corpus["forges_the_checks"] = Case(_dump(forged), {"flagged"}, 0.0,
                                       "correct answers, plus an answer cell that redefines the check helpers "
                                       "(expect, ...): hostile input earns nothing, and is flagged for a human look")
    # One duplicated test cell: plain nbgrader aborts the whole run on it; the intake keeps one copy.
    dup = copy.deepcopy(full)
    i = next(i for i, c in enumerate(dup["cells"]) if grade_meta(c).get("grade_id") == visible[0])
    dup["cells"].insert(i + 1, {**copy.deepcopy(dup["cells"][i]), "id": "copied-test-cell"})
    corpus["test_cell_duplicated"] = Case(_dump(dup), {"flagged"}, "full",
                                          f"the test cell '{visible[0]}' copied (same grading metadata twice)")
    # Hostile one-liners on a BLANK notebook (every answer the stub): each could turn every failing
    # test into a pass. They must earn nothing, be flagged, and harm no one else.
    for name, (code, why) in FORGERIES.items():
        corpus[f"forge_{name}"] = Case(_dump(append_to(first, code, base=blank)), {"flagged"}, 0.0,
                                       f"blank answers, plus {why}")
    corpus["forge_builtins_patch"].status = {"flagged", "failed"}  # a patched isinstance can break the kernel
    # The same hooks on CORRECT answers: forging code voids the score even where the answers are right.
    corpus["forge_on_correct_answers"] = Case(_dump(append_to(last, FORGERIES["input_transformer"][0])),
                                              {"flagged"}, 0.0, "correct answers, plus an input transformer")
    # A module file the notebook writes itself and imports: the grading kernel does not import from its
    # folder, so the import fails (the forging code never runs) and the unknown import is flagged.
    corpus["forge_written_module"] = Case(_dump(append_to(first, WRITTEN_MODULE, base=blank)), {"flagged"}, 0.0,
                                          "blank answers, plus a module the notebook writes and imports (an input "
                                          "transformer inside)")
    # Odd but harmless: flagged for a look, the score kept.
    for name, (code, why) in ODD.items():
        corpus[f"odd_{name}"] = Case(_dump(append_to(first, code)), {"flagged"}, "full", f"correct answers, plus {why}")
    corpus["odd_local_helper_name"].status = {"graded"}   # a local variable cannot reach the checks
    corpus["attacks_the_grader"].status = {"flagged"}  # sockets and os calls are audited too
    corpus["attacks_the_grader"].score = 0.0            # ... and void the score: hostile input earns nothing
    corpus["sys_exit"].status = {"flagged"}             # odd, not forging: the score is kept
    # Outputs are data: HTML with a script, an event handler in an image and in Markdown, shown to
    # nobody's browser; the input history printed holds no hidden test (they never enter it).
    payload = copy.deepcopy(full)
    payload["cells"].append({"cell_type": "markdown", "metadata": {}, "id": "student-notes",
                             "source": "My notes <img src=x onerror=alert('md-xss')> <script>alert('md-script')</script>"})
    corpus["html_payload"] = Case(_dump(append_to(last, HTML_PAYLOAD, base=payload)), {"graded"}, "full",
                                  "correct answers, plus HTML outputs and Markdown carrying scripts")
    corpus["prints_history"] = Case(_dump(append_to(last, "print('HISTORY', [c[:300] for c in In], [c[:300] for c in _ih], Out)")), {"graded"}, "full",
                                    "correct answers, plus a print of the input history (In, _ih, Out)")
    hard = hardcoded_answer(lesson, full)
    if hard is not None:
        nb, lost = hard
        corpus["hardcoded_visible"] = Case(_dump(nb), {"graded"}, sum(points.values()) - lost,
                                           "an answer that returns the visible test's expected values")
    return corpus


# Ways to forge the checks from an answer cell (issue 14). Each earns full marks on a blank notebook
# when nothing stops it; the audit (coursekit/grading/audit.py) must flag every one.
FORGERIES = {
    "input_transformer": ('get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])',
                          "an IPython input transformer that replaces every later cell by `pass`"),
    "ast_transformer": ("import ast as _ast\n"
                        "class _Blank(_ast.NodeTransformer):\n"
                        "    def visit_Module(self, node):\n"
                        "        return _ast.Module(body=[_ast.Pass()], type_ignores=[])\n"
                        "get_ipython().ast_transformers.append(_Blank())",
                        "an AST transformer that empties every later cell"),
    "run_cell_replaced": ("_ip = get_ipython()\n_real = _ip.run_cell\n"
                          "_ip.run_cell = lambda raw_cell, *a, **k: _real('pass', *a, **k)",
                          "the shell's run_cell replaced"),
    "post_run_hook": ("def _clear(result):\n    result.error_in_exec = None\n"
                      "get_ipython().events.register('post_run_cell', _clear)",
                      "a post_run_cell hook that clears the error"),
    "ipython_via_import": ("__import__('IPython').get_ipython().input_transformers_post.append("
                           "lambda lines: ['pass\\n'])", "the shell reached through __import__"),
    "globals_write": ("globals()['expect'] = lambda *a, **k: None", "`globals()['expect']` replaced"),
    "exec_def": ("exec('def expect(*a, **k):\\n    pass')", "`expect` defined inside exec()"),
    "main_module_dict": ("import sys\nsys.modules['__main__'].__dict__['expect'] = lambda *a, **k: None",
                         "`expect` replaced through sys.modules['__main__']"),
    "builtins_patch": ("import builtins\nbuiltins.isinstance = lambda *a, **k: True", "builtins patched"),
    "import_as_helper": ("from os import getcwd as expect", "`expect` rebound by `from ... import ... as`"),
    "loop_target": ("for expect in [lambda *a, **k: None]:\n    pass", "`expect` rebound as a loop variable"),
    "with_target": ("import contextlib\nwith contextlib.nullcontext(lambda *a, **k: None) as expect:\n    pass",
                    "`expect` rebound by a `with` target"),
    "walrus": ("(expect := lambda *a, **k: None)", "`expect` rebound by the walrus operator"),
    "global_in_function": ("def _f():\n    global expect\n    expect = lambda *a, **k: None\n_f()",
                           "`expect` rebound through `global` in a function"),
    "frame_reader": ("import sys\nclass _Peek:\n    def __eq__(self, other):\n"
                     "        return True\n_peek = sys._getframe", "the checking frame read with sys._getframe"),
    "alias_setattr": ("import numpy as _q\nsetattr(_q, 'all' + 'close', lambda *a, **k: True)",
                      "numpy patched through an alias with setattr"),
    "prints_hidden_code": ("import sys, linecache\n"
                           "def prepare_images(images):\n"
                           "    frame = sys._getframe(1)\n"
                           "    print(''.join(linecache.getlines(frame.f_code.co_filename)))\n"
                           "    return (images / 255.0).astype('float32')[..., None]",
                           "an answer that prints the source of the test cell that calls it"),
    "kill_the_grader": ("import os\nos.kill(os.getppid(), 9)", "a kill signal sent to the grader"),
    "shell_via_exit": ('exit._ip.input_transformers_post.append(lambda lines: ["pass\\n"])',
                       "the shell reached through IPython's `exit` object"),
    "time_magic": ('%time get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])',
                   "an input transformer installed inside a `%time` magic"),
    "getattr_private": ('getattr(quit, "_ip").input_transformers_post.append(lambda lines: ["pass\\n"])',
                        "the shell reached with getattr on a private name"),
    "unpickled_code": ("import io as _io, pickle as _p\n"
                       "np.save('_x.npy', np.array([0], dtype=object))\n"
                       "_v = np.load('_x.npy', allow_pickle=True)",
                       "NumPy told to unpickle (unpickling runs code)"),
    "proc_mem": ("_mem = open('/proc/self/mem', 'rb')", "the kernel's own memory opened through /proc"),
}

# Written to a file, then imported: an input transformer the audit would not see in the notebook.
WRITTEN_MODULE = ("with open('course_extra.py', 'w') as _fh:\n"
                  "    _fh.write('get_ipython().input_transformers_post.append(lambda lines: [\"pass\\\\n\"])\\n')\n"
                  "import course_extra")

HTML_PAYLOAD = ("from IPython.display import HTML, display\n"
                "display(HTML(\"<script>alert('html-script')</script><img src=x onerror=alert('html-xss')>\"))\n"
                "display({'image/svg+xml': '<svg onload=alert(1)></svg>', 'text/plain': 'svg'}, raw=True)")

# What an honest student might write that an answer never needs but cannot forge a verdict with.
ODD = {
    "shell_escape": ("!echo checking the machine", "a shell escape (`!echo ...`)"),
    "functools": ("import functools\n_unused = functools.partial(print, 'x')", "`import functools`"),
    "local_helper_name": ("def _show(layers):\n    expect = len(layers)\n    return expect",
                          "a function whose LOCAL variables share the checks' names (not flagged)"),
}


# What a malicious submission tries from its kernel (cwd: autograded/<student>/<lesson>/). It never
# raises, so its score says nothing; its printed report and the gradebook do.
ATTACK = """
import os as _os, pathlib as _pathlib, socket as _socket
_report = []
def _wipe():
    with open("../../../gradebook.db", "r+b") as _fh:
        _fh.truncate(0)
def _peek():
    return [p.name for p in _pathlib.Path("../../../submitted").iterdir()]
def _call():
    _socket.create_connection(("127.0.0.1", int(_os.environ.get("COURSE_TEST_LISTEN_PORT", "9"))), timeout=3).close()
for _name, _try in (("gradebook", _wipe), ("submissions", _peek), ("network", _call)):
    try:
        _try()
        _report.append(f"{_name}: REACHED")
    except Exception as _err:
        _report.append(f"{_name}: blocked ({type(_err).__name__})")
print("ATTACK REPORT: " + "; ".join(_report))
"""


def hardcoded_answer(lesson, full):
    """A student who hard-codes what the visible test expects: the visible cell passes, the
    hidden one must not. Written per lesson (it has to know the visible test)."""
    if lesson.startswith("01_"):
        code = ('def prepare_images(images):\n'
                '    import numpy as np\n'
                '    expected = (np.arange(2 * 28 * 28) % 256).astype(np.uint8).reshape(2, 28, 28) / 255.0\n'
                '    return expected.astype("float32")[..., None]\n')
        nb = copy.deepcopy(full)
        for cell in nb["cells"]:
            if grade_meta(cell).get("grade_id") == "prepare_images":
                cell["source"] = code
        return nb, 1.0   # prepare_images_hidden is worth 1 point
    return None


def main(argv=None) -> int:
    lesson, folder = (argv or sys.argv[1:])[:2]
    for student, case in make_corpus(lesson).items():
        path = Path(folder) / student / lesson / f"{lesson}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.data)
        print(f"{path}: {case.why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---- the judge without the audit -------------------------------------------------------------------

def honest_points(name: str, case: Case, top: float, prepare_images_points: float) -> float:
    """The most a forging case may earn from the judge alone: what its honest answers earn (full marks for
    a forging case built on correct answers, else nothing; the hard-coded answer's own score)."""
    if name == "hardcoded_visible":
        return case.score
    if name == "forge_prints_hidden_code":  # its prepare_images is right: those points are honest
        return prepare_images_points
    if "on correct answers" in case.why or name == "correct" or case.why.startswith("correct"):
        return top
    return 0.0


def judged_score(autograded_path) -> float | None:
    """An autograded notebook's score as the judge decided it, before the audit voided anything: a voided
    test cell's verdict is in its metadata (coursekit.before_void, preprocessors.VoidForgedTests), any
    other test cell's in its outputs (nbgrader's rule: an error or stderr scores 0). None: no notebook."""
    import json
    from pathlib import Path

    path = Path(autograded_path)
    if not path.is_file():
        return None
    total = 0.0
    for cell in json.loads(path.read_text()).get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("grade") and not meta.get("solution")):
            continue
        before = cell.get("metadata", {}).get("coursekit", {}).get("before_void")
        if before is not None:
            passed = before["passed"]
        else:
            outputs = cell.get("outputs", [])
            passed = not any(o.get("output_type") == "error" or o.get("name") == "stderr" for o in outputs)
        total += float(meta.get("points", 0)) if passed else 0.0
    return total


def forging_beyond_honest(course, lesson: str, cases: dict) -> list[str]:
    """The forging cases (and the honest references) whose judged score exceeds their honest answers'."""
    from coursekit.grading.coursedir import Course
    from tests import nbtools

    master = nbtools.master(lesson)
    top = sum(float(nbtools.meta(c)["points"]) for c in master.cells if nbtools.meta(c).get("grade"))
    prepare = sum(float(nbtools.meta(c)["points"]) for c in master.cells
                  if nbtools.meta(c).get("grade_id") in nbtools.exercises(master)["prepare_images"])
    problems = []
    for name, case in cases.items():
        if not (name.startswith("forge") or name in ("correct", "hardcoded_visible", "visible_tests_pass")):
            continue
        judged = judged_score(Course(course).autograded(lesson, name))
        if judged is None:
            continue   # the run could not grade it (a kernel it broke): nothing earned
        honest = honest_points(name, case, top, prepare)
        if judged > honest:
            problems.append(f"{name} ({case.why}): the judge gave {judged} > {honest}")
    return problems
