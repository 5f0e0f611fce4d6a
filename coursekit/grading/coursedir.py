"""The course directory: where every file of a lesson lives (:class:`Course`), which gradebook it
uses, and nbgrader run on it (``generate_assignment``, ``autograde``, ``export``) with the
environment nbgrader needs. The one place that knows nbgrader's layout::

    source/<lesson>/<lesson>.ipynb              the master (with solutions and hidden tests)
    release/<lesson>/<lesson>.ipynb             what students get
    submitted/<student>/<lesson>/<lesson>.ipynb what a student handed in (+ timestamp.txt)
    staged/<student>/<lesson>/                  make grade's repaired copy, graded in its place
    autograded/<student>/<lesson>/              nbgrader's graded copy
    feedback/<student>/<lesson>/<lesson>.html   the student's feedback
    gradebook.db                                the default gradebook (nbgrader_config.py may name another)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit import ROOT  # noqa: E402

TIMESTAMP = "timestamp.txt"   # the submission time nbgrader reads, handed in beside the notebook
STAGED = "staged"             # make grade's repaired copies: nbgrader's submitted_directory for its runs
LESSON_STEPS = ("source", "release")          # <step>/<lesson>/
STUDENT_STEPS = ("submitted", STAGED, "autograded", "feedback")  # <step>/<student>/<lesson>/


def graded_files(lesson: str) -> tuple[str, str]:
    """What is graded of a hand-in: the lesson's notebook and the timestamp. Any other file a student
    puts beside them is never read, copied into autograded/ or fed back."""
    return f"{lesson}.ipynb", TIMESTAMP


@dataclass(frozen=True)
class Course:
    """A course directory laid out as nbgrader expects (see the module's docstring)."""
    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root))

    def folder(self, step: str, lesson: str, student: str | None = None) -> Path:
        if step in LESSON_STEPS:
            return self.root / step / lesson
        if step not in STUDENT_STEPS or not student:
            raise ValueError(f"no folder {step!r} for lesson {lesson!r}, student {student!r}")
        return self.root / step / student / lesson

    def notebook(self, step: str, lesson: str, student: str | None = None) -> Path:
        return self.folder(step, lesson, student) / f"{lesson}.ipynb"

    def source(self, lesson: str) -> Path:
        return self.notebook("source", lesson)

    def release(self, lesson: str) -> Path:
        return self.notebook("release", lesson)

    def submitted(self, lesson: str, student: str) -> Path:
        return self.notebook("submitted", lesson, student)

    def autograded(self, lesson: str, student: str) -> Path:
        return self.notebook("autograded", lesson, student)

    def feedback(self, lesson: str, student: str) -> Path:
        return self.folder("feedback", lesson, student) / f"{lesson}.html"

    def read(self, step: str, lesson: str, student: str | None = None):
        return nbformat.read(self.notebook(step, lesson, student), as_version=4)

    def students(self, lesson: str, step: str = "submitted") -> list[str]:
        """Every student with a ``<step>/<student>/<lesson>/`` folder, sorted."""
        top = self.root / step
        return sorted(p.name for p in top.iterdir() if (p / lesson).is_dir()) if top.is_dir() else []

    def settings(self) -> tuple[str, str]:
        """(course_id, db_url) as nbgrader reads them from this directory's nbgrader_config.py."""
        return course_settings(self.root)

    def gradebook_url(self, db_url: str | None = None) -> str:
        """The gradebook to use: ``db_url`` if given, else the course's configured one."""
        return db_url or self.settings()[1]


def path_with_venv(path: str | None = None) -> str:
    """``path`` (default: $PATH) with this Python's bin folder first: nbgrader runs ``alembic`` (to
    create or upgrade a gradebook) by name, and must find this environment's copy."""
    path = os.environ.get("PATH", "") if path is None else path
    bindir = str(Path(sys.executable).parent)
    return path if path.split(os.pathsep)[:1] == [bindir] else f"{bindir}{os.pathsep}{path}"


def nbgrader_env(extra: dict | None = None) -> dict:
    """The environment nbgrader runs in: this venv's bin first (nbgrader calls `alembic` via PATH), and
    where the course kit is (a copied course directory's nbgrader_config.py imports coursekit from there)."""
    env = dict(os.environ)
    env["PATH"] = path_with_venv(env.get("PATH", ""))
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
        # nbgrader's per-cell checksum warnings (a tampered submission) would crowd the traceback out.
        stderr = "\n".join(l for l in result.stderr.splitlines() if "Attribute 'checksum' for cell" not in l)
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n"
                           + "".join(f"{l}\n" for l in kernel)
                           + f"{result.stdout[-4000:]}\n{stderr[-6000:]}")
    return result


def read_config(folder: Path):
    """The traitlets Config of ``folder``'s nbgrader_config.py (empty without one), read without its
    grading set-up (``preprocessors.reading_settings``): reading the settings starts nothing, checks
    no sandbox and leaves this process's environment as it was."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from coursekit.grading.preprocessors import reading_settings

    if not (Path(folder) / "nbgrader_config.py").exists():
        return Config()
    with reading_settings():
        return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def course_settings(course: Path) -> tuple[str, str]:
    """(course_id, db_url) as nbgrader reads them from the course directory's nbgrader_config.py;
    the gradebook defaults to sqlite:///<course>/gradebook.db."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=read_config(course), root=str(Path(course).resolve()))
    return coursedir.course_id, coursedir.db_url


def gradebook_url(course: Path, db_url: str | None = None) -> str:
    """The gradebook to use: ``db_url`` if given, else the course's configured one."""
    return Course(course).gradebook_url(db_url)


def db_args(db_url: str | None) -> list[str]:
    """nbgrader command-line arguments that point it at ``db_url`` (none for the configured one)."""
    return [f"--CourseDirectory.db_url={db_url}"] if db_url else []


def prepare_course(course: Path, lessons: list[str], root: Path = ROOT, db_url: str | None = None) -> None:
    """A fresh course directory: the config and the nbgrader masters, and the assignments in the
    gradebook (the course's SQLite file, or ``db_url``)."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
    for lesson in lessons:
        target = Course(course).folder("source", lesson)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(Course(root).folder("source", lesson), target)
        run_nbgrader(course, "generate_assignment", lesson, "--force", "--log-level=WARN", *db_args(db_url))


def submit(course: Path, student: str, lesson: str, nb) -> Path:
    path = Course(course).submitted(lesson, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def hand_in(course: Path, lesson: str, files: dict[str, bytes]) -> None:
    """Hand in ``{student: the bytes of their file}`` as ``submitted/<student>/<lesson>/<lesson>.ipynb``,
    byte for byte (a broken or hostile file stays exactly as it is)."""
    for student, data in files.items():
        path = Course(course).submitted(lesson, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def autograde(course: Path, lesson: str, env: dict | None = None, students: list[str] | None = None):
    args = ["autograde", lesson, "--force", "--log-level=WARN"]
    for student in students or []:
        args.append(f"--student={student}")
    return run_nbgrader(course, *args, env=env)

