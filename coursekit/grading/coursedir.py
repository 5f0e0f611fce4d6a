"""Drive nbgrader on a course directory: sample submissions, autograde, scores, export.

Used by ``make demo`` (``python -m coursekit.devtools.demo``) and by the pipeline tests, so both run the
same real commands (``nbgrader generate_assignment``, ``autograde``, ``export``) on a real SQLite
gradebook.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from coursekit import ROOT  # noqa: E402


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


def autograde(course: Path, lesson: str, env: dict | None = None, students: list[str] | None = None):
    args = ["autograde", lesson, "--force", "--log-level=WARN"]
    for student in students or []:
        args.append(f"--student={student}")
    return run_nbgrader(course, *args, env=env)

