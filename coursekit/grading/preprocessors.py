"""The course's steps inside nbgrader's own pipeline, registered by ``nbgrader_config.py``.

They run under every way of grading - plain ``nbgrader autograde``, the formgrader's Autograde
button and ``make grade`` (which adds parallel workers, records and its needs-a-look list) - so all
three are equally safe:

- :class:`SubmissionExporter` (autograde's reader): a file nbgrader cannot read (empty, cut-off
  JSON, not a notebook) is graded as the blank release and flagged with the reason, instead of a
  traceback and no grade; a file it had to convert (an older nbformat) is noted as a repair. What it
  found reaches the intake in nbgrader's resources (:data:`READ_KEY`), never in the notebook, whose
  metadata a student controls.
- :class:`CourseIntake` (first sanitize step): removes every file nbgrader copied from the submission
  folder besides the notebook (it follows links: a link to the gradebook would arrive as a copy),
  repairs the submission towards the release notebook
  (duplicated grade cells, deleted test cells, grading metadata lost by an editor or Colab: see
  ``coursekit.grading.intake.repair``) and audits every cell a student could change for code that can forge
  or sabotage the grading (``coursekit.grading.audit``; ``COURSE_AUDIT=off`` or
  ``--CourseIntake.audit=False`` switches the audit off, only to show that the judge holds without
  it). What it found travels with the notebook to:
- :class:`RecallIntake` (autograde phase, before nbgrader clears the notebook metadata), then
- :class:`VoidForgedTests` (just before nbgrader saves the scores): when the audit found code that can
  forge the checks or reach outside the notebook, every test cell's output is replaced by an error
  saying so - hostile input earns nothing. nbgrader scores those cells 0 by its own rule, as automatic
  scores (no manual score is set, so a later honest resubmission is graded as usual).
- :class:`FlagForReview` (after nbgrader saved the scores): a submission with findings is marked
  **flagged** and every grade **needs manual grade** in the gradebook, so the formgrader lists it,
  and the reasons are written as the answer cells' automatic comments. Other scores are kept.
- :class:`JudgedExecute` (nbgrader's Execute step): a judged lesson's test cells are decided by the
  judge outside the kernel (``coursekit.grading.judge``); other test cells run out of the history.
- :class:`SanitizeOutputs`: every output treated as untrusted data - text and raster images only
  (no HTML, SVG or script), each capped in size, with a note where cut. Markdown a student wrote is
  shown as text (``escape_markdown_html``, in the intake).
- :class:`HideHiddenTests` (feedback): hidden tests' code, and everything their cells printed, are
  left out of the students' feedback; the verdict (score, error type and message) stays.
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, default

from coursekit.grading.coursedir import TIMESTAMP
from coursekit.grading.findings import REJECT, TIMEOUT, TIMEOUT_ERRORS, Finding, voids
from coursekit.grading.nbmeta import grade_meta as _meta

INTAKE_KEY = "coursekit_intake"


def _release_notebook(config, assignment: str, notebook: str):
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    path = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{notebook}.ipynb"
    return nbformat.read(path, as_version=4) if path.exists() else None


def remove_handed_in_files(config, assignment: str, student: str) -> list[str]:
    """Delete from ``autograded/<student>/<assignment>/`` everything nbgrader copied there from the
    submission besides notebooks and ``timestamp.txt`` (nbgrader copies every file, following links:
    a link to the gradebook would arrive as a copy of it). Returns the names removed."""
    import shutil

    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    removed = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_symlink() or not (path.suffix == ".ipynb" or path.name == TIMESTAMP) or path.is_dir():
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            removed.append(path.name)
    return removed


# What the reader found, handed to the intake in nbgrader's resources (which no student can write):
# {"reject": why the file was not read, or None; "findings": what reading it repaired, as Findings}.
READ_KEY = "coursekit_read"
# Set by make grade (runner.grade_one) on the one nbgrader process that grades a hand-in it refused
# (coursekit.grading.intake.locate) and staged as the blank release: the reason, for the intake to flag.
STAGED_REJECT_ENV = "COURSE_STAGED_REJECT"
AUDIT_ENV = "COURSE_AUDIT"   # on (the default) | off


def audit_from_env(environ=None) -> bool:
    """Whether the static audit runs, as ``COURSE_AUDIT`` says: ``on`` (the default; empty is on) or
    ``off`` (only to show that the judge holds without it). Anything else stops grading with a clear
    message: a typo must not switch a defence off, nor leave it on unnoticed."""
    value = (os.environ if environ is None else environ).get(AUDIT_ENV, "").strip().lower() or "on"
    if value not in ("on", "off"):
        raise SystemExit(f"[coursekit] cannot grade: {AUDIT_ENV} must be on or off, not {value!r}")
    return value == "on"


def announce_audit() -> bool:
    """For ``nbgrader_config.py``: read ``COURSE_AUDIT`` at start-up - a value other than on/off stops
    grading there, before any notebook is read - and say on stderr when the audit is off."""
    import sys

    on = audit_from_env()
    if not on and not _READING_SETTINGS:
        print(f"[coursekit] static audit OFF ({AUDIT_ENV}=off): submissions are not audited or flagged by it", file=sys.stderr)
    return on


class SubmissionExporter(NotebookExporter):
    """Autograde's reader. A file nbgrader cannot read - empty, cut-off JSON, not a notebook, an
    nbformat that does not exist - would stop that student's run with a traceback (in the formgrader:
    a raw JSON error) and leave no grade. It is read instead as the blank release notebook: the student
    scores what a blank notebook scores (nothing), and the intake flags it with the reason, in the
    gradebook where the formgrader shows it. A file that needed converting (nbformat 3) is read as
    converted, and the intake notes the repair. Both travel in ``resources[READ_KEY]``."""

    def from_filename(self, filename, resources=None, **kw):
        import tempfile

        from coursekit.grading import intake

        _, repairs, reject = intake.read_submission(Path(filename))
        resources = {} if resources is None else resources
        resources[READ_KEY] = {"reject": reject, "findings": list(repairs)}
        info = resources.get("nbgrader", {})
        release = None if reject is None else _release_notebook(
            self.config, info.get("assignment", ""), info.get("notebook", ""))
        if release is None:
            return super().from_filename(filename, resources=resources, **kw)
        with tempfile.TemporaryDirectory(prefix="coursekit-unreadable-") as tmp:
            stand_in = Path(tmp) / Path(filename).name
            stand_in.write_text(nbformat.writes(release))
            return super().from_filename(str(stand_in), resources=resources, **kw)


class CourseIntake(NbGraderPreprocessor):
    """Repair towards the release notebook, then audit; the findings go into the notebook's metadata."""

    audit = Bool(help="run the static audit (default: the COURSE_AUDIT environment variable, on unless it "
                      "says off; off only to show that the judge holds without it: COURSE_AUDIT=off, or "
                      "nbgrader autograde --CourseIntake.audit=False)").tag(config=True)

    @default("audit")
    def _audit_default(self):
        return audit_from_env()

    def _unread(self, resources) -> list:
        """Findings about the file as handed in: refused by make grade before nbgrader (the process's
        ``COURSE_STAGED_REJECT``), not readable, or converted (the reader's ``resources[READ_KEY]``)."""
        read = resources.pop(READ_KEY, None) or {}
        reject = os.environ.get(STAGED_REJECT_ENV) or read.get("reject")
        notes = [Finding(f"the file handed in could not be read ({str(reject)[:500]}): graded as the blank "
                         "notebook", REJECT)] if reject else []
        return notes + [f for f in read.get("findings", []) if isinstance(f, Finding)]

    def preprocess(self, nb, resources):
        from coursekit.grading import audit, intake

        info = resources.get("nbgrader", {})
        release = _release_notebook(self.config, info.get("assignment", ""), info.get("notebook", ""))
        notes: list[Finding] = []
        path = Path(resources.get("metadata", {}).get("path", ".")) / f"{info.get('notebook', '')}.ipynb"
        refused = intake.locate(path) if path.exists() or path.is_symlink() else None
        if release is not None and refused:
            # A link to another student's notebook (or folder, or anything else) is not this student's work.
            nb.cells = [nbformat.from_dict(c) for c in copy.deepcopy(release.cells)]
            notes.append(Finding(f"{refused}: graded as the blank release", REJECT))
        notes += self._unread(resources)
        removed = remove_handed_in_files(self.config, info.get("assignment", ""), info.get("student", ""))
        if removed:
            self.log.info("coursekit: not graded, removed from autograded/: %s", ", ".join(removed))
        if release is None:
            self.log.warning("coursekit: no release notebook for %s: submission not repaired or audited",
                             info.get("assignment"))
        else:
            notes += intake.repair(nb, release)
            escape_markdown_html(nb, release)
            if self.audit:
                notes += audit.audit(nb, release)
            else:
                self.log.warning("coursekit: static audit switched off: %s not audited", info.get("student"))
        # Always overwritten: a student cannot pre-set it. As records, so that nothing routes on wording.
        nb.metadata[INTAKE_KEY] = {"findings": [n.as_dict() for n in notes]}
        report_findings(info, notes)
        for note in notes:
            self.log.warning("coursekit intake (%s): %s", info.get("student"), note)
        if notes and info.get("db_url"):
            # Flag now, not only after the run: code that breaks its own kernel stops nbgrader before
            # the scores are saved, and must still show up in the formgrader.
            mark_for_review(info, notes, [_meta(c)["grade_id"] for c in nb.cells if _meta(c).get("solution")])
        return nb, resources


