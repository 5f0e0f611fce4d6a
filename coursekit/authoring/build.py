"""Build the course: lesson templates -> nbgrader masters -> student and Colab editions.

    lessons/<id>.py                     the text a lesson is written in (see lessons/README.md)
      + solutions/l<id>.py              exercise code, copied verbatim into answer cells
      + coursekit/notebook/*.py         packed into every notebook's locked setup cell (kitpack.py)
    -> source/<id>/<id>.ipynb           nbgrader master (solutions, hidden tests, points)
    -> release/<id>/<id>.ipynb          `nbgrader generate_assignment` (its file, verbatim): stubs, no hidden tests
    -> notebooks/<id>.ipynb             release + Colab metadata (GPU runtime), flat folder
    -> notebooks/<lang>/<id>.ipynb      the same from lessons/<lang>/ translations (translations.py)

Run ``python -m coursekit.authoring.build`` (``make build``). Every output is a pure function of the
inputs, so a test rebuilds into a temporary folder and compares with what is committed.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from coursekit.authoring import kitpack
from coursekit.authoring.template import TemplateError, definitions, judge_injected, markdown_text, parse_template
from coursekit.grading.nbmeta import exercise_tests

from coursekit import ROOT  # noqa: E402
INJECTED_MODULES = ("i18n", "runtime", "checks", "data", "plots", "archcheck", "handin")
SETUP_TITLE = "#@title Course setup: run it after the Workload cell (locked; it defines the course helpers)"
# Where the course is published; the README's Colab badges point here (a test checks they agree).
GITHUB_REPO = "vgg-keras-course/vgg-keras-course"


def lesson_ids(root: Path = ROOT) -> list[str]:
    """Every lesson under lessons/; COURSE_LESSONS="01,03" narrows it (for work on one lesson)."""
    ids = sorted(p.stem for p in (root / "lessons").glob("[0-9][0-9]_*.py"))
    wanted = [w.strip() for w in os.environ.get("COURSE_LESSONS", "").split(",") if w.strip()]
    if wanted:
        ids = [i for i in ids if any(i == w or i.startswith(w + "_") for w in wanted)]
    return ids


def kit_sources(root: Path = ROOT) -> dict[str, str]:
    """{module: source} of the helpers every notebook carries, in the order they run."""
    return {m: (root / "coursekit" / "notebook" / f"{m}.py").read_text().rstrip() + "\n" for m in INJECTED_MODULES}


def kit_source(root: Path = ROOT) -> str:
    """The setup cell's part that carries and runs the helpers (coursekit/authoring/kitpack.py)."""
    return kitpack.setup_code(kit_sources(root), f"https://github.com/{GITHUB_REPO}/tree/main/coursekit/notebook")


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def cell_code(cell, lesson_id: str, root: Path = ROOT, defs: dict | None = None, where: str = "") -> str:
    """The code a template cell becomes: an answer cell, the solutions' definitions its ``from=`` names
    (then its own lines); a test cell, its lines with each ``#<< judge:`` line replaced by the judge's
    definitions; any other cell, its lines."""
    body = "\n".join(cell.lines)
    if cell.kind == "answer":
        solutions = root / "solutions" / f"l{lesson_id}.py"
        defs = definitions(solutions) if defs is None else defs
        names = [n for n in cell.attrs.get("from", "").split(",") if n]
        missing = [n for n in names if n not in defs]
        if missing:
            raise TemplateError(f"{where}: {solutions.name} defines no {missing}")
        return "\n\n\n".join([defs[n] for n in names] + ([body] if body else []))
    if cell.kind == "tests":
        return judge_injected(body, root / "coursekit" / "grading" / "judge" / f"l{lesson_id[:2]}.py", where)
    return body


