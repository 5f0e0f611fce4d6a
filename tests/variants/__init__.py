"""The variant corpus: every graded exercise tried against answers real students write.

Each lesson has a module here (``l01.py`` ... ``l05.py``) with a list ``VARIANTS`` of
:func:`correct` answers - the same result written another way, which must earn every point of the
exercise - and :func:`wrong` answers - the mistakes students make, which must lose the exercise's
hidden points, and whose failure message (the visible test's where it catches the mistake, else
the hidden test's) must name the mistake.

:class:`LessonGrader` grades a variant the way ``nbgrader autograde`` does, cell by cell: one
Jupyter kernel per lesson runs the master's setup cell once; then, for each variant, the names the
answer cell defines are removed, the variant's source runs as the answer cell, and the exercise's
test cells are graded after it: by the lesson's judge (coursekit/grading/judge/) where it has one, as
nbgrader's JudgedExecute step does, else run in the kernel (hidden tests included, as in the master). Each test cell is scored
by nbgrader's own rule (``determine_grade``: an error, or stderr that the course's IgnorePattern
does not drop, scores 0). A correct variant must also pass the grading audit (coursekit/grading/audit.py)
unflagged: an honest answer is never sent for a human look. Test cells use only names from the setup cell and from the answer they
grade (lessons/README.md), so this gives the exercise the points a whole-notebook autograde run
would, at a fraction of the time.
"""
from __future__ import annotations

import ast
import importlib
import re
import tempfile
import textwrap
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient

from coursekit import ROOT
from coursekit.grading import audit, coursedir, judge
from tests import nbtools


@dataclass(frozen=True)
class Variant:
    exercise: str          # the answer cell's grade_id
    name: str              # what this variant is, for reports
    source: str            # the answer cell as the student wrote it
    correct: bool          # True: must earn every point; False: must lose the hidden points
    message: str | None = None  # wrong answers: regex the failure message must match
    loses: tuple[str, ...] = ()  # wrong answers: test cells that must score 0 (default: every hidden one)

    @property
    def id(self) -> str:
        return f"{self.exercise}-{'ok' if self.correct else 'wrong'}-{self.name}"


def correct(exercise: str, name: str, source: str) -> Variant:
    return Variant(exercise, name, textwrap.dedent(source).strip() + "\n", True)


def wrong(exercise: str, name: str, source: str, message: str, loses: tuple[str, ...] | str = ()) -> Variant:
    loses = (loses,) if isinstance(loses, str) else tuple(loses)
    return Variant(exercise, name, textwrap.dedent(source).strip() + "\n", False, message, loses)


@dataclass
class CellResult:
    grade_id: str
    points: float
    max_points: float
    message: str = ""  # the error (ename: evalue) or the stderr that scored the cell 0


@dataclass
class Verdict:
    variant: Variant
    answer_error: str = ""
    cells: list[CellResult] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)  # what coursekit.grading.audit flags in the answer

    def problem(self) -> str | None:
        """None when the grading was right about this variant, else what went wrong."""
        v = self.variant
        if v.correct:
            lost = [f"{c.grade_id} {c.points:g}/{c.max_points:g}: {c.message}" for c in self.cells
                    if c.points != c.max_points]
            if self.answer_error:
                lost.insert(0, f"the answer cell itself failed: {self.answer_error}")
            if self.audit:
                lost.append(f"the grading audit flags this honest answer: {', '.join(self.audit)}")
            return f"correct answer {v.id} lost points: " + "; ".join(lost) if lost else None
        must = v.loses or tuple(c.grade_id for c in self.cells if c.grade_id.endswith("_hidden"))
        kept = [c.grade_id for c in self.cells if c.grade_id in must and c.points > 0]
        if kept:
            return f"wrong answer {v.id} kept the points of {kept}"
        failed = [c for c in self.cells if c.points < c.max_points]
        first = failed[0].message if failed else self.answer_error
        if v.message and not re.search(v.message, first or "", re.S):
            return f"wrong answer {v.id} failed with a message that does not name the mistake " \
                   f"(expected /{v.message}/): {first}"
        return None


def lesson_module(lesson: str):
    return importlib.import_module(f"tests.variants.l{lesson[:2]}")