def is_test_cell(cell) -> bool:
    m = _meta(cell)
    return cell.cell_type == "code" and bool(m.get("grade")) and not m.get("solution")


class JudgedExecute(Execute):
    """nbgrader's Execute step, with the test cells taken out of the student's kernel.

    Every cell runs in the kernel as before except graded test cells: a test cell that the lesson's
    judge (``coursekit.grading.judge``) knows is not run there at all - the judge, in this process,
    asks the kernel questions and writes the verdict as the cell's outputs (a pass line, or an error
    with the student-facing message), which nbgrader then scores by its own rule. A test cell the
    judge does not know (a lesson not judged yet) runs in the kernel, but out of its input history,
    so that ``In``/``_ih`` never hold the hidden tests."""

    def preprocess(self, nb, resources=None, km=None):
        from coursekit.grading import judge

        lesson = ((resources or {}).get("nbgrader") or {}).get("assignment", "")
        self._judges = judge.cell_judges(lesson)
        self._translate = judge.verdict_language(nb, lesson)
        if self.kernel_name == SANDBOX_KERNEL:
            ensure_kernel_fork()
        return super().preprocess(nb, resources, km)

    def create_kernel_manager(self):
        """nbclient's kernel manager, with socket names of this kernel's own where they are Unix sockets
        (the sandbox's ``ipc`` transport): ``<ip>-<port>`` with ``ip`` ending in a random part, so no
        kernel of a class run ever uses the names of the one before it (plain nbgrader autograde grades
        a whole class through one runtime folder; jupyter_client would number every kernel's from 1);
        and a client ready as soon as its kernel is (``kernelclient.PromptKernelClient``)."""
        km = super().create_kernel_manager()
        if getattr(km, "transport", "") == "ipc" and km.ip:
            km.ip = f"{km.ip}-{secrets.token_hex(4)}"
        from coursekit.grading import kernelclient

        kernelclient.prompt(km)
        return km

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return super().preprocess_cell(cell, resources, index)
        self._check_assign_resources(resources)
        verdict = getattr(self, "_judges", {}).get(_meta(cell).get("grade_id"))
        if verdict is None:
            return self.execute_cell(cell, index, store_history=False), self.resources
        from coursekit.grading import judge

        cell.outputs = judge.judge_cell(verdict, self, index, getattr(self, "_translate", None))
        cell.execution_count = None
        self.nb.cells[index] = cell
        return cell, self.resources


