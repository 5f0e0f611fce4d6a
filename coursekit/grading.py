"""Drive nbgrader on a course directory: sample submissions, autograde, scores, export.

Used by ``make demo`` (``python -m coursekit.demo``) and by the pipeline tests, so both run the
same real commands (``nbgrader generate_assignment``, ``autograde``, ``export``) on a real SQLite
gradebook.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _grade_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_ids(nb) -> list[str]:
    """grade_ids of the answer (solution) cells, in notebook order."""
    return [_grade_meta(c)["grade_id"] for c in nb.cells if _grade_meta(c).get("solution")]


def solved_source(master_source: str) -> str:
    """A master answer cell as a student who solved it would hand it in: markers removed."""
    return "\n".join(line for line in master_source.split("\n") if not SOLUTION_MARKER.match(line))


def make_submission(master, release, solve) -> nbformat.NotebookNode:
    """The release notebook with the answer cells named in ``solve`` filled in from the master."""
    solutions = {_grade_meta(c).get("grade_id"): c.source for c in master.cells if _grade_meta(c).get("solution")}
    unknown = set(solve) - set(solutions)
    if unknown:
        raise ValueError(f"no answer cells named {sorted(unknown)}")
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        grade_id = _grade_meta(cell).get("grade_id")
        if _grade_meta(cell).get("solution") and grade_id in solve:
            cell.source = solved_source(solutions[grade_id])
    return nb


def sample_submissions(master, release) -> dict[str, nbformat.NotebookNode]:
    """The demo's three students: everything solved, the first half solved, nothing solved."""
    ids = answer_ids(master)
    return {
        "sample_full": make_submission(master, release, ids),
        "sample_partial": make_submission(master, release, ids[: (len(ids) + 1) // 2]),
        "sample_blank": make_submission(master, release, []),
    }


def nbgrader_env(extra: dict | None = None) -> dict:
    """The environment nbgrader runs in: this venv's bin first (nbgrader calls `alembic` via PATH)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update(extra or {})
    return env


def run_nbgrader(course: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(cmd, cwd=course, env=nbgrader_env(env), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n"
                           f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def prepare_course(course: Path, lessons: list[str], root: Path = ROOT) -> None:
    """A fresh course directory: the config and the nbgrader masters, and the assignments in the gradebook."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
    for lesson in lessons:
        target = course / "source" / lesson
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / "source" / lesson, target)
        run_nbgrader(course, "generate_assignment", lesson, "--force", "--log-level=WARN")


def submit(course: Path, student: str, lesson: str, nb) -> Path:
    path = course / "submitted" / student / lesson / f"{lesson}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def submit_samples(course: Path, lesson: str, root: Path = ROOT) -> list[str]:
    """Hand in the three sample students (see sample_submissions), made from the committed master
    and release notebooks of ``lesson``. Returns their ids."""
    master = nbformat.read(root / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / lesson / f"{lesson}.ipynb", as_version=4)
    samples = sample_submissions(master, release)
    for student, nb in samples.items():
        submit(course, student, lesson, nb)
    return list(samples)


def autograde(course: Path, lesson: str, env: dict | None = None, students: list[str] | None = None):
    args = ["autograde", lesson, "--force", "--log-level=WARN"]
    for student in students or []:
        args.append(f"--student={student}")
    return run_nbgrader(course, *args, env=env)


def scores(course: Path, lesson: str) -> dict[str, tuple[float, float]]:
    """{student: (score, max_score)} for one lesson, read from the course's SQLite gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(lesson, student.id)
            except MissingEntry:
                continue
            out[student.id] = (float(sub.score), float(sub.max_score))
    return out


def cell_scores(course: Path, lesson: str, student: str) -> dict[str, tuple[float, float]]:
    """{grade_id: (score, max_score)} of every graded cell of one submission."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(lesson, lesson, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in nb.grades}


def export_csv(course: Path, path: Path) -> list[dict]:
    run_nbgrader(course, "export", f"--to={path}", "--log-level=WARN")
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def grade_table(rows: list[dict]) -> str:
    """Rows of the nbgrader CSV export as an aligned text table."""
    head = ("assignment", "student_id", "score", "max_score", "percent")
    lines = [head]
    for row in sorted(rows, key=lambda r: (r["assignment"], r["student_id"])):
        score, top = float(row["score"]), float(row["max_score"])
        lines.append((row["assignment"], row["student_id"], f"{score:g}", f"{top:g}",
                      f"{100 * score / top:.0f}%" if top else "-"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    fmt = lambda line: "  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(line, widths)))
    rule = "-" * len(fmt(head))
    return "\n".join([fmt(head), rule] + [fmt(line) for line in lines[1:]])
