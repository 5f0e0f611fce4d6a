"""Grade a class without letting one bad file hurt the others.

nbgrader 0.9 grades a batch in one process, and some submissions stop it or cost a student
points for the wrong reason (seen on 0.9.6):
- one notebook with a duplicated grade cell aborts autograding for the WHOLE batch;
- an empty file, broken JSON or an nbformat-3 file errors out;
- a notebook whose editor dropped the nbgrader cell metadata (or that had a grade flag
  removed) scores 0 even when correct, or errors out;
- a deleted test cell is not put back, so its points are lost.

This layer sits in front of ``nbgrader autograde``. For every ``submitted/<student>/<lesson>/``
it reads the notebook, repairs what can be repaired *towards the release notebook* (never
towards more points: test cells come back from the master anyway, since nbgrader overwrites
locked and graded cells with their master source), writes the repaired copy to
``staged/<student>/<lesson>/`` - the student's file is never changed - and then autogrades one
student per nbgrader run, so a crash is that student's alone. It returns one row per student:
graded, flagged (graded, but repaired first or a cell timed out: what happened), rejected (not a notebook: why)
or failed (nbgrader or the kernel gave up: the last error line) - the last three need a human look.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from coursekit import grading

STAGED = "staged"


@dataclass
class Intake:
    student: str
    notebook: object | None = None
    repairs: list[str] = field(default_factory=list)
    reject: str | None = None


@dataclass
class Result:
    student: str
    status: str                      # graded | flagged | rejected | failed
    score: float | None = None
    max_score: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def needs_look(self) -> bool:
        return self.status != "graded"


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _first_code_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "@")):
            return line.strip()
    return ""


def read_submission(path: Path) -> tuple[object | None, list[str], str | None]:
    """(notebook, repairs, reject reason) for one submitted file."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, [], f"cannot read the file ({err.strerror})"
    if not raw.strip():
        return None, [], "the file is empty (0 bytes or only whitespace)"
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None, [], "the file is not text (not UTF-8): not a notebook"
    except json.JSONDecodeError as err:
        return None, [], f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}): the download was cut or edited"
    if not isinstance(data, dict) or "nbformat" not in data:
        return None, [], "valid JSON but not a notebook (no 'nbformat' field)"
    repairs = []
    version = data.get("nbformat")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as err:  # nbformat raises several kinds for unreadable versions
        return None, [], f"a notebook that nbformat cannot read (nbformat {version}: {type(err).__name__})"
    if version != 4:
        repairs.append(f"converted from nbformat {version} to 4")
    return nb, repairs, None


def repair(nb, release) -> list[str]:
    """Match the submission's cells to the release notebook's nbgrader cells; restore lost or
    edited metadata, drop the grade metadata of duplicates and re-insert deleted locked cells.
    Returns what was done, in words."""
    notes: list[str] = []
    wanted = [c for c in release.cells if _meta(c).get("grade_id")]
    by_id: dict[str, list] = {}
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if gid:
            by_id.setdefault(gid, []).append(cell)
    claimed = set()
    placed = {}
    for ref in wanted:
        gid, ref_meta = ref.metadata["nbgrader"]["grade_id"], ref.metadata["nbgrader"]
        candidates = by_id.get(gid, [])
        how = None
        if not candidates:
            candidates = [c for c in nb.cells if c.get("id") == gid and id(c) not in claimed]
            how = "by its cell id"
        if not candidates and ref_meta.get("solution"):
            head = _first_code_line(ref.source)
            candidates = [c for c in nb.cells if c.cell_type == ref.cell_type and id(c) not in claimed
                          and head and head in c.source]
            how = f"by its first line '{head}'"
        if len(candidates) > 1:
            # Keep the copy a student would mean: for an answer, the last one that is not the stub.
            done = [c for c in candidates if "raise NotImplementedError()" not in c.source]
            keep = (done or candidates)[-1] if ref_meta.get("solution") else candidates[0]
            for extra in candidates:
                if extra is not keep:
                    extra.metadata.pop("nbgrader", None)
                    extra.metadata.pop("deletable", None)
                    extra.metadata.pop("editable", None)
                    claimed.add(id(extra))
            notes.append(f"cell '{gid}' appeared {len(candidates)} times: graded one, ignored the other copies")
            candidates = [keep]
        if candidates:
            cell = candidates[0]
            if _meta(cell) != ref_meta:
                notes.append(f"restored the grading metadata of cell '{gid}'"
                             + (f" (found {how})" if how and not _meta(cell) else ""))
                cell.metadata["nbgrader"] = json.loads(json.dumps(ref_meta))
            placed[gid] = cell
            claimed.add(id(cell))
        elif ref_meta.get("locked") or ref_meta.get("grade"):
            # A deleted test or locked cell: nbgrader would not put it back. Insert it after the
            # cell that precedes it in the release notebook (its source comes from the master).
            before = wanted.index(ref)
            anchor = next((placed[w.metadata["nbgrader"]["grade_id"]] for w in reversed(wanted[:before])
                           if w.metadata["nbgrader"]["grade_id"] in placed), None)
            position = nb.cells.index(anchor) + 1 if anchor is not None else 0
            restored = nbformat.from_dict(json.loads(json.dumps(ref)))
            nb.cells.insert(position, restored)
            placed[gid] = restored
            claimed.add(id(restored))
            notes.append(f"put back the deleted cell '{gid}'")
        else:
            notes.append(f"answer cell '{gid}' is missing: graded as not answered")
    # nbformat requires unique cell ids; editors that copy cells do not always keep them unique,
    # and Colab saves nbformat 4.0, which has none.
    if nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
        for cell in nb.cells:
            cell.setdefault("id", cell.get("metadata", {}).get("id", ""))
    seen_ids = set()
    for i, cell in enumerate(nb.cells):
        if cell.get("id") in seen_ids or not cell.get("id"):
            cell["id"] = f"cell-{i}"
        seen_ids.add(cell["id"])
    return notes


