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

from coursekit.grading import coursedir, sandbox, scratch
from coursekit.grading.coursedir import STAGED
from coursekit.grading.kernelfork import die_with_parent
from coursekit.grading.findings import FAILURE, REJECT, TIMEOUT, Finding
from coursekit.grading.intake import Intake


@dataclass
class Result:
    student: str
    status: str                      # graded | flagged | rejected | failed
    score: float | None = None
    max_score: float | None = None
    notes: list[Finding] = field(default_factory=list)   # what grading found, as data (findings.py)
    earlier: bool = False            # make grade: this result is an earlier run's record (same file)

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
    die_with_parent(signal.SIGKILL)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # not yet its own session: the process alone
        try:
            proc.kill()
        except (ProcessLookupError, OSError, AttributeError):
            pass


# The modules every nbgrader run imports (about 2 s a process): a fork server imports them once, then
# forks one process per submission from that state (nothing of any submission is in it: it never grades).
PRELOAD = ("nbgrader.apps.nbgraderapp", "nbgrader.apps.autogradeapp", "nbgrader.converters.autograde",
           "nbconvert", "nbclient", "jupyter_client", "sqlalchemy", "coursekit.grading.preprocessors",
           "coursekit.grading.judge", "coursekit.grading.judge.l01", "coursekit.grading.judge.l02",
           "coursekit.grading.judge.l03", "coursekit.grading.judge.l04", "coursekit.grading.judge.l05")
_FORK_LOCK = threading.Lock()
_FORK_CONTEXT = []


def _fork_context():
    """multiprocessing's fork server, started once per grading process with PRELOAD imported (None
    where it does not exist: not Linux, or ``COURSE_GRADE_FORK=off``, then each run is a new Python)."""
    if os.environ.get("COURSE_GRADE_FORK", "on").strip().lower() == "off" or not sys.platform.startswith("linux"):
        return None
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not os.path.isfile(main_file):  # code from stdin: the fork server could not re-import it
        return None
    with _FORK_LOCK:
        if not _FORK_CONTEXT:
            import multiprocessing

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(list(PRELOAD))
            _FORK_CONTEXT.append(context)
        return _FORK_CONTEXT[0]


def _nbgrader_child(argv, cwd, env, err_path):
    """In the forked process: a new session (its kernel joins it, so killing the group stops both),
    death with the fork server, the run's own directory, environment and stderr; then nbgrader's
    command line as ``python -m nbgrader`` would run it."""
    os.setsid()
    if sys.platform.startswith("linux"):
        _die_with_parent()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    import tempfile

    tempfile.tempdir = None  # this run's TMPDIR, not the fork server's
    devnull = os.open(os.devnull, os.O_RDWR)
    err = os.open(err_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(err, 2)
    sys.argv = ["nbgrader", *argv]
    code = 1
    try:
        from nbgrader.apps.nbgraderapp import main

        main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        from coursekit.grading.preprocessors import remove_runtime_dirs

        remove_runtime_dirs()  # os._exit skips atexit
        scratch.remove()
        sys.stderr.flush()
        os._exit(code)


class NbgraderRun:
    """One ``nbgrader`` run in a process of its own session: forked from the fork server where there is
    one, else a new ``python -m nbgrader``. ``wait(seconds)`` returns its stderr, or None while it runs."""

    def __init__(self, argv, cwd, env):
        import tempfile

        handle, self._err = tempfile.mkstemp(prefix="nbgrader-", suffix=".log", dir=scratch.folder())
        os.close(handle)
        context = _fork_context()
        if context is not None:
            self._proc = context.Process(target=_nbgrader_child, args=(list(argv), str(cwd), dict(env), self._err),
                                         daemon=False)
            self._proc.start()
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "nbgrader", *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=open(self._err, "w"), start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        self.pid = self._proc.pid

    @property
    def returncode(self):
        return self._proc.exitcode if hasattr(self._proc, "exitcode") else self._proc.returncode

    def kill(self):
        self._proc.kill()

    def wait(self, seconds):
        if hasattr(self._proc, "join"):
            self._proc.join(seconds)
            if self._proc.exitcode is None:
                return None
        else:
            try:
                self._proc.wait(seconds)
            except subprocess.TimeoutExpired:
                return None
        try:
            with open(self._err, errors="replace") as handle:
                return handle.read()
        finally:
            try:
                os.unlink(self._err)
            except FileNotFoundError:
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
    handle, report = tempfile.mkstemp(prefix="findings-", suffix=".json", dir=scratch.folder())
    os.close(handle)
    env[REPORT_ENV] = report
    try:
        proc = NbgraderRun(cmd[3:], cwd=course, env=coursedir.nbgrader_env(env))
        if processes:
            processes.add(proc)
        try:
            stderr = proc.wait(wall_limit)
            if stderr is None:  # over the wall limit: stop it, its kernel with it
                _kill_group(proc)
                proc.wait(None)
        finally:
            if processes:
                processes.discard(proc)
        findings = read_findings(report)
    finally:
        os.unlink(report)
    rejected = [f for f in findings if f.kind == REJECT]
    if item.reject or rejected:  # its blank stand-in was graded (0 points, flagged with the reason)
        return Result(item.student, "rejected", notes=rejected or [Finding(item.reject, REJECT)])
    if stderr is None:
        return Result(item.student, "failed",
                      notes=findings + [Finding(f"grading took over {wall_limit:g} s: stopped", FAILURE)])
    kernel = [Finding(l.split("] ", 1)[-1], FAILURE if "Kernel died" in l else TIMEOUT) for l in stderr.splitlines()
              if "Kernel died" in l or "Timeout waiting" in l or "CellTimeoutError" in l]
    if proc.returncode != 0:
        why = kernel[-1].message if kernel else _last_error(stderr)
        if proc.returncode < 0:
            why = f"nbgrader was stopped by signal {-proc.returncode}"
        return Result(item.student, "failed", notes=findings + [Finding(why, FAILURE)])
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
            lines.append(f"- {r.student} ({r.status}): " + "; ".join(r.notes)
                     + (" (graded by an earlier run)" if r.earlier else ""))
    return "\n".join(lines)