REPORT_ENV = "COURSE_INTAKE_REPORT"


def report_findings(info: dict, findings: list[Finding]) -> None:
    """Where make grade asked for it (``COURSE_INTAKE_REPORT``: a file path, one student per nbgrader
    process), write this run's findings as JSON records - how make grade reads the one intake's results
    back. Written again, complete, after the run (FlagForReview): a run that dies half way still leaves
    the intake's part."""
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    data = {"student": info.get("student"), "findings": [f.as_dict() for f in findings]}
    tmp = f"{target}.{os.getpid()}.tmp"
    Path(tmp).write_text(json.dumps(data))
    os.replace(tmp, target)


def read_findings(path) -> list:
    """The findings a run wrote with :func:`report_findings` ([] when it wrote none)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return []
    return [Finding.from_dict(f) for f in data.get("findings", [])] if isinstance(data, dict) else []


class RecallIntake(NbGraderPreprocessor):
    """Autograde phase: keep the intake's findings in the resources before the metadata is cleared."""

    def preprocess(self, nb, resources):
        found = nb.metadata.get(INTAKE_KEY)
        resources[INTAKE_KEY] = [Finding.from_dict(f) for f in found.get("findings", [])] \
            if isinstance(found, dict) and isinstance(found.get("findings"), list) else [
            Finding("the grading pipeline's intake step did not run on this notebook", REJECT)]
        return nb, resources


