"""Grading a whole class: parallel on a real PostgreSQL server, serial on SQLite, same scores;
interrupted (kill -9) and resumed without regrading or duplicate rows; --force regrades.

The class is coursekit.devtools.synthclass's: one submission of each kind (complete, partial, untouched,
Colab downloads with and without grading metadata, a duplicated answer cell, a cut-off file, an
empty file), made from lesson 01's release notebook, each with the score it must get.
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from coursekit.devtools import pgserver, synthclass
from coursekit.grading import classgrade, coursedir, gradebook, runner
from coursekit.authoring.build import ROOT, lesson_ids
from tests import nbtools

LESSON = next((l for l in lesson_ids() if l.startswith("01_")), None)
needs_lesson = pytest.mark.skipif(LESSON is None, reason="lesson 01 is not selected (COURSE_LESSONS)")
N_STUDENTS = 9       # one student of each synthclass kind


@pytest.fixture(scope="module")
def postgres():
    nbtools.require(pgserver.available(), "the PostgreSQL tests")
    server = pgserver.PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def synthetic():
    return synthclass.synthetic_class(LESSON, N_STUDENTS, seed=7)


def _course(tmp_path_factory, name, synthetic, db_url=None):
    course = tmp_path_factory.mktemp(name)
    coursedir.prepare_course(course, [LESSON], db_url=db_url)
    coursedir.hand_in(course, LESSON, {student: sub.data for student, sub in synthetic.items()})
    return course


@pytest.fixture(scope="module")
def serial_sqlite(tmp_path_factory, synthetic):
    course = _course(tmp_path_factory, "serial", synthetic)
    lines = []
    run = classgrade.grade_class(course, LESSON, workers=2, progress=lines.append)
    return course, run, lines


def _cli(course, *args, lesson=LESSON, **popen):
    cmd = [sys.executable, "-m", "coursekit.grading.classgrade", lesson, "--course", str(course), *args]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=coursedir.nbgrader_env(), **popen)


@pytest.fixture(scope="module")
def parallel_postgres(tmp_path_factory, synthetic, postgres):
    """Grade with 2 workers on PostgreSQL through the command line; kill -9 it after two
    submissions are recorded, then run the same command again to finish."""
    url = postgres.create_database("class01")
    course = _course(tmp_path_factory, "parallel", synthetic, db_url=url)
    first = _cli(course, "--workers", "2", "--db-url", url, start_new_session=True)
    seen = []
    for line in first.stdout:
        seen.append(line)
        if line.startswith("[2/"):
            break
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    seen += first.stdout.readlines()
    recorded = {p.stem: json.loads(p.read_text()) for p in (course / classgrade.RECORDS / LESSON).glob("*.json")}
    graded_files = {s: (course / "autograded" / s / LESSON / f"{LESSON}.ipynb") for s in recorded}
    mtimes = {s: p.stat().st_mtime_ns for s, p in graded_files.items() if p.exists()}
    time.sleep(1.5)   # orphans, if any survived the kill, would show up as changes below
    second = _cli(course, "--workers", "2", "--db-url", url)
    out, _ = second.communicate(timeout=900)
    return dict(course=course, url=url, first="".join(seen), recorded=recorded, mtimes=mtimes,
                graded_files=graded_files, second=out, code=second.returncode)


@needs_lesson
def test_serial_sqlite_scores_are_the_expected_ones(serial_sqlite, synthetic):
    course, run, lines = serial_sqlite
    assert run.workers == 1 and run.backend == "sqlite"
    assert any("one writer at a time" in l for l in lines), "asking SQLite for 2 workers must say why it uses 1"
    by = {r.student: r for r in run.results}
    assert set(by) == set(synthetic)
    top = max(r.max_score for r in run.results if r.max_score)
    for student, sub in synthetic.items():
        r = by[student]
        if sub.expected is None:
            assert r.status == "rejected" and r.score is None and r.notes, f"{sub.kind}: {r}"
        else:
            assert (r.score, r.max_score) == (sub.expected, top), f"{student} ({sub.kind}): {r}"
    assert [l for l in lines if l.startswith("[")][-1].startswith(f"[{N_STUDENTS}/{N_STUDENTS}]")


@needs_lesson
def test_parallel_postgres_after_kill_and_resume_matches_serial(parallel_postgres, serial_sqlite, synthetic):
    p = parallel_postgres
    assert p["code"] == 0, p["second"][-3000:]
    assert len(p["recorded"]) >= 2, f"the first run recorded {len(p['recorded'])}: {p['first']}"
    # The second run graded only what the first did not record.
    assert f"{len(p['recorded'])} of {N_STUDENTS} already graded with the same file: skipped" in p["second"]
    regraded = [l.split("]", 1)[1].split(":")[0].strip() for l in p["second"].splitlines() if l.startswith("[")]
    assert not set(regraded) & set(p["recorded"]) and len(regraded) == N_STUDENTS - len(p["recorded"])
    for student, before in p["recorded"].items():
        after = json.loads((p["course"] / classgrade.RECORDS / LESSON / f"{student}.json").read_text())
        assert after["finished"] == before["finished"], f"{student} was regraded"
        if student in p["mtimes"]:
            assert p["graded_files"][student].stat().st_mtime_ns == p["mtimes"][student], f"{student} rewritten"
    # Same scores, cell by cell, as the serial SQLite run.
    serial_course = serial_sqlite[0]
    assert gradebook.scores(p["course"], LESSON, p["url"]) == gradebook.scores(serial_course, LESSON)
    for student, sub in synthetic.items():
        if sub.expected is not None:
            assert gradebook.cell_scores(p["course"], LESSON, student, p["url"]) == \
                gradebook.cell_scores(serial_course, LESSON, student), student
    assert "need a human look" in p["second"] and "workers" not in p["second"].split("need a human look")[0][-1:]


def _row_counts(url):
    import psycopg2

    dsn = url.replace("postgresql+psycopg2://", "postgresql://")
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT student_id, count(*) FROM submitted_assignment GROUP BY student_id")
        per_student = dict(cur.fetchall())
        cur.execute("SELECT count(*) FROM grade")
        grades = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM grade_cells")
        cells = cur.fetchone()[0]
    return per_student, grades, cells


@needs_lesson
def test_no_duplicate_rows_and_force_regrades(parallel_postgres, synthetic):
    p = parallel_postgres
    graded = set(synthetic)   # rejected files too: their blank stand-in is graded 0 and flagged
    per_student, grades, cells = _row_counts(p["url"])
    assert per_student == {s: 1 for s in graded}, per_student
    assert grades == cells * len(graded)
    student = sorted(p["recorded"])[0]
    before = json.loads((p["course"] / classgrade.RECORDS / LESSON / f"{student}.json").read_text())
    time.sleep(1.1)
    run = classgrade.grade_class(p["course"], LESSON, db_url=p["url"], students=[student], force=True, progress=None)
    assert run.graded_now == [student] and not run.skipped
    after = json.loads((p["course"] / classgrade.RECORDS / LESSON / f"{student}.json").read_text())
    assert after["finished"] != before["finished"]
    assert _row_counts(p["url"]) == (per_student, grades, cells)
    again = classgrade.grade_class(p["course"], LESSON, db_url=p["url"], progress=None)
    assert again.graded_now == [] and len(again.skipped) == N_STUDENTS


@needs_lesson
def test_a_new_hand_in_is_regraded(serial_sqlite, synthetic):
    course = serial_sqlite[0]
    student = next(s for s, sub in synthetic.items() if sub.kind == "empty_file")
    path = course / "submitted" / student / LESSON / f"{LESSON}.ipynb"
    path.write_bytes(b"{not json")
    run = classgrade.grade_class(course, LESSON, progress=None)
    assert run.graded_now == [student], run.summary()
    r = next(r for r in run.results if r.student == student)
    assert r.status == "rejected" and "not valid JSON" in r.notes[0]


# Set-up errors: a clear message, nothing graded.

def test_missing_assignment_is_a_clear_error(tmp_path):
    course = tmp_path / "course"
    (course / "release" / "99_nothing").mkdir(parents=True)
    (course / "release" / "99_nothing" / "99_nothing.ipynb").write_text("{}")
    with pytest.raises(classgrade.ClassGradeError, match="no assignment '99_nothing'.*generate_assignment"):
        classgrade.grade_class(course, "99_nothing", progress=None)


def test_unreachable_gradebook_is_a_clear_error(tmp_path):
    course = tmp_path / "course"
    (course / "release" / "x").mkdir(parents=True)
    (course / "release" / "x" / "x.ipynb").write_text("{}")
    proc = _cli(course, "--db-url", "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none", lesson="x")
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "cannot open the gradebook" in out, out
    assert "secret" not in out and "nobody:***@" in out


def test_workers_and_shards():
    assert classgrade.plan_workers("sqlite:////c/gradebook.db", 4)[0] == 1
    assert classgrade.plan_workers("sqlite:////c/gradebook.db", 1) == (1, None)
    assert classgrade.plan_workers("postgresql://u@h/db", 3) == (3, None)
    assert classgrade.plan_workers("postgresql://u@h/db", 0)[0] == (os.cpu_count() or 1)
    with pytest.raises(classgrade.ClassGradeError):
        classgrade.plan_workers("postgresql://u@h/db", -1)
    students = [f"s{i:03d}" for i in range(300)]
    shards = [[s for s in students if classgrade.in_shard(s, (k, 3))] for k in (1, 2, 3)]
    assert sorted(sum(shards, [])) == students and all(60 < len(s) < 140 for s in shards)
    for bad in ("0/3", "4/3", "2", "a/b"):
        with pytest.raises(classgrade.ClassGradeError, match="K/N"):
            classgrade.parse_shard(bad)
    assert classgrade.redact("postgresql://me:pw@host/db") == "postgresql://me:***@host/db"


def test_a_corrupt_record_means_grade_again(tmp_path):
    path = classgrade.record_path(tmp_path, "L", "s1")
    path.parent.mkdir(parents=True)
    path.write_text('{"student": "s1", "stat')
    assert classgrade.read_record(tmp_path, "L", "s1") is None
    assert classgrade.read_record(tmp_path, "L", "nobody") is None


def test_records_keep_findings_as_data_and_an_older_record_is_graded_again(tmp_path):
    """A record holds each finding's kind, cell and message, and a resumed run reads them back as
    findings (a decision reads the kind, never the wording); a record of the earlier format (plain
    messages) is graded again, while the report still shows what it said."""
    from coursekit.grading.findings import FAILURE, FORGING, REPAIR, Finding

    notes = [Finding("answer cell 'vgg' uses ...", FORGING, "vgg"), Finding("converted from nbformat 3 to 4", REPAIR),
             Finding("grading took over 60 s: stopped", FAILURE)]
    result = classgrade.Result("s1", "flagged", notes=list(notes))
    classgrade.write_record(tmp_path, "L", result, "d1", 1.0, "sqlite:///x.db")
    record = classgrade.read_record(tmp_path, "L", "s1")
    back = classgrade.record_notes(record)
    assert [(n.kind, n.cell, n.message) for n in back] == [(n.kind, n.cell, n.message) for n in notes]
    assert classgrade.note_messages(record) == [n.message for n in notes]
    run = classgrade.ClassRun("L", [])
    todo, earlier = classgrade._plan(tmp_path, "L", ["s1"], {"s1": "d1"}, {"s1"}, False, run, None)
    assert todo == [] and earlier["s1"].earlier and [n.kind for n in earlier["s1"].notes] == [FORGING, REPAIR, FAILURE]
    assert "(graded by an earlier run)" in runner.report([earlier["s1"]])
    old = {k: v for k, v in record.items() if k != "format"} | {"notes": [n.message for n in notes]}
    classgrade.record_path(tmp_path, "L", "s1").write_text(json.dumps(old))
    todo, earlier = classgrade._plan(tmp_path, "L", ["s1"], {"s1": "d1"}, {"s1"}, False, classgrade.ClassRun("L", []),
                                     None)
    assert todo == ["s1"] and not earlier
    assert classgrade.note_messages(classgrade.read_record(tmp_path, "L", "s1")) == [n.message for n in notes]


def test_slow_outliers():
    """Far longer than the class's usual run: over 4x the median and over the median + 120 s."""
    usual = {f"s{i}": 20.0 + i for i in range(6)}   # median 22.5 s
    assert classgrade.slow_outliers(usual) == {}
    slow = classgrade.slow_outliers({**usual, "slow": 400.0, "busy": 140.0})
    assert list(slow) == ["slow"] and "400 s" in slow["slow"] and "median" in slow["slow"]
    assert classgrade.slow_outliers({"a": 10.0, "b": 10.0, "c": 900.0}) == {}   # too few runs to judge