def stage(course: Path, lesson: str, students: list[str] | None = None) -> list[Intake]:
    """Read, check and repair every submission of ``lesson``; write the repaired copies to staged/."""
    release = nbformat.read(course / "release" / lesson / f"{lesson}.ipynb", as_version=4)
    submitted = course / "submitted"
    names = students or sorted(p.name for p in submitted.iterdir() if (p / lesson).is_dir())
    intakes = []
    for student in names:
        folder = submitted / student / lesson
        path = folder / f"{lesson}.ipynb"
        if not path.exists():
            found = sorted(p.name for p in folder.glob("*.ipynb"))
            intakes.append(Intake(student, reject=f"no {lesson}.ipynb in {folder}" +
                                  (f" (found {', '.join(found)}: rename it)" if found else "")))
            continue
        nb, repairs, reject = read_submission(path)
        item = Intake(student, nb, repairs, reject)
        if nb is not None:
            item.repairs += repair(nb, release)
            target = course / STAGED / student / lesson
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            nbformat.write(nb, target / f"{lesson}.ipynb")
            for extra in folder.iterdir():  # timestamp.txt and any data files the student handed in
                if extra.is_file() and extra.name != f"{lesson}.ipynb":
                    shutil.copy2(extra, target / extra.name)
        intakes.append(item)
    return intakes


def _last_error(text: str) -> str:
    lines = [l for l in text.splitlines() if ("ERROR" in l or "Error" in l) and "see the the above" not in l]
    return lines[-1].split("] ", 1)[-1].strip()[:300] if lines else "nbgrader exited with an error"


def grade_class(course: Path, lesson: str, env: dict | None = None, students: list[str] | None = None,
                progress=print, timeout: int | None = None) -> list[Result]:
    """Stage every submission, then autograde each student in its own nbgrader run.
    ``timeout`` overrides nbgrader_config.py's per-cell limit (seconds)."""
    results = []
    intakes = stage(course, lesson, students)
    start = time.perf_counter()
    for n, item in enumerate(intakes, 1):
        if item.reject:
            results.append(Result(item.student, "rejected", notes=[item.reject]))
        else:
            run = grading.run_nbgrader(
                course, "autograde", lesson, f"--student={item.student}", "--force", "--log-level=WARN",
                f"--CourseDirectory.submitted_directory={STAGED}",
                *([f"--Execute.timeout={timeout}"] if timeout else []), env=env, check=False)
            kernel = [l.split("] ", 1)[-1] for l in run.stderr.splitlines()
                      if "Kernel died" in l or "Timeout waiting" in l or "CellTimeoutError" in l]
            if run.returncode != 0:
                why = kernel[-1] if kernel else _last_error(run.stderr)
                results.append(Result(item.student, "failed", notes=item.repairs + [why]))
            else:
                status = "flagged" if item.repairs or kernel else "graded"
                results.append(Result(item.student, status, notes=item.repairs + kernel[:1]))
        if progress:
            elapsed = time.perf_counter() - start
            failures = sum(r.status in ("rejected", "failed") for r in results)
            eta = elapsed / n * (len(intakes) - n)
            progress(f"[{n}/{len(intakes)}] {item.student}: {results[-1].status}"
                     f" | failures so far {failures} | ETA {eta:.0f} s")
    scores = grading.scores(course, lesson)
    for r in results:
        if r.student in scores and r.status != "rejected":
            r.score, r.max_score = scores[r.student]
    return results


def report(results: list[Result]) -> str:
    lines = []
    look = [r for r in results if r.needs_look]
    for r in results:
        score = f"{r.score:g}/{r.max_score:g}" if r.score is not None else "-"
        lines.append(f"{r.student:<24} {r.status:<9} {score}")
    if look:
        lines.append("")
        lines.append(f"{len(look)} submission(s) need a human look:")
        for r in look:
            lines.append(f"- {r.student} ({r.status}): " + "; ".join(r.notes))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Autograde every submission of a lesson, safely.")
    parser.add_argument("lesson")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument("--student", action="append", help="only these students (repeatable)")
    args = parser.parse_args(argv)
    results = grade_class(args.course, args.lesson, students=args.student)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