VOID_ERROR = "GradingIntegrityError"
JUDGED_KEY = "before_void"   # cell metadata coursekit.before_void: the verdict the audit's void replaced


def judged_before_void(cell) -> dict:
    """What the judge (or, in a lesson without one, the kernel) decided for a test cell before the audit
    voided it: ``{"passed": bool, "error": "Name"}``. Kept in the autograded notebook's cell metadata (no
    student reads it: feedback shows outputs), so an instructor - and the tests - can see that the
    verdict held without the audit: a forging notebook earned nothing from the judge either."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    stderr = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    return {"passed": not errors and not stderr, "error": str(errors[0].get("ename", ""))[:80] if errors else ""}


class VoidForgedTests(NbGraderPreprocessor):
    """Before SaveAutoGrades: a submission whose audit found code that can forge the checks
    (a finding of kind ``forging``) earns no automatic points - each test cell's outputs become one
    error saying why, which nbgrader scores 0: the course's policy on hostile input. In a judged lesson
    no verdict needed the audit; this is its defence in depth."""

    def preprocess(self, nb, resources):
        if not voids(resources.get(INTAKE_KEY)):
            return nb, resources
        message = ("not graded automatically: this notebook uses code that can change how its tests run "
                   "(the instructor's comment says which); an instructor grades it by hand")
        for cell in nb.cells:
            m = _meta(cell)
            if cell.cell_type == "code" and m.get("grade") and not m.get("solution"):
                cell.metadata.setdefault("coursekit", {})[JUDGED_KEY] = judged_before_void(cell)
                cell.outputs = [nbformat.v4.new_output("error", ename=VOID_ERROR, evalue=message,
                                                       traceback=[f"{VOID_ERROR}: {message}"])]
        self.log.warning("coursekit: %s: automatic score void (the audit found code that can forge the checks)",
                         resources.get("nbgrader", {}).get("student"))
        return nb, resources


def mark_for_review(info: dict, notes: list[Finding], answers: list[str]) -> None:
    """In the gradebook: the submission flagged, every grade needing a manual look, and the reasons as
    the automatic comment of the answer cell they concern (a finding's ``cell``; findings about the
    notebook as a whole on the first answer)."""
    from nbgrader.api import Gradebook

    with Gradebook(info["db_url"]) as gb:
        submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
        submitted.flagged = True
        for grade in submitted.grades:
            grade.needs_manual_grade = True
        general = [n for n in notes if n.cell not in answers]
        for comment in submitted.comments:
            mine = [n for n in notes if n.cell == comment.name]
            if mine or (general and comment.name == (answers[0] if answers else None)):
                text = "Flagged by the course's grading checks: " + " ".join(mine + general)
                comment.auto_comment = text[:4000]
        gb.db.commit()


def stopped_cells(nb) -> list[str]:
    """The cells (grade id, else "cell N") that stopped at the time limit, or whose judge's question
    did: an error among their outputs is one of :data:`findings.TIMEOUT_ERRORS`."""
    return [_meta(c).get("grade_id") or f"cell {i}" for i, c in enumerate(nb.cells, 1)
            if any(o.get("output_type") == "error" and o.get("ename") in TIMEOUT_ERRORS for o in c.get("outputs", []))]


class FlagForReview(NbGraderPreprocessor):
    """After SaveAutoGrades (which resets "needs manual grade"): a submission whose intake found
    something, or whose cells ran into the time limit, is marked again. The auto scores stay."""

    def preprocess(self, nb, resources):
        notes = list(resources.get(INTAKE_KEY) or [])
        stopped = stopped_cells(nb)
        if stopped:
            notes.append(Finding(f"stopped at the time limit: {', '.join(stopped)}", TIMEOUT))
        info = resources["nbgrader"]
        report_findings(info, notes)
        if not notes:
            return nb, resources
        mark_for_review(info, notes, [_meta(c)["grade_id"] for c in nb.cells if _meta(c).get("solution")])
        self.log.warning("coursekit: %s flagged for review: %s", info["student"], "; ".join(notes))
        return nb, resources


# What an autograded notebook may show of a cell's output (feedback and the formgrader render it in the
# instructor's and the student's browsers): text and raster images. HTML, SVG, JavaScript, Markdown
# (which may hold raw HTML) and every other type are dropped, with a note: outputs are data, not pages.
SAFE_MIME = ("text/plain", "image/png", "image/jpeg")


def _cut(text: str, limit: int, what: str = "characters") -> str:
    if limit < 0 or len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit:,} more {what} cut by the grader]\n"


class SanitizeOutputs(NbGraderPreprocessor):
    """Every output of every code cell as untrusted data: only :data:`SAFE_MIME` types kept (a
    ``<script>`` or an ``onerror=`` in a student's HTML output never reaches a browser), each text
    capped at ``max_chars`` characters, each image at ``max_image_bytes`` (else a note), error
    messages and tracebacks capped, output metadata dropped, at most ``max_outputs`` outputs a cell.
    nbgrader's LimitOutput counts lines only. A note says where anything was cut or removed."""

    max_chars = Integer(20_000, help="characters kept per text output (-1: no limit)").tag(config=True)
    max_image_bytes = Integer(1_000_000, help="base64 bytes kept per image (larger: replaced by a note)").tag(config=True)
    max_outputs = Integer(50, help="outputs kept per cell").tag(config=True)

    def _output(self, output):
        kind = output.get("output_type")
        if kind == "stream":
            output["text"] = _cut(str(output.get("text", "")), self.max_chars)
        elif kind == "error":
            output["ename"] = str(output.get("ename", "Error"))[:200]
            output["evalue"] = _cut(str(output.get("evalue", "")), self.max_chars)
            lines, budget = [], self.max_chars
            for line in output.get("traceback", []) or []:
                line = str(line)
                if budget >= 0 and len(line) > budget:
                    lines.append(_cut(line, max(budget, 0)))
                    break
                lines.append(line)
                budget -= len(line) if budget >= 0 else 0
            output["traceback"] = lines
        elif kind in ("display_data", "execute_result"):
            data, kept = output.get("data", {}) or {}, {}
            for mime, value in data.items():
                value = "".join(value) if isinstance(value, list) else value
                if mime not in SAFE_MIME or not isinstance(value, str):
                    continue
                if mime == "text/plain":
                    kept[mime] = _cut(value, self.max_chars)
                elif len(value) <= self.max_image_bytes:
                    kept[mime] = value
            dropped = sorted(set(data) - set(kept))
            if dropped:
                note = f"[output of type {', '.join(dropped)} not kept by the grader]"
                kept["text/plain"] = (kept.get("text/plain", "") + "\n" + note).strip()
            output["data"] = kept
            output["metadata"] = {}
        return output

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        outputs = [self._output(o) for o in cell.get("outputs", [])]
        if len(outputs) > self.max_outputs:
            cut = len(outputs) - self.max_outputs
            outputs = outputs[: self.max_outputs] + [nbformat.v4.new_output(
                "stream", name="stdout", text=f"... [{cut:,} more outputs cut by the grader]\n")]
        cell.outputs = outputs
        return cell, resources


def escape_markdown_html(nb, release) -> int:
    """Markdown cells a student wrote or changed are shown as text, not HTML: every ``<`` escaped
    (nbconvert renders raw HTML in Markdown as it is). Returns how many cells were changed."""
    course = {c.source for c in release.cells if c.cell_type == "markdown"}
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source not in course and "<" in cell.source:
            cell.source = cell.source.replace("<", "&lt;")
            changed += 1
    return changed


HIDDEN_NOTE = "# (hidden tests: their code is not shown; the result below is)"


class HideHiddenTests(NbGraderPreprocessor):
    """In feedback: replace each hidden-test region by a one-line note and drop everything the cell
    printed or displayed (answer code can print the running cell's source); a failed hidden test shows
    its error type and message only - and not even the message when it quotes the hidden code. The
    locked setup cell (the packed course helpers) shows only its title."""

    max_message = Integer(500, help="characters of a failed hidden test's message shown").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and _meta(cell).get("grade_id") == "setup":
            title = cell.source.split("\n", 1)[0]
            cell.source = f"{title}\n# (the course helpers: the same for everyone, not shown in feedback)"
            cell.outputs = []
            return cell, resources
        if cell.cell_type != "code" or "### BEGIN HIDDEN TESTS" not in cell.source:
            return cell, resources
        kept, hidden, hiding = [], [], False
        for line in cell.source.split("\n"):
            if "### BEGIN HIDDEN TESTS" in line:
                hiding = True
                kept.append(HIDDEN_NOTE)
            elif "### END HIDDEN TESTS" in line:
                hiding = False
            elif hiding:
                hidden.append(line.strip())
            else:
                kept.append(line)
        cell.source = "\n".join(kept)
        secret = [h for h in hidden if len(h) > 12 and not h.startswith("#")]
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue  # streams, displays, results: what the code printed is not the verdict
            message = str(output.get("evalue", ""))[: self.max_message]
            if any(s in message for s in secret):
                message = "(message not shown: it quotes the hidden tests)"
            output["evalue"] = message
            output["traceback"] = [f"{output.get('ename', 'Error')}: {message}"]
            outputs.append(output)
        cell.outputs = outputs
        return cell, resources



SANDBOX_KERNEL = "course-sandbox"
SANDBOX_MODE_ENV = "COURSE_SANDBOX"  # on (default) | off | auto


def sandbox_kernelspec(folder: Path) -> Path:
    """Write the ``course-sandbox`` kernelspec (the kernel that runs this course's
    ``coursekit/grading/sandbox.py``, which starts ipykernel inside bubblewrap) under ``folder``, a
    folder of this grading process's own, and put it first on ``JUPYTER_PATH``. Nothing is written into
    the shared Python environment: two course directories (or a scratch copy) sharing one environment
    each grade through their own kit, and deleting one breaks nothing of the other."""
    from coursekit.grading import sandbox

    spec = Path(folder) / "kernels" / SANDBOX_KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps(sandbox.kernelspec(), indent=1))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(folder), os.environ.get("JUPYTER_PATH", "")) if p)
    return spec


