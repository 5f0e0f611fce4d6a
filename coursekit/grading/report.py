"""After grading: what the class got wrong, at a glance - one self-contained HTML page per lesson.

    python -m coursekit.grading.report LESSON [--course DIR] [--db-url URL] [--out DIR]
    (or: make report LESSON=... [DB_URL=...])

Run it after ``make grade``. It reads the gradebook (nbgrader's API; SQLite or PostgreSQL, opened
read-only), the autograded notebooks (``autograded/<student>/<lesson>/<lesson>.ipynb``: the error
each failed test cell raised) and make grade's records (``grading-records/<lesson>/<student>.json``:
status, reasons, grading seconds). It never changes any of them. It writes

- ``reports/<lesson>.html``: the score distribution (histogram, mean, median); per exercise the
  share of students who earned the visible and the hidden points; per exercise the most frequent
  failure messages, grouped (numbers normalised, so one mistake is one line), with counts and two
  example students; the submissions that need a human look, with their reasons; grading time per
  submission. Figures are PNGs inside the page and the CSV below is linked as a data: URI, so the
  one file can be mailed.
- ``reports/<lesson>.csv``: one row per student handed in, points per exercise, total.

Everything a student wrote (ids, messages) is escaped: submissions are hostile input.
"""
from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.grading.classgrade import RECORDS, note_messages, read_record
from coursekit.grading import judge
from coursekit.grading.coursedir import Course, course_settings

LOOK = ("flagged", "rejected", "failed")
MESSAGE_CHARS = 400                   # a message longer than this is cut (grouping uses the cut text)
TOP_MESSAGES = 5                      # failure groups shown per exercise
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])|(?<![\w.])[-+]?\.\d+\b")
HEX = re.compile(r"\b0x[0-9a-fA-F]+\b")


# ---- messages ---------------------------------------------------------------------------------

NOT_DONE = "NotImplementedError: not done (the stub is still there)"


def message_text(ename: str, evalue: str) -> str:
    """What a failed test cell says, in one line: a course check's own message; any other error as
    ``Name: message``; a bare NotImplementedError says the stub is still there."""
    ename = ANSI.sub("", str(ename or "")).strip() or "Error"
    evalue = " ".join(ANSI.sub("", str(evalue or "")).split())
    if ename == "CheckFailed" and evalue:
        text = evalue
    elif ename == "NotImplementedError" and not evalue:
        text = NOT_DONE
    else:
        text = f"{ename}: {evalue}" if evalue else ename
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "\u2026"


def normalise(text: str) -> str:
    """The same mistake in one group: every number (sizes, shapes, values found) becomes N, memory
    addresses 0x..., e.g. "expected shape (N, N, N, N), found (N, N, N)."."""
    return " ".join(NUMBER.sub("N", HEX.sub("0x\u2026", text)).split())


# ---- what the gradebook, the notebooks and the records say -------------------------------------

@dataclass
class Student:
    id: str
    status: str = "graded"                  # graded | flagged | rejected | failed | (no record)
    score: float | None = None              # None: not in the gradebook
    max_score: float | None = None
    cells: dict = field(default_factory=dict)      # grade cell -> points earned
    failures: dict = field(default_factory=dict)   # grade cell -> message (cells below full points)
    notes: list = field(default_factory=list)
    seconds: float | None = None


@dataclass
class ClassData:
    lesson: str
    cells: dict                      # grade cell -> max points, in notebook order
    students: dict                   # id -> Student, every student handed in or graded
    backend: str = "sqlite"

    @property
    def graded(self) -> list[Student]:
        return [s for s in self.students.values() if s.score is not None]

    @property
    def exercises(self) -> dict:
        """{exercise: {"visible": cell, "hidden": cell} or {"points": cell}}, in notebook order."""
        out: dict = {}
        for cell in self.cells:
            match = re.fullmatch(r"(.+)_(visible|hidden)", cell)
            name, part = (match[1], match[2]) if match else (cell, "points")
            out.setdefault(name, {})[part] = cell
        return out


