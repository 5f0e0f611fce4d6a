"""The last cell of every notebook: "ready to hand in?" - checks the saved notebook, not the grade."""
import json
import os
import sys


def _handin_read_notebook():
    """Return (notebook dict, where it came from), or (None, why not)."""
    if "google.colab" in sys.modules:
        try:
            from google.colab import _message
            reply = _message.blocking_request("get_ipynb", timeout_sec=30)
            return reply["ipynb"], "this Colab notebook"
        except Exception as err:  # Colab's private API changed or timed out
            return None, f"Colab did not hand over the notebook ({type(err).__name__})"
    path = os.environ.get("JPY_SESSION_NAME", "")
    if path.endswith(".ipynb") and os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh), f"{os.path.basename(path)} as last saved"
        except (OSError, ValueError) as err:
            return None, f"{path} could not be read as a notebook ({err})"
    return None, "this kernel does not know which notebook file it runs"


def handin_problems(nb, expected):
    """What would cost points if ``nb`` (a notebook dict) were handed in now, most serious first.

    ``expected`` = {"graded": {grade_id: points}, "answers": [grade_id, ...], "locked": [grade_id, ...]},
    written into the cell by the build from the nbgrader master."""
    problems = []
    seen = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id"):
            seen.setdefault(meta["grade_id"], []).append((cell, meta))
    for grade_id, copies in seen.items():
        if len(copies) > 1:
            problems.append(f"cell '{grade_id}' appears {len(copies)} times (a copied cell?): delete the copies")
    for grade_id, points in expected["graded"].items():
        if grade_id not in seen:
            problems.append(f"test cell '{grade_id}' is missing or lost its grading metadata: "
                            "restore it from a fresh copy of the notebook")
        elif not seen[grade_id][0][1].get("grade") or seen[grade_id][0][1].get("points") != points:
            problems.append(f"the grading metadata of test cell '{grade_id}' was edited: restore it")
    for grade_id in expected["locked"]:
        if grade_id not in seen and grade_id not in expected["graded"]:
            problems.append(f"locked cell '{grade_id}' is missing: restore it from a fresh copy")
    for grade_id in expected["answers"]:
        if grade_id not in seen:
            problems.append(f"answer cell '{grade_id}' is missing or lost its grading metadata: "
                            "put your code back into the original cell")
            continue
        source = seen[grade_id][0][0].get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if "raise NotImplementedError()" in source:
            problems.append(f"exercise '{grade_id}' is not done: its cell still raises NotImplementedError")
    return problems


def handin_check(expected):
    """Print one line: ready to hand in, or the first thing to fix."""
    if os.environ.get("NBGRADER_EXECUTION"):
        print("Grading run: the hand-in check is for students and is skipped here.")
        return None
    nb, where = _handin_read_notebook()
    if nb is None:
        print(f"Could not check the hand-in: {where}. Save the notebook, and check by hand that no "
              "cell still says raise NotImplementedError() and that no cell was copied or deleted.")
        return None
    problems = handin_problems(nb, expected)
    if problems:
        more = f" (and {len(problems) - 1} more: {'; '.join(problems[1:3])}{'; ...' if len(problems) > 3 else ''})" \
            if len(problems) > 1 else ""
        print(f"NOT READY to hand in ({where}): {problems[0]}{more}.")
    else:
        print(f"Ready to hand in ({where}): all {len(expected['graded'])} test cells are intact and all "
              f"{len(expected['answers'])} exercises are answered. This is not your grade: hidden tests "
              "run when it is graded. Download the .ipynb and hand it in.")
    return problems