_RUNTIME_DIRS = []
_FORK_SERVERS = []
KERNEL_FORK_ENV = "COURSE_KERNEL_FORK"   # on | off: sandboxed kernels forked from a server


def kernel_fork_wanted(environ) -> bool:
    """Does ``COURSE_KERNEL_FORK`` in ``environ`` (on where unset) ask for a kernel fork server?"""
    return (environ.get(KERNEL_FORK_ENV) or "on").strip().lower() == "on"


def remove_runtime_dirs():
    """Stop this process's kernel fork server and remove its sandbox folders (kernelspec, kernel sockets).
    atexit calls it when nbgrader exits; a grading run forked by coursekit.grading.runner ends in
    ``os._exit`` and calls it itself."""
    import shutil

    while _FORK_SERVERS:
        stop_kernel_fork(_FORK_SERVERS.pop())
    while _RUNTIME_DIRS:
        shutil.rmtree(_RUNTIME_DIRS.pop(), ignore_errors=True)


def start_kernel_fork(folder, environ=None):
    """Start a kernel fork server (coursekit/grading/kernelfork.py: TensorFlow imported once, each
    sandboxed kernel forked from it) with its socket in ``folder``, for the kernels of a process whose
    environment is ``environ`` (default: this one's). Returns (process, socket path), or None where
    ``COURSE_KERNEL_FORK=off`` or the sandbox is not used."""
    from coursekit.grading import kernelfork, sandbox

    env = os.environ if environ is None else environ
    if not kernel_fork_wanted(env):
        return None
    return kernelfork.start(str(folder), sandbox.kernel_process_env(env))