def build_master(lesson_id: str, root: Path = ROOT):
    """Return the nbgrader master notebook for one lesson (a NotebookNode)."""
    template = root / "lessons" / f"{lesson_id}.py"
    solutions = root / "solutions" / f"l{lesson_id}.py"
    defs = definitions(solutions)
    cells = parse_template(template.read_text(), str(template.relative_to(root)))
    nb = nbformat.v4.new_notebook()
    seen_ids: set[str] = set()
    exercise_names: dict[str, str] = {}
    setup, setup_body = None, ""
    counters = {"markdown": 0, "code": 0}
    for cell in cells:
        where = f"{template.relative_to(root)}:{cell.lineno}"
        body = "\n".join(cell.lines)
        if cell.kind == "markdown":
            counters["markdown"] += 1
            new = nbformat.v4.new_markdown_cell(markdown_text(cell.lines, where))
            new.id = f"md-{counters['markdown']:02d}"
        elif cell.kind == "code":
            counters["code"] += 1
            new = nbformat.v4.new_code_cell(body)
            new.id = f"code-{counters['code']:02d}"
        else:
            grade_id = "setup" if cell.kind == "setup" else cell.attrs.get("id")
            if not grade_id:
                raise TemplateError(f"{where}: [{cell.kind}] cells need id=...")
            if grade_id in seen_ids:
                raise TemplateError(f"{where}: duplicate id {grade_id!r}")
            seen_ids.add(grade_id)
            if cell.kind == "setup":
                # The source is written below, once the hand-in data (from every cell) is known.
                setup, setup_body = nbformat.v4.new_code_cell("", metadata=_nbgrader(grade_id, locked=True)), body
                new = setup
                new.metadata["cellView"] = "form"            # Colab: show the title, fold the code
                new.metadata["jupyter"] = {"source_hidden": True}  # JupyterLab: collapsed input
            elif cell.kind == "answer":
                names = [n for n in cell.attrs.get("from", "").split(",") if n]
                source = cell_code(cell, lesson_id, root, defs, where)
                if "### BEGIN SOLUTION" not in source:
                    raise TemplateError(f"{where}: answer cell {grade_id!r} has no solution region")
                new = nbformat.v4.new_code_cell(source, metadata=_nbgrader(grade_id, solution=True))
                exercise_names[grade_id] = " / ".join(names) or grade_id
            else:
                if "points" not in cell.attrs:
                    raise TemplateError(f"{where}: [tests] cells need points=N")
                new = nbformat.v4.new_code_cell(cell_code(cell, lesson_id, root, defs, where), metadata=_nbgrader(
                    grade_id, grade=True, locked=True, points=float(cell.attrs["points"])))
            new.id = grade_id
        nb.cells.append(new)
    if setup is None:
        raise TemplateError(f"{template.relative_to(root)}: no [setup] cell")
    expected = handin_expected(nb, exercise_names)
    setup.source = "\n\n\n".join(x for x in (SETUP_TITLE, kit_source(root), handin_data(expected),
                                               messages_data(lesson_id, root), setup_body) if x)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code, workload_cell())
    nb.cells.extend(handin_cells())
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


WORKLOAD_CELL = """\
#@title Workload: full (the post's data and epochs; use a GPU) or fast (small subsets, a few minutes on a CPU)
WORKLOAD = "full"  #@param ["full", "fast"]
# Run this cell, then the setup cell below. To change your mind later: edit, run both again.
import os
os.environ["COURSE_LANG"] = "en"  # the language of this notebook's messages
_set_outside = "COURSE_MODE" in os.environ and os.environ.get("COURSE_MODE_FROM") != "notebook"
if not (os.environ.get("NBGRADER_EXECUTION") or _set_outside):
    os.environ.update(COURSE_MODE=WORKLOAD, COURSE_MODE_FROM="notebook")"""


def workload_cell():
    """The cell before the setup cell where a student picks fast or full mode (a Colab form)."""
    cell = nbformat.v4.new_code_cell(WORKLOAD_CELL)
    cell.metadata["cellView"] = "form"
    cell.id = "workload"
    return cell


HANDIN_LOCKED_NAMES = {"setup": "Course setup", "handin_check": "Ready to hand in?"}


def handin_expected(nb, exercise_names: dict[str, str]) -> dict:
    """What the hand-in check compares the saved notebook with (``coursekit.notebook.handin.handin_problems``):
    the graded cells and their points, the answer cells, the locked cells, each exercise by the
    names the student writes (the answer cell's ``from=``) and the exercise each test cell grades."""
    tests_of = exercise_tests(nb)
    answers = list(tests_of)
    exercise_of = {test: answer for answer, tests in tests_of.items() for test in tests}
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    return {"graded": graded, "answers": answers, "locked": list(HANDIN_LOCKED_NAMES),
            "names": {**{a: exercise_names.get(a, a) for a in answers}, **HANDIN_LOCKED_NAMES},
            "exercise_of": exercise_of}


