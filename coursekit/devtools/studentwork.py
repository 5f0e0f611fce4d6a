"""Sample submissions made from the committed master and release notebooks: the demo's three
students (solved, half solved, blank), and any mix of solved answer cells for tests."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from coursekit import ROOT
from coursekit.grading.coursedir import Course, submit
from coursekit.grading.nbmeta import answer_ids, grade_meta, solved_source


def make_submission(master, release, solve) -> nbformat.NotebookNode:
    """The release notebook with the answer cells named in ``solve`` filled in from the master."""
    solutions = {grade_meta(c).get("grade_id"): c.source for c in master.cells if grade_meta(c).get("solution")}
    unknown = set(solve) - set(solutions)
    if unknown:
        raise ValueError(f"no answer cells named {sorted(unknown)}")
    nb = nbformat.from_dict(copy.deepcopy(release))
    for cell in nb.cells:
        grade_id = grade_meta(cell).get("grade_id")
        if grade_meta(cell).get("solution") and grade_id in solve:
            cell.source = solved_source(solutions[grade_id])
    return nb


def edition(lesson: str, language: str, root: Path = ROOT, master=None):
    """(master, student notebook) of another edition of ``lesson``: the master with that language's cells
    (coursekit/authoring/translations.py) and ``notebooks/<language>/<id>.ipynb``; None without one."""
    path = root / "notebooks" / language / f"{lesson}.ipynb"
    if not path.is_file():
        return None
    from coursekit.authoring.translations import translate_master

    master = Course(root).read("source", lesson) if master is None else master
    return translate_master(master, language, lesson, root)[0], nbformat.read(path, as_version=4)


def sample_submissions(master, release) -> dict[str, nbformat.NotebookNode]:
    """The demo's three students: everything solved, the first half solved, nothing solved."""
    ids = answer_ids(master)
    return {
        "sample_full": make_submission(master, release, ids),
        "sample_partial": make_submission(master, release, ids[: (len(ids) + 1) // 2]),
        "sample_blank": make_submission(master, release, []),
    }


def submit_samples(course: Path, lesson: str, root: Path = ROOT) -> list[str]:
    """Hand in the three sample students (see sample_submissions), made from the committed master
    and release notebooks of ``lesson``. Returns their ids."""
    master, release = Course(root).read("source", lesson), Course(root).read("release", lesson)
    samples = sample_submissions(master, release)
    for student, nb in samples.items():
        submit(course, student, lesson, nb)
    return list(samples)