def defined_names(source: str) -> list[str]:
    """Top-level names an answer cell binds (functions, classes, assignments)."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


class LessonGrader:
    """One kernel for a lesson's variants (a context manager)."""

    def __init__(self, lesson: str, timeout: int = 300):
        self.lesson = lesson
        master = nbtools.master(lesson)
        self.setup = next(c for c in master.cells if nbtools.meta(c).get("grade_id") == "setup")
        self.cells = {nbtools.meta(c)["grade_id"]: c for c in master.cells if nbtools.meta(c).get("grade_id")}
        self.tests = nbtools.exercises(master)
        self.names = {ex: defined_names(self.cells[ex].source) for ex in self.tests}
        self.pattern = nbtools.ignore_pattern()
        self.helpers, self.sources = audit.setup_names(self.setup.source)
        self.judges = judge.cell_judges(lesson)  # cells the judge decides, as under nbgrader
        self._tmp = tempfile.TemporaryDirectory(prefix=f"variants-{lesson[:2]}-")
        # The kernel starts as grading starts it (nbgrader_config.py's Execute.extra_arguments).
        arguments = list(coursedir.read_config(ROOT).Execute.extra_arguments)
        self.client = NotebookClient(nbformat.v4.new_notebook(), timeout=timeout, kernel_name="python3",
                                     allow_errors=True, extra_arguments=arguments,
                                     resources={"metadata": {"path": self._tmp.name}})

    def __enter__(self):
        self._kernel = self.client.setup_kernel()
        self._kernel.__enter__()
        cell = self._run(self.setup.source)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            raise RuntimeError(f"the setup cell of {self.lesson} failed: {errors[0].ename}: {errors[0].evalue}")
        return self

    def __exit__(self, *exc):
        self._kernel.__exit__(*exc)
        self._tmp.cleanup()

    def _run(self, source: str):
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells.append(cell)  # nbclient writes each result back into its notebook
        self.client.execute_cell(cell, len(self.client.nb.cells) - 1)
        return cell

    def _score(self, grade_id: str, cell) -> CellResult:
        cell.metadata["nbgrader"] = dict(nbtools.meta(self.cells[grade_id]))
        points, top, why = nbtools.graded(cell, self.pattern)
        return CellResult(grade_id, float(points), float(top), why)

    def _define(self, exercise: str, source: str):
        """Run ``source`` as the answer cell of ``exercise`` (its names removed first); the cell run."""
        self._run(f"for _n in {self.names[exercise]!r}:\n    globals().pop(_n, None)\ndel _n")
        return self._run(source)

    def _test_cell(self, grade_id: str) -> CellResult:
        """One test cell graded as nbgrader's Execute step does: by the lesson's judge where it has one."""
        if grade_id in self.judges:
            cell = nbformat.v4.new_code_cell("")
            self.client.nb.cells.append(cell)
            cell.outputs = judge.judge_cell(self.judges[grade_id], self.client, len(self.client.nb.cells) - 1)
        else:
            cell = self._run(self.cells[grade_id].source)
        return self._score(grade_id, cell)

    def grade_answers(self, sources: dict[str, str], cells=None) -> dict[str, CellResult]:
        """The lesson's test cells (or ``cells``, grade ids), graded with every answer cell defined from
        ``sources`` ({exercise: source}; each exercise must have one): what a notebook with those answers
        earns there."""
        for exercise in self.tests:
            self._define(exercise, sources[exercise])
        cells = [gid for gids in self.tests.values() for gid in gids] if cells is None else cells
        return {gid: self._test_cell(gid) for gid in cells}

    def audit(self, source: str) -> list[str]:
        """What the grading audit flags in an answer cell of this source."""
        return audit.cell_findings(audit.parse_cell(source) or ast.Module([], []), self.helpers, set(self.sources),
                                   self.sources)

    def grade(self, variant: Variant) -> Verdict:
        answer = self._define(variant.exercise, variant.source)
        verdict = Verdict(variant, audit=self.audit(variant.source))
        for o in answer.outputs:
            if o.output_type == "error":
                verdict.answer_error = f"{o.ename}: {o.evalue}"
        for grade_id in self.tests[variant.exercise]:
            verdict.cells.append(self._test_cell(grade_id))
        return verdict


# ---- The corpus as whole notebooks, for nbgrader itself -------------------------------------------------
# LessonGrader grades one answer at a time in one kernel. To show that the same verdicts come out of the
# real grader - plain `nbgrader autograde` and `make grade`, with their intake, audit, sandbox and judge -
# the corpus is packed into whole submissions: the answers of different exercises do not meet (a test cell
# uses only the setup cell's names and its own answer: lessons/README.md), so one notebook can carry one
# variant of every exercise, and a lesson's corpus fits in as many notebooks as its largest exercise has
# variants.

