"""Grade a whole class: N workers on one gradebook, resumable, one bad file never stops the rest.

    python -m coursekit.grading.classgrade LESSON [--course DIR] [--workers N] [--db-url URL]
                                   [--force] [--student ID ...] [--shard K/N] [--sandbox auto|on|off]
                                   [--audit on|off]
    (or: make grade LESSON=... WORKERS=N DB_URL=... FORCE=1 SHARD=K/N SANDBOX=on AUDIT=off)

Every submission under ``submitted/<student>/<lesson>/`` is checked and repaired towards the
release notebook (coursekit.grading.intake), then autograded by its own ``nbgrader autograde``
process; N of those run at once. The run prints progress (done / total, failures so far, ETA)
and ends with the grade table and the submissions that need a human look, each with the reason.

Gradebooks. nbgrader's SQLite file takes one writer at a time (nbgrader's FAQ sends several
graders to PostgreSQL), so on SQLite - the zero-set-up default - the workers are serialised:
one grades at a time. With a PostgreSQL ``db_url`` (``--db-url``, ``DB_URL=`` or
``c.CourseDirectory.db_url`` in nbgrader_config.py) N grade at once. Before any worker starts,
this process registers the course, the assignment check and every student in the gradebook, so
workers only ever write their own student's rows.

Resuming. After each submission a record is written atomically to
``grading-records/<lesson>/<student>.json`` (status, findings as data - kind, cell, message -, a
SHA-256 of the submitted file).
Run the command again after an interruption - Ctrl-C, a kill, a lost machine - and it skips every
student whose record matches the file handed in and whose grade is in the gradebook; the rest -
and every run that failed (its kernel died or was killed, nbgrader gave up) - are graded (nbgrader replaces a half-written submission rather than adding rows). A student
who hands in again is regraded because the digest changes. ``--force`` regrades everyone selected.

Sandbox. Every kernel runs in a bubblewrap sandbox (Debian package ``bubblewrap``) that hides the
course directory and the network (coursekit.grading.sandbox). Closed by default: ``--sandbox on`` (the
default) stops with a clear message when the sandbox cannot start; ``--sandbox off`` is an explicit
choice, said at the start and in the summary; ``--sandbox auto`` grades unsandboxed where bubblewrap
does not work, with a note.

Audit. The pipeline's static audit (coursekit.grading.audit: defence in depth and the instructor's
flag; no verdict of a judged lesson depends on it) runs unless ``--audit off`` (``AUDIT=off``, or
``COURSE_AUDIT=off`` in the environment, which plain ``nbgrader autograde`` reads too) switches it
off - only to show that the judge holds without it; said in the summary. A record made with the
other setting is graded again.

Several machines. With one shared course directory (or the same submissions copied to each) and
one PostgreSQL gradebook, run the same command on every machine with ``--shard K/N``: machine K
takes the students whose id hashes to K (stable, whatever else is in ``submitted/``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from coursekit.grading import coursedir, gradebook, intake, runner, sandbox, scratch
from coursekit.grading.coursedir import Course, graded_files
from coursekit.grading.findings import FAILURE, Finding
from coursekit.grading.runner import Result

RECORDS = "grading-records"


class ClassGradeError(Exception):
    """A problem with the set-up (no such assignment, bad arguments): nothing was graded."""


class Interrupted(Exception):
    """The run was stopped part way; what was graded is recorded and will be skipped next time."""


@dataclass
class ClassRun:
    lesson: str
    results: list[Result]                             # every selected student, in id order
    graded_now: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # recorded by an earlier run, unchanged since
    workers: int = 1
    backend: str = "sqlite"
    sandboxed: bool = False
    audited: bool = True
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        per = f", {self.seconds / len(self.graded_now):.1f} s per submission" if self.graded_now else ""
        return (f"{self.lesson}: {len(self.graded_now)} graded now, {len(self.skipped)} skipped "
                f"(graded before, unchanged) in {self.seconds:.1f} s with {self.workers} worker(s) "
                f"on {self.backend}{per}; kernels {'sandboxed' if self.sandboxed else 'NOT sandboxed'}"
                + ("" if self.audited else "; static audit OFF"))


def audit_setting() -> bool:
    """``COURSE_AUDIT`` as the pipeline reads it (on unless it says off); another value is a set-up error."""
    from coursekit.grading.preprocessors import audit_from_env

    try:
        return audit_from_env()
    except SystemExit as err:
        raise ClassGradeError(str(err).removeprefix("[coursekit] cannot grade: ")) from None


def backend(url: str) -> str:
    """'sqlite', 'postgresql', ... from an SQLAlchemy URL."""
    return url.split(":", 1)[0].split("+", 1)[0]


def redact(url: str) -> str:
    """The URL without its password, for messages and records."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def plan_workers(url: str, wanted: int) -> tuple[int, str | None]:
    """How many workers to run on this gradebook, and a note when that is not what was asked."""
    if wanted < 0:
        raise ClassGradeError(f"--workers must be 0 (automatic) or more, not {wanted}")
    if backend(url) == "sqlite":
        if wanted > 1:
            return 1, (f"the SQLite gradebook takes one writer at a time: grading with 1 worker, not {wanted} "
                       "(for parallel grading use PostgreSQL: DB_URL=postgresql://user@host/db)")
        return 1, None
    return (wanted or os.cpu_count() or 1), None


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ClassGradeError(f"--shard takes K/N with 1 <= K <= N (e.g. 2/3), not {text!r}")
    return int(match[1]), int(match[2])


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Stable: depends only on the student id, never on who else handed in."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == k - 1