_SHARED_FORK = {}


def shared_kernel_fork(environ) -> str | None:
    """The socket of this process's kernel fork server for kernels of nbgrader processes whose environment
    is ``environ`` (make grade's class runs: one server, started by the first run, serves the next runs
    whose kernels have the same environment; a run with another one replaces it). None: no server
    (``COURSE_KERNEL_FORK=off``)."""
    import atexit
    import shutil
    import tempfile

    from coursekit.grading import sandbox, scratch

    if not kernel_fork_wanted(environ):
        return None
    key = sorted(sandbox.kernel_process_env(environ).items())
    held = _SHARED_FORK.get("server")
    if held and _SHARED_FORK["key"] == key and held[0].poll() is None:
        return held[1]
    if held:
        stop_shared_kernel_fork()
    folder = tempfile.mkdtemp(prefix="fork-", dir=scratch.folder())
    server = start_kernel_fork(folder, environ)
    if not server:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    if not _SHARED_FORK.get("atexit"):
        atexit.register(stop_shared_kernel_fork)
    _SHARED_FORK.update(key=key, server=server, atexit=True)
    return server[1]


def stop_shared_kernel_fork() -> None:
    """Stop the server :func:`shared_kernel_fork` holds (if any) and remove its folder."""
    import shutil

    held = _SHARED_FORK.pop("server", None)
    _SHARED_FORK.pop("key", None)
    if held:
        stop_kernel_fork(held)
        shutil.rmtree(os.path.dirname(held[1]), ignore_errors=True)


