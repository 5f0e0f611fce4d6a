"""Reading grades back: scores per student and per cell from nbgrader's gradebook (SQLite or
PostgreSQL), nbgrader's CSV export, and the text table ``make grade`` and ``make demo`` print."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

from coursekit.grading.coursedir import course_settings, db_args, path_with_venv, run_nbgrader


def open_gradebook(url: str, course_id: str):
    """nbgrader's Gradebook on ``url``. A new database is stamped by running `alembic`, which
    nbgrader looks up on PATH: make sure this environment's copy is found."""
    from nbgrader.api import Gradebook

    if not shutil.which("alembic"):
        os.environ["PATH"] = path_with_venv()
    return Gradebook(url, course_id)


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
