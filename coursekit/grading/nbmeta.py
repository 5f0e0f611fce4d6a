"""nbgrader's cell metadata, read one way everywhere: which cells are answers, which are graded
tests, and which test cells belong to which exercise (the course's counterpart of
``nbgrader.utils.is_grade`` / ``is_solution``). Imports nothing from the kit."""
from __future__ import annotations

import re


SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def grade_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def answer_ids(nb) -> list[str]:
    """grade_ids of the answer (solution) cells, in notebook order."""
    return [grade_meta(c)["grade_id"] for c in nb.cells if grade_meta(c).get("solution")]


def solved_source(master_source: str) -> str:
    """A master answer cell as a student who solved it would hand it in: markers removed."""
    return "\n".join(line for line in master_source.split("\n") if not SOLUTION_MARKER.match(line))


def exercise_tests(nb) -> dict[str, list[str]]:
    """{answer grade_id: [grade_ids of the test cells that follow it, up to the next answer]}."""
    out: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        meta = grade_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            out[current] = []
        elif meta.get("grade") and current is not None:
            out[current].append(meta["grade_id"])
    return out