def handin_data(expected: dict) -> str:
    """The lesson's part of the locked setup cell that the hand-in cell reads: nbgrader restores
    the setup cell from the master, so what is checked comes from the build, never from a
    student's copy (JupyterLab shows the setup cell collapsed, Colab folds it)."""
    literal = json.dumps(expected, ensure_ascii=False)
    if ast.literal_eval(literal) != expected:  # JSON's true/false/null are not Python
        raise TemplateError(f"HANDIN_EXPECTED is not a Python literal as JSON: {literal[:200]}")
    return ("# ---- this lesson: what the 'Ready to hand in?' cell checks (written by coursekit/authoring/build.py) ----\n"
            f"HANDIN_EXPECTED = {literal}")


def messages_data(lesson_id: str, root: Path = ROOT) -> str:
    """The lesson's part of the setup cell that carries the translations a student can read (the kit's
    sentences, the visible checks' messages: ``translations.notebook_messages``), compressed like the kit."""
    from coursekit.authoring.translations import notebook_messages

    messages = notebook_messages(lesson_id, root)
    if not messages:
        return ""
    return ("# ---- the course's messages in the other editions' languages (coursekit/locale; read by course_text) ----\n"
            f"COURSE_MESSAGES = _kit_json.loads(_kit_zlib.decompress(_kit_b64.b64decode(\n    \"{kitpack.pack(messages)}\")))")


def handin_cells() -> list:
    """The closing cells every lesson gets: what the hand-in check looks at, the check (one
    short line; its data is in the setup cell), and what to do next - a last markdown cell, so that
    Shift+Enter on the check moves on instead of adding an empty cell (JupyterLab appends one when
    the last cell runs)."""
    text = nbformat.v4.new_markdown_cell(
        "## Ready to hand in?\n"
        "Save the notebook, then run the cell below. It checks the saved file the way the grader will "
        "read it: every test cell still there with its grading metadata, no copied cells, no exercise "
        "still raising `NotImplementedError`. It does not run the hidden tests, so it is not your grade.")
    text.id = "md-handin"
    check = nbformat.v4.new_code_cell(
        "#@title Ready to hand in? Run this cell last (locked)\n"
        "handin_check(HANDIN_EXPECTED)",
        metadata=_nbgrader("handin_check", locked=True))
    check.metadata["cellView"] = "form"
    check.id = "handin_check"
    after = nbformat.v4.new_markdown_cell(
        "## Hand it in\n"
        "If the cell above says **Ready to hand in**, download the notebook - Colab: *File > Download > "
        "Download .ipynb*; JupyterLab: *File > Download* - and hand in that file as it is. If it says "
        "**NOT READY**, fix the first thing it names, save, and run it again.\n\n"
        "Do not copy cells into a new notebook: the grader recognises cells by hidden metadata.\n\n"
        "**The last run before you hand in can be in fast mode.** Your outputs are not graded: the grader "
        "runs your code again on its own, in fast mode, so a full-mode run is for you, not for the "
        "grade. If you trained in full mode, you do not need to train again: save, run the check above, "
        "download. If you changed code since, pick *fast* in the Workload cell and run *Restart and run "
        "all* (minutes, not the full training again), then run the check.")
    after.id = "md-handin-next"
    return [text, check, after]


def notebook_text(nb) -> str:
    """The notebook as nbformat itself writes it (``nbformat.write``, Jupyter's save, and nbgrader's
    ``generate_assignment``, which writes through nbconvert's ``nbformat.writes`` + a newline): every
    source and output split into lines, keys sorted, indent 1, non-ASCII kept, a trailing newline.
    Line-split sources make a diff show the lines that changed, and the same layout as nbgrader's
    lets ``nbgrader generate_assignment`` reproduce the committed release/ byte for byte."""
    nbformat.validate(nb)  # raises: never commit a notebook Jupyter or nbgrader would reject
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(notebook_text(nb).encode("utf-8"))  # bytes: "\n" on every platform


def generate_release(root: Path, lesson_id: str) -> None:
    """Run nbgrader's generate_assignment for one lesson in course directory ``root``."""
    from coursekit.grading.coursedir import nbgrader_env  # the venv's bin on PATH, where the kit is

    env = nbgrader_env({"COURSE_SANDBOX": "off"})  # nothing is executed here
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", lesson_id, "--force", "--no-db",
           "--log-level=WARN"]
    result = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {lesson_id} failed:\n{result.stdout}\n{result.stderr}")