def file_digest(course: Path, lesson: str, student: str) -> str | None:
    """SHA-256 over what is graded of what the student handed in: the notebook and ``timestamp.txt``
    (other files are never graded; links are never followed - a link is digested as its target's name)."""
    folder = Course(course).folder("submitted", lesson, student)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in (folder / name for name in graded_files(lesson)):
        digest.update(path.name.encode() + b"\0")
        if path.is_symlink():
            digest.update(b"link:" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def record_path(course: Path, lesson: str, student: str) -> Path:
    return Path(course) / RECORDS / lesson / f"{student}.json"


RECORD_FORMAT = 2  # 2: notes are findings ({"kind", "cell", "message"}); a record of another format is regraded


def read_record(course: Path, lesson: str, student: str) -> dict | None:
    try:
        record = json.loads(record_path(course, lesson, student).read_text())
    except (OSError, ValueError):
        return None      # none yet, or unreadable: grade again
    return record if isinstance(record, dict) and record.get("status") else None


def record_notes(record: dict) -> list:
    """A record's findings (coursekit.grading.findings.Finding), as the run that wrote it found them."""
    return [Finding.from_dict(n) for n in record.get("notes") or []]


def note_messages(record: dict) -> list[str]:
    """What a record's notes say, for people (a record of an earlier format holds plain messages)."""
    if record.get("format") == RECORD_FORMAT:
        return [n.message for n in record_notes(record)]
    return [str(n) for n in record.get("notes") or []]


def write_record(course: Path, lesson: str, result: Result, digest: str | None, seconds: float, url: str,
                 audited: bool = True) -> None:
    """Atomically (a kill leaves the old record or the new one, never half of one)."""
    path = record_path(course, lesson, result.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"format": RECORD_FORMAT, "student": result.student, "lesson": lesson, "status": result.status,
              "notes": [n.as_dict() for n in result.notes], "digest": digest, "seconds": round(seconds, 2),
              "gradebook": redact(url), "audit": "on" if audited else "off",
              "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{result.student}.")
    with os.fdopen(fd, "w") as fh:
        json.dump(record, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def register(url: str, course_id: str, lesson: str, students: list[str]) -> set[str]:
    """Make sure the gradebook has the course, the assignment and every student, before any worker
    starts (so workers never race to create shared rows). Returns the students that already have a
    submission of ``lesson`` in it."""
    from nbgrader.api import MissingEntry

    try:
        with gradebook.open_gradebook(url, course_id) as gb:
            try:
                gb.find_assignment(lesson)
            except MissingEntry:
                raise ClassGradeError(f"the gradebook {redact(url)} has no assignment {lesson!r}: run "
                                      f"`nbgrader generate_assignment {lesson} --force` against it first") from None
            for student in students:
                gb.update_or_create_student(student)
            have = set()
            for sub in gb.find_assignment(lesson).submissions:
                have.add(sub.student_id)
            return have
    except ClassGradeError:
        raise
    except Exception as err:  # SQLAlchemy / driver errors: a wrong URL, a server that is down
        raise ClassGradeError(f"cannot open the gradebook {redact(url)}: {type(err).__name__}: "
                              f"{str(err).splitlines()[0] if str(err) else ''}") from None


def grade_class(course: Path, lesson: str, *, workers: int = 1, db_url: str | None = None, force: bool = False,
                students: list[str] | None = None, shard: tuple[int, int] | None = None, env: dict | None = None,
                timeout: int | None = None, wall_limit: float | None = 1800, sandboxed: str = "on",
                audit: bool | None = None, progress=print) -> ClassRun:
    """Grade ``lesson`` for the selected students (default: everyone who handed in). See the module doc.
    ``sandboxed``: "on" (the default: refuse to grade without the sandbox), "auto" (each kernel in a
    bubblewrap sandbox where bubblewrap works, with a note where it does not) or "off". ``audit``: run
    the pipeline's static audit (None, the default: as ``COURSE_AUDIT`` says, on unless it says off).
    Four phases: plan (who, and who is already graded with the same file), sandbox, pool (grade the
    rest in parallel, a record per student as each finishes), collect (scores from the gradebook)."""
    course = Path(course).resolve()
    audited = audit_setting() if audit is None else bool(audit)
    if not Course(course).release(lesson).exists():
        raise ClassGradeError(f"no release/{lesson}/{lesson}.ipynb in {course}: is this the course directory, "
                              f"and has `nbgrader generate_assignment {lesson} --force` run? (without --force "
                              "nbgrader skips a lesson whose release/ folder exists and registers nothing)")
    course_id, configured = coursedir.course_settings(course)
    url = db_url or configured
    n_workers, note = plan_workers(url, workers)
    names = [s for s in (students or Course(course).students(lesson)) if in_shard(s, shard)]
    run = ClassRun(lesson, [], workers=n_workers, backend=backend(url), audited=audited,
                   notes=[note] if note else [])
    if not audited:
        run.notes.append("static audit OFF (--audit off / COURSE_AUDIT=off): submissions are not audited or flagged by it")
    for line in run.notes if progress else []:
        progress(f"note: {line}")
    digests = {s: file_digest(course, lesson, s) for s in names}
    todo, earlier = _plan(course, lesson, names, digests, register(url, course_id, lesson, names), force, run,
                          progress)
    kernels = _start_sandbox(sandboxed, run, progress)
    try:
        now = _grade_pool(course, lesson, todo, digests, url, n_workers, kernels, run, progress,
                          env=env, timeout=timeout, wall_limit=wall_limit)
    finally:
        if kernels:
            shutil.rmtree(kernels, ignore_errors=True)
    return _collect(course, lesson, names, now, earlier, url, run)


def _plan(course: Path, lesson: str, names: list[str], digests: dict, have: set[str], force: bool, run: ClassRun,
          progress) -> tuple[list[str], dict[str, Result]]:
    """(students to grade now, earlier results of the others). A student is done when a record of this
    same file, graded with the same audit setting, says so: rejected, or graded/flagged with a
    submission in the gradebook. A failed run (a kernel that died or was killed) is always graded again."""
    earlier: dict[str, Result] = {}
    todo = []
    audit = "on" if run.audited else "off"
    for student in names:
        record = None if force else read_record(course, lesson, student)
        done = (record is not None and record.get("format") == RECORD_FORMAT
                and record.get("digest") == digests[student] and record.get("audit", "on") == audit
                and (record["status"] == "rejected" or (record["status"] != "failed" and student in have)))
        if done:
            earlier[student] = Result(student, record["status"], notes=record_notes(record), earlier=True)
            run.skipped.append(student)
        else:
            todo.append(student)
    if progress and run.skipped:
        progress(f"{len(run.skipped)} of {len(names)} already graded with the same file: skipped (--force regrades)")
    return todo, earlier


def _start_sandbox(sandboxed: str, run: ClassRun, progress) -> Path | None:
    """The sandboxed kernels' folder, or None when kernels run unsandboxed (said in the run's notes)."""
    kernels = None
    if sandboxed != "off":
        why = sandbox.available()
        if why and sandboxed == "on":
            raise ClassGradeError(f"the grading sandbox cannot start ({why}): install bubblewrap (make system-deps), "
                                  "or grade without it, knowing that student code then runs as you: SANDBOX=off")
        if why:
            run.notes.append(f"sandbox off: {why}")
            if progress:
                progress(f"note: kernels run UNSANDBOXED, as this user: {why}")
        else:
            kernels = sandbox.kernel_dir(Path(tempfile.mkdtemp(prefix="k-", dir=scratch.folder())))
    run.sandboxed = kernels is not None
    return kernels


def shared_cores_threads(n_processes: int) -> dict[str, str]:
    """TensorFlow's thread settings for each of ``n_processes`` busy processes sharing this machine's
    cores: cores // n intra-op threads (at least one) and one inter-op thread. Left alone, every
    TensorFlow starts a thread per core, and N of them at once take turns on cores x N threads. make
    grade's workers use it, and so do the test suite's (conftest.py)."""
    return {"TF_NUM_INTRAOP_THREADS": str(max(1, (os.cpu_count() or 1) // max(1, n_processes))),
            "TF_NUM_INTEROP_THREADS": "1"}


def _grade_pool(course: Path, lesson: str, todo: list[str], digests: dict, url: str, n_workers: int,
                kernels: Path | None, run: ClassRun, progress, *, env, timeout, wall_limit) -> dict[str, Result]:
    """Stage and grade ``todo`` on ``n_workers`` threads (one nbgrader process each); write each
    student's record as soon as it is done, so an interrupted run resumes where it stopped."""
    from coursekit.grading import preprocessors

    release = intake.release_notebook(course, lesson)
    child_env = dict(env or {})
    child_env[preprocessors.AUDIT_ENV] = "on" if run.audited else "off"   # read by CourseIntake in each nbgrader process
    if n_workers > 1:
        for name, value in shared_cores_threads(n_workers).items():
            child_env.setdefault(name, value)
    # One kernel fork server for the whole run, and the next runs of this process (TensorFlow imported
    # once; each sandboxed kernel forked from it).
    fork = preprocessors.shared_kernel_fork(coursedir.nbgrader_env(child_env)) if kernels else None
    if fork:
        child_env[sandbox.FORK_SOCKET_ENV] = fork
    processes = runner.Processes()
    seconds: dict[str, float] = {}

    def task(student):
        began = time.perf_counter()
        try:
            item = intake.stage_one(course, lesson, student, release)
            result = runner.grade_one(course, lesson, item, db_url=url, env=child_env, timeout=timeout,
                                      wall_limit=wall_limit, processes=processes, sandbox_kernels=kernels)
        except Exception as err:  # a file the intake could not handle: this student only
            result = Result(student, "failed",
                            notes=[Finding(f"could not be graded: {type(err).__name__}: {err}", FAILURE)])
        return result, time.perf_counter() - began

    start = time.perf_counter()
    now: dict[str, Result] = {}
    failures = 0
    pool = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="grader")
    try:
        pending = {pool.submit(task, s): s for s in todo}
        while pending:
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f]):   # same-moment finishes in id order
                student = pending.pop(future)
                result, seconds[student] = future.result()
                write_record(course, lesson, result, digests[student], seconds[student], url, run.audited)
                now[student] = result
                run.graded_now.append(student)
                failures += result.status in ("rejected", "failed")
                if progress:
                    elapsed = time.perf_counter() - start
                    eta = elapsed / len(now) * (len(todo) - len(now))
                    progress(f"[{len(now)}/{len(todo)}] {student}: {result.status} ({seconds[student]:.1f} s)"
                             f" | failures so far {failures} | ETA {eta:.0f} s")
        pool.shutdown(wait=True)
    except BaseException as err:
        pool.shutdown(wait=False, cancel_futures=True)
        processes.kill_all()
        if isinstance(err, KeyboardInterrupt):
            raise Interrupted(f"stopped after {len(now)} of {len(todo)} submissions; their records are saved: "
                              "run the same command again to grade the rest") from None
        raise
    run.seconds = time.perf_counter() - start
    _flag_slow(course, lesson, now, seconds, digests, url, run.audited)
    return now


SLOW_FACTOR, SLOW_MARGIN_S, SLOW_MIN_CLASS = 4.0, 120.0, 5


def slow_outliers(seconds: dict[str, float]) -> dict[str, str]:
    """{student: note} for the runs that took far longer than the class's usual one: over 4x the median
    and over the median + 120 s (most of a class hands in working answers, so the median is about what
    the lesson's solution costs). Needs 5 runs or more; the others are never called slow."""
    if len(seconds) < SLOW_MIN_CLASS:
        return {}
    median = statistics.median(seconds.values())
    limit = max(SLOW_FACTOR * median, median + SLOW_MARGIN_S)
    return {s: (f"grading took {t:.0f} s, {t / median:.1f}x the class's median ({median:.0f} s): its cells do far "
                "more work than the exercises need - look at what they run")
            for s, t in seconds.items() if t > limit}


def _flag_slow(course: Path, lesson: str, now: dict[str, Result], seconds: dict[str, float], digests: dict,
               url: str, audited: bool = True) -> None:
    """Flag the slow outliers among this run's graded submissions: in their records, in the needs-a-look
    list and in the gradebook (nbgrader's flag and "needs manual grade", as the intake's flags)."""
    from coursekit.grading.findings import SLOW
    from coursekit.grading.nbmeta import answer_ids
    from coursekit.grading.preprocessors import mark_for_review

    graded = {s: seconds[s] for s, r in now.items() if r.status in ("graded", "flagged") and s in seconds}
    slow = slow_outliers(graded)
    if not slow:
        return
    answers = answer_ids(intake.release_notebook(course, lesson))
    for student, note in slow.items():
        result, finding = now[student], Finding(note, SLOW)
        result.status = "flagged"
        result.notes.append(finding)
        write_record(course, lesson, result, digests[student], seconds[student], url, audited)
        try:
            mark_for_review({"db_url": url, "notebook": lesson, "assignment": lesson, "student": student},
                            [finding], answers)
        except Exception as err:  # the record and the needs-a-look list still say it
            result.notes.append(Finding(f"could not flag it in the gradebook: {type(err).__name__}", FAILURE))


def _collect(course: Path, lesson: str, names: list[str], now: dict[str, Result], earlier: dict[str, Result],
             url: str, run: ClassRun) -> ClassRun:
    """Every selected student's result, in order, with the score the gradebook holds."""
    scores = gradebook.scores(course, lesson, url)
    for student in names:
        result = now.get(student) or earlier[student]
        if student in scores and result.status != "rejected":
            result.score, result.max_score = scores[student]
        run.results.append(result)
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Autograde every submission of a lesson: N workers, resumable.")
    parser.add_argument("lesson")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course directory (default: here)")
    parser.add_argument("--workers", type=int, default=0,
                        help="parallel graders (default 0: one per core on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--db-url", default=os.environ.get("DB_URL") or None,
                        help="gradebook URL (default: $DB_URL, else nbgrader_config.py's, else gradebook.db)")
    parser.add_argument("--force", action="store_true", help="regrade students already graded")
    parser.add_argument("--student", action="append", help="only these students (repeatable)")
    parser.add_argument("--shard", help="K/N: grade only the K-th of N shards of the class (several machines)")
    parser.add_argument("--timeout", type=int, help="per-cell limit in seconds (default: nbgrader_config.py's)")
    parser.add_argument("--sandbox", choices=["auto", "on", "off"], default=os.environ.get("SANDBOX") or "on",
                        help="each kernel in a bubblewrap sandbox: on (default: refuse without it), off, "
                             "auto (where bubblewrap works)")
    parser.add_argument("--audit", choices=["on", "off"],
                        help="the pipeline's static audit (default: $COURSE_AUDIT, else on); off only to show "
                             "that the judge holds without it")
    args = parser.parse_args(argv)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        run = grade_class(args.course, args.lesson, workers=args.workers, db_url=args.db_url, force=args.force,
                          students=args.student, shard=parse_shard(args.shard), timeout=args.timeout,
                          sandboxed=args.sandbox, audit=None if args.audit is None else args.audit == "on")
    except ClassGradeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Interrupted as err:
        print(f"interrupted: {err}", file=sys.stderr)
        return 130
    print()
    print(runner.report(run.results))
    print()
    print(run.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
