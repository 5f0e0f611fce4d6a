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
student per nbgrader run, so a crash is that student's alone. Each student gets one Result:
graded, flagged (graded, but repaired first or a cell timed out: what happened), rejected (not a notebook: why)
or failed (nbgrader or the kernel gave up: the last error line) - the last three need a human look.
coursekit.grading.classgrade runs this for a whole class, with several workers and resumably.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


STAGED = "staged"


@dataclass
class Intake:
    student: str
    notebook: object | None = None
    repairs: list[str] = field(default_factory=list)
    reject: str | None = None


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


def _only_panel_edits(meta: dict, ref_meta: dict, cell_type: str) -> bool:
    """True when ``meta`` differs from the release's only as JupyterLab's nbgrader "Create Assignment"
    panel leaves it when a student merely opens it: ``cell_type`` dropped (or equal to the cell's own
    type). Restored quietly - an honest student is not flagged for it."""
    strip = {k: v for k, v in ref_meta.items() if k != "cell_type"}
    return bool(meta) and {k: v for k, v in meta.items() if k != "cell_type"} == strip \
        and meta.get("cell_type", cell_type) == cell_type


def repair(nb, release) -> list[str]:
    """Match the submission's cells to the release notebook's nbgrader cells; restore lost or
    edited metadata, drop the grade metadata of duplicates and re-insert deleted locked cells.
    Returns what was done, in words."""
    notes: list[str] = []
    restored: dict[str, list[str]] = {}   # how the cell was found -> grade_ids whose metadata came back
    put_back: list[str] = []
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
            how = "by cell id"
        if not candidates:
            # A locked or test cell whose metadata an editor dropped still has the release's source.
            candidates = [c for c in nb.cells if c.cell_type == ref.cell_type and id(c) not in claimed
                          and not _meta(c) and c.source.strip() == ref.source.strip()]
            how = "by source"
        if not candidates and ref_meta.get("solution"):
            head = _first_code_line(ref.source)
            candidates = [c for c in nb.cells if c.cell_type == ref.cell_type and id(c) not in claimed
                          and head and head in c.source]
            how = "answers by their first line"
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
                if not _only_panel_edits(_meta(cell), ref_meta, cell.cell_type):
                    restored.setdefault(how if how and not _meta(cell) else "edited", []).append(gid)
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
            restored_cell = nbformat.from_dict(json.loads(json.dumps(ref)))
            nb.cells.insert(position, restored_cell)
            placed[gid] = restored_cell
            claimed.add(id(restored_cell))
            put_back.append(gid)
        else:
            notes.append(f"answer cell '{gid}' is missing: graded as not answered")
    if restored:
        found = "; ".join(f"{', '.join(ids)} ({'metadata edited' if how == 'edited' else 'found ' + how})"
                          for how, ids in restored.items())
        notes.insert(0, f"restored the grading metadata of {sum(map(len, restored.values()))} cell(s): {found}")
    if put_back:
        notes.append(f"put back {len(put_back)} deleted cell(s) from the release notebook: {', '.join(put_back)}")
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


def submitted_students(course: Path, lesson: str) -> list[str]:
    """Every student with a ``submitted/<student>/<lesson>/`` folder, sorted."""
    submitted = Path(course) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / lesson).is_dir())


def submitted_path(course: Path, lesson: str, student: str) -> Path:
    return Path(course) / "submitted" / student / lesson / f"{lesson}.ipynb"


def release_notebook(course: Path, lesson: str):
    return nbformat.read(Path(course) / "release" / lesson / f"{lesson}.ipynb", as_version=4)


def audit(nb, release) -> list[str]:
    """Cells a student could change that use what can forge or sabotage the grading (coursekit.grading.audit):
    the submission is flagged for a human look, its score kept."""
    from coursekit.grading import audit as forgery

    return forgery.audit(nb, release)


def stage_one(course: Path, lesson: str, student: str, release) -> Intake:
    """Read, check and repair one submission; write the repaired copy to staged/."""
    path = submitted_path(course, lesson, student)
    folder = path.parent
    if not path.exists():
        found = sorted(p.name for p in folder.glob("*.ipynb"))
        return Intake(student, reject=f"no {lesson}.ipynb in {folder}" +
                      (f" (found {', '.join(found)}: rename it)" if found else ""))
    if path.is_symlink() or folder.is_symlink():
        return Intake(student, reject=f"{path.name} is a symbolic link, not a notebook file: not read")
    nb, repairs, reject = read_submission(path)
    item = Intake(student, nb, repairs, reject)
    if nb is not None:
        item.repairs += repair(nb, release)
        item.repairs += audit(nb, release)
        target = Path(course) / STAGED / student / lesson
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{lesson}.ipynb")
        # Only the notebook is graded (and the submission time nbgrader reads): any other file - a
        # symlink to the gradebook, a huge data file - stays where the student put it.
        stamp = folder / "timestamp.txt"
        if stamp.is_file() and not stamp.is_symlink() and stamp.stat().st_size < 1024:
            shutil.copy2(stamp, target / stamp.name)

    return item


def stage(course: Path, lesson: str, students: list[str] | None = None) -> list[Intake]:
    """Read, check and repair every submission of ``lesson``; write the repaired copies to staged/."""
    release = release_notebook(course, lesson)
    return [stage_one(course, lesson, s, release) for s in students or submitted_students(course, lesson)]