def colab_edition(release_nb, lesson_id: str):
    """The release notebook with Colab's metadata: opens on a GPU runtime with its own name."""
    nb = nbformat.from_dict(copy.deepcopy(release_nb))
    nb.metadata["accelerator"] = "GPU"
    nb.metadata["colab"] = {"name": f"{lesson_id}.ipynb", "provenance": [], "gpuType": "T4"}
    return nb


def build(root: Path = ROOT, out: Path | None = None, lessons: list[str] | None = None) -> list[Path]:
    """Build every lesson; write into ``out`` (default: ``root`` itself). Returns written files."""
    out = root if out is None else out
    lessons = lessons or lesson_ids(root)
    written = []
    with tempfile.TemporaryDirectory(prefix="coursebuild-") as tmp:
        course = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
        for lesson_id in lessons:
            master = build_master(lesson_id, root)
            write_notebook(master, course / "source" / lesson_id / f"{lesson_id}.ipynb")
            generate_release(course, lesson_id)
            # release/ is the file nbgrader wrote, byte for byte (not re-serialised), so an instructor's
            # own `nbgrader generate_assignment` writes exactly the committed copy.
            release_bytes = (course / "release" / lesson_id / f"{lesson_id}.ipynb").read_bytes()
            release = nbformat.reads(release_bytes.decode("utf-8"), as_version=4)
            nbformat.validate(release)
            source_path = out / "source" / lesson_id / f"{lesson_id}.ipynb"
            release_path = out / "release" / lesson_id / f"{lesson_id}.ipynb"
            colab_path = out / "notebooks" / f"{lesson_id}.ipynb"
            write_notebook(master, source_path)
            release_path.parent.mkdir(parents=True, exist_ok=True)
            release_path.write_bytes(release_bytes)
            write_notebook(colab_edition(release, lesson_id), colab_path)
            written += [source_path, release_path, colab_path]
            for language in edition_languages(root):
                written.append(build_edition(master, lesson_id, language, course, out, root))
    return written


def edition_languages(root: Path = ROOT) -> list[str]:
    """The languages with a translation of the lessons (``lessons/<language>/``)."""
    return sorted(p.name for p in (root / "lessons").iterdir() if p.is_dir() and len(p.name) == 2 and p.name.isalpha())


def translated_master(master, lesson_id: str, language: str, root: Path = ROOT):
    """The master with ``language``'s cells swapped in (``translations.translate_master``); cells whose
    translation is missing or stale stay in English, and ``make translations`` names them."""
    from coursekit.authoring.translations import translate_master

    return translate_master(master, language, lesson_id, root)[0]


def build_edition(master, lesson_id: str, language: str, course: Path, out: Path, root: Path = ROOT) -> Path:
    """``notebooks/<language>/<id>.ipynb``: the translated master through ``nbgrader generate_assignment``
    (in a course folder of its own), with Colab's metadata. Same cells, grade ids, points and code as
    the English edition: one nbgrader assignment grades both."""
    edition = course / f"edition-{language}"
    if not (edition / "nbgrader_config.py").exists():
        edition.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "nbgrader_config.py", edition / "nbgrader_config.py")
    write_notebook(translated_master(master, lesson_id, language, root), edition / "source" / lesson_id / f"{lesson_id}.ipynb")
    generate_release(edition, lesson_id)
    release = nbformat.reads((edition / "release" / lesson_id / f"{lesson_id}.ipynb").read_text(encoding="utf-8"),
                             as_version=4)
    path = out / "notebooks" / language / f"{lesson_id}.ipynb"
    write_notebook(colab_edition(release, lesson_id), path)
    return path


def colab_url(lesson_id: str, repo: str = GITHUB_REPO, branch: str = "main", language: str = "en") -> str:
    folder = "notebooks" if language == "en" else f"notebooks/{language}"
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{folder}/{lesson_id}.ipynb"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: all under lessons/)")
    parser.add_argument("--out", type=Path, default=None, help="write here instead of the repo")
    args = parser.parse_args(argv)
    for path in build(ROOT, args.out, args.lessons or None):
        print(f"wrote {path.relative_to(args.out or ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
