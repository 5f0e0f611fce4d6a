"""Grade a class without letting one bad file hurt the others.

nbgrader 0.9 grades a batch in one process, and some submissions stop it or cost a student
points for the wrong reason (seen on 0.9.6):
- one notebook with a duplicated grade cell aborts autograding for the WHOLE batch;
- an empty file, broken JSON or an nbformat-3 file errors out;
- a notebook whose editor dropped the nbgrader cell metadata (or that had a grade flag
  removed) scores 0 even when correct, or errors out;
- a deleted test cell is not put back, so its points are lost.

There is ONE intake, inside nbgrader's pipeline (``coursekit.grading.preprocessors``:
``SubmissionExporter`` reads, ``CourseIntake`` locates, repairs towards the release notebook -
never towards more points: test cells come back from the master anyway - and audits), so plain
``nbgrader autograde``, the formgrader and ``make grade`` decide alike. This module holds its
parts: :func:`locate` (is the hand-in a regular notebook file in a regular folder?),
:func:`read_submission` (is it a notebook?) and :func:`repair`. ``make grade`` only *stages*: it
copies each student's notebook file, byte for byte, to ``staged/<student>/<lesson>/`` (the
student's file is never changed, and no other file they left there is copied or followed), or the
blank release when :func:`locate` refuses it (why is passed to that student's nbgrader process, not
written into the file); the pipeline then grades the staged copy and writes its findings
(``coursekit.grading.findings``) where make grade reads them back.
"""
from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from coursekit.grading.coursedir import STAGED, Course, graded_files
from coursekit.grading.findings import REPAIR, Finding
from coursekit.grading.nbmeta import grade_meta




MAX_NOTEBOOK_BYTES = 200 * 2 ** 20   # a hand-in larger than this is not read


@dataclass
class Intake:
    """What make grade staged for one student: the notebook file as handed in, or - when
    :func:`locate` refused it (``reject``: why) - the blank release in its place."""
    student: str
    reject: str | None = None


def locate(path: Path) -> str | None:
    """Why the hand-in at ``path`` (``submitted/<student>/<lesson>/<lesson>.ipynb``, or nbgrader's copy
    of it) is not the student's notebook file to read - a linked folder or file, no such file, a file
    too large - or None. The pipeline and make grade both ask this, and nothing else does."""
    path = Path(path)
    folder = path.parent
    if folder.is_symlink():
        return f"the folder {folder.name}/ is a symbolic link, not a hand-in: not read"
    if path.is_symlink():
        return f"{path.name} is a symbolic link, not a notebook file: not read"
    if not path.exists():
        found = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
        return f"no {path.name} in {folder}" + (f" (found {', '.join(found)}: rename it)" if found else "")
    if not path.is_file():
        return f"{path.name} is not a regular file: not read"
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return f"{path.name} is {path.stat().st_size / 2 ** 20:.0f} MiB, over {MAX_NOTEBOOK_BYTES // 2 ** 20} MiB: not read"
    return None


def _first_code_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "@")):
            return line.strip()
    return ""


def read_submission(path: Path) -> tuple[object | None, list[Finding], str | None]:
    """(notebook, repairs, reject reason) for one submitted file: the repairs are the conversion of an
    older nbformat (a :class:`Finding` of kind ``repair``), the reason why it is not a notebook."""
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
        repairs.append(Finding(f"converted from nbformat {version} to 4", REPAIR))
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
    Returns what was done, in words. Each step is one small function below, in the order run."""
    notes: list[str] = []
    restored: dict[str, list[str]] = {}   # how the cell was found -> grade_ids whose metadata came back
    put_back: list[str] = []
    wanted = [c for c in release.cells if grade_meta(c).get("grade_id")]
    claimed: set[int] = set()              # id() of the submission's cells already matched
    by_id: dict[str, list] = {}            # grade_id -> the submission's cells that carry it, as handed in
    for cell in nb.cells:
        if grade_meta(cell).get("grade_id"):
            by_id.setdefault(grade_meta(cell)["grade_id"], []).append(cell)
    placed: dict[str, object] = {}         # grade_id -> the submission's cell that now carries it
    for ref in wanted:
        gid, ref_meta = grade_meta(ref)["grade_id"], grade_meta(ref)
        candidates, how = _find_cells(nb, ref, by_id, claimed)
        if len(candidates) > 1:
            notes.append(Finding(f"cell '{gid}' appeared {len(candidates)} times: graded one, ignored the other copies",
                                 REPAIR, gid))
            candidates = [_keep_one_copy(candidates, ref_meta, claimed)]
        if candidates:
            placed[gid] = _restore_metadata(candidates[0], ref_meta, how, restored)
        elif ref_meta.get("locked") or ref_meta.get("grade"):
            placed[gid] = _put_back(nb, ref, wanted, placed)
            put_back.append(gid)
        else:
            notes.append(Finding(f"answer cell '{gid}' is missing: graded as not answered", REPAIR, gid))
        if gid in placed:
            claimed.add(id(placed[gid]))
    if restored:
        found = "; ".join(f"{', '.join(ids)} ({'metadata edited' if how == 'edited' else 'found ' + how})"
                          for how, ids in restored.items())
        notes.insert(0, Finding(f"restored the grading metadata of {sum(map(len, restored.values()))} cell(s): {found}",
                                REPAIR))
    if put_back:
        notes.append(Finding(f"put back {len(put_back)} deleted cell(s) from the release notebook: "
                             f"{', '.join(put_back)}", REPAIR))
    _unique_cell_ids(nb)
    return notes


def _find_cells(nb, ref, by_id: dict[str, list], claimed: set[int]) -> tuple[list, str | None]:
    """The submission's cells that may be the release cell ``ref``, and how they were found: by
    grade_id (how None), else by cell id, else (metadata lost) by identical source, else, for an
    answer, by the stub's first code line."""
    gid, ref_meta = grade_meta(ref)["grade_id"], grade_meta(ref)
    if by_id.get(gid):
        return by_id[gid], None
    found = [c for c in nb.cells if c.get("id") == gid and id(c) not in claimed]
    if found:
        return found, "by cell id"
    # A locked or test cell whose metadata an editor dropped still has the release's source.
    found = [c for c in nb.cells if c.cell_type == ref.cell_type and id(c) not in claimed
             and not grade_meta(c) and c.source.strip() == ref.source.strip()]
    if found or not ref_meta.get("solution"):
        return found, "by source"
    head = _first_code_line(ref.source)
    return [c for c in nb.cells if c.cell_type == ref.cell_type and id(c) not in claimed
            and head and head in c.source], "answers by their first line"