def readonly_url(url: str) -> str:
    """``url`` opened so that nothing can be written: SQLite in read-only mode (and never created),
    PostgreSQL with read-only transactions."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or not path.is_file():
            raise ReportError(f"no gradebook at {parsed.database or '(in memory)'}: run `make grade` first")
        return f"sqlite:///file:{path.resolve()}?mode=ro&uri=true"
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.update_query_dict({"options": "-c default_transaction_read_only=on"})
        return parsed.render_as_string(hide_password=False)
    return url


class ReportError(Exception):
    """Nothing to report on (no gradebook, no such assignment): a clear message, no page."""


def _redact(url: str) -> str:
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def read_gradebook(url: str, course_id: str, lesson: str) -> tuple[dict, dict]:
    """({grade cell: max points}, {student: (score, max, {cell: points})}) for ``lesson``."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        gb = Gradebook(readonly_url(url), course_id)
    except ReportError:
        raise
    except Exception as err:
        raise ReportError(f"cannot open the gradebook {_redact(url)}: {type(err).__name__}: "
                          f"{str(err).splitlines()[0] if str(err) else ''}") from None
    try:
        try:
            assignment = gb.find_assignment(lesson)
            notebook = gb.find_notebook(lesson, lesson)
        except MissingEntry:
            raise ReportError(f"the gradebook {_redact(url)} has no assignment {lesson!r}") from None
        cells = {c.name: float(c.max_score) for c in notebook.grade_cells}
        subs = {}
        for sub in assignment.submissions:
            try:
                nb = gb.find_submission_notebook(lesson, lesson, sub.student_id)
            except MissingEntry:
                continue
            points = {g.name: float(g.score or 0) for g in nb.grades}
            subs[sub.student_id] = (float(sub.score), float(sub.max_score), points)
        return cells, subs
    finally:
        gb.close()


def _cell_order(course: Path, lesson: str, students, cells) -> list[str]:
    """Grade cells in notebook order, read from the first autograded notebook that has them all."""
    for student in sorted(students):
        nb = _read_notebook(course, lesson, student)
        if not nb:
            continue
        order = [c["metadata"]["nbgrader"]["grade_id"] for c in _grade_cells(nb)]
        order = [c for c in dict.fromkeys(order) if c in cells]
        if set(order) == set(cells):
            return order
    return sorted(cells)


def autograded_path(course: Path, lesson: str, student: str) -> Path:
    return Course(course).autograded(lesson, student)


def _read_notebook(course: Path, lesson: str, student: str) -> dict | None:
    try:
        nb = json.loads(autograded_path(course, lesson, student).read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    return nb if isinstance(nb, dict) and isinstance(nb.get("cells"), list) else None


def _grade_cells(nb: dict):
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell, dict) else None
        if isinstance(meta, dict) and meta.get("grade") and isinstance(meta.get("grade_id"), str):
            yield cell


def _joined(text) -> str:
    return "".join(text) if isinstance(text, list) else str(text or "")


def cell_failure(cell: dict, earned: float, top: float, english=None) -> str:
    """Why a graded cell scored below its points, from its outputs; ``english``: turns a translated
    edition's message back into the English one (``judge.english_message``)."""
    outputs = [o for o in cell.get("outputs") or [] if isinstance(o, dict)]
    for out in outputs:
        if out.get("output_type") == "error":
            evalue = out.get("evalue")
            return message_text(out.get("ename"), english(str(evalue)) if english and evalue else evalue)
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stderr" and _joined(out.get("text")).strip():
            return message_text("wrote to stderr", _joined(out.get("text")).strip().splitlines()[-1])
    return f"no error shown (scored {earned:g} of {top:g})"


def collect(course: Path, lesson: str, db_url: str | None = None) -> ClassData:
    """Everything the report shows, read from the course directory and its gradebook."""
    course = Path(course).resolve()
    course_id, configured = course_settings(course)
    url = db_url or configured
    cells, subs = read_gradebook(url, course_id, lesson)
    students: dict[str, Student] = {}
    for record_file in sorted((course / RECORDS / lesson).glob("*.json")):
        record = read_record(course, lesson, record_file.stem) or {}   # unreadable or no status: none
        sid = str(record.get("student") or record_file.stem)
        seconds = record.get("seconds")
        students[sid] = Student(sid, str(record.get("status") or "(no record)"),
                                notes=note_messages(record),
                                seconds=float(seconds) if isinstance(seconds, (int, float)) else None)
    # A rejected file's blank stand-in is in the gradebook (0 points, flagged, for the formgrader); it is
    # no attempt at the exercises, so it counts with the rejected, not in the class's scores.
    subs = {sid: v for sid, v in subs.items() if sid not in students or students[sid].status != "rejected"}
    for sid, (score, top, points) in subs.items():
        student = students.setdefault(sid, Student(sid, "(no record)"))
        student.score, student.max_score, student.cells = score, top, points
    order = _cell_order(course, lesson, subs, cells)
    for sid in subs:
        student = students[sid]
        below = [c for c in order if student.cells.get(c, 0.0) < cells[c]]
        if not below:
            continue
        nb = _read_notebook(course, lesson, sid)
        found = {c["metadata"]["nbgrader"]["grade_id"]: c for c in _grade_cells(nb)} if nb else {}
        english = judge.english_message(nb, lesson) if nb else None   # one group per mistake, in any edition
        for c in below:
            student.failures[c] = (cell_failure(found[c], student.cells.get(c, 0.0), cells[c], english) if c in found
                                   else "no autograded notebook to read the error from")
    backend = url.split(":", 1)[0].split("+", 1)[0]
    return ClassData(lesson, {c: cells[c] for c in order}, dict(sorted(students.items())), backend)