@dataclass(frozen=True)
class Pack:
    name: str                            # the student id it is handed in as
    answers: tuple[Variant, ...]         # at most one per exercise; the other exercises keep the solution


def packs(lesson: str, corpus=None) -> list[Pack]:
    """The lesson's corpus in notebooks: pack i answers each exercise with that exercise's i-th variant
    (correct and wrong ones alternate, so a pack mixes both) and leaves the others solved."""
    corpus = lesson_module(lesson).VARIANTS if corpus is None else corpus
    by_exercise: dict[str, list[Variant]] = {}
    for v in corpus:
        by_exercise.setdefault(v.exercise, []).append(v)
    for exercise, found in by_exercise.items():  # correct, wrong, correct, ...: each pack holds both kinds
        ok, bad = [v for v in found if v.correct], [v for v in found if not v.correct]
        by_exercise[exercise] = [v for pair in zip(ok, bad) for v in pair] + ok[len(bad):] + bad[len(ok):]
    size = max((len(v) for v in by_exercise.values()), default=0)
    return [Pack(f"pack{i + 1:02d}", tuple(vs[i] for vs in by_exercise.values() if i < len(vs)))
            for i in range(size)]


def pack_notebook(lesson: str, pack: Pack, master=None, release=None):
    """The submission of ``pack``: the release notebook, every answer solved from the master, the pack's
    answers in place of their exercises' solutions."""
    from coursekit.devtools.studentwork import make_submission
    from coursekit.grading.nbmeta import answer_ids

    master = nbtools.master(lesson) if master is None else master
    release = nbtools.release(lesson) if release is None else release
    nb = make_submission(master, release, answer_ids(master))
    sources = {v.exercise: v.source for v in pack.answers}
    for cell in nb.cells:
        gid = nbtools.meta(cell).get("grade_id")
        if nbtools.meta(cell).get("solution") and gid in sources:
            cell.source = sources.pop(gid)
    if sources:
        raise ValueError(f"{pack.name}: no answer cell for {sorted(sources)}")
    return nb


def graded_verdicts(lesson: str, pack: Pack, graded_nb, release=None) -> list[Verdict]:
    """What the grader decided about each answer of ``pack``, read from its autograded notebook (each test
    cell scored by nbgrader's rule, as LessonGrader scores it; the audit's findings on the answer's cell):
    ``Verdict.problem()`` then says, as for LessonGrader, where the grading was wrong."""
    release = nbtools.release(lesson) if release is None else release
    tests = nbtools.exercises(nbtools.master(lesson))
    pattern = nbtools.ignore_pattern()
    cells = {nbtools.meta(c).get("grade_id"): c for c in graded_nb.cells if nbtools.meta(c).get("grade_id")}
    findings = audit.audit(graded_nb, release)
    verdicts = []
    for variant in pack.answers:
        verdict = Verdict(variant, audit=[f for f in findings if getattr(f, "cell", None) == variant.exercise])
        for o in cells[variant.exercise].get("outputs", []):
            if o.get("output_type") == "error":
                verdict.answer_error = f"{o.get('ename')}: {o.get('evalue')}"
        for gid in tests[variant.exercise]:
            points, top, why = nbtools.graded(cells[gid], pattern)
            verdict.cells.append(CellResult(gid, float(points), float(top), why))
        verdicts.append(verdict)
    return verdicts


def hand_in_packs(course, lesson: str, packs: list[Pack], master=None, release=None) -> None:
    """Hand in each pack as the student it is named after."""
    from coursekit.grading import coursedir

    for pack in packs:
        coursedir.submit(course, pack.name, lesson, pack_notebook(lesson, pack, master=master, release=release))


def graded_problems(course, lesson: str, packs: list[Pack]) -> dict[str, str | None]:
    """{variant id: ``Verdict.problem()``} for every answer of ``packs``, read from the course's
    ``autograded/`` notebooks (None: the grader was right)."""
    from coursekit.grading.coursedir import Course

    out = {}
    for pack in packs:
        nb = nbformat.read(Course(course).autograded(lesson, pack.name), as_version=4)
        out.update((v.variant.id, v.problem()) for v in graded_verdicts(lesson, pack, nb))
    return out
