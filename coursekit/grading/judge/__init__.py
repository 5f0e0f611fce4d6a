"""The judge: graded test cells decided outside the student's kernel.

A notebook's kernel runs the student's code, so anything computed there - a check's verdict, a
parameter count, an object's ``__eq__`` - is the student's to rewrite. For a judged lesson, no test
cell runs in the kernel when it is graded. In its place the grading process (nbgrader, with no
student code in it) calls the cell's *judge*: a function of this package that

1. chooses inputs (fresh random ones for hidden checks), and asks the kernel, through
   :class:`Kernel`, to call the student's functions and classes on them (``wire.question``);
2. reads back plain data - JSON values and ``.npy`` arrays, bounded in size, never pickled
   (``wire.read_answer``);
3. compares that data with what it computes itself, from the inputs it chose, with NumPy reference
   code of its own (expected values never go to the kernel), and
4. returns the cell's pass line, or raises :class:`~coursekit.notebook.checks.CheckFailed` with the
   message the student reads - the same words the visible checks print in the notebook.

:func:`verdict_outputs` turns that into the cell's outputs (a stdout line, or one error), which
nbgrader then scores by its own rule. ``coursekit.grading.preprocessors.JudgedExecute`` does this
inside nbgrader's pipeline, so plain ``nbgrader autograde``, the formgrader and ``make grade``
grade alike. Lessons without a judge module (yet) run their test cells in the kernel, as before.
"""
from __future__ import annotations

import importlib
import logging
import re
from typing import Callable, Protocol

import nbformat

from coursekit.grading.findings import STOPPED_ERROR, TIMEOUT_ERRORS
from coursekit.grading.judge.wire import Answer, NoAnswer, question  # noqa: F401 (the judges' API)
from coursekit.notebook.checks import CheckFailed  # noqa: F401 (the judges raise it)
from coursekit.notebook.i18n import course_text  # English here: judge_cell translates the verdict

log = logging.getLogger("coursekit.judge")

MAX_MESSAGE = 4000


def judge_module(lesson: str) -> str | None:
    """The module of this package that judges a lesson's test cells (``l<NN>.py``), or None."""
    from pathlib import Path

    name = f"l{lesson[:2]}"
    return name if lesson[:2].isdigit() and (Path(__file__).parent / f"{name}.py").is_file() else None


class Kernel(Protocol):
    def ask(self, body: str, **inputs) -> Answer: ...


class StudentError(Exception):
    """The student's code raised while answering: the cell shows that error, as a kernel would."""

    def __init__(self, error: str):
        name, _, message = (error or "Error").partition(": ")
        self.ename = name if re.fullmatch(r"[A-Za-z_][\w.]{0,80}", name) else "Error"
        self.evalue = message if self.ename == name else error
        super().__init__(error)


def need(answer: Answer, name: str):
    """A value the question put into ``OUT``; when it is missing because the student's code raised
    before it was measured, that error."""
    if name not in answer:
        missing = "NoAnswer: " + course_text("no value for {0}", repr(name))
        raise StudentError(answer.error if not answer.ok else missing)
    return answer.get(name)


Judge = Callable[[Kernel], str]


def cell_judges(lesson: str) -> dict[str, Judge]:
    """{grade_id: judge} for a lesson's test cells ({} for a lesson without a judge)."""
    name = judge_module(lesson)
    if name is None:
        return {}
    return dict(importlib.import_module(f"{__name__}.{name}").JUDGES)


def registry() -> Callable[[str], Callable[[Judge], Judge]]:
    """A decorator factory for a lesson module: ``cell = registry()`` then ``@cell("grade_id")``;
    the judges land in the decorator's ``JUDGES`` dict (the module exports it)."""
    judges: dict[str, Judge] = {}

    def cell(grade_id: str):
        def register(fn: Judge) -> Judge:
            if grade_id in judges:
                raise ValueError(f"two judges for {grade_id}")
            judges[grade_id] = fn
            return fn
        return register

    cell.JUDGES = judges
    return cell


def _clean(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text))   # no terminal colours from the kernel
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ... [cut]"


class QuestionStopped(NoAnswer):
    """A question ran into the time limit (nbclient interrupted the kernel) or the kernel died while
    answering: the cell's verdict names a stopped cell (:data:`findings.TIMEOUT_ERRORS`), so that
    FlagForReview flags the submission for an instructor, as it does a plain cell that stopped."""