# ---- what the page shows -----------------------------------------------------------------------

def exercise_rates(data: ClassData) -> dict:
    """{exercise: {"visible": share, "hidden": share, ...}}: the share of graded submissions that
    earned all of that cell's points (None where the exercise has no such cell)."""
    graded = data.graded
    out = {}
    for name, parts in data.exercises.items():
        out[name] = {part: (sum(s.cells.get(cell, 0.0) >= data.cells[cell] for s in graded) / len(graded)
                            if graded else None)
                     for part, cell in parts.items()}
    return out


def failure_groups(data: ClassData) -> dict:
    """{exercise: [group, ...]} most frequent first; a group is {"message" (normalised), "example"
    (one student's own words), "students" (sorted ids), "cells" (where it was seen)}. A student
    counts once per group, however many of the exercise's cells said it."""
    out = {}
    for name, parts in data.exercises.items():
        groups: dict[str, dict] = {}
        for student in data.graded:
            for part, cell in parts.items():
                if cell not in student.failures:
                    continue
                text = student.failures[cell]
                group = groups.setdefault(normalise(text), {"message": normalise(text), "example": text,
                                                            "students": set(), "cells": set()})
                group["students"].add(student.id)
                group["cells"].add(part)
        ranked = sorted(groups.values(), key=lambda g: (-len(g["students"]), g["message"]))
        out[name] = [{**g, "students": sorted(g["students"]), "cells": [p for p in ("visible", "hidden", "points")
                                                                        if p in g["cells"]]} for g in ranked]
    return out


def _spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(data: ClassData) -> list[list[str]]:
    """Header and one row per student: status, points per exercise, total, max."""
    names = list(data.exercises)
    rows = [["student_id", "status", *names, "score", "max_score"]]
    for student in data.students.values():
        if student.score is None:
            per = [""] * len(names)
            total = top = ""
        else:
            per = [f"{sum(student.cells.get(c, 0.0) for c in data.exercises[n].values()):g}" for n in names]
            total, top = f"{student.score:g}", f"{student.max_score:g}"
        rows.append([_spreadsheet_safe(student.id), student.status, *per, total, top])
    return rows


def csv_text(data: ClassData) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(csv_rows(data))
    return buf.getvalue()


def timing(data: ClassData) -> dict:
    """Grading seconds of the submissions that were run (rejected files are not)."""
    runs = {s.id: s.seconds for s in data.students.values() if s.seconds is not None and s.status != "rejected"}
    if not runs:
        return {}
    slowest = max(runs, key=lambda k: (runs[k], k))
    return {"n": len(runs), "median": statistics.median(runs.values()), "slowest": (slowest, runs[slowest]),
            "total": sum(runs.values())}


# ---- figures -----------------------------------------------------------------------------------

