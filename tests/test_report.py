"""The class report (coursekit/grading/report.py) on a synthetic class whose answers are known.

coursekit.devtools.synthclass writes twelve submissions of lesson 01, among them answers with known mistakes
(synthclass.KNOWN_MISTAKES: each says which test cells fail and with what error); make grade's
code grades them once for the module. The report's per-exercise visible/hidden rates, its grouped
failure messages with their counts, and its CSV must equal what the generator put in; building it
must change neither the gradebook nor the autograded notebooks; and the page must render in a
real browser (headless Chromium).
"""
import csv
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coursekit.devtools import synthclass
from coursekit.grading import classgrade, coursedir, report
from coursekit.authoring.build import lesson_ids
from tests import nbtools

LESSON = next((l for l in lesson_ids() if l.startswith("01_")), None)
needs_lesson = pytest.mark.skipif(LESSON is None, reason="lesson 01 is not selected (COURSE_LESSONS)")
N_STUDENTS, SEED = 12, 0       # seed 0: each known mistake made by two students, one of them from the
                                # Korean edition (synthclass's "korean" kind), so every group merges editions


@pytest.fixture(scope="module")
def synthetic():
    return synthclass.synthetic_class(LESSON, N_STUDENTS, seed=SEED, mistakes=True)


def _tree_digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(p for p in [root, *root.rglob("*")] if p.is_file()):
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, synthetic):
    course = tmp_path_factory.mktemp("report")
    coursedir.prepare_course(course, [LESSON])
    coursedir.hand_in(course, LESSON, {student: sub.data for student, sub in synthetic.items()})
    classgrade.grade_class(course, LESSON, progress=None)
    before = _tree_digest(course / "gradebook.db", course / "autograded", course / classgrade.RECORDS)
    page, csv_path, data, seconds = report.build(course, LESSON)
    after = _tree_digest(course / "gradebook.db", course / "autograded", course / classgrade.RECORDS)
    return dict(course=course, page=page, csv=csv_path, data=data, seconds=seconds, unchanged=before == after)


def _points():
    master = nbtools.master(LESSON)
    return {nbtools.meta(c)["grade_id"]: float(nbtools.meta(c)["points"]) for c in master.cells
            if nbtools.meta(c).get("grade")}


def _exercises(points):
    out = {}
    for cell in points:
        name, _, part = cell.rpartition("_")
        out.setdefault(name, {})[part] = cell
    return out


@needs_lesson
def test_rates_and_messages_equal_the_generators(graded_class, synthetic):
    data = graded_class["data"]
    graded = {s: sub for s, sub in synthetic.items() if sub.expected is not None}
    assert {s.id for s in data.graded} == set(graded)
    exercises = _exercises(_points())
    assert list(data.exercises) == list(exercises)
    # Rates: the share of graded students whose visible / hidden cell the generator did not make fail.
    truth = {name: {part: sum(cell not in sub.failures for sub in graded.values()) / len(graded)
                    for part, cell in parts.items()} for name, parts in exercises.items()}
    assert report.exercise_rates(data) == truth
    assert any(t["visible"] > t["hidden"] for t in truth.values()), "the class must show a visible/hidden gap"
    # Messages: the generator's errors, normalised, each with the students who made it.
    groups = report.failure_groups(data)
    for name, parts in exercises.items():
        expected = {}
        for student, sub in graded.items():
            for cell in parts.values():
                if cell in sub.failures:
                    expected.setdefault(report.normalise(report.message_text(*sub.failures[cell])), set()).add(student)
        found = {g["message"]: set(g["students"]) for g in groups[name]}
        assert found == expected, name
        counts = [len(g["students"]) for g in groups[name]]
        assert counts == sorted(counts, reverse=True)
    # The known mistakes are there by their own words, numbers normalised.
    shape = next(g for g in groups["prepare_images"] if "expected shape" in g["message"])
    assert shape["message"] == "prepare_images(images of shape (N, N, N)): expected shape (N, N, N, N), found (N, N, N)."
    assert shape["cells"] == ["visible", "hidden"]
    made = sorted(s for s, sub in graded.items() if "no_channel_axis" in sub.mistakes)
    assert shape["students"] == made


@needs_lesson
def test_page_shows_the_numbers_and_changes_nothing(graded_class, synthetic):
    assert graded_class["unchanged"], "building the report changed the gradebook, the autograded notebooks or records"
    page = graded_class["page"].read_text()
    data = graded_class["data"]
    assert graded_class["page"] == graded_class["course"] / "reports" / f"{LESSON}.html"
    assert page.count("data:image/png;base64,") == 2 and "<script" not in page
    for name, found in report.failure_groups(data).items():
        for group in found[: report.TOP_MESSAGES]:
            assert html.escape(group["message"]) in page
            assert all(f"<code>{html.escape(s)}</code>" in page for s in group["students"][:2])
    look = {s for s, sub in synthetic.items() if sub.kind in ("malformed_json", "empty_file", "colab_metadata_lost",
                                                             "duplicated_answer")}
    assert f"need a human look ({len(look)})" in page
    for student in look:
        assert f"<code>{student}</code>" in page.split("need a human look")[1]
    assert "median" in page.split("id='timing'")[1] and "slowest" in page.split("id='timing'")[1]


