"""Helpers the lesson-text tests (tests/test_l0N_text.py) share: read what a notebook's text and code say
(its code cells, a call's keyword arguments, a ``by_mode`` setting) and the course's GPU measurements."""
import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def flat(text: str) -> str:
    """Markdown as one line: line breaks inside a sentence do not hide a phrase."""
    return re.sub(r"\s+", " ", text)


def code_cell(nb, needle: str) -> str:
    found = [c.source for c in nb.cells if c.cell_type == "code" and needle in c.source]
    assert len(found) == 1, f"expected one code cell with {needle!r}, found {len(found)}"
    return found[0]


def keywords(call: ast.Call) -> dict:
    """A call's keyword arguments: literals as values, anything else (e.g. len(x_train)) as its source."""
    def value(node):
        try:
            return ast.literal_eval(node)
        except ValueError:
            return ast.unparse(node)
    return {k.arg: value(k.value) for k in call.keywords}


def call_keywords(source: str, func: str) -> dict:
    """The keyword arguments of the one call of ``func`` in ``source``."""
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == func]
    assert len(calls) == 1, f"expected one call of {func} in {source[:200]!r}"
    return keywords(calls[0])


def by_mode(nb, name: str) -> dict:
    """``name = by_mode(fast=..., full=...)`` in the lesson's code: {'fast': ..., 'full': ...}
    (also ``EPOCHS, BATCH_SIZE = by_mode(...), 32``)."""
    lines = [l for c in nb.cells if c.cell_type == "code" for l in c.source.splitlines()
             if l.startswith(f"{name} = by_mode(")]   # a line of its own: EPOCHS is not AUG_EPOCHS
    assert len(lines) == 1, (name, lines)
    call = ast.parse(lines[0]).body[0].value
    return keywords(call if isinstance(call, ast.Call) else call.elts[0])


def benchmark_seconds(workload: str) -> dict:
    """{backend: seconds of one epoch's training steps in float32} from the course's GPU measurements
    (the last row per backend wins, as in benchmarks/gpu_epochs.py --table)."""
    rows = {}
    for path in sorted((ROOT / "benchmarks" / "results").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("ok") and row["workload"] == workload and row["policy"] == "float32":
                rows[row["backend"]] = row["step_ms"] * row["steps_per_epoch"] / 1e3
    return rows


def kit_names(**names) -> dict:
    """A namespace for running a test cell in this process: the setup cell's check helpers (imported as
    modules, English) and ``names`` (the answer under test, np, keras ...)."""
    from coursekit.notebook import checks, i18n

    kit = {name: getattr(checks, name) for name in ("expect", "expect_shape", "expect_dtype", "expect_close",
                                                    "check_passed", "CheckFailed")}
    kit.update(course_text=i18n.course_text, course_translate=i18n.course_translate)
    return {**kit, **names}


class InProcessKernel:
    """The judge's Kernel protocol, answered in this process: each question runs against a namespace
    holding the answer under test (``names``), and its one display output is read back as the judge
    reads it. For the lesson-text tests, which run a judge on a variant without a notebook kernel."""

    def __init__(self, **names):
        self.names = names

    def ask(self, body, **inputs):
        import IPython.display
        from coursekit.grading.judge import wire

        shown, real = [], IPython.display.display
        IPython.display.display = lambda obj, raw=False: shown.append(obj)
        try:
            exec(compile(wire.question(body, **inputs), "<question>", "exec"), dict(self.names))
        finally:
            IPython.display.display = real
        return wire.read_answer([{"output_type": "display_data", "data": {wire.MIME: s[wire.MIME]}, "metadata": {}}
                                 for s in shown])