def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def score_figure(data: ClassData) -> str | None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = [s.score for s in data.graded]
    if not scores:
        return None
    top = max(s.max_score for s in data.graded) or 1.0
    fig, ax = plt.subplots(figsize=(9, 3.6))
    step = max(1.0, round(top / 20))
    edges = [i * step - step / 2 for i in range(int(top / step) + 2)]
    ax.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    mean, median = statistics.fmean(scores), statistics.median(scores)
    ax.axvline(mean, color="#c44e52", linewidth=2, label=f"mean {mean:.1f}")
    ax.axvline(median, color="#dd8452", linewidth=2, linestyle="--", label=f"median {median:g}")
    ax.set_title(f"Score distribution: {len(scores)} graded submissions of {data.lesson}", fontsize=12)
    ax.set_xlabel(f"score (points, out of {top:g})", fontsize=11)
    ax.set_ylabel("students", fontsize=11)
    ax.set_xlim(-step, top + step)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="upper left", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def exercise_figure(data: ClassData, rates: dict) -> str | None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(rates)
    if not names or not data.graded:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.75 * len(names) + 1.4))
    height = 0.38
    for k, (part, color) in enumerate((("visible", "#55a868"), ("hidden", "#8172b2"))):
        ys = [i + (k - 0.5) * height for i in range(len(names))]
        vals = [100 * (rates[n].get(part) if rates[n].get(part) is not None else rates[n].get("points") or 0)
                for n in names]
        bars = ax.barh(ys, vals, height=height, color=color, label=f"earned the {part} points")
        for bar, val in zip(bars, vals):
            ax.text(min(val, 100) + 1, bar.get_y() + bar.get_height() / 2, f"{val:.0f}%", va="center", fontsize=9)
    ax.set_yticks(range(len(names)), names, fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xlabel(f"share of the {len(data.graded)} graded submissions (%)", fontsize=11)
    ax.set_ylabel("exercise", fontsize=11)
    ax.set_title("Per exercise: visible checks passed vs. hidden tests passed (the gap is wrong-but-passing)",
                 fontsize=12)
    ax.legend(loc="lower right", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


# ---- the page ----------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 12px 24px 40px; color: #222; line-height: 1.4; font-size: 15px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 19px; margin-top: 28px; border-bottom: 1px solid #ddd; }
h3 { font-size: 16px; margin: 18px 0 6px; }
table { border-collapse: collapse; margin: 6px 0 10px; width: 100%; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td:first-child code { white-space: nowrap; } td.n { text-align: right; white-space: nowrap; }
.gap { color: #b00; font-weight: 600; } .muted { color: #666; } img { max-width: 100%; height: auto; }
code { background: #f4f4f4; padding: 1px 4px; border-radius: 3px; word-break: break-word; }
"""


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def render(data: ClassData, seconds: float | None = None) -> str:
    e = html.escape
    rates, groups, graded = exercise_rates(data), failure_groups(data), data.graded
    scores = [s.score for s in graded]
    top = max((s.max_score for s in graded), default=0.0)
    status = Counter(s.status for s in data.students.values())
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>{e(data.lesson)}: class report</title><style>{CSS}</style></head><body>",
             f"<h1>{e(data.lesson)}: what the class got wrong</h1>"]
    summary = (f"{len(data.students)} submissions: " + ", ".join(f"{n} {e(k)}" for k, n in sorted(status.items()))
               + f"; {len(graded)} in the gradebook")
    if scores:
        summary += (f"; mean {statistics.fmean(scores):.1f} / {top:g}, median {statistics.median(scores):g} / {top:g}")
    parts.append(f"<p class='muted'>{summary}. Gradebook: {e(data.backend)}.</p>")

    # At a glance: the exercises, the gap, the first message.
    parts.append("<h2 id='exercises'>Per exercise</h2>")
    parts.append("<table><tr><th>exercise</th><th>earned visible</th><th>earned hidden</th><th>gap</th>"
                 "<th>not answered</th><th>most frequent mistake</th></tr>")
    for name, rate in rates.items():
        vis, hid = rate.get("visible"), rate.get("hidden")
        gap = (vis - hid) if vis is not None and hid is not None else None
        # The stub left in place is counted apart: the column shows what answered students got wrong.
        stubs = next((len(g["students"]) for g in groups[name] if g["message"] == NOT_DONE), 0)
        first = next((g for g in groups[name] if g["message"] != NOT_DONE), None)
        first = f"{len(first['students'])} &times; <code>{e(first['message'])}</code>" if first else "-"
        gap_cell = "-" if gap is None else f"{100 * gap:+.0f} points"
        parts.append(f"<tr><td><code>{e(name)}</code></td>"
                     f"<td class='n'>{_pct(vis if 'visible' in rate else rate.get('points'))}</td>"
                     f"<td class='n'>{_pct(hid)}</td><td class='n{' gap' if gap and gap > 0 else ''}'>{gap_cell}</td>"
                     f"<td class='n'>{stubs}</td><td>{first}</td></tr>")
    parts.append("</table>")
    parts.append("<p class='muted'>earned: the share of the graded submissions that earned all of that test cell's "
                 "points; the gap is in percentage points. A positive gap: students who passed the visible checks and "
                 "still had it wrong. Not answered: the stub was still there.</p>")
    fig = exercise_figure(data, rates)
    if fig:
        parts.append(f"<img alt='per-exercise visible and hidden pass rates' src='data:image/png;base64,{fig}'>")

    parts.append("<h2 id='scores'>Score distribution</h2>")
    fig = score_figure(data)
    parts.append(f"<img alt='score histogram' src='data:image/png;base64,{fig}'>" if fig
                 else "<p>No graded submissions.</p>")

    parts.append("<h2 id='failures'>Failure messages per exercise</h2>")
    parts.append("<p class='muted'>Grouped with numbers normalised to N; a student counts once per message. "
                 "The example is one student's message as the check printed it.</p>")
    for name, found in groups.items():
        parts.append(f"<h3><code>{e(name)}</code></h3>")
        if not found:
            parts.append("<p class='muted'>no failures</p>")
            continue
        parts.append("<table><tr><th>students</th><th>message</th><th>in</th><th>examples</th></tr>")
        for group in found[:TOP_MESSAGES]:
            examples = ", ".join(f"<code>{e(s)}</code>" for s in group["students"][:2])
            parts.append(f"<tr><td class='n'>{len(group['students'])}</td><td><code>{e(group['message'])}</code>"
                         f"<br><span class='muted'>e.g. {e(group['example'])}</span></td>"
                         f"<td>{e(' + '.join(group['cells']))}</td><td>{examples}</td></tr>")
        parts.append("</table>")
        if len(found) > TOP_MESSAGES:
            parts.append(f"<p class='muted'>and {len(found) - TOP_MESSAGES} less frequent message(s).</p>")

    look = [s for s in data.students.values() if s.status in LOOK]
    parts.append(f"<h2 id='look'>Submissions that need a human look ({len(look)})</h2>")
    if look:
        parts.append("<table><tr><th>student</th><th>status</th><th>score</th><th>reasons</th></tr>")
        for s in look:
            score = "-" if s.score is None else f"{s.score:g} / {s.max_score:g}"
            reasons = "<br>".join(e(n) for n in s.notes) or "<span class='muted'>(none recorded)</span>"
            parts.append(f"<tr><td><code>{e(s.id)}</code></td><td>{e(s.status)}</td><td class='n'>{score}</td>"
                         f"<td>{reasons}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")

    times = timing(data)
    parts.append("<h2 id='timing'>Grading time per submission</h2>")
    if times:
        who, slow = times["slowest"]
        parts.append(f"<p>{times['n']} submissions run: median <b>{times['median']:.1f} s</b>, slowest "
                     f"<b>{slow:.1f} s</b> (<code>{e(who)}</code>), {times['total']:.0f} s in all "
                     f"(from make grade's records).</p>")
    else:
        parts.append("<p class='muted'>No grading records (grading-records/): was the class graded with make grade?</p>")

    data_uri = base64.b64encode(csv_text(data).encode()).decode()
    parts.append("<h2 id='csv'>Scores per exercise</h2>")
    parts.append(f"<p><a download='{e(data.lesson)}.csv' href='data:text/csv;base64,{data_uri}'>"
                 f"{e(data.lesson)}.csv</a>: one row per student, points per exercise, total (also written "
                 f"beside this page).</p>")
    built = f" in {seconds:.1f} s" if seconds is not None else ""
    parts.append(f"<p class='muted'>Built by coursekit.grading.report{built} from the gradebook, the autograded "
                 f"notebooks and the grading records; nothing was changed.</p></body></html>")
    return "\n".join(parts)


def build(course: Path, lesson: str, db_url: str | None = None, out: Path | None = None) -> tuple[Path, Path, ClassData, float]:
    """Write ``reports/<lesson>.html`` and ``.csv`` (under ``out``, default the course's ``reports/``).
    Returns (html path, csv path, the data, seconds taken)."""
    began = time.perf_counter()
    data = collect(course, lesson, db_url)
    out = Path(out) if out else Path(course) / "reports"
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"{lesson}.csv"
    csv_path.write_text(csv_text(data), encoding="utf-8")
    page = out / f"{lesson}.html"
    seconds = time.perf_counter() - began
    page.write_text(render(data, seconds), encoding="utf-8")
    return page, csv_path, data, time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="After make grade: one HTML page of what the class got wrong.")
    parser.add_argument("lesson")
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="the course directory (default: here)")
    parser.add_argument("--db-url", default=os.environ.get("DB_URL") or None,
                        help="gradebook URL (default: $DB_URL, else nbgrader_config.py's, else gradebook.db)")
    parser.add_argument("--out", type=Path, help="folder for the page and the CSV (default: <course>/reports)")
    args = parser.parse_args(argv)
    try:
        page, csv_path, data, seconds = build(args.course, args.lesson, args.db_url, args.out)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    rates, groups = exercise_rates(data), failure_groups(data)
    for name, rate in rates.items():
        first = groups[name][0] if groups[name] else None
        print(f"{name:<20} visible {_pct(rate.get('visible', rate.get('points'))):>4}  hidden {_pct(rate.get('hidden')):>4}"
              + (f"  {len(first['students'])} x {first['message'][:90]}" if first else ""))
    print(f"\n{page}\n{csv_path}\nbuilt in {seconds:.1f} s ({len(data.students)} submissions, {len(data.graded)} graded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