def _keep_one_copy(candidates: list, ref_meta: dict, claimed: set[int]):
    """Of several copies of one graded cell, the one a student would mean - for an answer the last
    that is not the stub, else the first; the others lose their grading metadata."""
    done = [c for c in candidates if "raise NotImplementedError()" not in c.source]
    keep = (done or candidates)[-1] if ref_meta.get("solution") else candidates[0]
    for extra in candidates:
        if extra is not keep:
            for key in ("nbgrader", "deletable", "editable"):
                extra.metadata.pop(key, None)
            claimed.add(id(extra))
    return keep


def _without_checksum(meta: dict) -> dict:
    """nbgrader's ``checksum`` is of the cell's source in the edition the student opened (an other-language
    edition's cells differ in their text: lessons/README.md, "Translations"); grading never reads it from
    the submission (nbgrader compares with the gradebook's own), so a different one is no edit."""
    return {k: v for k, v in meta.items() if k != "checksum"}


def _restore_metadata(cell, ref_meta: dict, how: str | None, restored: dict[str, list[str]]):
    """Give ``cell`` the release's grading metadata; note it unless only JupyterLab's panel touched it
    (or only the checksum differs: another edition of the lesson)."""
    if grade_meta(cell) != ref_meta:
        mine = grade_meta(cell)
        if _without_checksum(mine) != _without_checksum(ref_meta) and \
                not _only_panel_edits(_without_checksum(mine), _without_checksum(ref_meta), cell.cell_type):
            restored.setdefault(how if how and not grade_meta(cell) else "edited", []).append(ref_meta["grade_id"])
        cell.metadata["nbgrader"] = copy.deepcopy(ref_meta)
    return cell


def _put_back(nb, ref, wanted: list, placed: dict):
    """A deleted test or locked cell (nbgrader would not put it back): insert the release's copy after
    the cell that precedes it in the release notebook (its source comes from the master anyway)."""
    before = wanted.index(ref)
    anchor = next((placed[grade_meta(w)["grade_id"]] for w in reversed(wanted[:before])
                   if grade_meta(w)["grade_id"] in placed), None)
    cell = nbformat.from_dict(copy.deepcopy(ref))
    nb.cells.insert(nb.cells.index(anchor) + 1 if anchor is not None else 0, cell)
    return cell


def _unique_cell_ids(nb) -> None:
    """nbformat requires unique cell ids; editors that copy cells do not always keep them unique, and
    Colab saves nbformat 4.0, which has none (Colab keeps its own in the cell metadata)."""
    if nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
        for cell in nb.cells:
            cell.setdefault("id", cell.get("metadata", {}).get("id", ""))
    seen = set()
    for i, cell in enumerate(nb.cells):
        if cell.get("id") in seen or not cell.get("id"):
            cell["id"] = f"cell-{i}"
        seen.add(cell["id"])


def submitted_path(course: Path, lesson: str, student: str) -> Path:
    return Course(course).submitted(lesson, student)


def release_notebook(course: Path, lesson: str):
    return Course(course).read("release", lesson)


def stage_one(course: Path, lesson: str, student: str, release) -> Intake:
    """Stage one submission for the pipeline: its notebook file copied byte for byte (with the
    hand-in's timestamp), or - when :func:`locate` refuses it - the blank release notebook, so that
    nbgrader grades it 0; the reason goes with the returned :class:`Intake` (make grade hands it to that
    student's nbgrader process, ``preprocessors.STAGED_REJECT_ENV``, never in the file), and the pipeline
    flags it (the formgrader lists it with the reason instead of "needs autograding"). Reading,
    repairing and auditing are the pipeline's."""
    path = submitted_path(course, lesson, student)
    reject = locate(path)
    if reject is None:
        _stage(course, lesson, student, None, path.parent, source=path)
        return Intake(student)
    blank = nbformat.from_dict(copy.deepcopy(release))
    _stage(course, lesson, student, blank, None if path.parent.is_symlink() else path.parent)
    return Intake(student, reject=reject)


def _stage(course: Path, lesson: str, student: str, nb, folder: Path | None, source: Path | None = None) -> None:
    """Write ``nb`` (or copy the file ``source``, byte for byte) to staged/<student>/<lesson>/, with the
    hand-in's timestamp when ``folder`` has one. Only the notebook is graded (and the submission time
    nbgrader reads): any other file - a symlink to the gradebook, a huge data file - stays where the
    student put it."""
    target = Course(course).folder(STAGED, lesson, student)
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if source is not None:
        shutil.copyfile(source, target / f"{lesson}.ipynb", follow_symlinks=False)
    else:
        nbformat.write(nb, target / f"{lesson}.ipynb")
    stamp = folder / graded_files(lesson)[1] if folder is not None else None
    if stamp is not None and stamp.is_file() and not stamp.is_symlink() and stamp.stat().st_size < 1024:
        shutil.copy2(stamp, target / stamp.name)