def run_judge(judge: Judge, kernel: Kernel) -> tuple[bool, str, str]:
    """(passed, ename, message) of one cell."""
    try:
        return True, "", _clean(judge(kernel))
    except AssertionError as fail:  # CheckFailed, archcheck's ArchitectureMismatch
        return False, type(fail).__name__, _clean(str(fail))
    except StudentError as err:
        return False, err.ename, _clean(err.evalue)
    except QuestionStopped as err:
        return False, STOPPED_ERROR, _clean(course_text(
            "the grader's question to your notebook did not finish (time limit or a stopped kernel): {0}", err))
    except NoAnswer as err:
        return False, "NoAnswer", _clean(course_text("the grader got no usable answer from your notebook: {0}", err))
    except Exception as err:  # the kernel sent data of an unexpected kind (or the judge has a bug)
        log.warning("judge %s: %s: %s", getattr(judge, "__name__", judge), type(err).__name__, err)
        return False, "CheckFailed", _clean(course_text("the grader could not check this answer ({0}: {1})",
                                                        type(err).__name__, err))


def verdict_outputs(passed: bool, ename: str, message: str) -> list:
    """A cell's outputs for a verdict: nbgrader scores an error 0 and anything else full marks."""
    if passed:
        return [nbformat.v4.new_output("stream", name="stdout", text=(message or "passed") + "\n")]
    return [nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])]


class ClientKernel:
    """:class:`Kernel` over a running nbclient client (nbgrader's Execute step is one): each question
    runs as a scratch code cell at ``index`` without history; the notebook's cell there is put back."""

    def __init__(self, client, index: int):
        self.client, self.index = client, index

    def ask(self, body: str, **inputs) -> Answer:
        from coursekit.grading.judge.wire import read_answer

        scratch = nbformat.v4.new_code_cell(question(body, **inputs))
        cells = self.client.nb.cells
        original = cells[self.index] if self.index < len(cells) else None
        try:
            self.client.execute_cell(scratch, self.index, store_history=False)
        except Exception as err:  # the kernel died, or the client gave up on it
            raise QuestionStopped(f"{type(err).__name__}: {str(err)[:300]}") from None
        finally:
            if original is not None:
                cells[self.index] = original
            elif self.index < len(cells):
                del cells[self.index]
        stopped = [o for o in scratch.outputs if o.get("output_type") == "error" and o.get("ename") in TIMEOUT_ERRORS]
        if stopped:
            raise QuestionStopped(stopped[0]["ename"])
        return read_answer(scratch.outputs)


def judge_cell(judge: Judge, client, index: int, translate: Callable[[str], str] | None = None) -> list:
    """Judge one test cell over a running client: the outputs the cell gets, its message in the
    notebook's language when ``translate`` is given (:func:`verdict_language`)."""
    passed, ename, message = run_judge(judge, ClientKernel(client, index))
    if translate is not None:
        message = _clean(translate(message))
    return verdict_outputs(passed, ename, message)


LANGUAGE_LINE = re.compile(r"""^\s*os\.environ\[["']COURSE_LANG["']\]\s*=\s*["']([a-z]{2})["']""", re.MULTILINE)


def submission_language(nb) -> str:
    """The language of the edition a notebook came from: what its Workload cell sets COURSE_LANG to
    (the line the kernel runs, so the notebook's own messages and the grader's agree); English when
    no cell says. The student can edit it; it changes only the words of the feedback."""
    for cell in nb.get("cells") or []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source") or ""
            match = LANGUAGE_LINE.search(source if isinstance(source, str) else "".join(map(str, source)))
            if match:
                return match.group(1)
    return "en"


def _edition_catalogue(nb, lesson: str) -> tuple[str, dict[str, str]]:
    """(the notebook's language, {English template: translation} of the kit and ``lesson``; {} for English)."""
    from coursekit import locale

    language = submission_language(nb)
    return language, (locale.catalogue(language, lesson) if language != "en" else {})


def english_message(nb, lesson: str) -> Callable[[str], str]:
    """The reverse of :func:`verdict_language`: a translated verdict back in English (the catalogue read
    the other way), so that the class report groups the same mistake together in every edition."""
    from coursekit.notebook.i18n import course_translate

    language, table = _edition_catalogue(nb, lesson)
    if not table:
        return lambda message: message
    back = {translated: english for english, translated in table.items()}
    return lambda message: course_translate(message, language, back)


def verdict_language(nb, lesson: str) -> Callable[[str], str] | None:
    """A translator of verdict messages into the submission's language (None for English)."""
    from coursekit.notebook.i18n import course_translate

    language, table = _edition_catalogue(nb, lesson)
    if not table:
        return None
    return lambda message: course_translate(message, language, table)
