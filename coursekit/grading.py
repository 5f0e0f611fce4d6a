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
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


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


def exercise_tests(nb) -> dict[str, list[str]]:
    """{answer grade_id: [grade_ids of the test cells that follow it, up to the next answer]}."""
    out: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        meta = _grade_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            out[current] = []
        elif meta.get("grade") and current is not None:
            out[current].append(meta["grade_id"])
    return out


def sample_submissions(master, release) -> dict[str, nbformat.NotebookNode]:
    """The demo's three students: everything solved, the first half solved, nothing solved."""
    ids = answer_ids(master)
    return {
        "sample_full": make_submission(master, release, ids),
        "sample_partial": make_submission(master, release, ids[: (len(ids) + 1) // 2]),
        "sample_blank": make_submission(master, release, []),
    }


def nbgrader_env(extra: dict | None = None) -> dict:
    """The environment nbgrader runs in: this venv's bin first (nbgrader calls `alembic` via PATH), and
    where the course kit is (a copied course directory's nbgrader_config.py imports coursekit from there)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COURSE_KIT_ROOT"] = str(ROOT)  # not PYTHONPATH: the kernel (and its sandbox) must not see the repo
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.update(extra or {})
    return env


def run_nbgrader(course: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "nbgrader", *args]
    result = subprocess.run(cmd, cwd=course, env=nbgrader_env(env), capture_output=True, text=True)
    if check and result.returncode != 0:
        # The kernel's own last words (bwrap, the sandbox launcher) come long before nbgrader's traceback.
        kernel = [l for l in result.stderr.splitlines() if "bwrap" in l or "sandbox" in l.lower()][:10]
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n"
                           + "".join(f"{l}\n" for l in kernel)
                           + f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def course_settings(course: Path) -> tuple[str, str]:
    """(course_id, db_url) as nbgrader reads them from the course directory's nbgrader_config.py;
    the gradebook defaults to sqlite:///<course>/gradebook.db."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course / "nbgrader_config.py").exists():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    coursedir = CourseDirectory(config=config, root=str(Path(course).resolve()))
    return coursedir.course_id, coursedir.db_url


def open_gradebook(url: str, course_id: str):
    """nbgrader's Gradebook on ``url``. A new database is stamped by running `alembic`, which
    nbgrader looks up on PATH: make sure this environment's copy is found."""
    from nbgrader.api import Gradebook

    bindir = str(Path(sys.executable).parent)
    if not shutil.which("alembic") and bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"
    return Gradebook(url, course_id)


def gradebook_url(course: Path, db_url: str | None = None) -> str:
    """The gradebook to use: ``db_url`` if given, else the course's configured one."""
    return db_url or course_settings(course)[1]


def db_args(db_url: str | None) -> list[str]:
    """nbgrader command-line arguments that point it at ``db_url`` (none for the configured one)."""
    return [f"--CourseDirectory.db_url={db_url}"] if db_url else []


def prepare_course(course: Path, lessons: list[str], root: Path = ROOT, db_url: str | None = None) -> None:
    """A fresh course directory: the config and the nbgrader masters, and the assignments in the
    gradebook (the course's SQLite file, or ``db_url``)."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
    for lesson in lessons:
        target = course / "source" / lesson
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(root / "source" / lesson, target)
        run_nbgrader(course, "generate_assignment", lesson, "--force", "--log-level=WARN", *db_args(db_url))


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


def scores(course: Path, lesson: str, db_url: str | None = None) -> dict[str, tuple[float, float]]:
    """{student: (score, max_score)} for one lesson, read from the course's gradebook (or ``db_url``)."""
    from nbgrader.api import MissingEntry

    out = {}
    course_id, url = course_settings(course)
    with open_gradebook(db_url or url, course_id) as gb:
        for student in gb.students:
            try:
                sub = gb.find_submission(lesson, student.id)
            except MissingEntry:
                continue
            out[student.id] = (float(sub.score), float(sub.max_score))
    return out


def cell_scores(course: Path, lesson: str, student: str, db_url: str | None = None) -> dict[str, tuple[float, float]]:
    """{grade_id: (score, max_score)} of every graded cell of one submission."""
    course_id, url = course_settings(course)
    with open_gradebook(db_url or url, course_id) as gb:
        nb = gb.find_submission_notebook(lesson, lesson, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in nb.grades}


def export_csv(course: Path, path: Path, db_url: str | None = None) -> list[dict]:
    run_nbgrader(course, "export", f"--to={path}", "--log-level=WARN", *db_args(db_url))
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