def stop_kernel_fork(server) -> None:
    proc, _ = server
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:
        proc.kill()


_READING_SETTINGS: list = []   # non-empty while a process only reads nbgrader_config.py (reading_settings)


@contextlib.contextmanager
def reading_settings():
    """While this process only reads the course's settings from ``nbgrader_config.py``
    (``coursedir.read_config``: the class report, the gradebook's readers, make grade's parent, the tests),
    the file's grading set-up does nothing: :func:`select_kernel` makes no kernelspec folder and sets no
    environment variable (which nbgrader processes started later would inherit) and checks no sandbox;
    :func:`announce_audit` still rejects a bad ``COURSE_AUDIT`` but says nothing. The nbgrader processes
    that grade run the file themselves."""
    _READING_SETTINGS.append(True)
    try:
        yield
    finally:
        _READING_SETTINGS.pop()


def select_kernel(c, course_root: str) -> str:
    """Configure nbgrader's Execute step to start each kernel in the grading sandbox, as the
    ``COURSE_SANDBOX`` environment variable says: ``on`` (the default: grading stops with a clear
    message when the sandbox cannot start), ``off`` (an explicit choice, said on every run) or ``auto``
    (sandboxed where bubblewrap works, else a warning). Returns what was chosen, in words."""
    import atexit
    import sys
    import tempfile

    from coursekit.grading import sandbox, scratch

    if _READING_SETTINGS:
        return "settings read, no kernel chosen"
    mode = os.environ.get(SANDBOX_MODE_ENV, "on").strip().lower() or "on"
    if mode == "off":
        print("[coursekit] grading kernels NOT sandboxed (COURSE_SANDBOX=off): they run as this user",
              file=sys.stderr)
        return "kernels NOT sandboxed (COURSE_SANDBOX=off)"
    why = sandbox.available()
    if why:
        if mode != "auto":
            raise SystemExit(f"[coursekit] cannot grade: the grading sandbox cannot start ({why}). Install "
                             "bubblewrap (make system-deps), or set COURSE_SANDBOX=off to grade without it, "
                             "knowing that student code then runs as you")
        print(f"[coursekit] WARNING: grading kernels run UNSANDBOXED, as this user: {why}", file=sys.stderr)
        return f"kernels NOT sandboxed: {why}"
    runtime = tempfile.mkdtemp(prefix="cks-", dir=scratch.folder())
    if not _RUNTIME_DIRS:
        atexit.register(remove_runtime_dirs)
    _RUNTIME_DIRS.append(runtime)
    sandbox_kernelspec(Path(runtime))
    c.Execute.kernel_name = SANDBOX_KERNEL
    # The kernel lives in its own network namespace: ZeroMQ over Unix sockets, in a folder of this
    # process's own (make grade passes one per student on the command line, which wins over this).
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = os.path.join(runtime, "kernel")
    os.environ.setdefault(sandbox.HIDE_ENV, os.path.abspath(course_root))
    # Kernels forked from a server that has imported TensorFlow: a class run of make grade shares its own,
    # named in the environment; plain nbgrader starts one before its first kernel (ensure_kernel_fork).
    # Not here: any process that reads the course's settings runs this file.
    _FORK_FOLDER[:] = [runtime]
    return "kernels sandboxed"


_FORK_FOLDER: list = []   # where select_kernel chose sandboxed kernels: the folder for a kernel fork server


def ensure_kernel_fork() -> None:
    """Start this nbgrader process's kernel fork server before its first sandboxed kernel (the Execute
    step calls it), unless one is named in the environment (make grade's), select_kernel chose no
    sandbox, or ``COURSE_KERNEL_FORK=off``; the launcher starts kernels itself where there is none.
    Started here rather than when nbgrader_config.py is read: a process that only reads the course's
    settings (``coursedir.course_settings``, a test, the benchmark) must not hold a server, which the
    nbgrader processes it starts would inherit - with its environment, not theirs."""
    from coursekit.grading import sandbox

    if os.environ.get(sandbox.FORK_SOCKET_ENV) or not _FORK_FOLDER:
        return
    server = start_kernel_fork(_FORK_FOLDER.pop())
    if server:
        _FORK_SERVERS.append(server)
        os.environ[sandbox.FORK_SOCKET_ENV] = server[1]