@needs_lesson
def test_a_slow_run_is_flagged_everywhere(serial_sqlite):
    """The record, the needs-a-look list and the gradebook (nbgrader's flag, needs manual grade) say it."""
    from nbgrader.api import Gradebook

    course, run, _ = serial_sqlite
    graded = [r for r in run.results if r.status in ("graded", "flagged")]
    assert len(graded) >= 5
    now = {r.student: classgrade.Result(r.student, r.status, r.score, r.max_score, list(r.notes)) for r in graded}
    seconds = {s: 15.0 for s in now}
    slow = next(r.student for r in graded if r.status == "graded")
    other = next(r.student for r in graded if r.status == "graded" and r.student != slow)
    seconds[slow] = 900.0
    digests = {s: classgrade.file_digest(course, LESSON, s) for s in now}
    url = f"sqlite:///{course / 'gradebook.db'}"
    classgrade._flag_slow(course, LESSON, now, seconds, digests, url)
    assert now[slow].status == "flagged" and "60.0x the class's median" in now[slow].notes[-1]
    assert all(now[r.student].status == r.status for r in graded if r.student != slow)
    assert classgrade.read_record(course, LESSON, slow)["status"] == "flagged"
    with Gradebook(url) as gb:
        nb = gb.find_submission_notebook(LESSON, LESSON, slow)
        assert nb.flagged and all(g.needs_manual_grade for g in nb.grades)
        assert not gb.find_submission_notebook(LESSON, LESSON, other).flagged


@needs_lesson
def test_report_on_postgres_matches_sqlite(parallel_postgres, serial_sqlite, tmp_path):
    """`make report` on the PostgreSQL gradebook (read-only transactions) gives the same per-exercise
    rates and failure groups as on SQLite for the same class, and changes no row."""
    from coursekit.grading import report

    pg = parallel_postgres
    before = _row_counts(pg["url"])
    page, _, data_pg, _ = report.build(pg["course"], LESSON, db_url=pg["url"], out=tmp_path / "pg")
    _, _, data_sq, _ = report.build(serial_sqlite[0], LESSON, out=tmp_path / "sq")
    assert data_pg.backend == "postgresql" and data_sq.backend == "sqlite"
    assert report.exercise_rates(data_pg) == report.exercise_rates(data_sq)
    groups = lambda data: {name: [(g["message"], g["students"]) for g in found]
                           for name, found in report.failure_groups(data).items()}
    assert groups(data_pg) == groups(data_sq)
    assert _row_counts(pg["url"]) == before
    assert "Gradebook: postgresql" in page.read_text()