@needs_lesson
def test_csv_has_each_students_points_per_exercise(graded_class, synthetic):
    points = _points()
    exercises = _exercises(points)
    with open(graded_class["csv"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["student_id"] for r in rows] == sorted(synthetic)
    for row in rows:
        sub = synthetic[row["student_id"]]
        if sub.expected is None:
            assert row["status"] == "rejected" and row["score"] == "" and row["prepare_images"] == ""
            continue
        for name, parts in exercises.items():
            earned = sum(points[c] for c in parts.values() if c not in sub.failures)
            assert float(row[name]) == earned, (row["student_id"], name)
        assert float(row["score"]) == sub.expected and float(row["max_score"]) == sum(points.values())


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@needs_lesson
def test_page_renders_in_headless_chromium(graded_class, tmp_path):
    browser = _chromium()
    nbtools.require(None if browser else "no chromium (Debian package chromium; make system-deps installs it)",
                    "the browser test of the class report")
    url = graded_class["page"].resolve().as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1366,900"]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    for section in ("id=\"exercises\"", "id=\"scores\"", "id=\"failures\"", "id=\"look\"", "id=\"timing\"", "id=\"csv\""):
        assert section in dom.stdout, section
    shot = tmp_path / "report.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 30_000


# Without grading: normalising, escaping, read-only opening.

def test_normalise_groups_one_mistake():
    a = report.message_text("CheckFailed", "MyModel should have 467,818 parameters, found 1,234,570.")
    b = report.message_text("CheckFailed", "MyModel should have 467,818 parameters, found 98,442.")
    assert report.normalise(a) == report.normalise(b) == "MyModel should have N parameters, found N."
    assert report.normalise("at index (2,) expected 2, found 1e-05; float32 x 0x7f3a9c") == \
        "at index (N,) expected N, found N; float32 x 0x\u2026"
    assert report.message_text("\x1b[31mValueError\x1b[0m", "bad\n  value") == "ValueError: bad value"
    assert report.message_text("NotImplementedError", "").startswith("NotImplementedError")
    assert len(report.message_text("CheckFailed", "x" * 5000)) == report.MESSAGE_CHARS


def test_student_strings_are_escaped_and_csv_is_spreadsheet_safe():
    evil = "<img src=x onerror=alert(1)>"
    data = report.ClassData("L", {"ex_visible": 1.0, "ex_hidden": 1.0}, {
        evil: report.Student(evil, "flagged", 0.0, 2.0, {"ex_visible": 0.0, "ex_hidden": 0.0},
                             {"ex_visible": f"CheckFailed {evil}", "ex_hidden": evil}, notes=[evil], seconds=3.0),
        "=cmd": report.Student("=cmd", "graded", 2.0, 2.0, {"ex_visible": 1.0, "ex_hidden": 1.0}, seconds=1.0)})
    page = report.render(data)
    assert evil not in page and html.escape(evil) in page
    rows = report.csv_rows(data)
    assert rows[0] == ["student_id", "status", "ex", "score", "max_score"]
    assert ["'=cmd", "graded", "2", "2", "2"] in rows


def test_gradebook_is_opened_read_only(tmp_path):
    with pytest.raises(report.ReportError, match="no gradebook"):
        report.readonly_url(f"sqlite:///{tmp_path}/gradebook.db")
    assert not (tmp_path / "gradebook.db").exists()
    (tmp_path / "gradebook.db").write_bytes(b"")
    assert report.readonly_url(f"sqlite:///{tmp_path}/gradebook.db").endswith("?mode=ro&uri=true")
    url = report.readonly_url("postgresql+psycopg2://me:pw@host:5432/db")
    assert "default_transaction_read_only" in url and url.startswith("postgresql+psycopg2://me:pw@host:5432/db?")


@needs_lesson
def test_a_mistake_is_one_group_in_every_edition(graded_class, synthetic):
    """A Korean student's feedback says the mistake in Korean; the report reads it back into the English
    message (the catalogue the other way: judge.english_message), so the class report merges both editions."""
    data = graded_class["data"]
    korean = {s: sub for s, sub in synthetic.items() if sub.kind == "korean" and sub.mistakes}
    assert korean, "the synthetic class has no Korean student with a known mistake"
    for student, sub in korean.items():
        nb = json.loads(report.autograded_path(graded_class["course"], LESSON, student).read_text())
        said = {c["metadata"]["nbgrader"]["grade_id"]: "".join(o.get("evalue", "") for o in c.get("outputs", []))
                for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
        for cell, (ename, message) in sub.failures.items():
            if ename != "CheckFailed":
                continue
            assert re.search("[\uac00-\ud7a3]", said[cell]), f"{student} {cell}: feedback not in Korean: {said[cell]}"
            assert report.normalise(data.students[student].failures[cell]) == \
                report.normalise(report.message_text(ename, message)), \
                f"{student} {cell}: the report did not read it back as {message!r}"
