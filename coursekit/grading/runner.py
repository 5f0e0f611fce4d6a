"""Grade one student: one ``nbgrader autograde`` run per submission, in its own process group (a
crash, a hang or a killed kernel is that student's alone), and the result in one of four states:
graded, flagged (graded, but repaired first or a cell timed out), rejected (not a notebook: why) or
failed (nbgrader or the kernel gave up: the last error line). The intake (``intake.py``) decides
what is graded; the class runner (``classgrade.py``) runs many of these in parallel."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.grading import coursedir, sandbox
from coursekit.grading.coursedir import STAGED
from coursekit.grading.intake import Intake


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


def _last_error(text: str) -> str:
    lines = [l for l in text.splitlines() if ("ERROR" in l or "Error" in l) and "see the the above" not in l]
    return lines[-1].split("] ", 1)[-1].strip()[:300] if lines else "nbgrader exited with an error"


class Processes:
    """The nbgrader processes running now, so that an interrupted class run can stop them all
    (each runs in its own session: killing its group takes its kernel with it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set = set()

    def add(self, proc):
        with self._lock:
            self._running.add(proc)

    def discard(self, proc):
        with self._lock:
            self._running.discard(proc)

    def kill_all(self):
        with self._lock:
            procs = list(self._running)
        for proc in procs:
            _kill_group(proc)


def _die_with_parent():
    """In the nbgrader child, before exec: on Linux, ask for SIGKILL when the grading process dies,
    however it dies (even kill -9), so no orphan keeps writing to the gradebook. Its kernel follows:
    ipykernel exits when its parent goes."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def grade_one(course: Path, lesson: str, item: Intake, db_url: str | None = None, env: dict | None = None,
              timeout: int | None = None, wall_limit: float | None = None,
              processes: Processes | None = None, sandbox_kernels: Path | None = None) -> Result:
    """Autograde one staged submission in its own ``nbgrader autograde`` process, and read back what the
    pipeline's intake found (``preprocessors.report_findings``): a file it refused or could not read is
    *rejected* (graded 0 and flagged in the gradebook by the pipeline), one it repaired or whose audit
    or time limit said something is *flagged*. ``timeout`` overrides nbgrader_config.py's per-cell
    limit (seconds); ``wall_limit`` stops the whole run of this submission (seconds);
    ``sandbox_kernels`` (from coursekit.grading.sandbox.kernel_dir) runs the kernel in a bubblewrap
    sandbox that hides the course directory."""
    import tempfile

    from coursekit.grading.findings import REJECT
    from coursekit.grading.preprocessors import REPORT_ENV, STAGED_REJECT_ENV, read_findings

    cmd = [sys.executable, "-m", "nbgrader", "autograde", lesson, f"--student={item.student}", "--force",
           "--log-level=WARN", f"--CourseDirectory.submitted_directory={STAGED}", *coursedir.db_args(db_url),
           *([f"--Execute.timeout={timeout}"] if timeout else [])]
    env = dict(env or {})
    env["COURSE_SANDBOX"] = "on" if sandbox_kernels else "off"  # read by nbgrader_config.py
    # The blank stand-in of a refused hand-in is flagged with why by the pipeline's intake; an empty
    # value (any other student) keeps a stray one of the caller's environment from applying.
    env[STAGED_REJECT_ENV] = item.reject or ""
    if sandbox_kernels:
        channel_env, channel_args = sandbox.kernel_channels(sandbox_kernels, item.student)
        cmd += channel_args
        env.update(channel_env)
        env[sandbox.HIDE_ENV] = str(Path(course).resolve())
    handle, report = tempfile.mkstemp(prefix="course-findings-", suffix=".json")
    os.close(handle)
    env[REPORT_ENV] = report
    try:
        proc = subprocess.Popen(cmd, cwd=course, env=coursedir.nbgrader_env(env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        if processes:
            processes.add(proc)
        try:
            _, stderr = proc.communicate(timeout=wall_limit)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            stderr = None
        finally:
            if processes:
                processes.discard(proc)
        findings = read_findings(report)
    finally:
        os.unlink(report)
    rejected = [f for f in findings if f.kind == REJECT]
    if item.reject or rejected:  # its blank stand-in was graded (0 points, flagged with the reason)
        return Result(item.student, "rejected", notes=rejected or [item.reject])
    if stderr is None:
        return Result(item.student, "failed", notes=findings + [f"grading took over {wall_limit:g} s: stopped"])
    kernel = [l.split("] ", 1)[-1] for l in stderr.splitlines()
              if "Kernel died" in l or "Timeout waiting" in l or "CellTimeoutError" in l]
    if proc.returncode != 0:
        why = kernel[-1] if kernel else _last_error(stderr)
        if proc.returncode < 0:
            why = f"nbgrader was stopped by signal {-proc.returncode}"
        return Result(item.student, "failed", notes=findings + [why])
    status = "flagged" if findings or kernel else "graded"
    return Result(item.student, status, notes=findings + [k for k in kernel[:1] if k not in findings])


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
