"""The "ready to hand in?" cell near the end of every notebook: checks the saved notebook, not the grade.

The cell itself is one call, ``handin_check(HANDIN_EXPECTED)``: the build writes ``HANDIN_EXPECTED``
(what the grader will look for) into the lesson's part of the locked setup cell, which nbgrader
restores from the master, so a student's edits to their own copy cannot change what is checked."""
import json
import os
import sys

try:
    course_text  # in a notebook: defined by the i18n module, run before this one
except NameError:  # imported as a module (the grader, the tests)
    from coursekit.notebook.i18n import course_text


def _handin_read_notebook():
    """Return (notebook dict, where it came from), or (None, why not)."""
    if "google.colab" in sys.modules:
        try:
            from google.colab import _message
            reply = _message.blocking_request("get_ipynb", timeout_sec=30)
            return reply["ipynb"], course_text("this Colab notebook")
        except Exception as err:  # Colab's private API changed or timed out
            return None, course_text("Colab did not hand over the notebook ({0})", type(err).__name__)
    path = os.environ.get("JPY_SESSION_NAME", "")
    if path.endswith(".ipynb") and os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh), course_text("{0} as last saved", os.path.basename(path))
        except (OSError, ValueError) as err:
            return None, course_text("{0} could not be read as a notebook ({1})", path, err)
    return None, course_text("this kernel does not know which notebook file it runs")


def _handin_name(grade_id, expected):
    """A cell in the student's words: for an answer cell, what they write in it ('make_train_step /
    make_test_step'); for a locked cell, its title ('Course setup'), in the reader's language."""
    name = expected.get("names", {}).get(grade_id, grade_id)
    if name == "Course setup":  # the build's names of the locked cells (build.HANDIN_LOCKED_NAMES)
        return course_text("Course setup")
    if name == "Ready to hand in?":
        return course_text("Ready to hand in?")
    return name


def _handin_test_cell(grade_id, expected):
    """A test cell in words: its grade id (shown in nbgrader's tools) and the exercise it tests."""
    answer = expected.get("exercise_of", {}).get(grade_id)
    if answer:
        return course_text("test cell '{0}' (exercise {1})", grade_id, _handin_name(answer, expected))
    return course_text("test cell '{0}'", grade_id)


def handin_problems(nb, expected):
    """What would cost points if ``nb`` (a notebook dict) were handed in now, most serious first.

    ``expected`` = {"graded": {grade_id: points}, "answers": [grade_id, ...], "locked": [grade_id, ...],
    "names": {answer or locked grade_id: its name in words (for an answer: what the student writes)},
    "exercise_of": {test grade_id: answer grade_id}}, written by the build from the nbgrader master
    ("names" and "exercise_of" are optional)."""
    problems = []
    seen = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            seen.setdefault(meta["grade_id"], []).append((cell, meta))
    for grade_id, copies in seen.items():
        if len(copies) > 1:
            what = (course_text("the answer cell of exercise {0}", _handin_name(grade_id, expected))
                    if grade_id in expected["answers"] else
                    _handin_test_cell(grade_id, expected) if grade_id in expected["graded"] else
                    course_text("cell '{0}'", grade_id))
            problems.append(course_text("{0} appears {1} times (a copied cell?): delete the copies", what, len(copies)))
    for grade_id, points in expected["graded"].items():
        if grade_id not in seen:
            problems.append(course_text("{0} is missing or lost its grading metadata: restore it from a fresh copy "
                                        "of the notebook", _handin_test_cell(grade_id, expected)))
        elif not seen[grade_id][0][1].get("grade") or seen[grade_id][0][1].get("points") != points:
            problems.append(course_text("the grading metadata of {0} was edited: restore it",
                                        _handin_test_cell(grade_id, expected)))
    for grade_id in expected["locked"]:
        if grade_id not in seen and grade_id not in expected["graded"]:
            problems.append(course_text("the locked cell '{0}' is missing: restore it from a fresh copy",
                                        _handin_name(grade_id, expected)))
    for grade_id in expected["answers"]:
        exercise = _handin_name(grade_id, expected)
        if grade_id not in seen:
            problems.append(course_text("the answer cell of exercise {0} is missing or lost its grading metadata: "
                                        "put your code back into the original cell", exercise))
            continue
        source = seen[grade_id][0][0].get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if "raise NotImplementedError()" in source:
            problems.append(course_text("exercise {0} is not done: its cell still raises NotImplementedError", exercise))
    return problems


def handin_message(problems, expected, where):
    """The one line the hand-in cell prints for ``problems`` (from ``handin_problems``)."""
    if len(problems) > 1:
        shown = "; ".join(problems[1:3]) + ("; ..." if len(problems) > 3 else "")
        return course_text("NOT READY to hand in ({0}): {1} (and {2} more: {3}).",
                           where, problems[0], len(problems) - 1, shown)
    if problems:
        return course_text("NOT READY to hand in ({0}): {1}.", where, problems[0])
    return course_text("Ready to hand in ({0}): all {1} test cells are intact and all {2} exercises are answered. "
                       "This is not your grade: hidden tests run when it is graded. Download the .ipynb and hand it in.",
                       where, len(expected["graded"]), len(expected["answers"]))


def handin_check(expected):
    """Print one line: ready to hand in, or the first thing to fix. Returns None, so that the cell
    shows only that line (``handin_problems`` is the API that returns the list)."""
    if os.environ.get("NBGRADER_EXECUTION"):
        print(course_text("Grading run: the hand-in check is for students and is skipped here."))
        return
    nb, where = _handin_read_notebook()
    if nb is None:
        print(course_text("Could not check the hand-in: {0}. Save the notebook, and check by hand that no cell still "
                          "says raise NotImplementedError() and that no cell was copied or deleted.", where))
        return
    print(handin_message(handin_problems(nb, expected), expected, where))
